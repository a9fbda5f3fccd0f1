//! Rule 24 beyond headings: a caption or a table cell broken over lines
//! whose last line carries one or two characters (a runt). The layouts
//! bracket each such text with `<csr-lines>` marks (`layout/tokens.typ`,
//! `runt-free-text`); its lines are the baselines of what is painted
//! between them.

use typst::foundations::Value;

use super::scan::{PlacedMark, Sheet, TextRun};
use super::{Finding, FindingClass, Mark, found, quote};

/// Whether a `<csr-lines>` mark is the `edge` ("start" or "end") of its text.
pub(super) fn is(m: &PlacedMark, edge: &str) -> bool {
    match &m.value {
        Value::Dict(dict) => dict.get("edge").ok().is_some_and(|v| *v == Value::Str(edge.into())),
        _ => false,
    }
}

/// Flags every marked caption or cell on `sheet` whose last line is a runt.
pub fn check(sheet: &Sheet, out: &mut Vec<(usize, Finding)>) {
    let marks: Vec<&PlacedMark> = sheet.marks(Mark::Lines).collect();
    for (i, start) in marks.iter().enumerate().filter(|(_, m)| is(m, "start")) {
        // Its end: the next end mark (such texts do not nest).
        let Some(end) = marks[i + 1..].iter().find(|m| is(m, "end")) else { continue };
        let lines = lines(sheet.texts.iter().filter(|t| t.order > start.order && t.order < end.order));
        let Some(last) = lines.last().filter(|_| lines.len() > 1) else { continue };
        let need = start.int("need").unwrap_or(3).max(1) as usize;
        let count = last.chars().filter(|c| !c.is_whitespace() && *c != '\u{2060}').count();
        if count > 0 && count < need {
            let what = start.text("what").unwrap_or("text");
            let mut finding = found(
                sheet,
                start.order,
                FindingClass::Runt,
                format!(
                    "{what} {} ends on a line of {count} character{}: let it break with at least \
                     {need} characters on its last line",
                    start.text("text").map(quote).unwrap_or_default(),
                    if count == 1 { "" } else { "s" }
                ),
            );
            finding.1.src = start.text("src").map(str::to_owned);
            out.push(finding);
        }
    }
}

/// The text of each line of `texts`, top to bottom: a baseline within half
/// a font size of the line's first is the same line (a subscript, CO₂).
pub(super) fn lines<'a>(texts: impl Iterator<Item = &'a TextRun>) -> Vec<String> {
    let mut texts: Vec<&TextRun> = texts.collect();
    texts.sort_by(|a, b| a.baseline.total_cmp(&b.baseline));
    let mut out: Vec<(f64, String)> = Vec::new();
    for t in texts {
        match out.last_mut() {
            Some((baseline, line)) if t.baseline - *baseline < t.size / 2.0 => line.push_str(t.text.trim()),
            _ => out.push((t.baseline, t.text.trim().to_owned())),
        }
    }
    out.into_iter().map(|(_, line)| line).collect()
}
