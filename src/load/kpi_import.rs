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

use crate::diag::{Problem, Problems, Severity};
use crate::locate::{CellRef, WorksheetRef};
use crate::model::kpi_value::{format_number, indicator_key, parse_kpi};
use crate::model::{Block, KpiRow, Part};
use crate::paths::{PathError, confined, shown_path};
use crate::source::Loaded;
use crate::workbook::{ID_HEADER, INDICATOR_HEADER, worksheet_names};

use super::sheets::{Cell, CsvError, Grid, SheetError, Workbook, read_csv, read_csv_bytes};

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
    /// Text that is no KPI value.
    #[error("'{0}' is not a number (write e.g. 1,234.5, '/', or a qualified number such as '>90' or '1,400+')")]
    NotANumber(String),
    /// A date, a time, a boolean or a formula error.
    #[error("the cell holds {0}, not a KPI value (format the cell as a number, or type the value as text)")]
    NotAValue(String),
    /// A number that is not finite.
    #[error("the cell's number is not finite ({0})")]
    NotFinite(f64),
}

/// Problems of one kind per spreadsheet reported in full; the rest are counted.
pub const MAX_REPEATED: usize = 20;

/// Reports at most [`MAX_REPEATED`] problems of a kind per spreadsheet and
/// counts the rest, said in one last problem per kind.
#[derive(Default)]
struct Capped {
    /// Per spreadsheet and kind: how many were seen.
    seen: HashMap<(String, &'static str), usize>,
}

impl Capped {
    fn push(&mut self, problems: &mut Problems, grid: &Grid, kind: &'static str, problem: Problem) {
        let seen = self.seen.entry((grid.place.workbook.clone(), kind)).or_default();
        *seen += 1;
        if *seen <= MAX_REPEATED {
            problems.push(problem);
        }
    }

    fn finish(self, problems: &mut Problems) {
        let mut more: Vec<_> = self.seen.into_iter().filter(|(_, n)| *n > MAX_REPEATED).collect();
        more.sort();
        for ((workbook, kind), n) in more {
            let place = WorksheetRef { workbook, sheet: None };
            problems.push(Problem::in_spreadsheet(
                Severity::Error,
                &place,
                format!("{} more {kind} not shown (the first {MAX_REPEATED} are)", n - MAX_REPEATED),
            ));
        }
    }
}

/// A problem at a cell (0-based row and column) of a worksheet.
fn cell_problem(grid: &Grid, row: usize, col: usize, message: String) -> Problem {
    let cell: CellRef = grid.place.cell(row, col);
    Problem::in_spreadsheet(Severity::Error, &cell, message)
}

/// A problem about a whole worksheet.
fn grid_problem(grid: &Grid, message: String) -> Problem {
    Problem::in_spreadsheet(Severity::Error, &grid.place, message)
}

/// Replaces the values of every KPI table that names a spreadsheet with the
/// values read from it, recording every problem.
pub fn import(base: &Path, parts: &mut [Loaded<Part>], missing: Missing, problems: &mut Problems) {
    let names = worksheet_names(parts.iter().map(|p| &p.data));
    let mut names = names.into_iter();
    let mut books: HashMap<PathBuf, Result<Book, Problem>> = HashMap::new();
    let mut capped = Capped::default();
    for part in parts.iter_mut() {
        let file = part.file.clone();
        let part_source = part.data.kpi_workbook.clone();
        for spanned in blocks_mut(&mut part.data) {
            let span = spanned.span();
            let Block::Kpi { title, years, rows, workbook: source, worksheet, .. } = spanned.get_mut() else {
                continue;
            };
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
                Ok(grid) => fill(&grid, title, years, rows, &mut capped, problems),
                Err(e) => problems.push(file.problem(Severity::Error, file.find(span, &source), e.to_string())),
            }
        }
    }
    capped.finish(problems);
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
    Workbook { shown: String, book: Workbook },
    Csv(Grid),
}

