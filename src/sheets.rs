//! Stage 1b: KPI values from spreadsheets.
//!
//! A KPI table (`source = "kpi/环境.xlsx"`) or a whole part (`kpi_source`)
//! may take its values from an `.xlsx`, `.ods` or `.csv` file in the data
//! folder. The TOML keeps the table's shape (indicators, units, ids, notes,
//! checks); the sheet supplies one value per row and year. Rows are matched by
//! id, else by indicator name; years by the column header. Imported values
//! replace the rows' `values` before validation, so the integrity checks run
//! on them exactly as on values typed into TOML. Problems name the file, the
//! sheet and the cell: `kpi/环境.xlsx!能源!D7: '1,2.3' is not a number`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader};

use crate::diag::{Problem, Problems, Severity};
use crate::model::{Block, KpiRow, Part};
use crate::paths::shown_path;
use crate::source::{Loaded, SourceFile};
use crate::validate::parse_kpi;

/// Longest sheet name a workbook allows.
const SHEET_NAME_MAX: usize = 31;
/// Header texts of the id column.
pub const ID_HEADER: &str = "id";
/// Header text of the indicator column.
pub const INDICATOR_HEADER: &str = "指标名称";
/// Header text of the unit column.
pub const UNIT_HEADER: &str = "单位";

/// One cell as read from a sheet.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// Anything else (a date, a boolean, a formula error), as shown.
    Other(String),
}

/// A sheet read into memory: its place for messages and its cells from A1.
struct Grid {
    /// `file!sheet` (or `file` for CSV), as messages print it.
    place: String,
    cells: Vec<Vec<Cell>>,
}

impl Grid {
    fn cell(&self, row: usize, col: usize) -> &Cell {
        self.cells.get(row).and_then(|r| r.get(col)).unwrap_or(&Cell::Empty)
    }

    /// A problem at a cell (0-based row and column).
    fn problem_at(&self, row: usize, col: usize, message: String) -> Problem {
        let at = format!("{}!{}{}", self.place, column_letters(col), row + 1);
        Problem::file(Severity::Error, Path::new(&at), message)
    }

    /// A problem about the whole sheet.
    fn problem(&self, message: String) -> Problem {
        Problem::file(Severity::Error, Path::new(&self.place), message)
    }
}

/// The sheet name `kpi export` gives each KPI table of the report, in
/// reading order: the title, cleaned and shortened to what workbooks allow,
/// made unique with a ` (2)` suffix.
pub fn sheet_names<'a>(parts: impl Iterator<Item = &'a Part>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for part in parts {
        for block in kpi_blocks(part) {
            let Block::Kpi { title, .. } = block else { continue };
            let clean: String =
                title.chars().filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\')).collect();
            let clean = clean.trim().trim_matches('\'').to_owned();
            let base = if clean.is_empty() { "KPI".to_owned() } else { clean };
            let mut name: String = base.chars().take(SHEET_NAME_MAX).collect();
            let mut n = 2;
            while names.iter().any(|other| other.eq_ignore_ascii_case(&name)) {
                let suffix = format!(" ({n})");
                name = base.chars().take(SHEET_NAME_MAX - suffix.chars().count()).collect::<String>() + &suffix;
                n += 1;
            }
            names.push(name);
        }
    }
    names
}

/// The KPI blocks of a part in reading order.
pub fn kpi_blocks(part: &Part) -> Vec<&Block> {
    let sections = part.sections.iter().map(|s| s.get_ref());
    let blocks = part.blocks.iter().chain(
        sections.flat_map(|s| s.blocks.iter().chain(s.subsections.iter().flat_map(|sub| sub.get_ref().blocks.iter()))),
    );
    blocks.map(|b| b.get_ref()).filter(|b| matches!(b, Block::Kpi { .. })).collect()
}

/// What a KPI spreadsheet that does not exist means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// An error (building).
    Error,
    /// The tables keep their TOML values (the first `kpi export`).
    Skip,
}

