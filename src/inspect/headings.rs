//! Empty headings: a heading with nothing of its own under it before the
//! next heading of its level or above, or the end of its part (a wide table
//! that floated away from it, a section without blocks). Read in reading
//! order: page, column, height on the page.

use std::cmp::Ordering;

use super::pages::{Grid, grid};
use super::scan::{PlacedMark, Sheet};
use super::{Finding, FindingClass, Mark, quote};

/// A place in reading order: page index, column, height from the top, and
/// paint order for things at the same height (marks left one after another).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Place(usize, usize, f64, usize);

impl Place {
    /// Reading order.
    fn cmp(&self, other: &Place) -> Ordering {
        (self.0, self.1).cmp(&(other.0, other.1)).then(self.2.total_cmp(&other.2)).then(self.3.cmp(&other.3))
    }
}

/// The place of a point of page `page` painted at `order`.
fn place(page: usize, grid: Option<&Grid>, (x, y): (f64, f64), order: usize) -> Place {
    Place(page, grid.map_or(0, |g| g.column_of(x)), y, order)
}

/// The level of a heading's head mark (`None` for other heads).
fn level(m: &PlacedMark) -> Option<i64> {
    (m.text("role") == Some("head")).then(|| m.int("level")).flatten()
}

/// Flags every heading whose own content is missing.
pub fn empty(sheets: &[Sheet], out: &mut Vec<Finding>) {
    let grids: Vec<Option<Grid>> = sheets.iter().map(grid).collect();
    // Headings (place after the heading, level, mark) and stops (place, level; flow marks stop every level).
    let mut heads: Vec<(Place, i64, &PlacedMark, usize)> = Vec::new();
    let mut stops: Vec<(Place, i64)> = Vec::new();
    for (i, sheet) in sheets.iter().enumerate() {
        let g = grids[i].as_ref();
        for m in sheet.marks(Mark::Keep) {
            let Some(level) = level(m) else { continue };
            stops.push((place(i, g, m.at, m.order), level));
            // The body mark the heading leaves right after itself.
            let id = m.text("id");
            let after = sheet
                .marks(Mark::Keep)
                .find(|b| b.order > m.order && b.text("role") == Some("body") && b.text("id") == id);
            let after = after.unwrap_or(m);
            heads.push((place(i, g, after.at, after.order), level, m, i));
        }
        for m in sheet.marks(Mark::Flow) {
            stops.push((place(i, g, m.at, m.order), i64::MIN));
        }
    }
    for (start, level, head, page) in heads {
        let stop = stops
            .iter()
            .filter(|(p, l)| *l <= level && p.cmp(&start) == Ordering::Greater)
            .map(|(p, _)| *p)
            .min_by(Place::cmp);
        let last = stop.map_or(sheets.len() - 1, |s| s.0);
        let inside = |p: Place| p.cmp(&start) == Ordering::Greater && stop.is_none_or(|s| p.cmp(&s) == Ordering::Less);
        let has_content = (start.0..=last).any(|i| {
            let Some(g) = grids[i].as_ref().filter(|g| !g.designed) else { return false };
            let texts = sheets[i]
                .texts
                .iter()
                .filter(|t| t.size >= 6.0 && !t.text.trim().is_empty() && g.body.contains(&t.area, 2.0))
                .map(|t| place(i, Some(g), (t.area.x0, t.baseline), t.order));
            let pictures = sheets[i].pictures.iter().map(|p| place(i, Some(g), (p.area.x0, p.area.y1), p.order));
            texts.chain(pictures).any(inside)
        });
        if !has_content {
            out.push(Finding {
                page: sheets[page].number,
                class: FindingClass::EmptyHeading,
                message: format!(
                    "heading {} has nothing of its own under it before the next heading or the part's end; \
                     keep its content (a floated table) with it",
                    head.text("text").map(quote).unwrap_or_default()
                ),
                src: head.text("src").map(str::to_owned),
                extent: None,
                uneven: None,
            });
        }
    }
}

/// A heading's last line may not carry fewer characters than this (rule 24).
pub const RUNT_CHARS: usize = 3;

/// Flags a heading broken over lines whose last line carries one or two
/// characters (a runt): its text is what is painted between its head mark
/// and the body mark it leaves right after itself.
pub fn runts(sheet: &Sheet, out: &mut Vec<(usize, Finding)>) {
    let case_title = |m: &PlacedMark| m.text("role") == Some("head") && m.text("what") == Some("case-box title");
    let titled = |m: &&PlacedMark| level(m).is_some() || case_title(m);
    for head in sheet.marks(Mark::Keep).filter(titled) {
        let id = head.text("id");
        let Some(body) = sheet
            .marks(Mark::Keep)
            .find(|b| b.order > head.order && b.text("role") == Some("body") && b.text("id") == id)
        else {
            continue;
        };
        let mut lines: std::collections::BTreeMap<i64, String> = std::collections::BTreeMap::new();
        for t in sheet.texts.iter().filter(|t| t.order > head.order && t.order < body.order) {
            lines.entry((t.baseline * 2.0).round() as i64).or_default().push_str(t.text.trim());
        }
        let Some(last) = lines.values().last().filter(|_| lines.len() > 1) else { continue };
        let count = last.chars().filter(|c| !c.is_whitespace()).count();
        if count > 0 && count < RUNT_CHARS {
            out.push(super::found(
                sheet,
                head.order,
                FindingClass::Runt,
                format!(
                    "{} {} ends on a line of {count} character{}: break it at a word boundary \
                     with at least {RUNT_CHARS} characters on its last line",
                    if level(head).is_some() { "heading" } else { "case-box title" },
                    head.text("text").map(quote).unwrap_or_default(),
                    if count == 1 { "" } else { "s" }
                ),
            ));
        }
    }
}
