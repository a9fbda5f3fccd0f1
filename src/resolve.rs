//! Stage 2b: turns the validated report into the JSON document the layouts
//! read, and prepares the images figures name.
//!
//! The JSON mirrors the data model. Prose is normalised on the way: the typed
//! spaces between Han characters and Latin letters or digits are removed,
//! because the layout sets that gap itself (¼ em) and a typed space would
//! double it. Only prose fields ([`PROSE_KEYS`]) are touched, and never the
//! `{ref:label}` references inside them: paths, labels, ids, codes, values
//! and addresses reach the layouts exactly as written.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;
use serde_json::{Value, json};
use typst::foundations::Bytes;
use typst::syntax::FileId;

use crate::charts::{ChartError, plot, qr_runs};
use crate::config::Profile;
use crate::diag::{Problem, Problems, Severity};
use crate::image_check::ImageError;
use crate::images::ImageCache;
use crate::model::markup::REF_OPEN;
use crate::model::{Block, Identity, Index, Meta, MissingImages, Part};
use crate::source::{Report, SourceFile};
use crate::virtual_files::{DATA_PATH, project_file};

/// The width a logo is prepared for, in millimetres.
pub const LOGO_WIDTH_MM: f64 = 60.0;
/// The widest a cover image prints, in mm (the trim and the bleed).
pub const COVER_WIDTH_MM: f64 = 216.0;

/// The document the layouts read.
#[derive(Serialize)]
struct LayoutData<'a> {
    /// A short hash of the data, printed on proofs (数据版本).
    revision: String,
    meta: &'a Meta,
    /// The facts the cover, running heads and metadata print.
    identity: Identity,
    /// `[print] binding`: the page counts the layouts pad to.
    binding: &'static str,
    parts: Vec<&'a Part>,
    indexes: Vec<&'a Index>,
}

/// The resolved data: the JSON bytes and the virtual files to serve.
pub struct Resolved {
    /// The JSON the layouts read.
    pub json: Vec<u8>,
    /// Figures without an image left out (`[print] missing_images = "omit"`).
    pub omitted: usize,
    /// Virtual files (data and images) by id.
    pub files: HashMap<FileId, Bytes>,
    /// Notes for the user (cached image conversions that were ignored);
    /// they stop nothing.
    pub notes: Problems,
}

