//! Drawn structures read as geometry (issue 25): an org chart's nodes must
//! be joined to their parents by lines, and the numbers of a row of stat
//! callouts must share a baseline. The layouts leave a `<csr-node>` mark at
//! each node box and a `<csr-callout>` mark before each callout number.

use std::collections::BTreeMap;

use super::scan::{Area, Sheet};
use super::{Finding, FindingClass, Mark, found, quote};

/// How far apart (in points) two lines may be and still meet.
const TOUCH: f64 = 1.5;

/// An org chart node whose box no chain of lines joins to its parent's box.
pub fn detached(sheet: &Sheet, out: &mut Vec<(usize, Finding)>) {
    let boxes: Vec<(&str, Option<&str>, Area, usize)> = sheet
        .marks(Mark::Node)
        .filter_map(|m| {
            let (w, h) = (m.length("width")?, m.length("height")?);
            let area = Area { x0: m.at.0, y0: m.at.1, x1: m.at.0 + w, y1: m.at.1 + h };
            Some((m.text("id")?, m.text("parent"), area, m.order))
        })
        .collect();
    if boxes.is_empty() {
        return;
    }
    // The lines, joined into groups where they meet.
    let lines: Vec<Area> = sheet.graphics.iter().filter(|g| g.stroked_only).map(|g| grow(&g.area, TOUCH)).collect();
    let mut group: Vec<usize> = (0..lines.len()).collect();
    fn root(group: &mut [usize], mut i: usize) -> usize {
        while group[i] != i {
            group[i] = group[group[i]];
            i = group[i];
        }
        i
    }
    for i in 0..lines.len() {
        for j in i + 1..lines.len() {
            if lines[i].overlap(&lines[j]) > 0.0 || touches(&lines[i], &lines[j]) {
                let (a, b) = (root(&mut group, i), root(&mut group, j));
                group[a] = b;
            }
        }
    }
    for (id, parent, area, order) in &boxes {
        let Some(parent) = parent else { continue };
        let Some((_, _, above, _)) = boxes.iter().find(|(other, ..)| other == parent) else { continue };
        // A line that reaches the node's box (its top edge in a chart drawn
        // downwards, its left edge in an indented one), in a group of lines
        // that reaches the parent's box.
        let own = grow(area, TOUCH);
        let reaching: Vec<usize> = (0..lines.len()).filter(|&i| touches(&lines[i], &own)).collect();
        let parent_box = grow(above, TOUCH);
        let joined = reaching.iter().any(|&i| {
            let g = root(&mut group, i);
            (0..lines.len()).any(|j| root(&mut group, j) == g && touches(&lines[j], &parent_box))
        });
        if !joined {
            out.push(found(
                sheet,
                *order,
                FindingClass::DetachedNode,
                format!("org chart node {} is not joined to its parent {} by a line", quote(id), quote(parent)),
            ));
        }
    }
}

/// Stat callouts of one row of one grid whose numbers stand on different
/// baselines (by more than half a point).
pub fn misaligned(sheet: &Sheet, out: &mut Vec<(usize, Finding)>) {
    let mut rows: BTreeMap<(String, i64), Vec<(f64, usize)>> = BTreeMap::new();
    for m in sheet.marks(Mark::Callout) {
        let (Some(id), Some(row)) = (m.text("id"), m.int("row")) else { continue };
        // The number: the first text painted after the mark.
        let Some(number) = sheet.texts.iter().find(|t| t.order > m.order && !t.text.trim().is_empty()) else {
            continue;
        };
        rows.entry((id.to_owned(), row)).or_default().push((number.baseline, m.order));
    }
    for ((_, row), numbers) in rows {
        let low = numbers.iter().map(|n| n.0).fold(f64::INFINITY, f64::min);
        let high = numbers.iter().map(|n| n.0).fold(f64::NEG_INFINITY, f64::max);
        if numbers.len() > 1 && high - low > 0.5 {
            out.push(found(
                sheet,
                numbers[0].1,
                FindingClass::MisalignedCallouts,
                format!(
                    "the numbers of stat callout row {} stand on baselines {:.1} pt apart; give them one baseline",
                    row + 1,
                    high - low
                ),
            ));
        }
    }
}

/// `area` grown by `by` on every side.
fn grow(area: &Area, by: f64) -> Area {
    Area { x0: area.x0 - by, y0: area.y0 - by, x1: area.x1 + by, y1: area.y1 + by }
}

/// Whether two boxes meet (a thin line's box may have no area).
fn touches(a: &Area, b: &Area) -> bool {
    a.x0 <= b.x1 && b.x0 <= a.x1 && a.y0 <= b.y1 && b.y0 <= a.y1
}
