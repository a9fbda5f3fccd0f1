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
