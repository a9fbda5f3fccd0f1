//! Stranded heads: a heading, table head, group row, case title, stat
//! label, signature, attribution or caption separated from what must follow
//! it. The layouts mark the head (`role: "head"`, with how many followers it
//! `need`s) and each follower (`role: "body"`) under one `id`; a head whose
//! followers are not in the same column (or on the same page, for
//! `scope: "page"`) is stranded.

use super::pages::grid;
use super::scan::{PlacedMark, Sheet};
use super::{Finding, FindingClass, Mark, quote};

/// Checks every head mark of every page.
pub fn stranded(sheets: &[Sheet], out: &mut Vec<Finding>) {
    // Followers per id: (page index, mark).
    let mut bodies: std::collections::HashMap<&str, Vec<(usize, &PlacedMark)>> = std::collections::HashMap::new();
    for (i, sheet) in sheets.iter().enumerate() {
        for m in sheet.marks(Mark::Keep).filter(|m| m.text("role") == Some("body")) {
            if let Some(id) = m.text("id") {
                bodies.entry(id).or_default().push((i, m));
            }
        }
    }
    for (i, sheet) in sheets.iter().enumerate() {
        let g = grid(sheet);
        for head in sheet.marks(Mark::Keep).filter(|m| m.text("role") == Some("head")) {
            let Some(id) = head.text("id") else { continue };
            let followers = bodies.get(id).map_or(&[][..], Vec::as_slice);
            let need = head.int("need").unwrap_or(1).max(1) as usize;
            // Only as many followers as exist after this head can be asked for.
            let after: Vec<&(usize, &PlacedMark)> =
                followers.iter().filter(|(p, m)| *p > i || (*p == i && m.order > head.order)).collect();
            let need = need.min(after.len());
            if need == 0 {
                continue;
            }
            let page_scope = head.text("scope") == Some("page");
            let with = after
                .iter()
                .filter(|(p, m)| {
                    *p == i
                        && (page_scope
                            || g.is_none_or(|g| g.column_of(m.at.0) == g.column_of(head.at.0) && m.at.1 >= head.at.1))
                })
                .count();
            if with < need {
                let what = head.text("what").unwrap_or("head");
                let text = head.text("text").map(quote).unwrap_or_default();
                let place = if page_scope { "page" } else { "column" };
                out.push(Finding {
                    page: sheet.number,
                    class: FindingClass::Stranded,
                    message: format!(
                        "{what} {text} is stranded at the foot of a {place}: {with} of the {need} \
                         things it must keep with follow it there; keep them together",
                    ),
                    src: head.text("src").map(str::to_owned),
                    extent: None,
                    uneven: None,
                });
            }
        }
    }
}

/// Rows a table run keeps on each side of a column or page break.
const RUN_ROWS: usize = 3;

/// Checks every table broken across columns or pages: each run (the rows
/// it sets in one column) carries at least three body rows, or all of them
/// when the table has fewer (the rows of a wide table, set across both
/// columns, count in the first).
pub fn short_runs(sheets: &[Sheet], out: &mut Vec<Finding>) {
    // Each table's head (its first instance) and its body rows in order.
    let mut tables: Vec<(usize, &PlacedMark)> = Vec::new();
    let mut runs: std::collections::HashMap<&str, Vec<(usize, usize, usize)>> = std::collections::HashMap::new();
    for (i, sheet) in sheets.iter().enumerate() {
        let g = grid(sheet);
        let column = |m: &PlacedMark| g.as_ref().map_or(0, |g| g.column_of(m.at.0));
        for m in sheet.marks(Mark::Keep) {
            let Some(id) = m.text("id") else { continue };
            match m.text("role") {
                Some("head")
                    if m.text("what").is_some_and(|w| w.ends_with("table head"))
                        && !tables.iter().any(|(_, t)| t.text("id") == Some(id)) =>
                {
                    tables.push((i, m));
                }
                Some("body") => {
                    let list = runs.entry(id).or_default();
                    match list.last_mut() {
                        Some((p, c, n)) if *p == i && *c == column(m) => *n += 1,
                        _ => list.push((i, column(m), 1)),
                    }
                }
                _ => {}
            }
        }
    }
    for (page, head) in tables {
        let Some(list) = head.text("id").and_then(|id| runs.get(id)) else { continue };
        let total: usize = list.iter().map(|(.., n)| n).sum();
        let least = RUN_ROWS.min(total);
        let Some(&(p, _, n)) = list.iter().find(|(.., n)| *n < least) else { continue };
        let text = head.text("text").filter(|t| !t.is_empty()).map(|t| format!(" {}", quote(t))).unwrap_or_default();
        out.push(Finding {
            page: sheets[p].number,
            class: FindingClass::Stranded,
            message: format!(
                "table{text} (from page {}) runs on with {n} of its {total} rows in a column; a \
                 table run carries at least {least} rows on each side of a break: keep them together",
                sheets[page].number
            ),
            src: head.text("src").map(str::to_owned),
            extent: None,
            uneven: None,
        });
    }
}