/// Builds the layout JSON and prepares images.
pub fn resolve(report: &Report, profile: Profile, images: &mut ImageCache) -> Result<Resolved, Problems> {
    let revision = {
        let texts: Vec<&str> = report.files().map(|f| f.text.as_str()).collect();
        format!("{:08x}", typst::utils::hash128(&texts) as u32)
    };
    let layout = LayoutData {
        revision,
        meta: &report.manifest.data.meta,
        identity: report.manifest.data.meta.identity(),
        binding: report.manifest.data.print.as_ref().map(|p| p.binding).unwrap_or_default().name(),
        parts: report.parts.iter().map(|p| &p.data).collect(),
        indexes: report.indexes.iter().map(|i| &i.data).collect(),
    };
    let mut value = serde_json::to_value(&layout).map_err(|e| internal(format!("cannot serialise the data ({e})")))?;
    enrich(&mut value, report).map_err(|e| internal(e.to_string()))?;
    if let Some(parts) = value.get_mut("parts").and_then(Value::as_array_mut) {
        parts.iter_mut().for_each(hand_down_disclosures);
    }
    // The Han–Latin spacing rule is Chinese composition: an English edition
    // keeps its spaces (also around its curly quotes, which count as CJK here).
    if !report.manifest.data.meta.language.to_ascii_lowercase().starts_with("en") {
        normalise(&mut value, false);
    }
    crate::stamps::annotate(&mut value, report);

    let mut files = HashMap::new();
    let mut problems = Problems::default();
    if let Some(logo) = &report.manifest.data.meta.logo {
        match images.prepare(&report.base, logo, profile, Some(LOGO_WIDTH_MM)) {
            Ok((vpath, bytes)) => {
                files.insert(project_file(&vpath), bytes);
                value["identity"]["logo"] = Value::String(vpath);
            }
            Err(error) => problems.push(Problem::file(
                Severity::Error,
                &report.manifest.file.shown,
                image_message("logo", logo, &error),
            )),
        }
    }
    let meta = &report.manifest.data.meta;
    if let Some(cover) = &meta.cover_image {
        match images.prepare(&report.base, cover, profile, Some(COVER_WIDTH_MM)) {
            Ok((vpath, bytes)) => {
                files.insert(project_file(&vpath), bytes);
                value["identity"]["cover_image"] = Value::String(vpath);
            }
            Err(error) => problems.push(Problem::file(
                Severity::Error,
                &report.manifest.file.shown,
                image_message("cover_image", cover, &error),
            )),
        }
    }
    // The back cover's QR code: its modules, as a QR block gets them.
    if let Some(url) = &meta.qr {
        match qr_runs(url) {
            Ok((width, runs)) => value["identity"]["qr"] = json!({ "url": url, "width": width, "runs": runs }),
            Err(error) => {
                let file = &report.manifest.file;
                let span = file.find(0..file.text.len(), &format!("\"{url}\""));
                problems.push(file.problem(Severity::Error, span, format!("qr '{url}': {error}")));
            }
        }
    }
    if let Some(parts) = value.get_mut("parts").and_then(Value::as_array_mut) {
        for (part, loaded) in parts.iter_mut().zip(&report.parts) {
            place_images(part, &report.base, profile, images, &mut files, &loaded.file, &mut problems);
        }
    }
    if problems.has_errors() {
        return Err(problems);
    }
    let omit = report.manifest.data.print.as_ref().is_some_and(|p| p.missing_images == MissingImages::Omit);
    let omitted = if omit && profile != Profile::Proof { omit_missing_figures(&mut value) } else { 0 };
    let json = serde_json::to_vec(&value).map_err(|e| internal(format!("cannot serialise the data ({e})")))?;
    files.insert(project_file(DATA_PATH), Bytes::new(json.clone()));
    let notes = std::mem::take(&mut images.notes);
    let notes = Problems(notes.into_iter().map(|(path, note)| Problem::file(Severity::Note, &path, note)).collect());
    Ok(Resolved { json, omitted, files, notes })
}

