//! Rule 20: the last page of a part has its columns balanced. Every part
//! set in the layouts' column flow is read on its last text page (one-page
//! parts and longer ones alike): when one column stands a quarter of the
//! type area longer than the other, the part is `unbalanced`, and the finding carries what copyfit needs to
//! balance it: the height of the part's column block, measured from the
//! real room of each earlier page (the first from where the part's columns
//! start, the ones between full) plus half of what the last page's two
//! columns hold. A part whose columns stop for a table set in place across
//! the page is read from its last run of columns (after the last such
//! table), and each run that stops for a table where it stops, the same
//! way or with one column empty beside two lines or more (copyfit keys its
//! height by the table's data place). A page that
//! ends one part and holds the next, run in, is read part by part, each
//! down to where the next starts; when it ends a run-in part and stands a
//! third blank, it is `half-empty`.

use typst::foundations::Value;

use super::pages::{body_lines, grid};
use super::scan::{Area, PlacedMark, Sheet};
use super::{Finding, FindingClass, Mark, data_place, quote};

/// How far, as a share of the type area's height, one column of a part's
/// last page may run past the other before it is unbalanced.
pub const UNEVEN: f64 = 0.25;

/// The room, in points, kept below a balanced column: the layouts add a
/// few lines of slack to the height copyfit asks for, and a balanced column
/// never asks for more than the page holds.
const SLACK_PT: f64 = 64.0;

/// Flags the last page of every part whose columns stand unequal.
/// `starts[i]` is the first page of part i (0: not found). A page that
/// holds the end of one part and a part run in after it is read as a unit:
/// each part's columns on it must end even (the first down to where the
/// next starts), so that the page does.
pub fn part_ends(sheets: &[Sheet], starts: &[usize], out: &mut Vec<Finding>) {
    // The end of each part's text, in document order: part i's is the i-th.
    let ends: Vec<usize> = sheets.iter().enumerate().flat_map(|(k, s)| flow(s, "end").map(move |_| k)).collect();
    for (i, &start) in starts.iter().enumerate() {
        let Some(&end) = ends.get(i).filter(|&&e| start > 0 && e + 1 >= start) else { continue };
        let pages: Vec<&Sheet> = sheets[start - 1..=end].iter().collect();
        let part = format!("p{i}:0");
        // Where a later part starts on the part's last page, its columns stop.
        let bottom = later_part(&sheets[end], i);
        check(&pages, &part, bottom, out);
        half_empty(&pages, &part, out);
        if pages.len() > 1 && bottom.is_none() {
            short_last_page(pages[pages.len() - 1], &part, out);
        }
        let next = starts.get(i + 1).copied().unwrap_or(0);
        if start == end + 1 && next > end + 1 && bottom.is_none() {
            shared_end(&sheets[end], i, out);
        }
        let before = i.checked_sub(1).and_then(|b| ends.get(b));
        if before.is_some_and(|&b| b + 1 < start) && run_in(&sheets[start - 1]) {
            out.push(Finding {
                page: start,
                class: FindingClass::RunInAtTop,
                message: "the part runs in after the part before at the page's top (the part before ended on \
                          the page before): it stands without its band, under the running head of the part \
                          before; give it its own opening"
                    .into(),
                src: Some(part.clone()),
                extent: None,
                uneven: None,
            });
        }
    }
}

/// Whether a part starting on `sheet` runs in after the part before: a
/// text page (not a designed opener) that no part band opens.
fn run_in(sheet: &Sheet) -> bool {
    grid(sheet).is_some_and(|g| !g.designed) && sheet.marks(Mark::Band).next().is_none()
}

/// The height on `sheet` where the first part after part `part` starts.
fn later_part(sheet: &Sheet, part: usize) -> Option<f64> {
    let later = |m: &&PlacedMark| m.text("src").and_then(data_place).is_some_and(|(p, _)| p > part);
    sheet.marks(Mark::Src).filter(later).map(|m| m.at.1).min_by(f64::total_cmp)
}

/// Below this share of its two columns filled, a page of short parts' ends
/// (a run-in part's only page, the next part on a page of its own) is
/// half-empty: a third of it or more stands blank.
pub const SHARED_FILLED: f64 = 2.0 / 3.0;

/// Flags the only page of a one-page part, when the next part starts on a
/// page of its own and the page's columns stand less than [`SHARED_FILLED`]
/// filled: a page of short parts' ends, its foot blank (the next part may
/// run in there too), or, below [`ALONE_FILLED`], a short part alone on a
/// page it leaves about half blank.
fn shared_end(sheet: &Sheet, part: usize, out: &mut Vec<Finding>) {
    let earlier = sheet.marks(Mark::Src).filter_map(|m| m.text("src").and_then(data_place)).any(|(p, _)| p < part);
    let Some(filled) = page_filled(sheet) else { return };
    // A part alone on its page is marked about half filled (its own page
    // was its to fill); a page of short parts' ends below two thirds.
    if filled < if earlier { SHARED_FILLED } else { ALONE_FILLED } {
        let remedy = if earlier {
            "a page of short parts ends with its columns {} % filled; let the next part run in on it"
        } else {
            "a one-page part stands alone on its page with its columns {} % filled; add to it, or join it to the part before"
        };
        out.push(Finding {
            page: sheet.number,
            class: FindingClass::HalfEmpty,
            message: remedy.replace("{}", &format!("{:.0}", filled * 100.0)),
            src: Some(format!("p{part}:0")),
            // The share filled: copyfit tells a part's only page by it.
            extent: Some(filled),
            uneven: None,
        });
    }
}

