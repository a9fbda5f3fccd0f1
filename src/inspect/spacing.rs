//! Han–Latin and Han–digit spacing (typography.md rule 22): every boundary
//! between a Han character and a Latin letter or digit of the same size on
//! a line gets Typst's quarter em (justification may shrink it to an
//! eighth). A boundary set close (`uneven-spacing`) is one the spacing did
//! not reach: a box, or a run styled apart, between the two. A name the
//! data marks as one word (`{word:桥e贷}`, a `<csr-word>` mark) is set tight.

use std::collections::BTreeMap;

use super::pages::grid;
use super::scan::{GlyphBox, Sheet};
use super::{Finding, FindingClass, Mark, found, quote};

/// A gap narrower than this (em) at a Han–Latin boundary is no gap: Typst
/// sets a quarter em and shrinks it to an eighth at most.
pub const MIN_GAP_EM: f64 = 0.08;

/// A glyph on a line: where it stands, its font size and its paint order.
type Placed = (GlyphBox, f64, usize);

/// Whether `c` is a CJK ideograph.
fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Flags lines on text pages with a Han–Latin or Han–digit boundary set
/// without its space, once a line.
pub fn uneven(sheet: &Sheet, out: &mut Vec<(usize, Finding)>) {
    let Some(grid) = grid(sheet).filter(|g| !g.designed) else { return };
    let mut lines: BTreeMap<(usize, i64), Vec<Placed>> = BTreeMap::new();
    for t in sheet.texts.iter().filter(|t| t.size >= 6.0 && grid.body.contains(&t.area, 2.0)) {
        let line = lines.entry((grid.column_of(t.area.x0), (t.baseline * 2.0).round() as i64)).or_default();
        line.extend(t.glyphs.iter().map(|g| (*g, t.size, t.order)));
    }
    // Names the data marks as one word (`{word:桥e贷}`) are set tight.
    let words: Vec<String> = sheet
        .marks(Mark::Word)
        .filter_map(|m| match &m.value {
            typst::foundations::Value::Str(s) => Some(s.as_str().to_owned()),
            _ => None,
        })
        .collect();
    let in_word = |a: char, b: char| words.iter().any(|w| w.contains(&format!("{a}{b}")));
    for glyphs in lines.values_mut() {
        glyphs.sort_by(|a, b| a.0.x0.total_cmp(&b.0.x0));
        let close = glyphs.windows(2).find(|pair| {
            let ((a, size_a, _), (b, size_b, _)) = (pair[0], pair[1]);
            let boundary = (is_han(a.c) && b.c.is_ascii_alphanumeric()) || (a.c.is_ascii_alphanumeric() && is_han(b.c));
            let boundary = boundary && !in_word(a.c, b.c);
            boundary && (size_a - size_b).abs() < 0.01 && (b.x0 - a.x1) / size_a < MIN_GAP_EM
        });
        let Some(pair) = close else { continue };
        let at = glyphs.iter().position(|g| g.0.x0 == pair[0].0.x0).unwrap_or(0);
        let text: String = glyphs[at.saturating_sub(6)..(at + 8).min(glyphs.len())].iter().map(|g| g.0.c).collect();
        out.push(found(
            sheet,
            pair[0].2,
            FindingClass::UnevenSpacing,
            format!(
                "no quarter-em space between '{}' and '{}' in {}: every Han–Latin and Han–digit boundary \
                 gets the same space; keep the two in one run of text (no box between them)",
                pair[0].0.c,
                pair[1].0.c,
                quote(&text)
            ),
        ));
    }
}
