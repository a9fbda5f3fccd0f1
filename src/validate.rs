//! Stage 2: checks what parsing cannot: labels, references, disclosure tags,
//! KPI values and integrity checks, table shapes, images.
//!
//! Every problem keeps its place: the block's span from parsing, narrowed to
//! the offending value where it can be found in the text.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::diag::{Problems, Severity};
use crate::model::{Block, Index, KpiCheck, KpiRow, Part};
use crate::source::{Loaded, Report, SourceFile};

mod fields;

pub use fields::{MAX_WIDTH_MM, MIN_WIDTH_MM};

/// Most rows a single table may have.
pub const MAX_TABLE_ROWS: usize = 2000;

/// The prefix of an in-text reference: `{ref:label}`.
pub const REF_OPEN: &str = "{ref:";

/// Checks the loaded report. Returns every problem found (errors and warnings).
pub fn validate(report: &Report) -> Problems {
    let mut problems = Problems::default();
    let codes = index_codes(report, &mut problems);
    let labels = collect_labels(report, &mut problems);
    let example = tag_example(report);
    for index in &report.indexes {
        check_index_columns(index, &mut problems);
    }

    for part in &report.parts {
        let file = &part.file;
        for place in part.data.places(file.text.len()) {
            for tag in &place.disclosures {
                check_tag(file, place.span.clone(), tag, &codes, &example, &mut problems);
            }
            if let Some(block) = place.block {
                check_block(file, place.span.clone(), block, report, &mut problems);
                for text in block.texts() {
                    check_refs(file, place.span.clone(), text, &labels, &mut problems);
                    for tag in pages_in(text) {
                        check_tag(file, place.span.clone(), tag, &codes, &example, &mut problems);
                    }
                }
            }
        }
        check_opener_refs(file, &part.data, &labels, &mut problems);
    }
    problems
}

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
                let at = fields::key_value(file, place.span.clone(), "label").or(Some(place.span.clone()));
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
fn tag_example(report: &Report) -> String {
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
fn check_index_columns(index: &Loaded<Index>, problems: &mut Problems) {
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
fn check_tag(
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
fn check_refs(
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
            Err(()) => problems.push(file.problem(
                Severity::Error,
                file.find(span.clone(), REF_OPEN),
                "unclosed reference: write {ref:label}",
            )),
        }
    }
}

/// Checks the references in a chapter opener.
fn check_opener_refs(file: &SourceFile, part: &Part, labels: &HashSet<String>, problems: &mut Problems) {
    if let Some(opener) = &part.opener {
        for text in &opener.intro {
            check_refs(file, 0..file.text.len(), text, labels, problems);
        }
    }
}

/// The disclosure tags a text asks the pages of: `{pages:INDEX:CODE}`.
pub fn pages_in(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices("{pages:").filter_map(move |(i, open)| {
        let rest = &text[i + open.len()..];
        rest.find('}').map(|end| &rest[..end])
    })
}

/// The labels referenced in a text, `Err` for an unclosed reference.
pub fn refs_in(text: &str) -> impl Iterator<Item = Result<&str, ()>> {
    text.match_indices(REF_OPEN).map(move |(i, _)| {
        let rest = &text[i + REF_OPEN.len()..];
        rest.find('}').map(|end| &rest[..end]).ok_or(())
    })
}

/// The checks of one block, by its type.
fn check_block(
    file: &SourceFile,
    span: std::ops::Range<usize>,
    block: &Block,
    report: &Report,
    problems: &mut Problems,
) {
    match block {
        Block::Kpi { years, rows, notes, checks, .. } => {
            check_rows(file, span.clone(), rows.len(), problems);
            check_kpi(file, span, years, rows, notes, checks, problems);
        }
        Block::Table { header, rows, .. } => {
            check_rows(file, span.clone(), rows.len(), problems);
            if header.is_empty() {
                let at = fields::key_value(file, span.clone(), "header").or(Some(span.clone()));
                problems.push(file.problem(Severity::Error, at, "a table needs a `header` with at least one cell"));
            }
            for (i, row) in rows.iter().enumerate() {
                if row.len() != header.len() {
                    let at = row.first().and_then(|c| find_value(file, span.clone(), c)).or(Some(span.clone()));
                    problems.push(file.problem(
                        Severity::Error,
                        at,
                        format!("table row {} has {} cells but the header has {}", i + 1, row.len(), header.len()),
                    ));
                }
            }
        }
        Block::Figure { image, width_mm, .. } => {
            if let Some(width) = width_mm {
                fields::check_width(file, span.clone(), *width, problems);
            }
            if let Some(image) = image {
                check_image(file, span, image, &report.base, problems);
            }
        }
        Block::Case { figures, .. } => {
            for image in figures.iter().filter_map(|f| f.image.as_deref()) {
                check_image(file, span.clone(), image, &report.base, problems);
            }
        }
        Block::OrgChart { nodes, .. } => {
            fields::check_org_cycles(file, span.clone(), nodes, problems);
            let ids: HashSet<&str> = nodes.iter().map(|n| n.id.as_str()).collect();
            for parent in nodes.iter().filter_map(|n| n.parent.as_deref()) {
                if !ids.contains(parent) {
                    problems.push(file.problem(
                        Severity::Error,
                        find_value(file, span.clone(), parent),
                        format!("org chart parent '{parent}' is not the id of any node"),
                    ));
                }
            }
        }
        Block::Ratings { items, .. } => {
            for r in items.iter().filter(|r| r.stars > r.of) {
                problems.push(file.problem(
                    Severity::Error,
                    find_value(file, span.clone(), &r.dimension),
                    format!("rating '{}' has {} stars out of {}", r.dimension, r.stars, r.of),
                ));
            }
        }
        Block::Chart { .. } | Block::Materiality { .. } | Block::Qr { .. } => {
            crate::charts::check(file, span, block, report, problems)
        }
        Block::Index { index, .. } if !report.indexes.iter().any(|i| &i.data.id == index) => {
            problems.push(file.problem(
                Severity::Error,
                find_value(file, span, index),
                format!("unknown index '{index}' (list its file under `indexes` in the manifest)"),
            ));
        }
        _ => {}
    }
}

/// A table may not have more than [`MAX_TABLE_ROWS`] rows.
fn check_rows(file: &SourceFile, span: std::ops::Range<usize>, rows: usize, problems: &mut Problems) {
    if rows > MAX_TABLE_ROWS {
        problems.push(file.problem(
            Severity::Error,
            Some(span),
            format!("a table of {rows} rows is longer than the limit of {MAX_TABLE_ROWS}; split it"),
        ));
    }
}

/// Checks a KPI table: rows, values, notes, years and integrity checks.
fn check_kpi(
    file: &SourceFile,
    span: std::ops::Range<usize>,
    years: &[i32],
    rows: &[KpiRow],
    notes: &[String],
    checks: &[KpiCheck],
    problems: &mut Problems,
) {
    fields::check_years(file, span.clone(), years, problems);
    let mut ids: HashMap<&str, &KpiRow> = HashMap::new();
    for row in rows {
        let name = row.indicator.as_deref().or(row.group.as_deref()).unwrap_or("");
        // Located lazily: searching the text per row is only worth it on an error.
        let at = || find_value(file, span.clone(), name);
        match (&row.group, &row.indicator) {
            (Some(_), Some(_)) => problems.push(file.problem(
                Severity::Error,
                at(),
                "a KPI row has either `group` (a sub-heading) or `indicator`, not both",
            )),
            (None, None) => problems.push(file.problem(
                Severity::Error,
                at(),
                "a KPI row needs an `indicator` (or `group` for a sub-heading)",
            )),
            (Some(_), None) if !row.values.is_empty() => {
                problems.push(file.problem(Severity::Error, at(), "a group row has no values"))
            }
            _ => {}
        }
        if row.indicator.is_some() && row.values.len() != years.len() {
            problems.push(file.problem(
                Severity::Error,
                at(),
                format!(
                    "'{name}' has {} values but the table has {} years ({})",
                    row.values.len(),
                    years.len(),
                    join(years)
                ),
            ));
        }
        for value in &row.values {
            if parse_kpi(value).is_none() {
                let vat = find_value_after(file, span.clone(), name, value).or(at());
                problems.push(file.problem(
                    Severity::Error,
                    vat,
                    format!("KPI value '{value}' of '{name}' is not a number, '/', or a qualified number such as '>90' or '1,400+'"),
                ));
            }
        }
        for n in &row.notes {
            if *n == 0 || *n as usize > notes.len() {
                problems.push(file.problem(
                    Severity::Error,
                    at(),
                    format!("'{name}' refers to note {n} but the table has {} notes", notes.len()),
                ));
            }
        }
        if let Some(id) = &row.id {
            ids.insert(id, row);
        }
    }
    for check in checks {
        check_sum(file, span.clone(), years, &ids, check, problems);
    }
}

/// Verifies one integrity check for every year.
fn check_sum(
    file: &SourceFile,
    span: std::ops::Range<usize>,
    years: &[i32],
    ids: &HashMap<&str, &KpiRow>,
    check: &KpiCheck,
    problems: &mut Problems,
) {
    let mut referenced: Vec<&str> = check.parts.iter().map(String::as_str).collect();
    referenced.extend(check.total.as_deref());
    let at =
        check.parts.first().and_then(|p| find_value(file, span.clone(), &format!("\"{p}\""))).or(Some(span.clone()));
    if let Some(missing) = referenced.iter().find(|id| !ids.contains_key(*id)) {
        problems.push(file.problem(
            Severity::Error,
            at,
            format!("KPI check names row id '{missing}', which no row of this table has"),
        ));
        return;
    }
    let before = problems.errors();
    fields::check_numbers(file, span.clone(), check, problems);
    if problems.errors() > before {
        return;
    }
    if check.total.is_some() == check.equals.is_some() {
        problems.push(file.problem(
            Severity::Error,
            at,
            "a KPI check needs exactly one of `total` (a row id) or `equals` (a number)",
        ));
        return;
    }
    for (y, year) in years.iter().enumerate() {
        let value = |id: &str| ids[id].values.get(y).and_then(|v| plain_number(v));
        let parts: Option<Vec<f64>> = check.parts.iter().map(|p| value(p)).collect();
        let total = match (&check.total, check.equals) {
            (Some(id), _) => value(id),
            (None, equals) => equals,
        };
        let (Some(parts), Some(total)) = (parts, total) else { continue };
        let sum: f64 = parts.iter().sum();
        if (sum - total).abs() > check.tolerance + 1e-9 {
            let what = check.total.clone().unwrap_or_else(|| format!("{total}"));
            problems.push(file.problem(
                Severity::Error,
                at.clone(),
                format!(
                    "KPI check failed for {year}: {} = {} but {what} is {} (difference {:.4}, tolerance {})",
                    check.parts.join(" + "),
                    trim_float(sum),
                    trim_float(total),
                    (sum - total).abs(),
                    check.tolerance
                ),
            ));
        }
    }
}

/// Parses a KPI value as printed: `/` (or `-`) for no value, or a number
/// with at most one qualifier before it (`>`, `<`, `≥`, `≤`, `约`, `＞`, `＜`)
/// and at most one after it (`+` or `%`). Returns the number (`None` inside
/// for `/`), or `None` if the value is not valid.
pub fn parse_kpi(value: &str) -> Option<Option<f64>> {
    let v = value.trim();
    if v == "/" || v == "-" {
        return Some(None);
    }
    let v = ['>', '<', '≥', '≤', '约', '＞', '＜'].iter().find_map(|q| v.strip_prefix(*q)).unwrap_or(v);
    let v = v.strip_suffix(['+', '%']).unwrap_or(v);
    plain_number(v.trim()).map(Some)
}

/// A plain number: an optional `-`, digits (grouped by commas in threes, or
/// not grouped at all), an optional fraction. `1,400`, `98.62`, `-3`, `7716`;
/// not `1,,0`, `1,40`, `.5`, `1.` or `1e3`.
pub fn plain_number(v: &str) -> Option<f64> {
    let unsigned = v.strip_prefix('-').unwrap_or(v);
    let (int, frac) = match unsigned.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mut groups = int.split(',');
    let first = groups.next()?;
    let grouped = groups.all(|g| g.len() == 3 && digits(g));
    let int_ok = digits(first) && grouped && (!int.contains(',') || first.len() <= 3);
    if !int_ok || frac.is_some_and(|f| !digits(f)) {
        return None;
    }
    // A number too long for f64 (a pasted run of digits) is not a value.
    v.replace(',', "").parse().ok().filter(|n: &f64| n.is_finite())
}

/// Narrows `span` to the quoted `value` (or the text of it) where found.
fn find_value(file: &SourceFile, span: std::ops::Range<usize>, value: &str) -> Option<std::ops::Range<usize>> {
    if value.is_empty() {
        return Some(span);
    }
    file.find(span.clone(), &format!("\"{value}\""))
        .map(|r| r.start + 1..r.end - 1)
        .or_else(|| file.find(span.clone(), value))
        .or(Some(span))
}

/// Finds `value` after the first place of `after` inside `span`.
fn find_value_after(
    file: &SourceFile,
    span: std::ops::Range<usize>,
    after: &str,
    value: &str,
) -> Option<std::ops::Range<usize>> {
    let start = find_value(file, span.clone(), after)?.end;
    find_value(file, start..span.end, value)
}

/// Resolves and decodes an image (both `check` and `build` run this), so a
/// corrupt or oversized image is an error at its `image = ` value.
fn check_image(file: &SourceFile, span: std::ops::Range<usize>, image: &str, base: &Path, problems: &mut Problems) {
    let result = resolve_image(base, image)
        .and_then(|path| crate::images::inspect(&path).map_err(|message| format!("image '{image}': {message}")));
    if let Err(message) = result {
        problems.push(file.problem(Severity::Error, find_value(file, span, image), message));
    }
}

/// Resolves an image path against the manifest folder, refusing paths that
/// leave it (also through symlinks).
pub fn resolve_image(base: &Path, image: &str) -> Result<PathBuf, String> {
    let joined = base.join(image);
    let real = joined
        .canonicalize()
        .map_err(|_| format!("image '{image}' not found (paths are relative to the manifest's folder)"))?;
    let root = base.canonicalize().map_err(|e| format!("cannot resolve the manifest folder ({e})"))?;
    if !real.starts_with(&root) {
        return Err(format!("image '{image}' lies outside the manifest's folder; copy it into the data folder"));
    }
    if !real.is_file() {
        return Err(format!("image '{image}' is not a regular file (a folder, FIFO or device)"));
    }
    Ok(real)
}

/// Years as `2018, 2019, 2020`.
fn join(years: &[i32]) -> String {
    years.iter().map(i32::to_string).collect::<Vec<_>>().join(", ")
}

/// A number with at most four decimals, without trailing zeros.
fn trim_float(v: f64) -> String {
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kpi_values_as_printed() {
        assert_eq!(parse_kpi("7,716"), Some(Some(7716.0)));
        assert_eq!(parse_kpi("/"), Some(None));
        assert_eq!(parse_kpi(">90"), Some(Some(90.0)));
        assert_eq!(parse_kpi("1,400+"), Some(Some(1400.0)));
        assert_eq!(parse_kpi("0.00022"), Some(Some(0.00022)));
        assert_eq!(parse_kpi("12a"), None);
        assert_eq!(parse_kpi(""), None);
        for bad in ["1,,,0,0", "1,40", "1234,567", ",123", "1,", "1.", ".5", "1e3", ">>9", "1++", "-", "--1", "1.2.3"] {
            assert_eq!(parse_kpi(bad).flatten(), None, "{bad}");
        }
        assert_eq!(parse_kpi("-1,234.5"), Some(Some(-1234.5)));
        // Found by the kpi fuzz target: 400 grouped digits parsed to infinity.
        assert_eq!(parse_kpi(&format!("1{}", ",000".repeat(110))), None);
        assert_eq!(parse_kpi("≥98.5%"), Some(Some(98.5)));
    }

    #[test]
    fn refs_are_found() {
        let found: Vec<_> = refs_in("见第 {ref:a} 页和 {ref:b-c} 页").collect();
        assert_eq!(found, vec![Ok("a"), Ok("b-c")]);
        assert_eq!(refs_in("{ref:open").collect::<Vec<_>>(), vec![Err(())]);
    }
}
