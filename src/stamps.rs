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
        for (i, index) in indexes.iter_mut().enumerate() {
            stamp(index, json!(format!("i{i}:0")));
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
