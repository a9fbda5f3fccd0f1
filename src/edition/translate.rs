//! English (or any language) by translation files that mirror the data:
//! `en/parts/04-water.toml` has the blocks of `parts/04-water.toml`, in the
//! same order, with the same `type` and `label`, and only their text. The
//! merged file is the base file with each text string replaced; KPI values,
//! numbers, years, codes and paths stay the base file's. A missing or extra
//! block, a label the base does not have, a figure typed into the
//! translation, text left untranslated: a located error naming both files.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::walk::{Leaf, Place, Role, Step, array_lengths, leaves, splice, toml_string};
use crate::diag::{Problems, Severity};
use crate::source::{Report, SourceFile, read_source};

/// Keys a translation may repeat (equal to the base's) to show its shape.
const MIRROR_KEYS: &[&str] = &["type", "kind", "label", "id"];

/// Merges the translation files of a report, all at once (a chart's
/// reference to a KPI table follows the table's translated title, wherever
/// that table is).
pub struct Merger {
    merged: HashMap<PathBuf, Result<String, Problems>>,
}

struct Pair {
    relative: PathBuf,
    base: SourceFile,
    edits: Vec<(std::ops::Range<usize>, String)>,
    references: Vec<Leaf>,
    problems: Problems,
}

impl Merger {
    /// Reads the translation of every file of `report` from `folder`.
    pub fn new(report: &Report, folder: &Path) -> Self {
        let mut pairs = Vec::new();
        let mut dictionary: HashMap<String, String> = HashMap::new();
        for file in report.files() {
            let relative = file.path.strip_prefix(&report.base).unwrap_or(&file.path).to_path_buf();
            let translation = folder.join(&relative);
            let mut pair = Pair {
                relative,
                base: file.clone(),
                edits: Vec::new(),
                references: Vec::new(),
                problems: Problems::default(),
            };
            merge_pair(&mut pair, &translation, &mut dictionary);
            pairs.push(pair);
        }
        let mut merged = HashMap::new();
        for mut pair in pairs {
            for leaf in &pair.references {
                match dictionary.get(&leaf.value) {
                    Some(english) => pair.edits.push((leaf.span.clone(), toml_string(english))),
                    None => pair.problems.push(pair.base.problem(
                        Severity::Error,
                        Some(leaf.span.clone()),
                        format!("'{}' names no translated KPI table or row", leaf.value),
                    )),
                }
            }
            pair.edits.sort_by_key(|e| e.0.start);
            let result =
                if pair.problems.has_errors() { Err(pair.problems) } else { Ok(splice(&pair.base.text, &pair.edits)) };
            merged.insert(pair.relative, result);
        }
        Merger { merged }
    }

    /// The merged text of the file at `relative` (to the manifest's folder).
    pub fn merge(&mut self, file: &SourceFile, relative: &Path) -> Result<String, Problems> {
        self.merged.remove(relative).unwrap_or_else(|| Ok(file.text.clone()))
    }
}

