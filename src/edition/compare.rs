//! Editions that agree: every KPI value and every disclosure code of the
//! data's edition is in each other edition, the same and in the same place.
//! Editions made by [`super::apply`] take their figures from the data, so a
//! difference here means a translation or conversion changed what must not
//! change; it is reported at the edition's file, naming the data's file.

use std::collections::BTreeSet;

use super::{Language, blocks};
use crate::diag::{Problems, Severity};
use crate::model::{Block, Part};
use crate::source::Report;

/// Every disclosure code a report tags or indexes.
fn codes(report: &Report) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for part in &report.parts {
        let p = &part.data;
        out.extend(p.disclosures.iter().map(|d| d.get_ref().clone()));
        for s in &p.sections {
            let s = s.get_ref();
            out.extend(s.disclosures.iter().map(|d| d.get_ref().clone()));
            for sub in &s.subsections {
                out.extend(sub.get_ref().disclosures.iter().map(|d| d.get_ref().clone()));
            }
        }
    }
    for index in &report.indexes {
        for group in &index.data.groups {
            out.extend(group.rows.iter().map(|r| format!("{}:{}", index.data.id, r.code)));
        }
    }
    out
}

/// The KPI values of a part, table by table, row by row ("about" written
/// one way: each edition writes it in its own script).
fn values(part: &Part) -> Vec<Vec<Vec<String>>> {
    let same = |v: &String| crate::model::kpi_value::approximately(v, "约");
    blocks(part)
        .into_iter()
        .filter_map(|b| match b {
            Block::Kpi { rows, .. } => Some(rows.iter().map(|r| r.values.iter().map(same).collect()).collect()),
            _ => None,
        })
        .collect()
}

/// What differs between the data's edition `base` and `edition` (in
/// `language`): located errors, none when they agree.
pub fn compare(base: &Report, language: Language, edition: &Report) -> Problems {
    let mut problems = Problems::default();
    let tag = language.tag();
    let (a, b) = (codes(base), codes(edition));
    for missing in a.difference(&b) {
        problems.push(edition.manifest.file.problem(
            Severity::Error,
            None,
            format!("the {tag} edition lacks disclosure {missing}, which the data's edition has"),
        ));
    }
    for extra in b.difference(&a) {
        problems.push(edition.manifest.file.problem(
            Severity::Error,
            None,
            format!("the {tag} edition has disclosure {extra}, which the data's edition does not"),
        ));
    }
    for (ours, theirs) in base.parts.iter().zip(&edition.parts) {
        if values(&ours.data) != values(&theirs.data) {
            problems.push(theirs.file.problem(
                Severity::Error,
                None,
                format!("the {tag} edition's KPI values differ from {}", ours.file.shown.display()),
            ));
        }
    }
    if base.parts.len() != edition.parts.len() {
        problems.push(edition.manifest.file.problem(
            Severity::Error,
            None,
            format!("the {tag} edition has {} parts, the data's {}", edition.parts.len(), base.parts.len()),
        ));
    }
    problems
}
