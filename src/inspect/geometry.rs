//! Geometry rules: content past its column or the trim, text over text or
//! over art it was not set on, text hidden under a later fill, and art that
//! runs past the bleed into the marks.

use super::pages::grid;
use super::scan::{Area, Sheet, TextRun};
use super::{Finding, FindingClass, Mark, found, quote};

/// Tolerance in points for "touches" versus "crosses".
const SLACK: f64 = 1.0;

/// Whether a run prints anything (not only spaces).
fn visible(t: &TextRun) -> bool {
    !t.text.trim().is_empty()
}

/// Text or pictures that reach past the type area's sides on a text page,
/// and text that reaches past the trim on any page.
pub fn overflow(sheet: &Sheet, out: &mut Vec<(usize, Finding)>) {
    let (w, _) = sheet.size;
    let g = grid(sheet);
    for t in sheet.texts.iter().filter(|t| visible(t)) {
        let in_body =
            g.is_some_and(|g| !g.designed && t.area.y0 >= g.body.y0 - SLACK && t.area.y1 <= g.body.y1 + SLACK);
        let past_trim = t.area.x0 < -SLACK || t.area.x1 > w + SLACK;
        // Punctuation may hang into the margin by up to half an em.
        let hang = (0.5 * t.size).max(SLACK);
        let past_body = in_body && g.is_some_and(|g| t.area.x0 < g.body.x0 - hang || t.area.x1 > g.body.x1 + hang);
        if past_trim || past_body {
            let limit = if past_trim { "the trim" } else { "the type area" };
            out.push(found(
                sheet,
                t.order,
                FindingClass::Overflow,
                format!(
                    "text {} runs {:.1} mm past {limit}; allow it to break or shorten it",
                    quote(&t.text),
                    excess(&t.area, g.map(|g| g.body), w, past_trim) / 72.0 * 25.4
                ),
            ));
        }
    }
    let Some(g) = g.filter(|g| !g.designed) else { return };
    for p in &sheet.pictures {
        if p.area.y0 >= g.body.y0 - SLACK && (p.area.x0 < g.body.x0 - SLACK || p.area.x1 > g.body.x1 + SLACK) {
            out.push(found(
                sheet,
                p.order,
                FindingClass::Overflow,
                format!(
                    "an image {:.0} mm wide runs past the type area; make it no wider than its column",
                    p.area.width() / 72.0 * 25.4
                ),
            ));
        }
    }
}

/// How far, in points, `a` reaches past the type area's sides (`body`),
/// or past the trim (width `w`) when `trim` is set or there is no grid.
fn excess(a: &Area, body: Option<Area>, w: f64, trim: bool) -> f64 {
    let (lo, hi) = match (trim, body) {
        (false, Some(b)) => (b.x0, b.x1),
        _ => (0.0, w),
    };
    (lo - a.x0).max(a.x1 - hi).max(0.0)
}

/// Text over text, text over pictures, stroked art through text, and text
/// straddling the edge of a panel it was not set inside.
pub fn overlap(sheet: &Sheet, out: &mut Vec<(usize, Finding)>) {
    // Sorted by top edge, so each run is compared only with the runs that
    // start above its bottom.
    let mut texts: Vec<&TextRun> = sheet.texts.iter().filter(|t| visible(t)).collect();
    texts.sort_by(|a, b| a.area.y0.total_cmp(&b.area.y0));
    for (i, a) in texts.iter().enumerate() {
        for b in texts[i + 1..].iter().take_while(|b| b.area.y0 < a.area.y1) {
            let (a, b) = if a.order < b.order { (a, b) } else { (b, a) };
            let shared = shrink(&a.area).overlap(&shrink(&b.area));
            let smaller = shrink(&a.area).width() * shrink(&a.area).height();
            let smaller = smaller.min(shrink(&b.area).width() * shrink(&b.area).height());
            if shared > 0.2 * smaller && smaller > 0.0 {
                out.push(found(
                    sheet,
                    b.order,
                    FindingClass::Overlap,
                    format!("text {} is set over text {}; give it room", quote(&b.text), quote(&a.text)),
                ));
            }
        }
        for p in &sheet.pictures {
            if shrink(&a.area).overlap(&p.area) > 0.0 {
                out.push(found(
                    sheet,
                    a.order,
                    FindingClass::Overlap,
                    format!("text {} is set over an image", quote(&a.text)),
                ));
            }
        }
        for g in sheet.graphics.iter().filter(|g| g.stroked_only) {
            let core = shrink(&a.area);
            if g.area.overlap(&core) > 0.0 && g.outline.iter().any(|p| core.holds(*p)) {
                out.push(found(
                    sheet,
                    a.order,
                    FindingClass::Overlap,
                    format!("a graphic line crosses text {}; move the art or the text", quote(&a.text)),
                ));
            }
        }
        for g in sheet.graphics.iter().filter(|g| g.opaque && g.order < a.order) {
            let core = shrink(&a.area);
            let shared = g.area.overlap(&core);
            let whole = core.width() * core.height();
            if shared > 0.0 && shared < 0.6 * whole && g.area.width() > 8.0 && g.area.height() > 8.0 {
                out.push(found(
                    sheet,
                    a.order,
                    FindingClass::Overlap,
                    format!("text {} straddles the edge of a coloured panel", quote(&a.text)),
                ));
            }
        }
    }
}

