//! Narrowing a block's span to the offending value, so that a problem
//! points at the value to fix rather than at the block's header.

use std::ops::Range;

use crate::source::SourceFile;

/// The span of the value written after `key =` inside `span`.
pub fn key_value(file: &SourceFile, span: Range<usize>, key: &str) -> Option<Range<usize>> {
    let region = file.region(span);
    let text = file.text.get(region.clone())?;
    let mut from = 0;
    while let Some(i) = text[from..].find(key).map(|i| from + i) {
        from = i + key.len();
        let before_ok = text[..i].chars().next_back().is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        let rest = &text[from..];
        let after = rest.trim_start();
        if before_ok && after.starts_with('=') {
            let value = after[1..].trim_start();
            let start = region.start + from + (rest.len() - value.len());
            let len = value.find([',', '}', '\n', '\r', '#']).unwrap_or(value.len());
            return Some(start..start + value[..len].trim_end().len());
        }
    }
    None
}

/// Narrows `span` to the quoted `value` (or the text of it) where found.
pub fn find_value(file: &SourceFile, span: Range<usize>, value: &str) -> Option<Range<usize>> {
    if value.is_empty() {
        return Some(span);
    }
    file.find(span.clone(), &format!("\"{value}\""))
        .map(|r| r.start + 1..r.end - 1)
        .or_else(|| file.find(span.clone(), value))
        .or(Some(span))
}

/// Finds `value` after the first place of `after` inside `span`.
pub fn find_value_after(file: &SourceFile, span: Range<usize>, after: &str, value: &str) -> Option<Range<usize>> {
    let start = find_value(file, span.clone(), after)?.end;
    find_value(file, start..span.end, value)
}
