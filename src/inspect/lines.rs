//! Line-level rules: loose lines, justified lines whose characters stand
//! apart (typography.md rule 23).

use std::collections::BTreeMap;

use super::pages::grid;
use super::scan::{Sheet, TextRun};
use super::{Finding, FindingClass, found, quote};

/// A justified line whose Han characters each stand wider than the font
/// sets them by this much or more (in em) reads as loose: the eye sees
/// gaps, not a line. (Ordinary justification of Han text adds a few
/// hundredths of an em.)
pub const LOOSE_EM: f64 = 0.12;

/// Reading text is set at most this large (points); larger text is display
/// type, which may be tracked on purpose.
const READING_MAX_PT: f64 = 14.0;

/// Flags lines of reading text on text pages that justification spread
/// apart: a line with few characters that can stretch (a long number, date
/// or Latin name after it would not fit, and the rest had to fill the
/// measure).
pub fn loose(sheet: &Sheet, out: &mut Vec<(usize, Finding)>) {
    let Some(grid) = grid(sheet).filter(|g| !g.designed) else { return };
    let mut lines: BTreeMap<(usize, i64), Vec<&TextRun>> = BTreeMap::new();
    let reading = |t: &&TextRun| (6.0..=READING_MAX_PT).contains(&t.size) && grid.body.contains(&t.area, 2.0);
    for t in sheet.texts.iter().filter(reading) {
        lines.entry((grid.column_of(t.area.x0), (t.baseline / 2.0).round() as i64)).or_default().push(t);
    }
    for runs in lines.values_mut() {
        // Justification gives every Han character of a line the same; the
        // median passes over the odd one set differently.
        let mut spread: Vec<f32> = runs.iter().flat_map(|r| r.han_spread.iter().copied()).collect();
        if spread.len() < 3 {
            continue;
        }
        spread.sort_by(f32::total_cmp);
        let spread = f64::from(spread[spread.len() / 2]);
        if spread < LOOSE_EM {
            continue;
        }
        runs.sort_by(|a, b| a.area.x0.total_cmp(&b.area.x0));
        let text: String = runs.iter().map(|r| r.text.as_str()).collect();
        let order = runs.iter().map(|r| r.order).min().unwrap_or(0);
        out.push(found(
            sheet,
            order,
            FindingClass::LooseLine,
            format!(
                "loose line {}: justification sets each character {spread:.2} em apart; \
                 reword the sentence, or let the long number or name before the break move",
                quote(&text)
            ),
        ));
    }
}
