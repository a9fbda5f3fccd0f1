//! Page-level rules: the grid each page declares, and near-empty pages.

use typst::foundations::Value;

use super::scan::{Area, Sheet};
use super::{Finding, FindingClass, Mark, found};

/// Below this share of the type area used, a text page is near-empty.
pub const NEAR_EMPTY: f64 = 0.2;

/// A page's grid, from its `<csr-page>` mark.
#[derive(Debug, Clone, Copy)]
pub struct Grid {
    /// A designed page (cover, opener): composition rules do not apply.
    pub designed: bool,
    /// The type area (inside the margins).
    pub body: Area,
    /// Number of text columns.
    pub columns: usize,
    /// Gap between columns, in points.
    pub gutter: f64,
}

impl Grid {
    /// The index of the column `x` falls in (0 for one-column pages).
    pub fn column_of(&self, x: f64) -> usize {
        if self.columns <= 1 {
            return 0;
        }
        let width = (self.body.width() + self.gutter) / self.columns as f64;
        // A column's left edge is a multiple of `width` from the type area's:
        // a point of slack keeps a mark set exactly there (rounded a hair
        // short) in its own column, not the gutter before it.
        (((x - self.body.x0 + 1.0) / width).floor().max(0.0) as usize).min(self.columns - 1)
    }
}

/// The grid a page declares, if it declares one.
pub fn grid(sheet: &Sheet) -> Option<Grid> {
    let mark = sheet.marks(Mark::Page).next()?;
    let designed = mark.text("role").is_some_and(|r| r != "text");
    let left = mark.length("left")?;
    let right = mark.length("right")?;
    let top = mark.length("top")?;
    let bottom = mark.length("bottom")?;
    let (w, h) = sheet.size;
    Some(Grid {
        designed,
        body: Area { x0: left, y0: top, x1: w - right, y1: h - bottom },
        columns: mark.int("columns").unwrap_or(1).max(1) as usize,
        gutter: mark.length("gutter").unwrap_or(0.0),
    })
}

/// Lines of body text on a page: distinct baselines per column, counting
/// only text of reading size inside the type area.
pub fn body_lines(sheet: &Sheet, grid: &Grid) -> usize {
    let mut lines: Vec<(usize, i64)> = sheet
        .texts
        .iter()
        .filter(|t| t.size >= 6.0 && !t.text.trim().is_empty() && grid.body.contains(&t.area, 2.0))
        .map(|t| (grid.column_of(t.area.x0), (t.baseline / 3.0).round() as i64))
        .collect();
    lines.sort_unstable();
    lines.dedup();
    lines.len()
}

/// Flags a text page whose type area carries almost nothing: at most three
/// lines, or content over less than a fifth of the column height in all.
pub fn near_empty(sheet: &Sheet, out: &mut Vec<(usize, Finding)>) {
    let Some(grid) = grid(sheet) else { return };
    if grid.designed {
        return;
    }
    let lines = body_lines(sheet, &grid);
    // Vertical extent of content in each column, text and pictures alike.
    let mut extent = vec![(f64::MAX, f64::MIN); grid.columns];
    let boxes = sheet
        .texts
        .iter()
        .filter(|t| !t.text.trim().is_empty())
        .map(|t| t.area)
        .chain(sheet.pictures.iter().map(|p| p.area))
        .chain(sheet.graphics.iter().filter(|g| g.opaque).map(|g| g.area));
    for area in boxes.filter(|a| grid.body.contains(a, 2.0)) {
        let e = &mut extent[grid.column_of(area.x0)];
        e.0 = e.0.min(area.y0);
        e.1 = e.1.max(area.y1);
    }
    let filled: f64 = extent.iter().filter(|e| e.1 > e.0).map(|e| e.1 - e.0).sum();
    let ratio = filled / (grid.body.height() * grid.columns as f64);
    if lines <= 3 || ratio < NEAR_EMPTY {
        // Located at the first thing in the type area: the part that spilled here.
        let first = sheet.texts.iter().filter(|t| grid.body.contains(&t.area, 2.0)).map(|t| t.order).min();
        let order = first.unwrap_or(0);
        out.push(found(
            sheet,
            order,
            FindingClass::NearEmpty,
            format!(
                "near-empty page: {lines} line{} of text, {:.0} % of the type area used; \
                 let the part end on the page before, or add content",
                if lines == 1 { "" } else { "s" },
                ratio * 100.0
            ),
        ));
    }
}

/// How many pages the count must be a multiple of under `binding` (the
/// name `[print] binding` and the `<csr-binding>` mark use).
pub fn binding_multiple(binding: &str) -> usize {
    match binding {
        "saddle" => 4,
        "none" => 1,
        _ => 2,
    }
}

/// Flags a page count the binding does not allow (perfect binding an even
/// count, saddle stitch a multiple of 4), and a back cover that is not the
/// last, left-hand page. The binding is the one the layouts declare with
/// their `<csr-binding>` mark (perfect when none is left).
pub fn page_count(sheets: &[Sheet], out: &mut Vec<Finding>) {
    let Some(last) = sheets.last() else { return };
    let binding = sheets
        .iter()
        .flat_map(|s| s.marks(Mark::Binding))
        .find_map(|m| match &m.value {
            Value::Str(s) => Some(s.as_str().to_owned()),
            _ => None,
        })
        .unwrap_or_else(|| "perfect".to_owned());
    let multiple = binding_multiple(&binding);
    let count = sheets.len();
    let mut wrong = Vec::new();
    if !count.is_multiple_of(multiple) {
        let allowed = if multiple == 4 { "a multiple of 4" } else { "an even count" };
        wrong.push(format!("{count} pages, but {binding} binding needs {allowed}"));
    }
    let back_is_designed = grid(last).is_some_and(|g| g.designed);
    if multiple > 1 && (!back_is_designed || !count.is_multiple_of(2)) {
        wrong.push("the back cover must be the last page, a left-hand (even) one".to_owned());
    }
    if wrong.is_empty() {
        return;
    }
    out.push(Finding {
        page: last.number,
        class: FindingClass::PageCount,
        message: format!(
            "{}; pad with designed blanks before the back cover, or change [print] binding",
            wrong.join("; ")
        ),
        src: None,
        extent: None,
        uneven: None,
    });
}