/// Why a chart or QR block of the layout JSON could not be drawn.
#[derive(Debug, thiserror::Error)]
enum EnrichError {
    /// The chart's rows or the QR code's text.
    #[error(transparent)]
    Chart(#[from] ChartError),
    /// The block does not go to and from JSON.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

/// Adds what the layouts draw to chart and QR blocks of the layout JSON:
/// `plot` to charts, `width` and `runs` to QR codes.
fn enrich(value: &mut Value, report: &Report) -> Result<(), EnrichError> {
    match value {
        Value::Object(map) => {
            match map.get("type").and_then(Value::as_str) {
                Some("chart") => {
                    let block: Block = serde_json::from_value(Value::Object(map.clone()))?;
                    if let Block::Chart { kind, table, rows, year, .. } = block {
                        let plot = plot(report, kind, &table, &rows, year)?;
                        map.insert("plot".into(), serde_json::to_value(plot)?);
                    }
                }
                Some("qr") => {
                    let url = map.get("url").and_then(Value::as_str).unwrap_or_default();
                    let (width, runs) = qr_runs(url)?;
                    map.insert("width".into(), json!(width));
                    map.insert("runs".into(), json!(runs));
                }
                _ => {}
            }
            map.values_mut().try_for_each(|v| enrich(v, report))
        }
        Value::Array(items) => items.iter_mut().try_for_each(|v| enrich(v, report)),
        _ => Ok(()),
    }
}

/// Hands a section's (and a subsection's) disclosure tags down to its
/// blocks, in the layout JSON: what discloses is the content, so an index
/// row cites the pages where the blocks are printed (a table floated to
/// another page included), never a page that holds only the heading.
fn hand_down_disclosures(part: &mut Value) {
    fn take(map: &mut Value) -> Vec<Value> {
        map.get_mut("disclosures").and_then(Value::as_array_mut).map(std::mem::take).unwrap_or_default()
    }
    fn give(blocks: Option<&mut Value>, tags: &[Value]) {
        for block in blocks.and_then(Value::as_array_mut).into_iter().flatten() {
            let own = take(block);
            let mut all: Vec<Value> = tags.to_vec();
            all.extend(own.into_iter().filter(|t| !tags.contains(t)));
            block["disclosures"] = Value::Array(all);
        }
    }
    for section in part.get_mut("sections").and_then(Value::as_array_mut).into_iter().flatten() {
        let tags = take(section);
        give(section.get_mut("blocks"), &tags);
        for sub in section.get_mut("subsections").and_then(Value::as_array_mut).into_iter().flatten() {
            let mut own = tags.clone();
            own.extend(take(sub).into_iter().filter(|t| !tags.contains(t)));
            give(sub.get_mut("blocks"), &own);
        }
    }
}

/// What is wrong with an image the data names (`what`: `image` or
/// `logo`); a path error names the image itself.
fn image_message(what: &str, image: &str, error: &ImageError) -> String {
    match error {
        ImageError::Path(error) => error.to_string(),
        error => format!("{what} '{image}': {error}"),
    }
}

/// A problem that is not the data's fault.
fn internal(message: String) -> Problems {
    Problems(vec![Problem::file(Severity::Error, Path::new("<data>"), message)])
}

/// Replaces every `image` path with the virtual path of the prepared image.
fn place_images(
    value: &mut Value,
    base: &Path,
    profile: Profile,
    images: &mut ImageCache,
    files: &mut HashMap<FileId, Bytes>,
    file: &SourceFile,
    problems: &mut Problems,
) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(image)) = map.get("image").cloned() {
                let width = map.get("width_mm").and_then(Value::as_f64);
                match images.prepare(base, &image, profile, width) {
                    Ok((vpath, bytes)) => {
                        files.insert(project_file(&vpath), bytes);
                        map.insert("image".into(), Value::String(vpath));
                    }
                    Err(error) => {
                        let at = file.find(0..file.text.len(), &format!("\"{image}\""));
                        problems.push(file.problem(Severity::Error, at, image_message("image", &image, &error)))
                    }
                }
            }
            for v in map.values_mut() {
                place_images(v, base, profile, images, files, file, problems);
            }
        }
        Value::Array(items) => {
            for v in items {
                place_images(v, base, profile, images, files, file, problems);
            }
        }
        _ => {}
    }
}

/// Leaves out every figure block and case-box figure that has no image;
/// returns how many.
fn omit_missing_figures(value: &mut Value) -> usize {
    let mut omitted = 0;
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if let (Value::Array(items), "blocks" | "figures") = (&mut *v, key.as_str()) {
                    let before = items.len();
                    let figures_only = key == "figures";
                    items.retain(|item| {
                        let figure = figures_only || item.get("type").and_then(Value::as_str) == Some("figure");
                        !figure || item.get("image").is_some_and(|i| !i.is_null())
                    });
                    omitted += before - items.len();
                }
                omitted += omit_missing_figures(v);
            }
        }
        Value::Array(items) => omitted += items.iter_mut().map(omit_missing_figures).sum::<usize>(),
        _ => {}
    }
    omitted
}

/// The fields that hold prose; only their strings are normalised.
pub const PROSE_KEYS: &[&str] = &[
    "title",
    "subtitle",
    "theme",
    "organisation",
    "text",
    "lead",
    "caption",
    "paragraphs",
    "notes",
    "source",
    "name",
    "relation",
    "titles",
    "intro",
    "motto",
    "slogans",
    "header",
    "rows",
    "group",
    "indicator",
    "unit",
    "period",
    "dimension",
    "items",
    "values",
    "date",
    "detail",
    "status",
    "columns",
];

/// Whether the field `key` of the JSON object `map` holds prose: a key of
/// [`PROSE_KEYS`], or the `label` and `value` of a stat callout or contact
/// line (objects with a `value`), which are printed text. Elsewhere a
/// `label` is an id.
pub fn is_prose(map: &serde_json::Map<String, Value>, key: &str) -> bool {
    PROSE_KEYS.contains(&key) || (matches!(key, "label" | "value") && map.get("value").is_some_and(Value::is_string))
}

