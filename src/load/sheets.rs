//! Reading a KPI spreadsheet into a sparse grid of cells, bounded.
//!
//! Every reader here is bounded before it allocates: the file must be a
//! regular file of at most [`MAX_SPREADSHEET_BYTES`]; the entries of an
//! `.xlsx` or `.ods` (zip) file are checked against [`MAX_ENTRY_BYTES`] by
//! their uncompressed sizes before anything is decompressed; and at most
//! [`MAX_CELLS`] cells are read from a worksheet, counted as they are read
//! (repeated rows and columns of an `.ods` file count once per cell they
//! stand for, a cell written twice at one address counts twice). Cells are
//! kept in a map by row and column, so a lone cell at `XFD1048576` costs
//! one entry, not the rows × columns of the declared range.
//!
//! Cells are read as a user sees them: a number formatted as a percentage
//! is its percent value (`5 %` is 5), a currency is its amount, a formula
//! its cached result; a date, a time, a boolean or an error value is no KPI
//! value and says what it is ([`Cell::Refused`]).

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Seek};
use std::path::Path;

use calamine::{DataRef, Reader};

use crate::locate::WorksheetRef;
use crate::paths::{ReadError, read_regular_file};

/// Largest spreadsheet file, in bytes.
pub const MAX_SPREADSHEET_BYTES: u64 = 64 * 1024 * 1024;
/// Largest uncompressed entry of an `.xlsx` or `.ods` file, and largest sum
/// of all its entries, in bytes.
pub const MAX_ENTRY_BYTES: u64 = 256 * 1024 * 1024;
/// Most cells read from one worksheet.
pub const MAX_CELLS: u64 = 1_000_000;
/// Largest `content.xml` of an `.ods` file, which is parsed whole.
pub const MAX_ODS_CONTENT_BYTES: u64 = 32 * 1024 * 1024;
/// Most XML nodes of an `.ods` file's `content.xml` (a cell is about three).
pub const MAX_ODS_NODES: u32 = 4_000_000;

/// Why a spreadsheet file cannot be read (the file is named by the caller).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SheetError {
    /// The file itself cannot be read.
    #[error("{0}")]
    File(#[from] ReadError),
    /// The zip container or the workbook in it is broken.
    #[error("{0}")]
    Broken(String),
    /// An entry of the zip container is too large once decompressed.
    #[error("its part '{entry}' unpacks to {size} bytes, more than the limit of {} MiB", cap / 1024 / 1024)]
    Unpacked {
        /// The entry's name.
        entry: String,
        /// Its uncompressed size (or the running total).
        size: u64,
        /// The limit.
        cap: u64,
    },
    /// A worksheet holds more cells than [`MAX_CELLS`].
    #[error("worksheet '{0}' holds more than {MAX_CELLS} cells; keep only the KPI tables in the workbook")]
    TooManyCells(String),
    /// Two worksheets have the same name.
    #[error("two worksheets are named '{0}'; rename one")]
    DuplicateName(String),
    /// The workbook has no worksheet of that name.
    #[error("no worksheet '{0}'")]
    NoWorksheet(String),
}

/// One cell as a user sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing in the cell.
    Empty,
    /// Text, trimmed.
    Text(String),
    /// A number (a currency's amount, a formula's result).
    Number(f64),
    /// A number formatted as a percentage, in percent (`5 %` is 5.0).
    Percent(f64),
    /// Something that is no KPI value, described (`a date (2023-03-15)`).
    Refused(String),
}

/// A worksheet: its place for messages and its cells, by row then column
/// (0-based), only those that are not empty.
#[derive(Debug, Clone)]
pub struct Grid {
    /// The workbook and worksheet, for messages.
    pub place: WorksheetRef,
    /// The cells that are not empty.
    pub rows: BTreeMap<usize, BTreeMap<usize, Cell>>,
}

