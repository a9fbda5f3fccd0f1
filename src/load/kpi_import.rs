//! Stage 1b: KPI values from spreadsheets.
//!
//! A KPI table (`source = "kpi/环境.xlsx"`) or a whole part (`kpi_source`)
//! may take its values from an `.xlsx`, `.ods` or `.csv` file in the data
//! folder. The TOML keeps the table's shape (indicators, units, ids, notes,
//! checks); the worksheet supplies one value per row and year. Rows are
//! matched by id, else by indicator name; years by the column header.
//! Imported values replace the rows' `values` before validation, so the
//! integrity checks run on them exactly as on values typed into TOML.
//! Problems name the file, the worksheet and the cell ([`CellRef`]):
//! `kpi/环境.xlsx!能源!D7: '1,2.3' is not a number`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader};

use crate::diag::{Problem, Problems, Severity};
use crate::locate::{CellRef, WorksheetRef};
use crate::model::kpi_value::{format_number, indicator_key, parse_kpi};
use crate::model::{Block, KpiRow, Part};
use crate::paths::{PathError, confined, io_reason, shown_path};
use crate::source::Loaded;
use crate::workbook::{ID_HEADER, INDICATOR_HEADER, worksheet_names};

/// What a KPI spreadsheet that does not exist means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// An error (building).
    Error,
    /// The tables keep their TOML values (the first `kpi export`).
    Skip,
}

/// Why a spreadsheet or one of its worksheets cannot be read; reported at
/// the table (or part) that names the file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SpreadsheetError {
    /// The file is not where the data says.
    #[error("spreadsheet '{0}' not found (paths are relative to the manifest's folder)")]
    NotFound(String),
    /// The data folder cannot be resolved.
    #[error("cannot resolve the manifest folder ({0})")]
    Folder(String),
    /// The path leads outside the data folder.
    #[error("spreadsheet '{0}' lies outside the manifest's folder; move it into the data folder")]
    Outside(String),
    /// The path is a folder, FIFO or device.
    #[error("spreadsheet '{0}' is not a regular file (a folder, FIFO or device)")]
    NotAFile(String),
    /// The file name does not end in a spreadsheet extension.
    #[error("spreadsheet '{0}' must be an .xlsx, .ods or .csv file")]
    Format(String),
    /// The workbook cannot be opened.
    #[error("cannot read spreadsheet '{file}' ({reason})")]
    Workbook {
        /// The file as the data names it.
        file: String,
        /// Why.
        reason: String,
    },
    /// A file or worksheet cannot be read (`shown` is `file` or `file!sheet`).
    #[error("cannot read {shown} ({reason})")]
    Unreadable {
        /// The file or worksheet as shown to the user.
        shown: String,
        /// Why.
        reason: String,
    },
    /// A line of a CSV file is not UTF-8.
    #[error("{shown}: line {line} is not UTF-8 (save the file as CSV UTF-8)")]
    CsvEncoding {
        /// The file as shown to the user.
        shown: String,
        /// The 1-based line.
        line: usize,
    },
    /// The workbook has no worksheet of the name the table expects.
    #[error(
        "{shown} has no sheet '{name}' (it has: {}); name it or set `sheet = \"…\"` on the table",
        .present.join(", ")
    )]
    NoWorksheet {
        /// The file as shown to the user.
        shown: String,
        /// The name looked for.
        name: String,
        /// The worksheets it has.
        present: Vec<String>,
    },
}

/// Why a cell is not a KPI value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CellError {
    /// Nothing in the cell.
    #[error("empty cell (write '/' where there is no data)")]
    Empty,
    /// Text (or a date, a boolean, a formula error) that is no KPI value.
    #[error("'{0}' is not a number (write e.g. 1,234.5, '/', or a qualified number such as '>90' or '1,400+')")]
    NotANumber(String),
}

/// One cell as read from a worksheet.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// Anything else (a date, a boolean, a formula error), as shown.
    Other(String),
}

