//! Locating data errors at the offending value.
//!
//! `toml` reports errors inside a block at the block's `[[…blocks]]` header,
//! because an internally tagged enum is deserialised from a buffer that has
//! lost the spans. This module parses the file a second time into `toml`'s
//! spanned document tree ([`DeTable`]) and finds, inside the reported span,
//! the key an "unknown field" error names or the value a type error quotes.
//! It also collects every syntax error of a file and checks every string
//! against the length limit. A value read from a spreadsheet is located
//! at its cell ([`CellRef`]).

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use crate::model::Block;

/// Longest string a data file may hold in any field; longer text is almost
/// certainly a paste gone wrong and would stall line breaking.
pub const MAX_STRING_BYTES: usize = 64 * 1024;

/// A located message from parsing.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    /// Byte span of the offending key or value (`None`: the whole file).
    pub span: Option<Range<usize>>,
    /// What is wrong.
    pub message: String,
}

/// Parses `text` into the spanned document tree, returning every syntax error.
pub fn syntax_errors(text: &str) -> Result<Spanned<DeTable<'_>>, Vec<Located>> {
    let (table, errors) = DeTable::parse_recoverable(text);
    if errors.is_empty() {
        Ok(table)
    } else {
        Err(errors.iter().map(|e| Located { span: e.span(), message: clean(e.message()) }).collect())
    }
}

/// One line, no trailing blanks.
pub fn clean(message: &str) -> String {
    message.trim_end().replace('\n', " ")
}

/// Moves an error from the table that holds the problem to the key or value
/// it concerns, when the message says which.
pub fn relocate(
    root: &Spanned<DeTable<'_>>,
    text: &str,
    span: Option<Range<usize>>,
    message: &str,
) -> Option<Range<usize>> {
    let reported = span?;
    let span = widen(text, reported.clone());
    let within = |s: &Range<usize>| s.start >= span.start && s.end <= span.end;
    let mut found = None;
    if let Some(field) = between(message, "unknown field `", "`") {
        walk_tables(root, &mut |key, _| {
            if found.is_none() && key.get_ref() == field && within(&key.span()) {
                found = Some(key.span());
            }
        });
    } else if let Some(quoted) = unexpected(message) {
        walk_tables(root, &mut |_, value| {
            if found.is_none() && within(&value.span()) && reported != value.span() && matches(value.get_ref(), &quoted)
            {
                found = Some(value.span());
            }
        });
    }
    found.or(Some(reported))
}

/// Widens the span of a `[[table]]` header (all `toml` reports for a table
/// in an array of tables) to the table's keys: up to the next header line.
pub fn widen(text: &str, span: Range<usize>) -> Range<usize> {
    let start = span.start.min(text.len());
    if !text[start..].starts_with('[') {
        return span;
    }
    let from = span.end.min(text.len());
    let end = text[from..].find("\n[").map_or(text.len(), |i| from + i);
    start..end
}

/// The part of a serde message after "invalid type: " / "invalid value: " /
/// "unknown variant ", describing the unexpected value.
fn unexpected(message: &str) -> Option<String> {
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            return rest.split(", expected").next().map(str::to_owned);
        }
    }
    between(message, "unknown variant `", "`").map(|v| format!("string \"{v}\""))
}

/// Whether a value matches serde's description of it (`string "x"`,
/// ``integer `5` ``, ``floating point `1.5` ``, ``boolean `true` ``,
/// `sequence`, `map`).
fn matches(value: &DeValue<'_>, described: &str) -> bool {
    match value {
        DeValue::String(s) => described == format!("string {:?}", s.as_ref()),
        DeValue::Integer(i) => described.starts_with("integer `") && between(described, "`", "`") == Some(i.as_str()),
        DeValue::Float(f) => described.starts_with("floating point") && float_matches(f.as_str(), described),
        DeValue::Boolean(b) => described == format!("boolean `{b}`"),
        DeValue::Array(_) => described == "sequence",
        DeValue::Table(_) => described == "map",
        DeValue::Datetime(_) => described.contains("datetime"),
    }
}

/// Whether a TOML float written `text` is the one serde quotes in `described`.
fn float_matches(text: &str, described: &str) -> bool {
    let parsed: Option<f64> = text.replace('_', "").parse().ok();
    let quoted: Option<f64> = between(described, "`", "`").and_then(|q| q.parse().ok());
    match (parsed, quoted) {
        (Some(a), Some(b)) => a == b || (a.is_nan() && b.is_nan()),
        _ => true,
    }
}

/// The text between the first `open` and the next `close`.
fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = text.find(open)? + open.len();
    let end = text[start..].find(close)? + start;
    Some(&text[start..end])
}