impl Book {
    /// Reads one worksheet (CSV files have exactly one, whatever it is called).
    fn grid(&mut self, name: &str) -> Result<Grid, SpreadsheetError> {
        match self {
            Book::Csv(grid) => Ok(grid.clone()),
            Book::Workbook { shown, book } => {
                let place = WorksheetRef { workbook: shown.clone(), sheet: Some(name.to_owned()) };
                book.grid(name, place).map_err(|e| match e {
                    SheetError::NoWorksheet(_) => SpreadsheetError::NoWorksheet {
                        shown: shown.clone(),
                        name: name.to_owned(),
                        present: book.names(),
                    },
                    e => SpreadsheetError::Unreadable { shown: format!("{shown}!{name}"), reason: e.to_string() },
                })
            }
        }
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
        "csv" => {
            read_csv(&real, WorksheetRef { workbook: shown.clone(), sheet: None }).map(Book::Csv).map_err(|e| match e {
                CsvError::Encoding(line) => SpreadsheetError::CsvEncoding { shown, line },
                CsvError::Sheet(e) => SpreadsheetError::Unreadable { shown, reason: e.to_string() },
            })
        }
        "xlsx" | "xlsm" | "ods" => Workbook::open(&real, &shown, ext == "ods")
            .map(|book| Book::Workbook { shown: shown.clone(), book })
            .map_err(|e| SpreadsheetError::Workbook { file: shown.clone(), reason: e.to_string() }),
        _ => Err(SpreadsheetError::Format(source.to_owned())),
    }
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
        Cell::Text(s) | Cell::Refused(s) => s.clone(),
        Cell::Number(f) | Cell::Percent(f) => format!("{f}"),
    }
}

/// Finds the header row: the first row that names every year of the table.
fn columns(grid: &Grid, years: &[i32]) -> Result<Columns, Problem> {
    for (&r, row) in &grid.rows {
        let texts: Vec<(usize, String)> =
            row.iter().map(|(&c, cell)| (c, text_of(cell).trim_end_matches('年').trim().to_owned())).collect();
        let find = |pred: &dyn Fn(&str) -> bool| texts.iter().find(|(_, t)| pred(t)).map(|(c, _)| *c);
        let year_cols: Option<Vec<usize>> = years.iter().map(|y| find(&|t| t == y.to_string())).collect();
        let Some(year_cols) = year_cols else { continue };
        let id = find(&|t| t.eq_ignore_ascii_case(ID_HEADER) || t == "编号");
        let Some(indicator) = find(&|t| t.contains("指标") || t.eq_ignore_ascii_case("indicator")) else {
            return Err(cell_problem(grid, r, 0, format!("the header row has no '{INDICATOR_HEADER}' column")));
        };
        return Ok(Columns { header: r, id, indicator, years: year_cols });
    }
    let wanted: Vec<String> = years.iter().map(i32::to_string).collect();
    Err(grid_problem(grid, format!("no header row names the years {} (one column per year)", wanted.join(", "))))
}

/// Fills the rows' values from a worksheet.
fn fill(grid: &Grid, title: &str, years: &[i32], rows: &mut [KpiRow], capped: &mut Capped, problems: &mut Problems) {
    let cols = match columns(grid, years) {
        Ok(cols) => cols,
        Err(problem) => return problems.push(problem),
    };
    let body: Vec<usize> = grid.rows.range(cols.header + 1..).map(|(&r, _)| r).collect();
    let mut by_id = HashMap::new();
    let mut by_name = HashMap::new();
    for &r in &body {
        if let Some(c) = cols.id {
            by_id.entry(text_of(grid.cell(r, c))).or_insert(r);
        }
        by_name.entry(indicator_key(&text_of(grid.cell(r, cols.indicator)))).or_insert(r);
    }
    let mut used = std::collections::HashSet::new();
    for row in rows.iter_mut() {
        let Some(indicator) = row.indicator.clone() else { continue };
        let found = row.id.as_ref().and_then(|id| by_id.get(id)).or_else(|| by_name.get(&indicator_key(&indicator)));
        let Some(&r) = found else {
            let id = row.id.as_ref().map(|id| format!(" (id '{id}')")).unwrap_or_default();
            let message = format!(
                "no row for '{indicator}'{id} of the table '{title}'; add it (ids in the '{ID_HEADER}' column, names in '{INDICATOR_HEADER}')"
            );
            capped.push(problems, grid, "missing rows", grid_problem(grid, message));
            continue;
        };
        used.insert(r);
        let mut values = Vec::with_capacity(years.len());
        for (y, &c) in cols.years.iter().enumerate() {
            let template = row.values.get(y).map(String::as_str);
            match value_of(grid.cell(r, c), template) {
                Ok(v) => values.push(v),
                Err(e) => {
                    let problem = cell_problem(grid, r, c, format!("{e} ('{indicator}', {})", years[y]));
                    capped.push(problems, grid, "cells that are no KPI value", problem);
                }
            }
        }
        if values.len() == years.len() {
            row.values = values;
        }
    }
    for &r in &body {
        let filled = cols.years.iter().any(|&c| *grid.cell(r, c) != Cell::Empty);
        if filled && !used.contains(&r) {
            let name = text_of(grid.cell(r, cols.indicator));
            let message = format!(
                "row '{name}' matches no indicator of the table '{title}'; add the indicator to the table or remove the row"
            );
            capped.push(problems, grid, "rows that match no indicator", cell_problem(grid, r, cols.indicator, message));
        }
    }
}