impl Grid {
    /// An empty worksheet at `place`.
    pub fn new(place: WorksheetRef) -> Self {
        Grid { place, rows: BTreeMap::new() }
    }

    /// The cell at a row and column (0-based); empty where nothing is.
    pub fn cell(&self, row: usize, col: usize) -> &Cell {
        self.rows.get(&row).and_then(|r| r.get(&col)).unwrap_or(&Cell::Empty)
    }

    fn put(&mut self, row: usize, col: usize, cell: Cell) {
        if cell != Cell::Empty {
            self.rows.entry(row).or_default().insert(col, cell);
        }
    }
}

/// An opened workbook: its worksheet names and a way to read one.
pub enum Workbook {
    /// An `.xlsx` or `.xlsm` file (its bytes, at most [`MAX_SPREADSHEET_BYTES`]).
    Xlsx(Box<calamine::Xlsx<Cursor<Vec<u8>>>>),
    /// An `.ods` file, read whole (its sheets, by name, in order).
    Ods(Vec<(String, Grid)>),
}

impl Workbook {
    /// Opens an `.xlsx`/`.xlsm` (`ods == false`) or `.ods` file. `shown` is
    /// the file as messages name it.
    pub fn open(path: &Path, shown: &str, ods: bool) -> Result<Workbook, SheetError> {
        Workbook::from_bytes(read_regular_file(path, MAX_SPREADSHEET_BYTES)?, shown, ods)
    }

    /// Opens a workbook from its bytes, checking every zip entry's
    /// uncompressed size before anything is decompressed.
    pub fn from_bytes(bytes: Vec<u8>, shown: &str, ods: bool) -> Result<Workbook, SheetError> {
        check_entries(Cursor::new(&bytes))?;
        if ods {
            return read_ods(Cursor::new(bytes), shown).map(Workbook::Ods);
        }
        check_references(&bytes)?;
        calamine::Xlsx::new(Cursor::new(bytes))
            .map(|book| Workbook::Xlsx(Box::new(book)))
            .map_err(|e| SheetError::Broken(e.to_string()))
    }

    /// The worksheet names, in order.
    pub fn names(&self) -> Vec<String> {
        match self {
            Workbook::Xlsx(book) => book.sheet_names(),
            Workbook::Ods(sheets) => sheets.iter().map(|(name, _)| name.clone()).collect(),
        }
    }

    /// Reads the worksheet `name`; `place` names it in messages.
    pub fn grid(&mut self, name: &str, place: WorksheetRef) -> Result<Grid, SheetError> {
        let names = self.names();
        match names.iter().filter(|n| *n == name).count() {
            0 => return Err(SheetError::NoWorksheet(name.to_owned())),
            1 => {}
            _ => return Err(SheetError::DuplicateName(name.to_owned())),
        }
        match self {
            Workbook::Xlsx(book) => read_xlsx_sheet(book, name, place),
            Workbook::Ods(sheets) => {
                let grid = sheets.iter().find(|(n, _)| n == name).map(|(_, g)| g.clone());
                grid.map(|g| Grid { place, rows: g.rows }).ok_or_else(|| SheetError::NoWorksheet(name.to_owned()))
            }
        }
    }
}

/// Checks the uncompressed size of every zip entry, and their sum, before
/// anything is decompressed. The sizes are those the archive declares; the
/// zip reader refuses to unpack an entry past its declared size, so they
/// bound what is unpacked.
fn check_entries<R: Read + Seek>(reader: R) -> Result<(), SheetError> {
    let mut zip = zip::ZipArchive::new(reader).map_err(|e| SheetError::Broken(e.to_string()))?;
    let mut total = 0u64;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| SheetError::Broken(e.to_string()))?;
        total = total.saturating_add(entry.size());
        if entry.size() > MAX_ENTRY_BYTES || total > MAX_ENTRY_BYTES {
            return Err(SheetError::Unpacked {
                entry: entry.name().map(|n| n.into_owned()).unwrap_or_default(),
                size: entry.size().max(total),
                cap: MAX_ENTRY_BYTES,
            });
        }
    }
    Ok(())
}

