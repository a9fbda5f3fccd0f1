//! Field rules: numbers finite and in range, years in order, no empty
//! labels or headers, no org-chart cycles, no unbreakable tokens. Each
//! problem is reported at the offending value.

use std::collections::HashMap;
use std::ops::Range;

use super::find::key_value;
use crate::diag::{Problems, Severity};
use crate::model::{KpiCheck, OrgNode};
use crate::source::SourceFile;

/// Narrowest placed figure width, in millimetres.
pub const MIN_WIDTH_MM: f64 = 5.0;
/// Widest placed figure width, in millimetres (the A4 page).
pub const MAX_WIDTH_MM: f64 = 210.0;

/// A figure's `width_mm`: finite and within [`MIN_WIDTH_MM`]..=[`MAX_WIDTH_MM`].
pub fn check_width(file: &SourceFile, span: Range<usize>, width: f64, problems: &mut Problems) {
    if !(width.is_finite() && (MIN_WIDTH_MM..=MAX_WIDTH_MM).contains(&width)) {
        problems.push(file.problem(
            Severity::Error,
            key_value(file, span.clone(), "width_mm").or(Some(span)),
            format!("width_mm = {width} is not a width from {MIN_WIDTH_MM} to {MAX_WIDTH_MM} mm"),
        ));
    }
}

/// KPI years: at least one, strictly increasing (so each appears once).
pub fn check_years(file: &SourceFile, span: Range<usize>, years: &[i32], problems: &mut Problems) {
    let at = || key_value(file, span.clone(), "years").or(Some(span.clone()));
    if years.is_empty() {
        problems.push(file.problem(Severity::Error, at(), "a KPI table needs at least one year in `years`"));
    } else if let Some(pair) = years.windows(2).find(|w| w[1] <= w[0]) {
        problems.push(file.problem(
            Severity::Error,
            at(),
            format!(
                "KPI years must be unique and increasing, but {} follows {}; write them oldest first, once each",
                pair[1], pair[0]
            ),
        ));
    }
}

/// A KPI check's numbers: `equals` finite, `tolerance` finite and not negative.
pub fn check_numbers(file: &SourceFile, span: Range<usize>, check: &KpiCheck, problems: &mut Problems) {
    let mut bad = |what: &str, value: f64| {
        let region = file.region(span.clone());
        let after = file.find(span.clone(), "checks").map_or(region.start, |r| r.end)..region.end;
        problems.push(file.problem(
            Severity::Error,
            key_value(file, after, what).or(Some(span.clone())),
            format!("KPI check {what} = {value} is not a finite number (not negative); such a check could never fail"),
        ))
    };
    if let Some(equals) = check.equals.filter(|e| !e.is_finite()) {
        bad("equals", equals);
    }
    if !(check.tolerance.is_finite() && check.tolerance >= 0.0) {
        bad("tolerance", check.tolerance);
    }
}

/// An org chart's parent links must not form a cycle.
pub fn check_org_cycles(file: &SourceFile, span: Range<usize>, nodes: &[OrgNode], problems: &mut Problems) {
    let parent: HashMap<&str, &str> =
        nodes.iter().filter_map(|n| n.parent.as_deref().map(|p| (n.id.as_str(), p))).collect();
    for node in nodes {
        let mut at = node.id.as_str();
        for _ in 0..=nodes.len() {
            match parent.get(at) {
                Some(&p) if p == node.id => {
                    problems.push(file.problem(
                        Severity::Error,
                        file.find(span.clone(), &format!("\"{}\"", node.id)).or(Some(span.clone())),
                        format!("org chart node '{}' is its own ancestor (a cycle of `parent` links)", node.id),
                    ));
                    return;
                }
                Some(&p) => at = p,
                None => break,
            }
        }
    }
}

/// A required text that is empty or blank (labels, table headers).
pub fn check_not_empty(file: &SourceFile, at: Option<Range<usize>>, what: &str, value: &str, problems: &mut Problems) {
    if value.trim().is_empty() {
        problems.push(file.problem(Severity::Error, at, format!("{what} is empty; write it or remove the field")));
    }
}