/// A worksheet read into memory: its place for messages and its cells from A1.
struct Grid {
    place: WorksheetRef,
    cells: Vec<Vec<Cell>>,
}

impl Grid {
    fn cell(&self, row: usize, col: usize) -> &Cell {
        self.cells.get(row).and_then(|r| r.get(col)).unwrap_or(&Cell::Empty)
    }

    /// A problem at a cell (0-based row and column).
    fn problem_at(&self, row: usize, col: usize, message: String) -> Problem {
        let cell: CellRef = self.place.cell(row, col);
        Problem::in_spreadsheet(Severity::Error, &cell, message)
    }

    /// A problem about the whole worksheet.
    fn problem(&self, message: String) -> Problem {
        Problem::in_spreadsheet(Severity::Error, &self.place, message)
    }
}

/// Replaces the values of every KPI table that names a spreadsheet with the
/// values read from it, recording every problem.
pub fn import(base: &Path, parts: &mut [Loaded<Part>], missing: Missing, problems: &mut Problems) {
    let names = worksheet_names(parts.iter().map(|p| &p.data));
    let mut names = names.into_iter();
    let mut books: HashMap<PathBuf, Result<Book, Problem>> = HashMap::new();
    for part in parts.iter_mut() {
        let file = part.file.clone();
        let part_source = part.data.kpi_source.clone();
        for spanned in blocks_mut(&mut part.data) {
            let span = spanned.span();
            let Block::Kpi { title, years, rows, source, worksheet, .. } = spanned.get_mut() else { continue };
            let default_name = names.next().unwrap_or_default();
            let (source, at) = match (source.as_deref(), &part_source) {
                (Some(s), _) => (s.to_owned(), file.find(span.clone(), s)),
                (None, Some(s)) => (s.get_ref().clone(), Some(s.span())),
                (None, None) => continue,
            };
            if missing == Missing::Skip && !base.join(&source).exists() {
                continue;
            }
            let book = books.entry(base.join(&source)).or_insert_with(|| {
                open(base, &source).map_err(|e| file.problem(Severity::Error, at.clone(), e.to_string()))
            });
            let book = match book {
                Ok(book) => book,
                // Reported once, where the first table names the file.
                Err(problem) => {
                    if !problems.0.contains(problem) {
                        problems.push(problem.clone());
                    }
                    continue;
                }
            };
            let worksheet = worksheet.clone().unwrap_or(default_name);
            match book.grid(&worksheet) {
                Ok(grid) => fill(&grid, title, years, rows, problems),
                Err(e) => problems.push(file.problem(Severity::Error, file.find(span, &source), e.to_string())),
            }
        }
    }
}

/// Every block of a part, mutably, in reading order.
fn blocks_mut(part: &mut Part) -> Vec<&mut toml::Spanned<Block>> {
    let mut out: Vec<&mut toml::Spanned<Block>> = part.blocks.iter_mut().collect();
    for section in &mut part.sections {
        let section = section.get_mut();
        out.extend(section.blocks.iter_mut());
        for sub in &mut section.subsections {
            out.extend(sub.get_mut().blocks.iter_mut());
        }
    }
    out
}

/// An opened spreadsheet file.
enum Book {
    Workbook { shown: String, worksheets: Box<calamine::Sheets<std::io::BufReader<std::fs::File>>> },
    Csv(Grid),
}

