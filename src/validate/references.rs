//! Checks of what points elsewhere: labels are unique and every
//! `{ref:label}` names one; disclosure tags name an index row; each index
//! prints as many columns as its `columns` headings name.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use super::fields;
use super::find::{find_value, key_value};
use crate::diag::{Problems, Severity};
use crate::model::markup::{REF_OPEN, WORD_OPEN, refs_in, words_in};
use crate::model::{Index, Part};
use crate::source::{Loaded, Report, SourceFile};

/// Index id → the set of its row codes. Reports duplicate ids and codes.
pub fn index_codes(report: &Report, problems: &mut Problems) -> HashMap<String, HashSet<String>> {
    let mut codes: HashMap<String, HashSet<String>> = HashMap::new();
    for index in &report.indexes {
        let file = &index.file;
        if codes.contains_key(&index.data.id) {
            let span = file.find(0..file.text.len(), &index.data.id);
            problems.push(file.problem(Severity::Error, span, format!("duplicate index id '{}'", index.data.id)));
            continue;
        }
        let mut set = HashSet::new();
        for row in index.data.groups.iter().flat_map(|g| &g.rows) {
            if !set.insert(row.code.clone()) {
                let needle = format!("\"{}\"", row.code);
                let span = file.text.rfind(&needle).map(|i| i..i + needle.len());
                problems.push(file.problem(
                    Severity::Error,
                    span,
                    format!("duplicate code '{}' in index '{}'", row.code, index.data.id),
                ));
            }
        }
        codes.insert(index.data.id.clone(), set);
    }
    codes
}

/// Every label in the report; reports duplicates at their second place.
pub fn collect_labels(report: &Report, problems: &mut Problems) -> HashSet<String> {
    let mut seen: HashMap<String, PathBuf> = HashMap::new();
    for part in &report.parts {
        let file = &part.file;
        for place in part.data.places(file.text.len()) {
            let Some(label) = place.label else { continue };
            if label.trim().is_empty() {
                let at = key_value(file, place.span.clone(), "label").or(Some(place.span.clone()));
                fields::check_not_empty(file, at, "the label", label, problems);
                continue;
            }
            if let Some(first) = seen.get(label) {
                let span = find_value(file, place.span.clone(), label);
                problems.push(file.problem(
                    Severity::Error,
                    span,
                    format!("duplicate label '{label}' (first defined in {}); labels must be unique", first.display()),
                ));
            } else {
                seen.insert(label.to_owned(), file.shown.clone());
            }
        }
    }
    seen.into_keys().collect()
}

/// An example tag from the report's own first index, for hints.
pub fn tag_example(report: &Report) -> String {
    let Some(index) = report.indexes.first() else {
        return "the manifest lists no indexes: add one under `indexes`".to_owned();
    };
    let code = index.data.groups.iter().flat_map(|g| &g.rows).next().map_or("CODE", |r| r.code.as_str());
    let ids: Vec<&str> = report.indexes.iter().map(|i| i.data.id.as_str()).collect();
    format!("e.g. '{}:{code}' (indexes: {})", index.data.id, ids.join(", "))
}

/// The number of `columns` headings must fit the columns the index prints:
/// the code, the name (if any row has one), the detail (if any row has one)
/// and the pages.
pub fn check_index_columns(index: &Loaded<Index>, problems: &mut Problems) {
    let rows = || index.data.groups.iter().flat_map(|g| &g.rows);
    let has_name = rows().any(|r| !r.name.is_empty());
    let has_detail = rows().any(|r| r.detail.is_some());
    let mut printed = vec!["code"];
    printed.extend(has_name.then_some("name"));
    printed.extend(has_detail.then_some("detail"));
    printed.push("pages");
    let n = printed.len();
    let given = index.data.columns.iter().filter(|c| !c.is_empty()).count();
    if given == 0 || given == n || (given + 1 == n && has_name) {
        return;
    }
    let file = &index.file;
    problems.push(file.problem(
        Severity::Error,
        file.find(0..file.text.len(), "columns"),
        format!(
            "index '{}' prints {n} columns ({}) but `columns` names {given}: give {n} headings{}, or none for the theme's headings",
            index.data.id,
            printed.join(", "),
            if has_name { format!(", or {} when the first covers the code and the name", n - 1) } else { String::new() }
        ),
    ));
}

/// Checks a disclosure tag against the indexes.
pub fn check_tag(
    file: &SourceFile,
    span: std::ops::Range<usize>,
    tag: &str,
    codes: &HashMap<String, HashSet<String>>,
    example: &str,
    problems: &mut Problems,
) {
    let message = match tag.split_once(':') {
        None => format!("disclosure tag '{tag}' must have the form INDEX:CODE, {example}"),
        Some((index, code)) => match codes.get(index) {
            None => {
                let mut known: Vec<_> = codes.keys().map(String::as_str).collect();
                known.sort_unstable();
                format!("unknown index '{index}' in disclosure tag '{tag}' (known: {})", known.join(", "))
            }
            Some(set) if !set.contains(code) => {
                format!(
                    "unknown disclosure code '{code}' in index '{index}' (tag '{tag}'); add the row to the index or fix the code"
                )
            }
            Some(_) => return,
        },
    };
    problems.push(file.problem(Severity::Error, find_value(file, span, tag), message));
}

/// Checks the `{ref:label}` references of a text.
pub fn check_refs(
    file: &SourceFile,
    span: std::ops::Range<usize>,
    text: &str,
    labels: &HashSet<String>,
    problems: &mut Problems,
) {
    for target in refs_in(text) {
        match target {
            Ok(label) if labels.contains(label) => {}
            Ok(label) => problems.push(file.problem(
                Severity::Error,
                file.find(span.clone(), &format!("{REF_OPEN}{label}}}")),
                format!("reference to unknown label '{label}' (define `label = \"{label}\"` on a section or block)"),
            )),
            Err(unclosed) => {
                problems.push(file.problem(Severity::Error, file.find(span.clone(), REF_OPEN), unclosed.to_string()))
            }
        }
    }
    if let Some(Err(unclosed)) = words_in(text).find(Result::is_err) {
        problems.push(file.problem(Severity::Error, file.find(span.clone(), WORD_OPEN), unclosed.to_string()));
    }
}

/// Checks the references in a chapter opener.
pub fn check_opener_refs(file: &SourceFile, part: &Part, labels: &HashSet<String>, problems: &mut Problems) {
    if let Some(opener) = &part.opener {
        for text in &opener.intro {
            check_refs(file, 0..file.text.len(), text, labels, problems);
        }
    }
}