fn merge_pair(pair: &mut Pair, translation: &Path, dictionary: &mut HashMap<String, String>) {
    let base = &pair.base;
    let Ok(base_tree) = crate::locate::syntax_errors(&base.text) else { return };
    let base_leaves = leaves(&base_tree);
    let texts: Vec<&Leaf> = base_leaves.iter().filter(|l| l.role == Role::Text).collect();
    pair.references = base_leaves.iter().filter(|l| l.role == Role::Reference).cloned().collect();
    if !translation.exists() {
        if let Some(first) = texts.first() {
            pair.problems.push(base.problem(
                Severity::Error,
                Some(first.span.clone()),
                format!(
                    "{} has text but its translation {} does not exist (copy the file's blocks and translate their text)",
                    base.shown.display(),
                    crate::paths::shown_path(translation).display()
                ),
            ));
        }
        return;
    }
    let trans = match read_source(translation) {
        Ok(f) => f,
        Err(p) => return pair.problems.push(p),
    };
    let trans_tree = match crate::locate::syntax_errors(&trans.text) {
        Ok(t) => t,
        Err(errors) => {
            for e in errors {
                pair.problems.push(trans.problem(Severity::Error, e.span, e.message));
            }
            return;
        }
    };
    let (b, t) = (base.shown.display(), trans.shown.display());
    // The shape: every array the translation has must have the base's length.
    let base_arrays: HashMap<Place, usize> = array_lengths(&base_tree).into_iter().map(|(p, n, _)| (p, n)).collect();
    let mut broken: Vec<Place> = Vec::new();
    for (place, n, span) in array_lengths(&trans_tree) {
        match base_arrays.get(&place) {
            Some(&m) if m != n => {
                let what = if n < m { "missing" } else { "extra" };
                pair.problems.push(trans.problem(
                    Severity::Error,
                    Some(span),
                    format!("`{place}` has {n} entries here and {m} in {b}: an entry is {what} (the translation mirrors {b} entry by entry)"),
                ));
                broken.push(place);
            }
            _ => {}
        }
    }
    let under_broken = |p: &Place| broken.iter().any(|b| p.0.starts_with(&b.0));
    let by_place: HashMap<&Place, &Leaf> = base_leaves.iter().map(|l| (&l.place, l)).collect();
    let mut given: HashSet<Place> = HashSet::new();
    for leaf in leaves(&trans_tree) {
        if under_broken(&leaf.place) {
            continue;
        }
        let place = &leaf.place;
        let message = match by_place.get(place) {
            None => {
                Some(format!("`{place}` does not exist in {b}: an extra block or field (the translation mirrors {b})"))
            }
            Some(base_leaf) if base_leaf.role == Role::Text => {
                given.insert(place.clone());
                pair.edits.push((base_leaf.span.clone(), toml_string(&leaf.value)));
                dictionary.insert(base_leaf.value.clone(), leaf.value.clone());
                None
            }
            // Repeating what does not change (a block's type, a Latin keyword)
            // is harmless; a figure or a code is never typed twice, even equal.
            Some(base_leaf) if base_leaf.value == leaf.value && !is_figure(place) => None,
            Some(base_leaf) if MIRROR_KEYS.contains(&place.key().unwrap_or("")) => Some(format!(
                "{} '{}' does not exist in {b} at `{place}` (it has '{}'): blocks must follow {b} in order",
                place.key().unwrap_or(""),
                leaf.value,
                base_leaf.value
            )),
            Some(_) => Some(format!(
                "`{place}` is not text: figures, KPI values, years, codes and paths come from {b} and are never typed twice; remove it here"
            )),
        };
        if let Some(message) = message {
            pair.problems.push(trans.problem(Severity::Error, Some(leaf.span.clone()), message));
        }
    }
    for (place, span) in scalars(&trans_tree) {
        if !under_broken(&place) {
            let message = format!(
                "`{place}` is not text: figures, KPI values, years and codes come from {b} and are never typed twice; remove it here"
            );
            pair.problems.push(trans.problem(Severity::Error, Some(span), message));
        }
    }
    for leaf in texts {
        if !given.contains(&leaf.place) && !under_broken(&leaf.place) {
            let what = if leaf.place.to_string().contains("indicator") { "KPI indicator" } else { "text" };
            pair.problems.push(base.problem(
                Severity::Error,
                Some(leaf.span.clone()),
                format!("{what} `{}` ('{}') has no translation in {t}", leaf.place, short(&leaf.value)),
            ));
        }
    }
}

/// Keys whose strings are figures, codes or paths: a translation never
/// repeats them.
const FIGURE_KEYS: &[&str] =
    &["values", "value", "years", "code", "disclosures", "total", "parts", "url", "image", "source", "sheet", "date"];

/// Whether the string at `place` is a figure, a code or a path.
fn is_figure(place: &Place) -> bool {
    place.0.iter().any(|s| matches!(s, Step::Key(k) if FIGURE_KEYS.contains(&k.as_str())))
}

fn short(s: &str) -> String {
    let cut: String = s.chars().take(16).collect();
    if cut.len() < s.len() { format!("{cut}…") } else { cut }
}

/// Every value of a document that is neither a string, an array nor a table.
fn scalars(root: &Spanned<DeTable<'_>>) -> Vec<(Place, std::ops::Range<usize>)> {
    fn go(v: &Spanned<DeValue<'_>>, place: Place, out: &mut Vec<(Place, std::ops::Range<usize>)>) {
        match v.get_ref() {
            DeValue::String(_) => {}
            DeValue::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let mut p = place.clone();
                    p.0.push(Step::Index(i));
                    go(item, p, out);
                }
            }
            DeValue::Table(t) => {
                for (k, item) in t.iter() {
                    let mut p = place.clone();
                    p.0.push(Step::Key(k.get_ref().to_string()));
                    go(item, p, out);
                }
            }
            _ => out.push((place, v.span())),
        }
    }
    let mut out = Vec::new();
    for (k, v) in root.get_ref().iter() {
        go(v, Place(vec![Step::Key(k.get_ref().to_string())]), &mut out);
    }
    out
}