/// Most column letters and row digits of a cell reference the workbook
/// reader can compute without overflow (`XFD1048576`, the last cell, has 3
/// and 7).
const REFERENCE_LIMITS: (usize, usize) = (6, 9);

/// Checks every cell reference (`r`, `ref`, `sqref` attributes) of the XML
/// parts of an `.xlsx` file before the workbook reader sees them: the reader
/// computes a reference's column and row without overflow checks, and a
/// reference such as `AAAAAAAAA1` panics in a build that checks. Entries are
/// unpacked one at a time, each within [`MAX_ENTRY_BYTES`] (checked before).
fn check_references(bytes: &[u8]) -> Result<(), SheetError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| SheetError::Broken(e.to_string()))?;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| SheetError::Broken(e.to_string()))?;
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        if !name.ends_with(".xml") {
            continue;
        }
        let mut xml = Vec::new();
        entry.read_to_end(&mut xml).map_err(|e| SheetError::Broken(format!("{name}: {e}")))?;
        if let Some(bad) = bad_reference(&xml) {
            return Err(SheetError::Broken(format!("{name}: {bad}")));
        }
    }
    Ok(())
}

/// What is wrong with the first bad cell reference or range in an XML
/// text: longer than any cell's, or a range that ends before it starts
/// (`B2:A1`; the reader subtracts its corners unchecked). Every `=` is
/// looked at, whatever quotes come before it: a stray quote in a broken file
/// must not hide a reference the reader will parse.
fn bad_reference(xml: &[u8]) -> Option<String> {
    let mut at = 0;
    while let Some(found) = xml[at..].iter().position(|&b| b == b'=') {
        let eq = at + found;
        at = eq + 1;
        let name_start = xml[..eq].iter().rposition(|b| !b.is_ascii_alphanumeric() && *b != b':').map_or(0, |p| p + 1);
        let name = &xml[name_start..eq];
        let local = name.rsplit(|&b| b == b':').next().unwrap_or(name);
        if !matches!(local, b"r" | b"ref" | b"sqref") || name.starts_with(b"xmlns") {
            continue;
        }
        let Some(&quote) = xml.get(eq + 1).filter(|q| matches!(q, b'"' | b'\'')) else { continue };
        let end = xml[eq + 2..].iter().position(|&b| b == quote).map_or(xml.len(), |p| eq + 2 + p);
        for range in xml[eq + 2..end].split(u8::is_ascii_whitespace) {
            let shown = || String::from_utf8_lossy(range).chars().take(40).collect::<String>();
            let mut corners = Vec::new();
            for part in range.split(|&b| b == b':') {
                // The reader counts the letters, then the digits, up to the
                // first byte that is neither, whatever follows.
                let part: Vec<u8> = part.iter().copied().filter(|&b| b != b'$').collect();
                let letters = part.iter().take_while(|b| b.is_ascii_alphabetic()).count();
                let digits = part[letters..].iter().take_while(|b| b.is_ascii_digit()).count();
                if letters > REFERENCE_LIMITS.0 || digits > REFERENCE_LIMITS.1 {
                    return Some(format!(
                        "the cell reference '{}' lies outside any worksheet (the last cell is XFD1048576)",
                        shown()
                    ));
                }
                let col =
                    part[..letters].iter().fold(0u64, |c, b| c * 26 + u64::from(b.to_ascii_uppercase() - b'A') + 1);
                let row = part[letters..letters + digits].iter().fold(0u64, |r, b| r * 10 + u64::from(b - b'0'));
                corners.push((row, col));
            }
            if let [(r0, c0), (r1, c1)] = corners[..]
                && (r1 < r0 || c1 < c0)
            {
                return Some(format!("the range '{}' ends before it starts", shown()));
            }
        }
    }
    None
}

