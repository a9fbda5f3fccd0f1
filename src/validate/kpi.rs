//! Checks of a KPI table: row kinds, one value per year in the KPI value
//! grammar, note numbers, and the integrity checks (parts add up to a total).

use std::collections::HashMap;

use super::fields;
use super::find::{find_value, find_value_after};
use crate::diag::{Problems, Severity};
use crate::model::kpi_value::{parse_kpi, plain_number};
use crate::model::{KpiCheck, KpiRow};
use crate::source::SourceFile;

/// Checks a KPI table: rows, values, notes, years and integrity checks.
pub fn check_kpi(
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

/// Years as `2018, 2019, 2020`.
fn join(years: &[i32]) -> String {
    years.iter().map(i32::to_string).collect::<Vec<_>>().join(", ")
}

/// A number with at most four decimals, without trailing zeros.
fn trim_float(v: f64) -> String {
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}
