//! The index sizings of composed pages: for every index table, the column
//! widths and which of its cells wrap, as the layouts found them
//! (`layout/index.typ` `size-columns`, left in `<csr-sizing>` marks). The
//! compose step remembers them beside the plan and hands them back to the
//! layouts (`index-sizing` in the layout data) when it composes the same
//! pages again, so that an index is not measured again.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use typst::foundations::{Label, Selector, Value};
use typst::introspection::{Introspector, MetadataElem};
use typst::utils::PicoStr;
use typst_layout::PagedDocument;

use super::Mark;

/// One index table's sizing (points; `flags` per body row: 1 and 2 its
/// texts wrap, 4 its page cell wraps, 8 its status takes a line of its own).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexSizing {
    /// The width of the table's room.
    pub width: f64,
    /// The page column's width.
    pub col: f64,
    /// The code column's width.
    pub code: f64,
    /// Per body row, which of its cells wrap.
    pub flags: Vec<u8>,
}

/// Index id → its table's sizing.
pub type Sizings = BTreeMap<String, IndexSizing>;

/// The sizing of every index table in `document` (its `<csr-sizing>`
/// marks, looked up by their label).
pub fn sizings(document: &PagedDocument) -> Sizings {
    let Some(label) = Label::new(PicoStr::intern(Mark::Sizing.label())) else { return Sizings::new() };
    let marks = document.introspector().query(&Selector::Label(label));
    marks.iter().filter_map(|content| content.to_packed::<MetadataElem>().and_then(|m| sizing(&m.value))).collect()
}

/// The index id and sizing a `<csr-sizing>` mark's value holds.
fn sizing(value: &Value) -> Option<(String, IndexSizing)> {
    let Value::Dict(dict) = value else { return None };
    let number = |key: &str| match dict.get(key) {
        Ok(Value::Float(f)) => Some(*f),
        Ok(Value::Int(i)) => Some(*i as f64),
        _ => None,
    };
    let Ok(Value::Str(id)) = dict.get("id") else { return None };
    let Ok(Value::Array(flags)) = dict.get("flags") else { return None };
    let flags = flags.iter().map(|f| if let Value::Int(i) = f { u8::try_from(*i).ok() } else { None });
    let sizing = IndexSizing {
        width: number("width")?,
        col: number("col")?,
        code: number("code")?,
        flags: flags.collect::<Option<_>>()?,
    };
    Some((id.as_str().to_owned(), sizing))
}