/// Below this share of its two columns filled (measured from the type
/// area's top, a part band counted as filled), a part alone on its only
/// page stands about half blank: a reader sees half a page of white under
/// its text (a review marked a page filled 51 % so; the line stands a
/// little above that).
pub const ALONE_FILLED: f64 = 0.55;

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
        let [c1, c2] = columns(sheet, &g, top, g.body.y1 + 2.0);
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

/// Below this share of its two columns filled, the last page of a part of
/// several pages (no part run in under it) stands mostly blank: a reader
/// turns to a page of a few lines or one table. Below a fifth, the page is
/// `near-empty` (a warning, which copyfit works on); up to a third it is a
/// note.
pub const SHORT_LAST: f64 = 1.0 / 3.0;

/// Flags the last page of a part of several pages whose columns stand
/// between a fifth and a third filled (a note: tighten the part so that it
/// ends a page earlier, or add to it).
fn short_last_page(sheet: &Sheet, part: &str, out: &mut Vec<Finding>) {
    let Some(filled) = page_filled(sheet) else { return };
    if (0.2..SHORT_LAST).contains(&filled) {
        out.push(Finding {
            page: sheet.number,
            class: FindingClass::HalfEmpty,
            message: format!(
                "the part's last page has its columns {:.0} % filled: tighten the part so that it ends a page \
                 earlier, or add to it",
                filled * 100.0
            ),
            src: Some(part.to_owned()),
            extent: None,
            uneven: None,
        });
    }
}

/// The share of a two-column text page's columns that its content fills,
/// from the type area's top (none for a designed page).
fn page_filled(sheet: &Sheet) -> Option<f64> {
    let g = grid(sheet).filter(|g| !g.designed && g.columns == 2)?;
    let [c1, c2] = columns(sheet, &g, g.body.y0, g.body.y1 + 2.0);
    Some((c1 + c2) / (2.0 * g.body.height()))
}

/// The flow marks of one edge ("start" or "end") on a page, in paint order.
fn flow<'a>(sheet: &'a Sheet, edge: &'static str) -> impl Iterator<Item = &'a super::scan::PlacedMark> {
    sheet.marks(Mark::Flow).filter(move |m| m.value == Value::Str(edge.into()))
}

/// Checks the last of `pages` (a part's pages up to its last one), down to
/// `bottom` (where a part run in after it starts).
fn check(pages: &[&Sheet], part: &str, bottom: Option<f64>, out: &mut Vec<Finding>) {
    let Some(&last) = pages.last() else { return };
    let Some(g) = grid(last).filter(|g| !g.designed && g.columns == 2) else { return };
    // The first text page: the one the part's last run of columns starts on
    // (above a part run in after it).
    let limit = |k: usize| if k + 1 == pages.len() { bottom.unwrap_or(f64::INFINITY) } else { f64::INFINITY };
    let own = |k: usize| run_starts(pages[k]).filter(move |m| m.at.1 < limit(k)).last();
    let Some(first) = (0..pages.len()).rev().find(|&k| own(k).is_some()) else { return };
    let Some(top) = own(first).map(|m| m.at.1) else { return };
    let Some(run) = uneven(&pages[first..], top, bottom) else { return };
    // (A part's block has a few lines of slack: a short column beside an
    // empty one is not read as uneven here.)
    if run.share <= UNEVEN || body_lines(last, &g) < 8 {
        return;
    }
    out.push(Finding {
        page: last.number,
        class: FindingClass::Unbalanced,
        message: format!(
            "the part's last page has one column {:.0} % of the type area longer than the other; \
             balance the columns",
            run.share * 100.0
        ),
        src: Some(part.to_owned()),
        extent: Some(run.extent),
        uneven: Some(run.share),
    });
}

/// Below this, in points (about two lines of body text), a column beside
/// an empty one is too short to count as uneven.
const LINES_PT: f64 = 36.0;

