//! Fuzzes the resolve stage: a part file (input split as in the `load`
//! target) that validates is turned into the layouts' JSON, which must never
//! panic, and prose normalisation must leave every non-prose field (ids,
//! labels, codes, values, paths) and every `{ref:label}` exactly as written.
#![no_main]

use std::borrow::Cow;

use csr_press::images::ImageCache;
use csr_press::load::report_from_texts;
use csr_press::config::Profile;
use csr_press::model::markup::refs_in;
use csr_press::resolve::{is_prose, normalise_prose, resolve};
use csr_press::validate::validate;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const MANIFEST: &str = include_str!("../../tests/fixtures/mini/report.toml");
const INDEX: &str = include_str!("../../tests/fixtures/mini/indexes/demo.toml");

/// Asserts that strings outside prose fields are unchanged.
fn same_outside_prose(raw: &Value, out: &Value, prose: bool) {
    match (raw, out) {
        (Value::String(a), Value::String(b)) if !prose => assert_eq!(a, b, "a non-prose string was rewritten"),
        (Value::Array(a), Value::Array(b)) => a.iter().zip(b).for_each(|(x, y)| same_outside_prose(x, y, prose)),
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                // Images are replaced by their virtual path on purpose.
                if k != "image"
                    && let Some(w) = b.get(k)
                {
                    same_outside_prose(v, w, is_prose(a, k));
                }
            }
        }
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let mut pieces = data.split(|&b| b == 0xFF).map(String::from_utf8_lossy);
    let part = pieces.next().unwrap_or_default();
    let normalised = normalise_prose(&part);
    let refs = |t: &str| refs_in(t).filter_map(Result::ok).map(str::to_owned).collect::<Vec<_>>();
    assert_eq!(refs(&part), refs(&normalised), "a reference was rewritten");

    let manifest = match pieces.next() {
        Some(m) if !m.is_empty() => m,
        _ => Cow::Borrowed(MANIFEST),
    };
    let (Some(report), problems) = report_from_texts(&manifest, &part, &[INDEX]) else { return };
    if problems.has_errors() || report.parts.is_empty() || validate(&report).has_errors() {
        return;
    }
    let mut images = ImageCache::new(None);
    let Ok(resolved) = resolve(&report, Profile::Print, &mut images) else { return };
    let out: Value = serde_json::from_slice(&resolved.json).expect("resolve writes valid JSON");
    let raw = serde_json::to_value(&report.parts[0].data).expect("the model serialises");
    same_outside_prose(&raw, &out["parts"][0], false);
});