/// Calls `visit` with every key and value of every table, depth first.
fn walk_tables<'i>(
    table: &Spanned<DeTable<'i>>,
    visit: &mut dyn FnMut(&Spanned<toml::de::DeString<'i>>, &Spanned<DeValue<'i>>),
) {
    for (key, value) in table.get_ref().iter() {
        visit(key, value);
        walk_value(value, visit);
    }
}

/// Calls `visit` with every key and value below `value`, depth first.
fn walk_value<'i>(
    value: &Spanned<DeValue<'i>>,
    visit: &mut dyn FnMut(&Spanned<toml::de::DeString<'i>>, &Spanned<DeValue<'i>>),
) {
    match value.get_ref() {
        DeValue::Table(table) => {
            for (key, v) in table.iter() {
                visit(key, v);
                walk_value(v, visit);
            }
        }
        DeValue::Array(items) => {
            for item in items {
                walk_value(item, visit);
            }
        }
        _ => {}
    }
}

/// Every string longer than [`MAX_STRING_BYTES`], as located errors.
pub fn long_strings(root: &Spanned<DeTable<'_>>) -> Vec<Located> {
    let mut out = Vec::new();
    walk_tables(root, &mut |_, value| {
        if let DeValue::String(s) = value.get_ref()
            && s.len() > MAX_STRING_BYTES
        {
            out.push(Located {
                span: Some(value.span()),
                message: format!(
                    "a text of {} bytes is longer than the limit of {} KiB; split it into paragraphs",
                    s.len(),
                    MAX_STRING_BYTES / 1024
                ),
            });
        }
    });
    out
}

/// Deserialises every block of a part file on its own, so that one run
/// reports the errors of every broken block, not just the first.
pub fn block_errors(root: &Spanned<DeTable<'_>>, text: &str) -> Vec<Located> {
    let mut out = Vec::new();
    let mut blocks = Vec::new();
    collect_blocks(root.get_ref(), &mut blocks);
    for block in blocks {
        if let Err(err) = Block::deserialize(ValueDeserializer::from(block.clone())) {
            let message = clean(err.message());
            let span = relocate(root, text, err.span().or(Some(block.span())), &message);
            out.push(Located { span, message });
        }
    }
    out
}

/// Collects the tables of every `blocks` array, in sections and subsections too.
fn collect_blocks<'a, 'i>(table: &'a DeTable<'i>, out: &mut Vec<&'a Spanned<DeValue<'i>>>) {
    for (key, value) in table.iter() {
        let DeValue::Array(items) = value.get_ref() else { continue };
        for item in items {
            match (key.get_ref().as_ref(), item.get_ref()) {
                ("blocks", DeValue::Table(_)) => out.push(item),
                ("sections" | "subsections", DeValue::Table(inner)) => collect_blocks(inner, out),
                _ => {}
            }
        }
    }
}

/// A worksheet of a spreadsheet file, as messages name it: `file.xlsx!Sheet`,
/// or just `file.csv` for a CSV file (which has one unnamed worksheet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorksheetRef {
    /// The spreadsheet file, as shown to the user.
    pub workbook: String,
    /// The worksheet's name (`None` for a CSV file).
    pub sheet: Option<String>,
}

impl WorksheetRef {
    /// The cell at a 0-based row and column of this worksheet.
    pub fn cell(&self, row: usize, col: usize) -> CellRef {
        CellRef { worksheet: self.clone(), row, col }
    }
}

impl std::fmt::Display for WorksheetRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.sheet {
            Some(sheet) => write!(f, "{}!{sheet}", self.workbook),
            None => f.write_str(&self.workbook),
        }
    }
}

/// One cell of a worksheet, shown as `file.xlsx!Sheet!B3`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellRef {
    /// The worksheet.
    pub worksheet: WorksheetRef,
    /// The 0-based row (row 1 is 0).
    pub row: usize,
    /// The 0-based column (column A is 0).
    pub col: usize,
}

impl std::fmt::Display for CellRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}!{}{}", self.worksheet, column_letters(self.col), self.row + 1)
    }
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
    fn cells_are_lettered() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(3), "D");
        assert_eq!(column_letters(26), "AA");
        let sheet = WorksheetRef { workbook: "kpi/环境.xlsx".into(), sheet: Some("能源".into()) };
        assert_eq!(sheet.cell(6, 3).to_string(), "kpi/环境.xlsx!能源!D7");
        let csv = WorksheetRef { workbook: "kpi.csv".into(), sheet: None };
        assert_eq!(csv.cell(0, 0).to_string(), "kpi.csv!A1");
    }
}