/// A cell as the printed KPI value. Numbers typed as numbers take the
/// decimals and thousands commas of the value they replace (`template`);
/// a percentage is its percent value (`5 %` prints as the template's 5).
fn value_of(cell: &Cell, template: Option<&str>) -> Result<String, CellError> {
    match cell {
        Cell::Empty => Err(CellError::Empty),
        // The grammar groups thousands in threes: `1,2.3` is not a value.
        Cell::Text(s) if parse_kpi(s).is_some() => Ok(s.clone()),
        Cell::Text(s) => Err(CellError::NotANumber(s.clone())),
        Cell::Refused(what) => Err(CellError::NotAValue(what.clone())),
        Cell::Number(f) | Cell::Percent(f) if !f.is_finite() => Err(CellError::NotFinite(*f)),
        Cell::Number(f) | Cell::Percent(f) => Ok(format_number(*f, template)),
    }
}

/// The format of a spreadsheet's bytes, for [`check_spreadsheet_bytes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetFormat {
    /// An `.xlsx` file.
    Xlsx,
    /// An `.ods` file.
    Ods,
    /// A `.csv` file.
    Csv,
}

/// Imports every worksheet of a spreadsheet given as bytes into a fixed
/// KPI table (years 2018–2020, rows `total`, `cn`, `abroad` and one by
/// name), returning the problems; for fuzzing the import.
pub fn check_spreadsheet_bytes(bytes: Vec<u8>, format: SheetFormat) -> Problems {
    let mut problems = Problems::default();
    let place = WorksheetRef { workbook: "fuzz".into(), sheet: None };
    let book = match format {
        SheetFormat::Csv => read_csv_bytes(&bytes, place.clone()).map(Book::Csv).map_err(|e| e.to_string()),
        SheetFormat::Xlsx | SheetFormat::Ods => Workbook::from_bytes(bytes, "fuzz", format == SheetFormat::Ods)
            .map(|book| Book::Workbook { shown: "fuzz".into(), book })
            .map_err(|e| e.to_string()),
    };
    let mut book = match book {
        Ok(book) => book,
        Err(message) => {
            problems.push(Problem::in_spreadsheet(Severity::Error, &place, message));
            return problems;
        }
    };
    let names = match &book {
        Book::Csv(_) => vec![String::new()],
        Book::Workbook { book, .. } => book.names(),
    };
    let mut capped = Capped::default();
    for name in names {
        let mut rows: Vec<KpiRow> = ["total", "cn", "abroad"]
            .iter()
            .map(|id| KpiRow {
                group: None,
                indicator: Some(format!("{id} 指标")),
                unit: "人".into(),
                values: vec!["1,000".into(), "/".into(), "2.5".into()],
                notes: Vec::new(),
                id: Some((*id).into()),
            })
            .collect();
        rows.push(KpiRow { id: None, indicator: Some("比例".into()), ..rows[0].clone() });
        match book.grid(&name) {
            Ok(grid) => fill(&grid, "fuzz", &[2018, 2019, 2020], &mut rows, &mut capped, &mut problems),
            Err(e) => problems.push(Problem::in_spreadsheet(Severity::Error, &place, e.to_string())),
        }
    }
    capped.finish(&mut problems);
    problems
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
