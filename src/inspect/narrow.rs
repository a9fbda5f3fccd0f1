//! Rule 25: table columns are sized from their content. A table cell whose
//! text runs over many lines of a few characters each (a performance table
//! set in one narrow column) is `narrow-column`: the table should span the
//! page, or give that column more room. Cells are the texts the layouts
//! bracket with `<csr-lines>` marks (`what` "table cell").

use super::runts::{is, lines};
use super::scan::{PlacedMark, Sheet};
use super::{Finding, FindingClass, Mark, found, quote};

/// A cell's lines (all but its last) may not average this many characters
/// or fewer...
pub const NARROW_CHARS: f64 = 6.0;
/// ...over at least this many lines.
pub const NARROW_LINES: usize = 3;

/// Flags every marked table cell on `sheet` set narrow.
pub fn check(sheet: &Sheet, out: &mut Vec<(usize, Finding)>) {
    let marks: Vec<&PlacedMark> = sheet.marks(Mark::Lines).collect();
    for (i, start) in marks.iter().enumerate().filter(|(_, m)| is(m, "start")) {
        if start.text("what") != Some("table cell") {
            continue;
        }
        let Some(end) = marks[i + 1..].iter().find(|m| is(m, "end")) else { continue };
        let lines = lines(sheet.texts.iter().filter(|t| t.order > start.order && t.order < end.order));
        if lines.len() < NARROW_LINES {
            continue;
        }
        let full = &lines[..lines.len() - 1];
        let chars: usize =
            full.iter().map(|l| l.chars().filter(|c| !c.is_whitespace() && *c != '\u{2060}').count()).sum();
        let per_line = chars as f64 / full.len() as f64;
        if per_line <= NARROW_CHARS {
            let mut finding = found(
                sheet,
                start.order,
                FindingClass::NarrowColumn,
                format!(
                    "table cell {} runs {} lines of about {per_line:.0} characters: size the table's \
                     columns from their content, or let the table span the page",
                    start.text("text").map(quote).unwrap_or_default(),
                    lines.len()
                ),
            );
            finding.1.src = start.text("src").map(str::to_owned);
            out.push(finding);
        }
    }
}
