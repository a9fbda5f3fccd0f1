//! Index sizings carried between compositions (`inspect::sizings`): the
//! column widths and wrapping cells each index table was found with,
//! handed back to the layouts as `index-sizing` in the layout data, so that
//! a remembered build does not measure its indexes again. A sizing holds
//! for the pages it was found on: it is remembered beside the plan and its
//! pointers (the key covers the data, layouts, theme and fonts) and given
//! only to a composition that is given those same pointers; the layouts
//! take it only for a table of the same width and row count.

use std::path::Path;

use serde_json::Value;

use crate::inspect::Sizings;

/// The widest column a remembered sizing may give, in points (a damaged
/// file is ignored): no index table is wider than a page.
const MAX_PT: f64 = 2000.0;

/// Writes `sizings` into the layout data as `index-sizing`, or takes it out
/// for none (the layouts then size their indexes themselves).
pub(super) fn apply(sizings: Option<&Sizings>, json: &mut Value) {
    super::give(json, "index-sizing", sizings);
}

/// The file beside a remembered plan that holds its index sizings.
fn file(key: &str) -> String {
    format!("{key}.sizing.json")
}

/// The sizings remembered under `key` in `dir`, if any: read as a bounded
/// regular file, and only widths in range and flags the layouts know.
pub(super) fn recall(dir: &Path, key: &str) -> Option<Sizings> {
    let sizings: Sizings = crate::copyfit::recall_json(dir, &file(key))?;
    let in_range = |pt: f64| pt.is_finite() && (0.0..=MAX_PT).contains(&pt);
    let sound = sizings
        .values()
        .all(|s| in_range(s.width) && in_range(s.col) && in_range(s.code) && s.flags.iter().all(|&f| f < 16));
    sound.then_some(sizings)
}

/// Remembers `sizings` under `key` in `dir`.
pub(super) fn remember(dir: &Path, key: &str, sizings: &Sizings) {
    crate::copyfit::remember_json(dir, &file(key), sizings);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizings(col: f64, flags: Vec<u8>) -> Sizings {
        let value = serde_json::json!({"GRI": {"width": 240.0, "col": col, "code": 30.0, "flags": flags}});
        serde_json::from_value(value).expect("a sizing")
    }

    #[test]
    fn a_sizing_is_given_and_taken_back() {
        let mut json = serde_json::json!({"parts": []});
        apply(Some(&sizings(42.5, vec![0, 1, 12])), &mut json);
        assert_eq!(json["index-sizing"]["GRI"]["flags"], serde_json::json!([0, 1, 12]));
        apply(None, &mut json);
        assert!(json.get("index-sizing").is_none());
    }

    #[test]
    fn a_damaged_sizing_is_not_recalled() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        remember(dir.path(), "k", &sizings(42.5, vec![0, 5]));
        assert_eq!(recall(dir.path(), "k"), Some(sizings(42.5, vec![0, 5])));
        remember(dir.path(), "k", &sizings(1.0e9, vec![0]));
        assert_eq!(recall(dir.path(), "k"), None);
        remember(dir.path(), "k", &sizings(42.5, vec![200]));
        assert_eq!(recall(dir.path(), "k"), None);
        std::fs::write(dir.path().join("k.sizing.json"), b"{not json").expect("write");
        assert_eq!(recall(dir.path(), "k"), None);
    }
}