impl Book {
    /// Reads one worksheet (CSV files have exactly one, whatever it is called).
    fn grid(&mut self, name: &str) -> Result<Grid, SpreadsheetError> {
        match self {
            Book::Csv(grid) => Ok(Grid { place: grid.place.clone(), cells: grid.cells.clone() }),
            Book::Workbook { shown, worksheets } => {
                let present = worksheets.sheet_names();
                if !present.iter().any(|n| n == name) {
                    return Err(SpreadsheetError::NoWorksheet { shown: shown.clone(), name: name.to_owned(), present });
                }
                let range = worksheets.worksheet_range(name).map_err(|e| SpreadsheetError::Unreadable {
                    shown: format!("{shown}!{name}"),
                    reason: e.to_string(),
                })?;
                let (top, left) = range.start().unwrap_or((0, 0));
                let mut cells = vec![Vec::new(); top as usize];
                for row in range.rows() {
                    let mut out = vec![Cell::Empty; left as usize];
                    out.extend(row.iter().map(cell_of));
                    cells.push(out);
                }
                let place = WorksheetRef { workbook: shown.clone(), sheet: Some(name.to_owned()) };
                Ok(Grid { place, cells })
            }
        }
    }
}

fn cell_of(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) if s.trim().is_empty() => Cell::Empty,
        Data::String(s) => Cell::Text(s.trim().to_owned()),
        Data::Float(f) => Cell::Number(*f),
        Data::Int(i) => Cell::Number(*i as f64),
        other => Cell::Other(other.to_string()),
    }
}

/// Opens a spreadsheet named by the data, refusing files outside the data folder.
fn open(base: &Path, source: &str) -> Result<Book, SpreadsheetError> {
    let real = confined(base, source).map_err(|e| match e {
        PathError::NotFound => SpreadsheetError::NotFound(source.to_owned()),
        PathError::Folder(reason) => SpreadsheetError::Folder(reason),
        PathError::Outside => SpreadsheetError::Outside(source.to_owned()),
        PathError::NotAFile => SpreadsheetError::NotAFile(source.to_owned()),
    })?;
    let path = base.join(source);
    let shown = shown_path(&path).display().to_string();
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "csv" => read_csv(&real, shown).map(Book::Csv),
        "xlsx" | "xlsm" | "ods" => calamine::open_workbook_auto(&real)
            .map(|worksheets| Book::Workbook { shown: shown.clone(), worksheets: Box::new(worksheets) })
            .map_err(|e| SpreadsheetError::Workbook { file: source.to_owned(), reason: e.to_string() }),
        _ => Err(SpreadsheetError::Format(source.to_owned())),
    }
}

fn read_csv(path: &Path, shown: String) -> Result<Grid, SpreadsheetError> {
    let bytes = std::fs::read(path)
        .map_err(|e| SpreadsheetError::Unreadable { shown: shown.clone(), reason: io_reason(&e) })?;
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut cells = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| match e.kind() {
            csv::ErrorKind::Utf8 { .. } => SpreadsheetError::CsvEncoding { shown: shown.clone(), line: i + 1 },
            _ => SpreadsheetError::Unreadable { shown: shown.clone(), reason: e.to_string() },
        })?;
        cells.push(
            record
                .iter()
                .map(|s| if s.trim().is_empty() { Cell::Empty } else { Cell::Text(s.trim().to_owned()) })
                .collect(),
        );
    }
    Ok(Grid { place: WorksheetRef { workbook: shown, sheet: None }, cells })
}

/// The columns of a worksheet's header row.
struct Columns {
    header: usize,
    id: Option<usize>,
    indicator: usize,
    years: Vec<usize>,
}

fn text_of(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(s) | Cell::Other(s) => s.clone(),
        Cell::Number(f) => format!("{f}"),
    }
}

/// Finds the header row: the first row that names every year of the table.
fn columns(grid: &Grid, years: &[i32]) -> Result<Columns, Problem> {
    for (r, row) in grid.cells.iter().enumerate() {
        let texts: Vec<String> = row.iter().map(|c| text_of(c).trim_end_matches('年').trim().to_owned()).collect();
        let year_cols: Option<Vec<usize>> =
            years.iter().map(|y| texts.iter().position(|t| *t == y.to_string())).collect();
        let Some(year_cols) = year_cols else { continue };
        let id = texts.iter().position(|t| t.eq_ignore_ascii_case(ID_HEADER) || t == "编号");
        let indicator = texts.iter().position(|t| t.contains("指标") || t.eq_ignore_ascii_case("indicator"));
        let Some(indicator) = indicator else {
            return Err(grid.problem_at(r, 0, format!("the header row has no '{INDICATOR_HEADER}' column")));
        };
        return Ok(Columns { header: r, id, indicator, years: year_cols });
    }
    let wanted: Vec<String> = years.iter().map(i32::to_string).collect();
    Err(grid.problem(format!("no header row names the years {} (one column per year)", wanted.join(", "))))
}

