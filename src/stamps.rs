//! Part of stage 2b (resolve): the `src` stamps. Stamps every part, section, subsection and
//! block of the layout JSON with the data place it comes from (`src`:
//! `pN:offset` for part file N, `iN:offset` for index file N). The layouts
//! leave it in `<csr-src>` marks so that the layout preflight can name the
//! file and line of what it finds on a page.

use serde_json::{Value, json};
use toml::Spanned;

use crate::model::{Block, Section};
use crate::source::Report;

/// Adds `src` to every place in the JSON tree built from `report`.
pub fn annotate(value: &mut Value, report: &Report) {
    if let Some(parts) = value.get_mut("parts").and_then(Value::as_array_mut) {
        for (i, (part, loaded)) in parts.iter_mut().zip(&report.parts).enumerate() {
            let tag = |offset: usize| json!(format!("p{i}:{offset}"));
            stamp(part, tag(0));
            blocks(part, &loaded.data.blocks, &tag);
            let sections = part.get_mut("sections").and_then(Value::as_array_mut);
            for (s, spanned) in sections.into_iter().flatten().zip(&loaded.data.sections) {
                section(s, spanned, &tag);
            }
        }
    }
    if let Some(indexes) = value.get_mut("indexes").and_then(Value::as_array_mut) {
        for (i, (index, loaded)) in indexes.iter_mut().zip(&report.indexes).enumerate() {
            stamp(index, json!(format!("i{i}:0")));
            index_rows(index, &loaded.file, i);
        }
    }
}

/// Stamps every group of index `i` with the place of its `[[groups]]`
/// header, and every row with the place of its code, in the index's file:
/// they are found in file order, each after the one before (one not found
/// keeps the index's place).
fn index_rows(index: &mut Value, file: &crate::source::SourceFile, i: usize) {
    let mut from = 0;
    let mut place = |value: &mut Value, needle: &str| {
        if let Some(at) = file.text.get(from..).and_then(|rest| rest.find(needle)) {
            stamp(value, json!(format!("i{i}:{}", from + at)));
            from += at + needle.len();
        }
    };
    for group in index.get_mut("groups").and_then(Value::as_array_mut).into_iter().flatten() {
        place(group, "[[groups]]");
        for row in group.get_mut("rows").and_then(Value::as_array_mut).into_iter().flatten() {
            let Some(code) = row.get("code").and_then(Value::as_str) else { continue };
            place(row, &serde_json::to_string(code).unwrap_or_default());
        }
    }
}

fn section(value: &mut Value, spanned: &Spanned<Section>, tag: &dyn Fn(usize) -> Value) {
    stamp(value, tag(spanned.span().start));
    blocks(value, &spanned.get_ref().blocks, tag);
    let subs = value.get_mut("subsections").and_then(Value::as_array_mut);
    for (v, sub) in subs.into_iter().flatten().zip(&spanned.get_ref().subsections) {
        stamp(v, tag(sub.span().start));
        blocks(v, &sub.get_ref().blocks, tag);
    }
}

fn blocks(value: &mut Value, list: &[Spanned<Block>], tag: &dyn Fn(usize) -> Value) {
    let values = value.get_mut("blocks").and_then(Value::as_array_mut);
    for (v, b) in values.into_iter().flatten().zip(list) {
        stamp(v, tag(b.span().start));
    }
}

fn stamp(value: &mut Value, src: Value) {
    if let Value::Object(map) = value {
        map.insert("src".into(), src);
    }
}