/// Reads one worksheet of an `.xlsx` file cell by cell.
fn read_xlsx_sheet(
    book: &mut calamine::Xlsx<Cursor<Vec<u8>>>,
    name: &str,
    place: WorksheetRef,
) -> Result<Grid, SheetError> {
    let is_1904 = book.has_1904_epoch();
    let mut reader = book.worksheet_cells_reader(name).map_err(|e| SheetError::Broken(e.to_string()))?;
    let mut grid = Grid::new(place);
    let mut read = 0u64;
    while let Some((cell, style)) = reader.next_cell_with_style_id().map_err(|e| SheetError::Broken(e.to_string()))? {
        read += 1;
        if read > MAX_CELLS {
            return Err(SheetError::TooManyCells(name.to_owned()));
        }
        let format = reader.styles().get(style).and_then(|s| s.number_format.as_ref()).map(|f| f.format_code.as_str());
        let (row, col) = cell.get_position();
        grid.put(row as usize, col as usize, xlsx_cell(cell.get_value(), format, is_1904));
    }
    Ok(grid)
}

/// A cell of an `.xlsx` file as a user sees it.
fn xlsx_cell(data: &DataRef<'_>, format: Option<&str>, is_1904: bool) -> Cell {
    let percent = format.is_some_and(is_percent_format);
    let number = |f: f64| if percent { Cell::Percent(f * 100.0) } else { Cell::Number(f) };
    match data {
        DataRef::Empty => Cell::Empty,
        DataRef::String(s) => text_cell(s),
        DataRef::SharedString(s) => text_cell(s),
        DataRef::Float(f) => number(*f),
        DataRef::Int(i) => number(*i as f64),
        DataRef::Bool(b) => Cell::Refused(format!("a true/false value ({b})")),
        DataRef::DateTime(d) if d.is_duration() => Cell::Refused(format!("a duration ({})", d.as_f64())),
        DataRef::DateTime(d) => Cell::Refused(format!("a date ({})", excel_date(d.as_f64(), is_1904))),
        DataRef::DateTimeIso(s) => Cell::Refused(format!("a date ({s})")),
        DataRef::DurationIso(s) => Cell::Refused(format!("a duration ({s})")),
        DataRef::Error(e) => Cell::Refused(format!("a formula error ({e})")),
    }
}

/// Text as a cell: trimmed, empty when blank.
fn text_cell(s: &str) -> Cell {
    let s = s.trim();
    if s.is_empty() { Cell::Empty } else { Cell::Text(s.to_owned()) }
}

/// Whether a number format shows a percentage: a `%` outside quotes and
/// escapes in its first section.
fn is_percent_format(code: &str) -> bool {
    let mut quoted = false;
    let mut escaped = false;
    for c in code.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            ';' if !quoted => return false,
            '%' if !quoted => return true,
            _ => {}
        }
    }
    false
}