/// Fills the rows' values from a worksheet.
fn fill(grid: &Grid, title: &str, years: &[i32], rows: &mut [KpiRow], problems: &mut Problems) {
    let cols = match columns(grid, years) {
        Ok(cols) => cols,
        Err(problem) => return problems.push(problem),
    };
    let mut by_id = HashMap::new();
    let mut by_name = HashMap::new();
    for r in cols.header + 1..grid.cells.len() {
        if let Some(c) = cols.id {
            by_id.entry(text_of(grid.cell(r, c))).or_insert(r);
        }
        by_name.entry(indicator_key(&text_of(grid.cell(r, cols.indicator)))).or_insert(r);
    }
    let mut used = Vec::new();
    for row in rows.iter_mut() {
        let Some(indicator) = row.indicator.clone() else { continue };
        let found = row.id.as_ref().and_then(|id| by_id.get(id)).or_else(|| by_name.get(&indicator_key(&indicator)));
        let Some(&r) = found else {
            let id = row.id.as_ref().map(|id| format!(" (id '{id}')")).unwrap_or_default();
            problems.push(grid.problem(format!(
                "no row for '{indicator}'{id} of the table '{title}'; add it (ids in the '{ID_HEADER}' column, names in '{INDICATOR_HEADER}')"
            )));
            continue;
        };
        used.push(r);
        let mut values = Vec::with_capacity(years.len());
        for (y, &c) in cols.years.iter().enumerate() {
            let template = row.values.get(y).map(String::as_str);
            match value_of(grid.cell(r, c), template) {
                Ok(v) => values.push(v),
                Err(e) => problems.push(grid.problem_at(r, c, format!("{e} ('{indicator}', {})", years[y]))),
            }
        }
        if values.len() == years.len() {
            row.values = values;
        }
    }
    for r in cols.header + 1..grid.cells.len() {
        let filled = cols.years.iter().any(|&c| *grid.cell(r, c) != Cell::Empty);
        if filled && !used.contains(&r) {
            let name = text_of(grid.cell(r, cols.indicator));
            problems.push(grid.problem_at(
                r,
                cols.indicator,
                format!(
                    "row '{name}' matches no indicator of the table '{title}'; add the indicator to the table or remove the row"
                ),
            ));
        }
    }
}

/// A cell as the printed KPI value. Numbers typed as numbers take the
/// decimals and thousands commas of the value they replace (`template`).
fn value_of(cell: &Cell, template: Option<&str>) -> Result<String, CellError> {
    match cell {
        Cell::Empty => Err(CellError::Empty),
        // The grammar groups thousands in threes: `1,2.3` is not a value.
        Cell::Text(s) if parse_kpi(s).is_some() => Ok(s.clone()),
        Cell::Text(s) | Cell::Other(s) => Err(CellError::NotANumber(s.clone())),
        Cell::Number(f) => Ok(format_number(*f, template)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn badly_grouped_text_is_not_a_value() {
        assert_eq!(value_of(&Cell::Text("1,2.3".into()), None), Err(CellError::NotANumber("1,2.3".into())));
        assert_eq!(
            CellError::NotANumber("1,2.3".into()).to_string().split(" (").next(),
            Some("'1,2.3' is not a number")
        );
        assert_eq!(value_of(&Cell::Number(7716.0), Some("7,000")), Ok("7,716".into()));
    }
}
