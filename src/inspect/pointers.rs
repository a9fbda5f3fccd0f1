//! The index pointers of composed pages: for every disclosure tag
//! (`INDEX:CODE`), the printed pages its tagged places span, read from the
//! disclosure marks (`layout/marks.typ` `disclosure-mark`). The indexes
//! print these pages; the change report compares them between builds, and
//! the compose step hands them back to the layouts (`pages` in the layout
//! data) so that an index is laid out once with its pages, not first
//! without them.

use std::collections::{BTreeMap, HashMap};

use typst::foundations::Value;
use typst::introspection::{Introspector, MetadataElem};
use typst_layout::PagedDocument;

use super::Mark;

/// Disclosure tag → the sorted printed pages its places span.
pub type Pointers = BTreeMap<String, Vec<u64>>;

/// The pages every disclosure tag's places span in `document`: a place
/// spans the pages from its start mark to its end mark (nested places of
/// one tag pair up innermost first).
pub fn pointers(document: &PagedDocument) -> Pointers {
    let pages = document.pages();
    let introspector = document.introspector();
    let mut open: HashMap<String, Vec<u64>> = HashMap::new();
    let mut spans = Pointers::new();
    for content in introspector.query_labelled() {
        let Some(label) = content.label() else { continue };
        if !matches!(Mark::parse(label.resolve().as_str()), Some((Mark::Disclosure, Some(_)))) {
            continue;
        }
        let page = content.location().and_then(|loc| introspector.page(loc));
        let Some(page) = page.and_then(|p| pages.get(p.get() - 1)).map(|p| p.number) else { continue };
        let Some((tags, start)) = content.to_packed::<MetadataElem>().and_then(|m| marker(&m.value)) else {
            continue;
        };
        for tag in tags {
            let stack = open.entry(tag.clone()).or_default();
            if start {
                stack.push(page);
            } else {
                let from = stack.pop().unwrap_or(page);
                spans.entry(tag).or_default().extend(from..=page);
            }
        }
    }
    for pages in spans.values_mut() {
        pages.sort_unstable();
        pages.dedup();
    }
    spans
}

/// The tags and edge (`true` for start) of a disclosure mark's value.
fn marker(value: &Value) -> Option<(Vec<String>, bool)> {
    let Value::Dict(dict) = value else { return None };
    let Ok(Value::Array(tags)) = dict.get("tags") else { return None };
    let Ok(Value::Str(edge)) = dict.get("edge") else { return None };
    let tags = tags.iter().filter_map(|t| if let Value::Str(s) = t { Some(s.as_str().to_owned()) } else { None });
    Some((tags.collect(), edge.as_str() == "start"))
}