/// The inner part of a text box: glyph boxes touch their neighbours' at
/// the ascender and descender lines without overlapping ink.
fn shrink(a: &Area) -> Area {
    let dy = a.height() * 0.2;
    let dx = (a.width() * 0.02).min(0.5);
    Area { x0: a.x0 + dx, y0: a.y0 + dy, x1: a.x1 - dx, y1: a.y1 - dy }
}

/// Text painted before an opaque fill or image that covers it: it prints
/// invisible but stays in search and text extraction.
pub fn hidden(sheet: &Sheet, out: &mut Vec<(usize, Finding)>) {
    for t in sheet.texts.iter().filter(|t| visible(t)) {
        let core = shrink(&t.area);
        let whole = core.width() * core.height();
        if whole <= 0.0 {
            continue;
        }
        // The widest cover painted after the text, and when it was painted.
        let covers =
            sheet.graphics.iter().filter(|g| g.opaque && g.order > t.order).map(|g| (g.area.overlap(&core), g.order));
        let covers =
            covers.chain(sheet.pictures.iter().filter(|p| p.order > t.order).map(|p| (p.area.overlap(&core), p.order)));
        let Some((covered, by)) = covers.max_by(|a, b| a.0.total_cmp(&b.0)) else { continue };
        if covered > 0.5 * whole {
            // Located at what covers it: the text itself often has no data place.
            out.push(found(
                sheet,
                by,
                FindingClass::HiddenText,
                format!("text {} is hidden under a fill painted over it; leave it out on this page", quote(&t.text)),
            ));
        }
    }
}

/// Text in the paper colour with no fill or image painted under it: white
/// on white paper, it does not print.
pub fn paper_text(sheet: &Sheet, out: &mut Vec<(usize, Finding)>) {
    for t in sheet.texts.iter().filter(|t| t.paper && !t.text.trim().is_empty()) {
        let core = shrink(&t.area);
        let whole = core.width() * core.height();
        if whole <= 0.0 {
            continue;
        }
        let under = sheet.graphics.iter().filter(|g| g.opaque && g.order < t.order).map(|g| g.area.overlap(&core));
        let under = under.chain(sheet.pictures.iter().filter(|p| p.order < t.order).map(|p| p.area.overlap(&core)));
        if under.fold(0.0, f64::max) < 0.5 * whole {
            out.push(found(
                sheet,
                t.order,
                FindingClass::PaperText,
                format!("text {} is in the paper colour with nothing under it: it does not print; give it the text colour or a ground", quote(&t.text)),
            ));
        }
    }
}

/// Art that starts inside the bleed box and runs past it, into the marks.
pub fn past_bleed(sheet: &Sheet, out: &mut Vec<(usize, Finding)>) {
    let (w, h) = sheet.size;
    // The page's own bleed (the media may also hold a slug for the marks).
    let Some(b) = sheet.marks(Mark::Page).next().and_then(|m| m.length("bleed")) else { return };
    let bleed_box = Area { x0: -b, y0: -b, x1: w + b, y1: h + b };
    let areas = sheet
        .graphics
        .iter()
        .map(|g| (g.order, g.area))
        .chain(sheet.pictures.iter().map(|p| (p.order, p.area)))
        .chain(sheet.texts.iter().map(|t| (t.order, t.area)));
    for (order, area) in areas {
        let inside = bleed_box.overlap(&area) > 0.0 || bleed_box.contains(&area, 0.0);
        if inside && !bleed_box.contains(&area, 0.5) {
            out.push(found(
                sheet,
                order,
                FindingClass::Bleed,
                format!(
                    "art runs {:.1} mm past the bleed edge, over the crop marks; clip it to the bleed",
                    (bleed_box.x0 - area.x0)
                        .max(area.x1 - bleed_box.x1)
                        .max(bleed_box.y0 - area.y0)
                        .max(area.y1 - bleed_box.y1)
                        / 72.0
                        * 25.4
                ),
            ));
            return;
        }
    }
}