/// Replaces the values of every KPI table that names a spreadsheet with the
/// values read from it, recording every problem.
pub fn import(base: &Path, parts: &mut [Loaded<Part>], missing: Missing, problems: &mut Problems) {
    let names = sheet_names(parts.iter().map(|p| &p.data));
    let mut names = names.into_iter();
    let mut books: HashMap<PathBuf, Result<Book, Problem>> = HashMap::new();
    for part in parts.iter_mut() {
        let file = part.file.clone();
        let part_source = part.data.kpi_source.clone();
        for spanned in blocks_mut(&mut part.data) {
            let span = spanned.span();
            let Block::Kpi { title, years, rows, source, sheet, .. } = spanned.get_mut() else { continue };
            let default_name = names.next().unwrap_or_default();
            let (source, at) = match (source.as_deref(), &part_source) {
                (Some(s), _) => (s.to_owned(), file.find(span.clone(), s)),
                (None, Some(s)) => (s.get_ref().clone(), Some(s.span())),
                (None, None) => continue,
            };
            if missing == Missing::Skip && !base.join(&source).exists() {
                continue;
            }
            let book = books.entry(base.join(&source)).or_insert_with(|| open(base, &source, &file, at));
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
            let sheet_name = sheet.clone().unwrap_or(default_name);
            match book.grid(&sheet_name) {
                Ok(grid) => fill(&grid, title, years, rows, problems),
                Err(message) => problems.push(file.problem(Severity::Error, file.find(span, &source), message)),
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
    Workbook { shown: String, sheets: Box<calamine::Sheets<std::io::BufReader<std::fs::File>>> },
    Csv(Grid),
}

impl Book {
    /// Reads one sheet (CSV files have exactly one, whatever it is called).
    fn grid(&mut self, name: &str) -> Result<Grid, String> {
        match self {
            Book::Csv(grid) => Ok(Grid { place: grid.place.clone(), cells: grid.cells.clone() }),
            Book::Workbook { shown, sheets } => {
                let names = sheets.sheet_names();
                if !names.iter().any(|n| n == name) {
                    return Err(format!(
                        "{shown} has no sheet '{name}' (it has: {}); name it or set `sheet = \"…\"` on the table",
                        names.join(", ")
                    ));
                }
                let range = sheets.worksheet_range(name).map_err(|e| format!("cannot read {shown}!{name} ({e})"))?;
                let (top, left) = range.start().unwrap_or((0, 0));
                let mut cells = vec![Vec::new(); top as usize];
                for row in range.rows() {
                    let mut out = vec![Cell::Empty; left as usize];
                    out.extend(row.iter().map(cell_of));
                    cells.push(out);
                }
                Ok(Grid { place: format!("{shown}!{name}"), cells })
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
fn open(base: &Path, source: &str, file: &SourceFile, at: Option<std::ops::Range<usize>>) -> Result<Book, Problem> {
    let fail = |message: String| file.problem(Severity::Error, at.clone(), message);
    let path = base.join(source);
    let real = path
        .canonicalize()
        .map_err(|_| fail(format!("spreadsheet '{source}' not found (paths are relative to the manifest's folder)")))?;
    let root = base.canonicalize().map_err(|e| fail(format!("cannot resolve the manifest folder ({e})")))?;
    if !real.starts_with(&root) {
        return Err(fail(format!(
            "spreadsheet '{source}' lies outside the manifest's folder; move it into the data folder"
        )));
    }
    let shown = shown_path(&path).display().to_string();
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "csv" => read_csv(&real, shown).map(Book::Csv).map_err(fail),
        "xlsx" | "xlsm" | "ods" => calamine::open_workbook_auto(&real)
            .map(|sheets| Book::Workbook { shown: shown.clone(), sheets: Box::new(sheets) })
            .map_err(|e| fail(format!("cannot read spreadsheet '{source}' ({e})"))),
        _ => Err(fail(format!("spreadsheet '{source}' must be an .xlsx, .ods or .csv file"))),
    }
}

fn read_csv(path: &Path, shown: String) -> Result<Grid, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {shown} ({})", crate::paths::io_reason(&e)))?;
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut cells = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| match e.kind() {
            csv::ErrorKind::Utf8 { .. } => format!("{shown}: line {} is not UTF-8 (save the file as CSV UTF-8)", i + 1),
            _ => format!("cannot read {shown} ({e})"),
        })?;
        cells.push(
            record
                .iter()
                .map(|s| if s.trim().is_empty() { Cell::Empty } else { Cell::Text(s.trim().to_owned()) })
                .collect(),
        );
    }
    Ok(Grid { place: shown, cells })
}

/// The columns of a sheet's header row.
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

/// An indicator name for matching: without blanks.
pub fn indicator_key(name: &str) -> String {
    name.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Fills the rows' values from a sheet.
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
                Err(message) => {
                    problems.push(grid.problem_at(r, c, format!("{message} ('{indicator}', {})", years[y])))
                }
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
fn value_of(cell: &Cell, template: Option<&str>) -> Result<String, String> {
    match cell {
        Cell::Empty => Err("empty cell (write '/' where there is no data)".into()),
        Cell::Text(s) if parse_kpi(s).is_some() && grouped(s) => Ok(s.clone()),
        Cell::Text(s) | Cell::Other(s) => Err(format!(
            "'{s}' is not a number (write e.g. 1,234.5, '/', or a qualified number such as '>90' or '1,400+')"
        )),
        Cell::Number(f) => Ok(format_number(*f, template)),
    }
}

/// Whether thousands commas in a value sit between groups of three digits.
fn grouped(value: &str) -> bool {
    let digits: String = value.chars().filter(|c| c.is_ascii_digit() || matches!(c, ',' | '.')).collect();
    let int = digits.split('.').next().unwrap_or("");
    if !int.contains(',') {
        return true;
    }
    let mut groups = int.split(',');
    let first = groups.next().unwrap_or("");
    (1..=3).contains(&first.len()) && groups.all(|g| g.len() == 3)
}

/// Formats a number like `template` (decimals, commas); without one, with
/// up to six decimals and thousands commas from 1,000.
pub fn format_number(value: f64, template: Option<&str>) -> String {
    let template = template.filter(|t| crate::validate::plain_number(t).is_some());
    let (decimals, commas) = match template {
        Some(t) => (t.split_once('.').map_or(0, |(_, d)| d.len()), t.contains(',') || value.abs() >= 10_000.0),
        None => {
            let short = format!("{}", (value * 1e6).round() / 1e6);
            (short.split_once('.').map_or(0, |(_, d)| d.len()), value.abs() >= 1000.0)
        }
    };
    let text = format!("{value:.decimals$}");
    if !commas {
        return text;
    }
    let (sign, rest) = text.strip_prefix('-').map_or(("", text.as_str()), |r| ("-", r));
    let (int, frac) = rest.split_once('.').map_or((rest, None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}{}", frac.map(|f| format!(".{f}")).unwrap_or_default())
}

/// `0` → `A`, `25` → `Z`, `26` → `AA`.
pub fn column_letters(col: usize) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        out.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_their_template() {
        assert_eq!(format_number(459152.0, Some("456,239")), "459,152");
        assert_eq!(format_number(16.4, Some("17.59")), "16.40");
        assert_eq!(format_number(7716.0, None), "7,716");
        assert_eq!(format_number(0.30000000000000004, None), "0.3");
        assert_eq!(format_number(0.00049, Some("0.00041")), "0.00049");
        assert_eq!(format_number(-1234.5, None), "-1,234.5");
    }

    #[test]
    fn commas_must_group_thousands() {
        assert!(grouped("1,234.5") && grouped("459,152") && grouped("12") && grouped(">90") && grouped("1,400+"));
        assert!(!grouped("1,2.3") && !grouped("12,34"));
        assert_eq!(
            value_of(&Cell::Text("1,2.3".into()), None).expect_err("not a number").split(" (").next(),
            Some("'1,2.3' is not a number")
        );
    }

    #[test]
    fn columns_are_lettered() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(3), "D");
        assert_eq!(column_letters(26), "AA");
    }
}
