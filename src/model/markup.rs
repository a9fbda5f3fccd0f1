//! The markup prose may carry: `{ref:label}` (the page of a labelled place),
//! `{pages:INDEX:CODE}` (the pages of a disclosure tag) and `{word:桥e贷}` (a
//! name set as one word: no Han–Latin space inside it).

/// The prefix of an in-text reference: `{ref:label}`.
pub const REF_OPEN: &str = "{ref:";

/// The prefix of an in-text page list: `{pages:INDEX:CODE}`.
pub const PAGES_OPEN: &str = "{pages:";

/// A `{ref:` without its closing `}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unclosed reference: write {{ref:label}}")]
pub struct UnclosedRef;

/// The prefix of a word set tight: `{word:桥e贷}`.
pub const WORD_OPEN: &str = "{word:";

/// A `{word:` without its closing `}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unclosed word: write {{word:桥e贷}}")]
pub struct UnclosedWord;

/// The words a text marks to be set tight, in order; an unclosed one is an
/// [`UnclosedWord`].
pub fn words_in(text: &str) -> impl Iterator<Item = Result<&str, UnclosedWord>> {
    text.match_indices(WORD_OPEN).map(move |(i, _)| {
        let rest = &text[i + WORD_OPEN.len()..];
        rest.find('}').map(|end| &rest[..end]).ok_or(UnclosedWord)
    })
}

/// The disclosure tags a text asks the pages of: `{pages:INDEX:CODE}`.
pub fn pages_in(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices(PAGES_OPEN).filter_map(move |(i, open)| {
        let rest = &text[i + open.len()..];
        rest.find('}').map(|end| &rest[..end])
    })
}

/// The labels referenced in a text, in order; an unclosed reference is an
/// [`UnclosedRef`].
pub fn refs_in(text: &str) -> impl Iterator<Item = Result<&str, UnclosedRef>> {
    text.match_indices(REF_OPEN).map(move |(i, _)| {
        let rest = &text[i + REF_OPEN.len()..];
        rest.find('}').map(|end| &rest[..end]).ok_or(UnclosedRef)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_are_found() {
        let found: Vec<_> = refs_in("见第 {ref:a} 页和 {ref:b-c} 页").collect();
        assert_eq!(found, vec![Ok("a"), Ok("b-c")]);
        assert_eq!(refs_in("{ref:open").collect::<Vec<_>>(), vec![Err(UnclosedRef)]);
        assert_eq!(pages_in("见 {pages:GRI:2-1} 页").collect::<Vec<_>>(), vec!["GRI:2-1"]);
        assert_eq!(words_in("推出{word:桥e贷}产品").collect::<Vec<_>>(), vec![Ok("桥e贷")]);
        assert_eq!(words_in("{word:桥e").collect::<Vec<_>>(), vec![Err(UnclosedWord)]);
    }
}
