//! The strings of a data file, found by their place in the document: the
//! text an edition converts or translates, and what it must leave alone.
//!
//! A file is walked as `toml`'s spanned tree, so every string keeps its byte
//! span and its path (`blocks[3].items[1].text`). A string is **text** when
//! it holds a Chinese character and its key is not one of the keys that
//! name things (ids, labels of cross-references, codes, paths, sheet
//! names): codes, numbers, URLs and Latin text never change.

use std::fmt;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// One step of a path in a document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Step {
    /// A key of a table.
    Key(String),
    /// An element of an array.
    Index(usize),
}

/// Where a value sits in a document: `blocks[3].text`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Place(pub Vec<Step>);

impl Place {
    fn with(&self, step: Step) -> Place {
        let mut steps = self.0.clone();
        steps.push(step);
        Place(steps)
    }

    /// The last key of the path (the field's name).
    pub fn key(&self) -> Option<&str> {
        self.0.iter().rev().find_map(|s| match s {
            Step::Key(k) => Some(k.as_str()),
            Step::Index(_) => None,
        })
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                Step::Key(k) if i == 0 => write!(f, "{k}")?,
                Step::Key(k) => write!(f, ".{k}")?,
                Step::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// What a string of a document is to an edition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Text a reader reads: converted or translated.
    Text,
    /// A reference to text elsewhere (a chart's KPI table and rows): it
    /// follows the text it names.
    Reference,
    /// Anything else: ids, codes, numbers, paths, Latin text.
    Fixed,
}

/// A string of a document.
#[derive(Debug, Clone)]
pub struct Leaf {
    /// Its path.
    pub place: Place,
    /// Byte span of the string token (quotes included).
    pub span: Range<usize>,
    /// Its value.
    pub value: String,
    /// What it is.
    pub role: Role,
}

/// Keys whose strings name things rather than say them.
const NAMING_KEYS: &[&str] = &[
    "type",
    "kind",
    "id",
    "parent",
    "accent",
    "disclosures",
    "image",
    "logo",
    "url",
    "sheet",
    "kpi_source",
    "kpi_workbook",
    "parts",
    "indexes",
    "language",
    "code",
    "index",
    "total",
    "design",
    "print",
];

/// Keys whose strings refer to text elsewhere in the report.
const REFERENCE_KEYS: &[&str] = &["table", "rows"];

/// Whether `s` holds a CJK character (Han, or CJK punctuation and forms).
pub fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| {
        matches!(c as u32,
            0x3000..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF
            | 0xFF00..=0xFFEF | 0x20000..=0x2FA1F)
    })
}

/// Whether a string is a file path (`kpi/环境.xlsx`, `images/a.png`).
fn is_path(s: &str) -> bool {
    let ext = s.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    matches!(ext.as_deref(), Some("xlsx" | "ods" | "csv" | "png" | "jpg" | "jpeg" | "svg" | "toml" | "pdf" | "webp"))
}

fn role(place: &Place, value: &str, in_chart: bool) -> Role {
    let named = place.0.iter().any(|s| matches!(s, Step::Key(k) if NAMING_KEYS.contains(&k.as_str())));
    if named || is_path(value) || !has_cjk(value) {
        return Role::Fixed;
    }
    let key = place.key().unwrap_or_default();
    if in_chart && REFERENCE_KEYS.contains(&key) {
        return Role::Reference;
    }
    // A KPI check's `parts` are row ids (and never text).
    if place.0.iter().any(|s| matches!(s, Step::Key(k) if k == "checks")) {
        return Role::Fixed;
    }
    Role::Text
}

/// Every string of the document `root`, in document order.
pub fn leaves(root: &Spanned<DeTable<'_>>) -> Vec<Leaf> {
    let mut out = Vec::new();
    walk_table(root.get_ref(), &Place::default(), false, &mut out);
    out.sort_by_key(|l| l.span.start);
    out
}

fn walk_table(table: &DeTable<'_>, place: &Place, _in_chart: bool, out: &mut Vec<Leaf>) {
    let in_chart = table.get("type").is_some_and(|v| matches!(v.get_ref(), DeValue::String(s) if s == "chart"));
    for (key, value) in table.iter() {
        walk_value(value, &place.with(Step::Key(key.get_ref().to_string())), in_chart, out);
    }
}

fn walk_value(value: &Spanned<DeValue<'_>>, place: &Place, in_chart: bool, out: &mut Vec<Leaf>) {
    match value.get_ref() {
        DeValue::String(s) => {
            let role = role(place, s, in_chart);
            out.push(Leaf { place: place.clone(), span: value.span(), value: s.to_string(), role });
        }
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk_value(item, &place.with(Step::Index(i)), in_chart, out);
            }
        }
        DeValue::Table(table) => walk_table(table, place, in_chart, out),
        _ => {}
    }
}

/// The shape of a document: the length of every array, by place.
pub fn array_lengths(root: &Spanned<DeTable<'_>>) -> Vec<(Place, usize, Range<usize>)> {
    fn go(value: &Spanned<DeValue<'_>>, place: &Place, out: &mut Vec<(Place, usize, Range<usize>)>) {
        match value.get_ref() {
            DeValue::Array(items) => {
                out.push((place.clone(), items.len(), value.span()));
                for (i, item) in items.iter().enumerate() {
                    go(item, &place.with(Step::Index(i)), out);
                }
            }
            DeValue::Table(table) => {
                for (key, v) in table.iter() {
                    go(v, &place.with(Step::Key(key.get_ref().to_string())), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (key, v) in root.get_ref().iter() {
        go(v, &Place(vec![Step::Key(key.get_ref().to_string())]), &mut out);
    }
    out
}

/// Writes `s` as a TOML basic string.
pub fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `text` with the given spans replaced (spans sorted, not overlapping).
pub fn splice(text: &str, replacements: &[(Range<usize>, String)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (span, with) in replacements {
        out.push_str(&text[at..span.start]);
        out.push_str(with);
        at = span.end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(text: &str) -> Vec<(String, Role)> {
        let tree = crate::locate::syntax_errors(text).expect("valid");
        leaves(&tree).into_iter().map(|l| (l.place.to_string(), l.role)).collect()
    }

    #[test]
    fn text_is_chinese_outside_naming_keys() {
        let found = roles(
            "id = \"x\"\ntitle = \"报告\"\nlabel = \"strategy\"\n[[blocks]]\ntype = \"kpi\"\nsource = \"kpi/环境.xlsx\"\nsheet = \"能源\"\nrows = [{ indicator = \"用水\", unit = \"%\", values = [\"1\"] }]\n",
        );
        assert_eq!(
            found,
            vec![
                ("id".into(), Role::Fixed),
                ("title".into(), Role::Text),
                ("label".into(), Role::Fixed),
                ("blocks[0].type".into(), Role::Fixed),
                ("blocks[0].source".into(), Role::Fixed),
                ("blocks[0].sheet".into(), Role::Fixed),
                ("blocks[0].rows[0].indicator".into(), Role::Text),
                ("blocks[0].rows[0].unit".into(), Role::Fixed),
                ("blocks[0].rows[0].values[0]".into(), Role::Fixed),
            ]
        );
    }

    #[test]
    fn strings_are_written_back_escaped() {
        assert_eq!(toml_string("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
    }
}
