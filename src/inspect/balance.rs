//! Rule 20: the last page of a part has its columns balanced. Every part
//! set in the layouts' column flow is read on its last text page (one-page
//! parts and longer ones alike): when one column stands a quarter of the
//! type area longer than the other, the part is `unbalanced`, and the
//! finding carries what copyfit needs to balance it: the height of the
//! part's column block, measured from the real room of each earlier page
//! (the first from where the part's columns start, the ones between full)
//! plus half of what the last page's two columns hold.

use typst::foundations::Value;

use super::pages::{body_lines, grid};
use super::scan::{Area, Sheet};
use super::{Finding, FindingClass, Mark};

/// How far, as a share of the type area's height, one column of a part's
/// last page may run past the other before it is unbalanced.
pub const UNEVEN: f64 = 0.25;

/// The room, in points, kept below a balanced column: the layouts add a
/// few lines of slack to the height copyfit asks for, and a balanced column
/// never asks for more than the page holds.
const SLACK_PT: f64 = 64.0;

/// Flags the last page of every part whose columns stand unequal.
/// `starts[i]` is the first page of part i (0: not found).
pub fn part_ends(sheets: &[Sheet], starts: &[usize], out: &mut Vec<Finding>) {
    for (i, &start) in starts.iter().enumerate() {
        if start == 0 {
            continue;
        }
        let next = starts.get(i + 1).copied().filter(|&n| n > start).unwrap_or(sheets.len() + 1);
        // The part's pages, the page the next part starts on excluded.
        let pages: Vec<&Sheet> = sheets[start - 1..(next - 1).min(sheets.len())].iter().collect();
        let own = format!("p{i}:");
        // Not a page the part shares with another (a run-in part).
        let shares = |s: &Sheet| {
            s.marks(Mark::Src).filter_map(|m| m.text("src")).any(|s| s.starts_with('p') && !s.starts_with(&own))
        };
        // The last page holding the end of the part's column flow.
        let Some(last) = pages.iter().rposition(|s| flow(s, "end").next().is_some()) else { continue };
        if shares(pages[last]) {
            continue;
        }
        check(&pages[..=last], &format!("p{i}:0"), out);
        half_empty(&pages[..=last], &format!("p{i}:0"), out);
    }
}

/// Below this share of its two columns filled, a page inside a part (not
/// its last) is half-empty.
pub const HALF_EMPTY: f64 = 0.5;

/// Flags the pages of a part before its last whose columns stand less than
/// half filled (a float or a block that would not break waited for the next
/// page): its text could fill them.
fn half_empty(pages: &[&Sheet], part: &str, out: &mut Vec<Finding>) {
    let Some(first) = pages.iter().rposition(|s| flow(s, "start").next().is_some()) else { return };
    let Some((_, inside)) = pages.split_last() else { return };
    for (k, &sheet) in inside.iter().enumerate().skip(first) {
        let Some(g) = grid(sheet).filter(|g| !g.designed && g.columns == 2) else { continue };
        let top = if k == first { flow(sheet, "start").last().map_or(g.body.y0, |m| m.at.1) } else { g.body.y0 };
        let room = g.body.y1 - top;
        if room < g.body.height() / 2.0 {
            continue;
        }
        let [c1, c2] = columns(sheet, &g, top);
        let filled = (c1 + c2) / (2.0 * room);
        if filled < HALF_EMPTY {
            out.push(Finding {
                page: sheet.number,
                class: FindingClass::HalfEmpty,
                message: format!(
                    "a page inside its part has its columns {:.0} % filled; the part's text could fill it \
                     (a float or a block that does not split waited for the next page)",
                    filled * 100.0
                ),
                src: Some(part.to_owned()),
                extent: None,
                uneven: None,
            });
        }
    }
}

/// The flow marks of one edge ("start" or "end") on a page, in paint order.
fn flow<'a>(sheet: &'a Sheet, edge: &'static str) -> impl Iterator<Item = &'a super::scan::PlacedMark> {
    sheet.marks(Mark::Flow).filter(move |m| m.value == Value::Str(edge.into()))
}

/// Checks the last of `pages` (a part's pages up to its last one).
fn check(pages: &[&Sheet], part: &str, out: &mut Vec<Finding>) {
    let Some(&last) = pages.last() else { return };
    let Some(g) = grid(last).filter(|g| !g.designed && g.columns == 2) else { return };
    // The first text page: the one the part's columns start on.
    let Some(first) = pages.iter().rposition(|s| flow(s, "start").next().is_some()) else { return };
    let start_y = |s: &Sheet| flow(s, "start").last().map(|m| m.at.1);
    let on_last = first == pages.len() - 1;
    let top = if on_last { start_y(last).unwrap_or(g.body.y0) } else { g.body.y0 };
    let [c1, c2] = columns(last, &g, top);
    let body = g.body.height();
    let (long, short) = (c1.max(c2), c1.min(c2));
    if long - short <= body * UNEVEN || body_lines(last, &g) < 8 {
        return;
    }
    // The room the part's column block had before its last page.
    let before = if on_last {
        Some(0.0)
    } else {
        let between = (pages.len() - 1 - first - 1) as f64;
        grid(pages[first]).zip(start_y(pages[first])).map(|(fg, y)| (fg.body.y1 - y).max(0.0) + body * between)
    };
    let room = if on_last { g.body.y1 - top } else { body };
    let target = ((c1 + c2) / 2.0).min(room - SLACK_PT).max(0.0);
    out.push(Finding {
        page: last.number,
        class: FindingClass::Unbalanced,
        message: format!(
            "the part's last page has one column {:.0} % of the type area longer than the other; \
             balance the columns",
            (long - short) / body * 100.0
        ),
        src: Some(part.to_owned()),
        extent: before.map(|b| b + target),
        uneven: Some((long - short) / body),
    });
}

/// How far down from `top` each of the two columns of `sheet` carries
/// content (text of reading size, pictures, opaque fills, the flow's end):
/// what spans both columns counts in both.
fn columns(sheet: &Sheet, g: &super::pages::Grid, top: f64) -> [f64; 2] {
    let column = (g.body.width() - g.gutter) / 2.0;
    let mut bottom = [top; 2];
    let mut add = |a: Area| {
        if a.y0 < top - 1.0 || !g.body.contains(&a, 2.0) {
            return;
        }
        let c = g.column_of(a.x0).min(1);
        bottom[c] = bottom[c].max(a.y1);
        if c == 0 && a.width() > column + g.gutter {
            bottom[1] = bottom[1].max(a.y1);
        }
    };
    for t in sheet.texts.iter().filter(|t| t.size >= 6.0 && !t.text.trim().is_empty()) {
        add(t.area);
    }
    for p in &sheet.pictures {
        add(p.area);
    }
    for gr in sheet.graphics.iter().filter(|gr| gr.opaque) {
        add(gr.area);
    }
    bottom.map(|b| (b - top).max(0.0))
}