/// Flags every run of a part's columns that stops for a table set in
/// place across the page with its columns uneven where it stops (see
/// [`Run::uneven`]). The finding is located at the table (copyfit keys the
/// run's height by it).
pub fn segment_ends(sheets: &[Sheet], out: &mut Vec<Finding>) {
    // The page index and height where the current run of columns started.
    let mut top: Option<(usize, f64)> = None;
    for (i, sheet) in sheets.iter().enumerate() {
        let mut marks: Vec<&PlacedMark> = sheet.marks(Mark::Flow).collect();
        marks.sort_by_key(|m| m.order);
        for m in marks {
            if is_run_start(m) {
                top = Some((i, m.at.1));
            }
            let Some((first, y)) = top.filter(|_| m.value == Value::Str("stop".into())) else { continue };
            let pages: Vec<&Sheet> = sheets[first..=i].iter().collect();
            let Some(run) = uneven(&pages, y, Some(m.at.1)) else { continue };
            if !run.uneven() {
                continue;
            }
            // The table the run stops for: the first table head after the mark.
            let table = sheets[i..].iter().enumerate().find_map(|(k, s)| {
                s.marks(Mark::Keep).filter(|t| k > 0 || t.order > m.order).find(|t| {
                    t.text("role") == Some("head") && t.text("what").is_some_and(|w| w.ends_with("table head"))
                })
            });
            out.push(Finding {
                page: sheet.number,
                class: FindingClass::Unbalanced,
                message: format!(
                    "the columns before {} end with one column {:.0} % of the type area longer than the \
                     other; balance the columns",
                    table_name(table.and_then(|t| t.text("text"))),
                    (run.long - run.short) / grid(sheet).map_or(1.0, |g| g.body.height()) * 100.0
                ),
                src: table.and_then(|t| t.text("src")).map(str::to_owned),
                extent: Some(run.extent),
                uneven: Some(run.share),
            });
        }
    }
}

/// How a message names a table: "table '安全生产绩效'" by its title, "the
/// table" when it has none (or it was not found).
fn table_name(title: Option<&str>) -> String {
    title.filter(|t| !t.trim().is_empty()).map_or_else(|| "the table".to_owned(), |t| format!("table {}", quote(t)))
}

/// How a run of two columns stands on its last page.
struct Run {
    /// How far its longer and its shorter column run down, in points.
    long: f64,
    short: f64,
    /// How much longer one is, as a share of the type area's height.
    share: f64,
    /// The height of the run's column block that would even it: the room
    /// of its earlier pages and half of what its last page holds.
    extent: f64,
}

impl Run {
    /// Whether the run stands uneven: one column a quarter of the type area
    /// longer than the other, or empty beside two lines or more.
    fn uneven(&self) -> bool {
        self.share > UNEVEN || (self.short < 1.0 && self.long >= LINES_PT)
    }
}

/// How the run of columns that starts at height `top` on the first of
/// `pages` stands on the last of them, down to `bottom` (the type area's
/// foot when none). None on a page that has no two columns.
fn uneven(pages: &[&Sheet], top: f64, bottom: Option<f64>) -> Option<Run> {
    let (&first, &last) = (pages.first()?, pages.last()?);
    let g = grid(last).filter(|g| !g.designed && g.columns == 2)?;
    let body = g.body.height();
    let on_first = pages.len() == 1;
    let from = if on_first { top } else { g.body.y0 };
    let [c1, c2] = columns(last, &g, from, bottom.unwrap_or(g.body.y1 + 2.0));
    // The room the run's column block had before its last page.
    let before = if on_first {
        0.0
    } else {
        let between = (pages.len() - 2) as f64;
        grid(first).map_or(0.0, |fg| (fg.body.y1 - top).max(0.0)) + body * between
    };
    let room = g.body.y1 - from;
    let target = ((c1 + c2) / 2.0).min(room - SLACK_PT).max(0.0);
    let (long, short) = (c1.max(c2), c1.min(c2));
    Some(Run { long, short, share: (long - short) / body, extent: before + target })
}

/// The flow marks that start a run of a part's columns: the part's start,
/// and each start after a table set in place (`segment`).
fn is_run_start(m: &PlacedMark) -> bool {
    m.value == Value::Str("start".into()) || m.value == Value::Str("segment".into())
}

/// The marks that start a run of columns on a page, in paint order.
fn run_starts(sheet: &Sheet) -> impl Iterator<Item = &PlacedMark> {
    sheet.marks(Mark::Flow).filter(|m| is_run_start(m))
}

/// How far down from `top` each of the two columns of `sheet` carries
/// content above `end` (text of reading size, pictures, opaque fills, the
/// flow's end): what spans both columns counts in both.
fn columns(sheet: &Sheet, g: &super::pages::Grid, top: f64, end: f64) -> [f64; 2] {
    let column = (g.body.width() - g.gutter) / 2.0;
    let mut bottom = [top; 2];
    let mut add = |a: Area| {
        if a.y0 < top - 1.0 || a.y1 > end + 1.0 || !g.body.contains(&a, 2.0) {
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

#[cfg(test)]
mod tests {
    use super::table_name;

    /// A table without a title is "the table", never an empty name.
    #[test]
    fn a_table_without_a_title_is_the_table() {
        assert_eq!(table_name(Some("安全生产绩效")), "table '安全生产绩效'");
        assert_eq!(table_name(Some(" ")), "the table");
        assert_eq!(table_name(None), "the table");
    }
}