/// A spreadsheet date serial as `YYYY-MM-DD`.
fn excel_date(serial: f64, is_1904: bool) -> String {
    if !serial.is_finite() || serial.abs() > 3_000_000.0 {
        return format!("{serial}");
    }
    // Days since 1970-01-01: serial 25569 is 1970-01-01 (1900 system).
    let days = serial.floor() as i64 - if is_1904 { 24107 } else { 25569 };
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The civil date of a day count from 1970-01-01 (proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Reads every worksheet of an `.ods` file (its `content.xml`).
fn read_ods<R: Read + Seek>(reader: R, shown: &str) -> Result<Vec<(String, Grid)>, SheetError> {
    let mut zip = zip::ZipArchive::new(reader).map_err(|e| SheetError::Broken(e.to_string()))?;
    let mut xml = String::new();
    let entry = zip.by_name("content.xml").map_err(|e| SheetError::Broken(format!("no content.xml ({e})")))?;
    if entry.size() > MAX_ODS_CONTENT_BYTES {
        return Err(SheetError::Unpacked {
            entry: "content.xml".into(),
            size: entry.size(),
            cap: MAX_ODS_CONTENT_BYTES,
        });
    }
    entry.take(MAX_ODS_CONTENT_BYTES).read_to_string(&mut xml).map_err(|e| SheetError::Broken(e.to_string()))?;
    let options = roxmltree::ParsingOptions { allow_dtd: false, nodes_limit: MAX_ODS_NODES, ..Default::default() };
    let doc = roxmltree::Document::parse_with_options(&xml, options).map_err(|e| SheetError::Broken(e.to_string()))?;
    let mut sheets = Vec::new();
    for table in doc.descendants().filter(|n| {
        n.tag_name().name() == "table" && n.parent_element().is_some_and(|p| p.tag_name().name() == "spreadsheet")
    }) {
        let name = attr(table, "name").unwrap_or_default().to_owned();
        let place = WorksheetRef { workbook: shown.to_owned(), sheet: Some(name.clone()) };
        let grid = read_ods_table(table, place).map_err(|()| SheetError::TooManyCells(name.clone()))?;
        sheets.push((name, grid));
    }
    Ok(sheets)
}

/// An attribute by its local name, whatever its namespace.
fn attr<'a>(node: roxmltree::Node<'a, '_>, local: &str) -> Option<&'a str> {
    node.attributes().find(|a| a.name() == local).map(|a| a.value())
}

/// A repeat count (`number-rows-repeated`, `number-columns-repeated`).
fn repeats(node: roxmltree::Node<'_, '_>, local: &str) -> u64 {
    attr(node, local).and_then(|v| v.parse::<u64>().ok()).unwrap_or(1).max(1)
}

/// Reads one `.ods` table; repeated rows and columns are expanded only
/// where they hold something, and counted before they are.
fn read_ods_table(table: roxmltree::Node<'_, '_>, place: WorksheetRef) -> Result<Grid, ()> {
    let mut grid = Grid::new(place);
    let mut budget = MAX_CELLS;
    let mut row = 0u64;
    for tr in table.descendants().filter(|n| n.tag_name().name() == "table-row") {
        let row_repeats = repeats(tr, "number-rows-repeated");
        let mut cells = Vec::new();
        let mut col = 0u64;
        for tc in tr.children().filter(|n| matches!(n.tag_name().name(), "table-cell" | "covered-table-cell")) {
            let col_repeats = repeats(tc, "number-columns-repeated");
            let cell = ods_cell(tc);
            if cell != Cell::Empty {
                let count = col_repeats.saturating_mul(row_repeats);
                budget = budget.checked_sub(count).ok_or(())?;
                cells.extend((0..col_repeats).map(|i| (col + i, cell.clone())));
            }
            col = col.saturating_add(col_repeats);
        }
        for r in 0..if cells.is_empty() { 0 } else { row_repeats } {
            for (c, cell) in &cells {
                grid.put(usize::try_from(row + r).map_err(|_| ())?, usize::try_from(*c).map_err(|_| ())?, cell.clone());
            }
        }
        row = row.saturating_add(row_repeats);
    }
    Ok(grid)
}

/// A cell of an `.ods` file as a user sees it.
fn ods_cell(tc: roxmltree::Node<'_, '_>) -> Cell {
    let value = || attr(tc, "value").and_then(|v| v.trim().parse::<f64>().ok());
    let text = || {
        let lines: Vec<String> = tc
            .children()
            .filter(|n| n.tag_name().name() == "p")
            .map(|p| p.descendants().filter(|n| n.is_text()).filter_map(|n| n.text()).collect())
            .collect();
        lines.join("\n")
    };
    match attr(tc, "value-type") {
        None => text_cell(&text()),
        Some("float" | "currency") => value().map_or_else(|| text_cell(&text()), Cell::Number),
        Some("percentage") => value().map_or_else(|| text_cell(&text()), |v| Cell::Percent(v * 100.0)),
        Some("date") => Cell::Refused(format!("a date ({})", attr(tc, "date-value").unwrap_or_default())),
        Some("time") => Cell::Refused(format!("a time ({})", attr(tc, "time-value").unwrap_or_default())),
        Some("boolean") => {
            Cell::Refused(format!("a true/false value ({})", attr(tc, "boolean-value").unwrap_or_default()))
        }
        Some(_) => text_cell(&text()),
    }
}

/// Reads a CSV file (UTF-8, an optional byte-order mark) as one worksheet.
pub fn read_csv(path: &Path, place: WorksheetRef) -> Result<Grid, CsvError> {
    let bytes = read_regular_file(path, MAX_SPREADSHEET_BYTES).map_err(|e| CsvError::Sheet(e.into()))?;
    read_csv_bytes(&bytes, place)
}

/// Reads the bytes of a CSV file as one worksheet.
pub fn read_csv_bytes(bytes: &[u8], place: WorksheetRef) -> Result<Grid, CsvError> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut grid = Grid::new(place);
    let mut read = 0u64;
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| match e.kind() {
            csv::ErrorKind::Utf8 { .. } => CsvError::Encoding(i + 1),
            _ => CsvError::Sheet(SheetError::Broken(e.to_string())),
        })?;
        read += record.len() as u64;
        if read > MAX_CELLS {
            return Err(CsvError::Sheet(SheetError::TooManyCells("CSV".into())));
        }
        for (c, text) in record.iter().enumerate() {
            grid.put(i, c, text_cell(text));
        }
    }
    Ok(grid)
}