/// Normalises the prose strings of the JSON tree: those of fields
/// [`is_prose`] names (keys themselves stay as they are).
fn normalise(value: &mut Value, prose: bool) {
    match value {
        Value::String(s) if prose => *s = normalise_prose(s),
        Value::Array(items) => items.iter_mut().for_each(|v| normalise(v, prose)),
        Value::Object(map) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            for key in keys {
                let prose = is_prose(map, &key);
                if let Some(v) = map.get_mut(&key) {
                    normalise(v, prose);
                }
            }
        }
        _ => {}
    }
}

/// Normalises prose but leaves every `{ref:label}` exactly as written, so a
/// label with a space still matches its reference.
pub fn normalise_prose(text: &str) -> String {
    // A digit stands in for a reference while its neighbours are normalised,
    // so the gap beside `{ref:…}` follows the Han–Latin rule like a number's.
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut after_ref = false;
    loop {
        let next = rest.find(REF_OPEN).and_then(|open| rest[open..].find('}').map(|c| (open, open + c + 1)));
        let segment = next.map_or(rest, |(open, _)| &rest[..open]);
        let wrapped = format!("{}{segment}{}", if after_ref { "0" } else { "" }, if next.is_some() { "0" } else { "" });
        let mut normal = normalise_text(&wrapped);
        if next.is_some() {
            normal.pop();
        }
        out.push_str(if after_ref { &normal[1..] } else { &normal });
        let Some((open, close)) = next else { break };
        out.push_str(&rest[open..close]);
        rest = &rest[close..];
        after_ref = true;
    }
    out
}

/// Removes spaces and tabs between a Han character and a Latin letter or
/// digit (either order), and turns remaining runs of blanks into one space.
/// Spaces between two Han characters are kept: titles use them on purpose.
pub fn normalise_text(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == ' ' || c == '\t' {
            let start = i;
            while i < chars.len() && (chars[i] == ' ' || chars[i] == '\t') {
                i += 1;
            }
            let before = start.checked_sub(1).map(|j| chars[j]);
            let after = chars.get(i).copied();
            let drop = match (before, after) {
                (Some(b), Some(a)) => (is_han(b) && is_latin(a)) || (is_latin(b) && is_han(a)),
                _ => false,
            };
            if !drop {
                out.push(' ');
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Whether `c` is a Han ideograph or CJK punctuation.
pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF01..=0xFF60 | 0x2018..=0x201D)
}

/// Whether `c` is a Latin letter, a digit or punctuation set with them.
fn is_latin(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '%' | '+' | '(' | ')' | ',' | '.' | '{' | '}')
}

#[cfg(test)]
mod tests {
    use super::{normalise, normalise_prose, normalise_text};

    #[test]
    fn han_latin_spaces_are_removed() {
        assert_eq!(normalise_text("截至 2020 年底"), "截至2020年底");
        assert_eq!(normalise_text("全国 3,000\t余个重要医院"), "全国3,000余个重要医院");
        assert_eq!(normalise_text("5G 上珠峰"), "5G上珠峰");
        assert_eq!(normalise_text("United Nations Global"), "United Nations Global");
        assert_eq!(normalise_text("爱心接力 筑梦启航"), "爱心接力 筑梦启航");
    }

    #[test]
    fn only_prose_is_normalised() {
        let mut v = serde_json::json!({
            "image": "images/图 1.png", "label": "图 1", "id": "a b",
            "caption": "图 1 示意", "disclosures": ["CASS4:图 1"],
            "items": [{ "label": "增长 2.9%", "value": "近 5" }],
            "text": "见第 {ref:图 1} 页"
        });
        normalise(&mut v, false);
        assert_eq!(v["image"], "images/图 1.png");
        assert_eq!(v["label"], "图 1");
        assert_eq!(v["disclosures"][0], "CASS4:图 1");
        assert_eq!(v["caption"], "图1示意");
        assert_eq!(v["items"][0]["label"], "增长2.9%");
        assert_eq!(v["items"][0]["value"], "近5");
        assert_eq!(v["text"], "见第{ref:图 1}页");
        assert_eq!(normalise_prose("截至 2020 年 {ref:x} 页，{ref:y}"), "截至2020年{ref:x}页，{ref:y}");
        assert_eq!(normalise_prose("{ref:a} 和 {ref:b"), "{ref:a}和{ref:b");
    }
}
