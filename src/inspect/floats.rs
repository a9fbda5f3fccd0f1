//! Detached floats: a table (a wide one floats across both columns) that
//! lands outside its section: after the heading that follows it in the data,
//! past the end of its part, or before a heading that precedes it in the
//! data (a float set at the page top above its own section's heading reads
//! as part of the section before). Its section is read from the data: the
//! table's data place and the headings' places in the same part file; where
//! each lands is read from the pages in reading order (page, column, height;
//! what spans both columns reads after what stands above it in either
//! column, before what stands below).

use std::cmp::Ordering;

use typst::foundations::Value;

use super::pages::{Grid, grid};
use super::scan::{PlacedMark, Sheet};
use super::{Finding, FindingClass, Mark, data_place, quote};

/// A place in reading order: page index, column ([`SPANS`]: across both),
/// height from the top.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Place(usize, usize, f64);

/// The column of what spans both columns: on its page it reads after what
/// stands above it in either column and before what stands below.
const SPANS: usize = usize::MAX;

impl Place {
    fn after(&self, other: &Place) -> bool {
        let column = |p: &Place| if self.1 == SPANS || other.1 == SPANS { 0 } else { p.1 };
        (self.0, column(self)).cmp(&(other.0, column(other))).then(self.2.total_cmp(&other.2)) == Ordering::Greater
    }
}

/// Where a table whose head mark is `m` stands on page `i`: spanning both
/// columns when its head row runs past the first column.
fn table_place(sheet: &Sheet, i: usize, g: &Grid, m: &PlacedMark) -> Place {
    let column = (g.body.width() - g.gutter) / 2.0;
    // The head row: what is painted after the mark up to the next keep mark.
    let next = sheet.marks(Mark::Keep).map(|k| k.order).filter(|&o| o > m.order).min().unwrap_or(usize::MAX);
    let right =
        sheet.texts.iter().filter(|t| t.order > m.order && t.order < next).map(|t| t.area.x1).fold(0.0, f64::max);
    let spans = g.columns == 2 && g.column_of(m.at.0) == 0 && right > g.body.x0 + column + g.gutter;
    Place(i, if spans { SPANS } else { g.column_of(m.at.0) }, m.at.1)
}

/// The places of the headings whose sections hold the data place
/// `(part, offset)`: the heading before it in the part's data, and each
/// before that of a higher level (a smaller number).
fn own_headings(headings: &[((usize, usize), Place, i64)], part: usize, offset: usize) -> impl Iterator<Item = &Place> {
    let mut before: Vec<&((usize, usize), Place, i64)> =
        headings.iter().filter(|((p, o), ..)| *p == part && *o < offset).collect();
    before.sort_by_key(|((_, o), ..)| std::cmp::Reverse(*o));
    let mut level = i64::MAX;
    before
        .into_iter()
        .filter(move |(.., l)| {
            let higher = *l < level;
            if higher {
                level = *l;
            }
            higher
        })
        .map(|(_, h, _)| h)
}

/// Flags every table that lands after the next heading of its part's data,
/// past its part's end, or before a heading that precedes it in the data (a
/// heading that travels with it in the float stands above it and passes).
pub fn detached(sheets: &[Sheet], out: &mut Vec<Finding>) {
    let mut headings: Vec<((usize, usize), Place, i64)> = Vec::new();
    let mut tables: Vec<((usize, usize), Place, &PlacedMark, usize)> = Vec::new();
    // The end of each part's text, in document order: part i's is the i-th.
    let mut ends: Vec<Place> = Vec::new();
    for (i, sheet) in sheets.iter().enumerate() {
        let Some(g) = grid(sheet) else { continue };
        for m in sheet.marks(Mark::Keep).filter(|m| m.text("role") == Some("head")) {
            let Some(at) = m.text("src").and_then(data_place) else { continue };
            if let Some(level) = m.int("level") {
                headings.push((at, Place(i, g.column_of(m.at.0), m.at.1), level));
            } else if m.text("what").is_some_and(|w| w.ends_with("table head"))
                && !tables.iter().any(|(t, ..)| *t == at)
            {
                // A table's first head only: a head repeated in a later
                // column or page (续表) is where it runs on, not where it
                // lands.
                tables.push((at, table_place(sheet, i, &g, m), m, i));
            }
        }
        let mut flow: Vec<&PlacedMark> =
            sheet.marks(Mark::Flow).filter(|m| m.value == Value::Str("end".into())).collect();
        flow.sort_by_key(|m| m.order);
        ends.extend(flow.iter().map(|m| Place(i, g.column_of(m.at.0), m.at.1)));
    }
    for ((part, offset), place, mark, page) in tables {
        // The heading that follows the table in the data.
        let next = headings.iter().filter(|((p, o), ..)| *p == part && *o > offset).min_by_key(|((_, o), ..)| *o);
        let past_heading = next.filter(|(_, h, _)| place.after(h));
        let past_end = ends.get(part).filter(|e| place.after(e) && e.0 < place.0);
        // A heading of its own section (the one before it in the data, and
        // each before that of a higher level) that lands after it.
        let above_own = own_headings(&headings, part, offset).any(|h| h.after(&place));
        let why = match (past_heading, past_end, above_own) {
            (Some(_), ..) => "after the heading that follows it",
            (None, Some(_), _) => "past the end of its part",
            (None, None, true) => "before its own section's heading",
            (None, None, false) => continue,
        };
        out.push(Finding {
            page: sheets[page].number,
            class: FindingClass::DetachedFloat,
            message: format!(
                "table {} lands {why}, outside its section; set it in place (full width) or let it \
                 float no further than its section",
                mark.text("text").map(quote).unwrap_or_default()
            ),
            src: mark.text("src").map(str::to_owned),
            extent: None,
            uneven: None,
        });
    }
}