/// Why a CSV file cannot be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CsvError {
    /// As any spreadsheet.
    #[error("{0}")]
    Sheet(SheetError),
    /// A line is not UTF-8 (1-based).
    #[error("line {0} is not UTF-8 (save the file as CSV UTF-8)")]
    Encoding(usize),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_formats_and_dates() {
        assert!(is_percent_format("0%"));
        assert!(is_percent_format("0.00%"));
        assert!(!is_percent_format("0.0\"%\""));
        assert!(!is_percent_format("#,##0;[Red]-0%"));
        assert_eq!(excel_date(45000.0, false), "2023-03-15");
        assert_eq!(excel_date(0.0, true), "1904-01-01");
        assert_eq!(bad_reference(b"<c r=\"XFD1048576\"><dimension ref='A1:$B$2'/>"), None);
        assert_eq!(bad_reference(b"<c r=\"XFDA1\"/>"), None, "past the grid, but the reader copes");
        let namespaces = b"<workbook xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">";
        assert_eq!(bad_reference(namespaces), None);
        assert_eq!(bad_reference(b"<Relationship Id=\"rId1\" Target=\"worksheets/sheet1.xml\"/>"), None);
        let bad = |xml: &[u8]| bad_reference(xml).unwrap_or_default();
        assert!(bad(b"<c r=\"AAAAAAAAA1\">").contains("'AAAAAAAAA1' lies outside"));
        assert!(bad(b"<row r='99999999999'>").contains("'99999999999' lies outside"));
        assert!(bad(b"<x:sel x:sqref=\"A1 B2:ZZZZZZZ9\">").contains("'B2:ZZZZZZZ9' lies outside"));
        // Fuzz findings: a range that ends before it starts; a stray quote before a reference.
        assert!(bad(b"<dimension ref=\"B2:A1\"/>").contains("'B2:A1' ends before it starts"));
        assert!(bad(b"<dimension ref=\"A2:B1\"/>").contains("ends before"));
        assert!(bad(b"<p a=\"x\"\"/><c r=\"FpLeftCell=\"C2\"/>").contains("'FpLeftCell=' lies outside"));
    }
}
