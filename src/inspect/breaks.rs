//! Line breaks inside tokens, read from the lines of the composed pages: a
//! Latin word, code, number or URL broken where it must not be
//! (`broken-token`), and a compound unit broken inside or a number parted
//! from a one-character unit (`unit-split`). A break is the end of a line
//! of reading text that reaches its column's right edge, with the next
//! line right below it in the same column.

use std::collections::BTreeMap;

use typst::foundations::Value;

use super::pages::grid;
use super::scan::{Sheet, TextRun};
use super::{Finding, FindingClass, Mark, found, quote};

/// Reading text is set at least this large (points); tables, notes and
/// captions are smaller and set ragged.
const READING_MIN_PT: f64 = 9.0;

/// An ASCII run at least this long may break anywhere (the layouts let it,
/// rather than run past its column), except a URL.
const LONG_RUN: usize = 25;

/// One line of text in a column.
struct Line {
    /// Paint order of its first run.
    order: usize,
    /// Baseline.
    baseline: f64,
    /// Right end.
    x1: f64,
    /// Font size of its first run.
    size: f64,
    /// Its characters, left to right.
    text: String,
}

/// The compound units the layouts keep whole and the one-character units a
/// number keeps (their `<csr-units>` mark).
pub fn units(sheets: &[Sheet]) -> Vec<String> {
    let mark = sheets.iter().flat_map(|s| s.marks(Mark::Units)).next();
    match mark.map(|m| &m.value) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| match v {
                Value::Str(s) => Some(s.as_str().to_owned()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Checks every break between two lines of reading text on a text page.
pub fn check(sheet: &Sheet, units: &[String], latin: bool, out: &mut Vec<(usize, Finding)>) {
    let Some(grid) = grid(sheet).filter(|g| !g.designed) else { return };
    let reading = |t: &&TextRun| t.size >= READING_MIN_PT && t.size <= 14.0 && grid.body.contains(&t.area, 2.0);
    let mut columns: BTreeMap<usize, BTreeMap<i64, Vec<&TextRun>>> = BTreeMap::new();
    for t in sheet.texts.iter().filter(reading) {
        let column = columns.entry(grid.column_of(t.area.x0)).or_default();
        column.entry((t.baseline * 2.0).round() as i64).or_default().push(t);
    }
    let column_width = (grid.body.width() - grid.gutter * (grid.columns as f64 - 1.0)) / grid.columns as f64;
    for (column, rows) in columns {
        let right = grid.body.x0 + (column as f64 + 1.0) * (column_width + grid.gutter) - grid.gutter;
        let lines: Vec<Line> = rows
            .into_values()
            .map(|mut runs| {
                runs.sort_by(|a, b| a.area.x0.total_cmp(&b.area.x0));
                Line {
                    order: runs.iter().map(|r| r.order).min().unwrap_or(0),
                    baseline: runs[0].baseline,
                    x1: runs.iter().map(|r| r.area.x1).fold(f64::MIN, f64::max),
                    size: runs[0].size,
                    text: runs.iter().map(|r| r.text.as_str()).collect(),
                }
            })
            .collect();
        for pair in lines.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            let full = a.x1 >= right - 0.6 * a.size;
            let next = b.baseline - a.baseline <= 2.2 * a.size;
            if !(full && next) {
                continue;
            }
            if let Some((class, what)) = judge(&a.text, &b.text, units, latin) {
                let message = format!(
                    "{what} broken between lines {} and {}; keep it whole",
                    quote(&tail(&a.text, 12)),
                    quote(&b.text.chars().take(12).collect::<String>())
                );
                out.push(found(sheet, a.order, class, message));
            }
        }
    }
}

/// The last `n` characters of `s`.
fn tail(s: &str, n: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    chars[chars.len().saturating_sub(n)..].iter().collect()
}

/// Whether `c` is a CJK ideograph.
fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// What is wrong with a break between a line ending in `end` and one
/// starting with `start`, if anything. In Latin-script text (`latin`) a
/// break between two letters is a word space (a word broken inside gets
/// its hyphen), so only URLs, codes and units are judged there.
pub fn judge(end: &str, start: &str, units: &[String], latin: bool) -> Option<(FindingClass, &'static str)> {
    let spaced = end.ends_with(char::is_whitespace) || start.starts_with(char::is_whitespace);
    let end = end.trim_end();
    let start = start.trim_start();
    let (last, first) = (end.chars().last()?, start.chars().next()?);
    let dash = |c: char| matches!(c, '—' | '–');
    // A code's dash (GB 5749—2022) neither ends nor starts a line.
    if (dash(first) && last.is_ascii_alphanumeric()) || (dash(last) && first.is_ascii_alphanumeric()) {
        let before: String = end.chars().rev().skip(1).take_while(|c| !c.is_whitespace()).collect();
        if dash(first) || before.chars().next().is_some_and(|c| c.is_ascii_alphanumeric()) {
            return Some((FindingClass::BrokenToken, "a code"));
        }
    }
    // A code's letters and number (GB 5749, ISO 14001) share a line.
    if spaced && first.is_ascii_digit() {
        let word: String = end.chars().rev().take_while(|c| c.is_ascii_alphabetic() || *c == '/').collect();
        if word.chars().last().is_some_and(|c| c.is_ascii_uppercase()) && word.chars().all(|c| !c.is_lowercase()) {
            return Some((FindingClass::BrokenToken, "a code"));
        }
    }
    // A Latin word, number or URL broken inside.
    let ascii = |c: &char| c.is_ascii_graphic();
    if !spaced && ascii(&last) && ascii(&first) {
        let before: String = end.chars().rev().take_while(ascii).collect::<Vec<_>>().into_iter().rev().collect();
        let after: String = start.chars().take_while(ascii).collect();
        let token = format!("{before}{after}");
        // A URL, or the part of one on these two lines.
        let url = token.contains("://")
            || token.contains("www.")
            || (token.contains('.') && token.contains('/'))
            || (token.contains('?') && token.contains('='));
        let allowed = if url {
            matches!(last, '/' | '.' | '-') || matches!(first, '?' | '#')
        } else {
            token.len() >= LONG_RUN || last == '-' || latin
        };
        if !allowed {
            let what = if url {
                "a URL (breaks only after / . - or before ? #)"
            } else if token.chars().all(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | '%')) {
                "a number"
            } else {
                "a word or code"
            };
            return Some((FindingClass::BrokenToken, what));
        }
    }
    // A compound unit broken inside (万吨|标准煤), or a number parted from a
    // one-character unit (1,400|万).
    // Every split of every compound unit, cut at its characters' byte
    // offsets (every pair of lines is judged: no string is built).
    for unit in units {
        for (k, _) in unit.char_indices().skip(1) {
            let (left, right) = unit.split_at(k);
            if end.ends_with(left) && start.starts_with(right) {
                return Some((FindingClass::UnitSplit, "a compound unit"));
            }
        }
    }
    let number_end = last.is_ascii_digit() || matches!(last, '%' | '％');
    let starts_compound = units.iter().any(|u| u.chars().count() > 1 && start.starts_with(u.as_str()));
    let one_char_unit = units.iter().any(|u| u.chars().count() == 1 && u.starts_with(first));
    if !spaced
        && number_end
        && is_han(first)
        && one_char_unit
        && !starts_compound
        && end.chars().nth(1).is_some()
        && start.chars().nth(1).is_some()
    {
        return Some((FindingClass::UnitSplit, "a number and its unit"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{FindingClass, judge};

    fn units() -> Vec<String> {
        ["万吨标准煤", "千瓦时", "人次", "万人次", "万", "人", "场"].map(str::to_owned).to_vec()
    }

    fn class(end: &str, start: &str) -> Option<FindingClass> {
        judge(end, start, &units(), false).map(|(c, _)| c)
    }

    fn latin(end: &str, start: &str) -> Option<FindingClass> {
        judge(end, start, &units(), true).map(|(c, _)| c)
    }

    #[test]
    fn english_lines_break_at_word_spaces() {
        // The frames keep no space at a line's end: two letters across a
        // break are two words in English, one broken word in Chinese text.
        assert_eq!(latin("Example Water Group Co., Ltd.", "Lin Chen"), None);
        assert_eq!(latin("the Performance", "Economy and"), None);
        assert_eq!(class("the Performance", "Economy and"), Some(FindingClass::BrokenToken));
        // What never breaks in any language still does not.
        assert_eq!(latin("Plan (2023–", "2030) sets"), Some(FindingClass::BrokenToken));
        assert_eq!(latin("see https://esg.exam", "ple.com/"), Some(FindingClass::BrokenToken));
        assert_eq!(latin("under GB ", "5749—2022"), Some(FindingClass::BrokenToken));
    }

    #[test]
    fn tokens_break_only_where_they_may() {
        assert_eq!(class("执行GB 5749", "—2022《标准》"), Some(FindingClass::BrokenToken));
        assert_eq!(class("执行GB 5749—", "2022《标准》"), Some(FindingClass::BrokenToken));
        assert_eq!(class("执行GB ", "5749—2022"), Some(FindingClass::BrokenToken));
        assert_eq!(class("累计1,2", "00万户"), Some(FindingClass::BrokenToken));
        assert_eq!(class("加入Sci", "ence Based"), Some(FindingClass::BrokenToken));
        assert_eq!(class("见https://esg.exam", "ple.com/"), Some(FindingClass::BrokenToken));
        assert_eq!(class("见https://esg.example.com/", "2023/data"), None);
        assert_eq!(class("report.pdf", "?lang=zh"), None);
        assert_eq!(class("Science Based ", "Targets"), None);
        assert_eq!(class("公司坚持绿色", "发展"), None);
        assert_eq!(class("——", "2022年"), None);
    }

    #[test]
    fn units_stay_whole() {
        assert_eq!(class("折合1.28万吨", "标准煤，"), Some(FindingClass::UnitSplit));
        assert_eq!(class("服务86.4万人", "次。"), Some(FindingClass::UnitSplit));
        assert_eq!(class("演练146", "场次"), Some(FindingClass::UnitSplit));
        assert_eq!(class("节约用电3,560", "万千瓦时"), Some(FindingClass::UnitSplit));
        assert_eq!(class("服务群众86.4", "万人次。"), None);
        assert_eq!(class("客户经理、10086", "尊享服务"), None);
    }
}
