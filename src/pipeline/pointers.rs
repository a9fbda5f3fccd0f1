//! Index pointers carried between compositions: the pages each disclosure
//! tag spans (`inspect::pointers`), handed to the layouts as `pages` in the
//! layout data. An index given its pages is laid out once, with them,
//! instead of first without them and again once Typst's introspection has
//! found them. Given pages are never trusted: the compose step reads the
//! composed pages' own pointers and composes again when they differ.
//! A search from the start gives none (the layouts read the marks); its
//! pointers are remembered beside its plan, and a remembered or carried
//! plan's first composition gets them.

use std::path::Path;

use serde_json::Value;

use crate::inspect::Pointers;

/// The most pages a remembered pointer may name (a damaged file is ignored).
const MAX_PAGE: u64 = 100_000;

/// Writes `pointers` into the layout data as `pages`, or takes `pages`
/// out for none (the layouts then read the disclosure marks).
pub(super) fn apply(pointers: Option<&Pointers>, json: &mut Value) {
    super::give(json, "pages", pointers);
}

/// The file beside a remembered plan that holds its pointers.
fn file(key: &str) -> String {
    format!("{key}.pages.json")
}

/// The pointers remembered under `key` in `dir`, if any: read as a bounded
/// regular file, and only pages in range, in order, each once.
pub(super) fn recall(dir: &Path, key: &str) -> Option<Pointers> {
    let pointers: Pointers = crate::copyfit::recall_json(dir, &file(key))?;
    let ordered = |pages: &Vec<u64>| pages.windows(2).all(|w| w[0] < w[1]);
    let in_range = |pages: &Vec<u64>| pages.iter().all(|&p| (1..=MAX_PAGE).contains(&p));
    pointers.values().all(|pages| ordered(pages) && in_range(pages)).then_some(pointers)
}

/// Remembers `pointers` under `key` in `dir`.
pub(super) fn remember(dir: &Path, key: &str, pointers: &Pointers) {
    crate::copyfit::remember_json(dir, &file(key), pointers);
}

#[cfg(test)]
mod tests {
    use super::{Pointers, apply, recall, remember};

    #[test]
    fn pointers_go_into_the_layout_data_and_come_out_for_none() {
        let mut json = serde_json::json!({ "parts": [] });
        let pointers = Pointers::from([("GRI:2-1".to_owned(), vec![4, 5, 9])]);
        apply(Some(&pointers), &mut json);
        assert_eq!(json["pages"]["GRI:2-1"], serde_json::json!([4, 5, 9]));
        apply(None, &mut json);
        assert!(json.get("pages").is_none());
    }

    #[test]
    fn remembered_pointers_come_back_and_damaged_ones_do_not() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let dir = dir.path();
        let pointers = Pointers::from([("GRI:2-1".to_owned(), vec![4, 5, 9])]);
        remember(dir, "k", &pointers);
        assert_eq!(recall(dir, "k"), Some(pointers));
        for damaged in [r#"{"GRI:2-1": [5, 4]}"#, r#"{"GRI:2-1": [0]}"#, r#"{"GRI:2-1": "4"}"#, "not json"] {
            std::fs::write(dir.join("k.pages.json"), damaged).expect("file");
            assert_eq!(recall(dir, "k"), None, "{damaged}");
        }
    }
}
