//! Traditional Chinese by conversion: OpenCC's rules (ferrous-opencc,
//! Apache-2.0) for Hong Kong or Taiwan, after a per-report glossary.
//!
//! The glossary is applied first, and what it writes is protected: the
//! converter sees only the text between glossary terms. A glossary entry no
//! text ever used is a warning at the entry.

use std::ops::Range;

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;
use toml::de::DeValue;

use crate::diag::{Problems, Severity};
use crate::source::SourceFile;

/// A glossary term: what the data says and what the edition prints.
#[derive(Debug, Clone)]
struct Term {
    from: String,
    to: String,
    /// Where the entry is in the glossary file.
    at: Range<usize>,
}

/// A converter for one edition: the OpenCC rules and the glossary.
pub struct Converter {
    opencc: OpenCC,
    terms: Vec<Term>,
    used: Vec<bool>,
    glossary: Option<SourceFile>,
}

/// Which Traditional Chinese.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// Hong Kong (OpenCC `s2hk`).
    HongKong,
    /// Taiwan (OpenCC `s2tw`).
    Taiwan,
}

impl Converter {
    /// A converter for `variant` with the terms of `glossary` (when given).
    /// Fails with the glossary's located problems.
    pub fn new(variant: Variant, glossary: Option<SourceFile>) -> Result<Self, Problems> {
        let config = match variant {
            Variant::HongKong => BuiltinConfig::S2hk,
            Variant::Taiwan => BuiltinConfig::S2tw,
        };
        let mut problems = Problems::default();
        let terms = match &glossary {
            Some(file) => read_glossary(file, &mut problems),
            None => Vec::new(),
        };
        if problems.has_errors() {
            return Err(problems);
        }
        let opencc = OpenCC::from_config(config).map_err(|e| {
            let mut p = Problems::default();
            p.push(crate::diag::Problem::file(
                Severity::Error,
                std::path::Path::new("(opencc)"),
                format!("cannot load the OpenCC rules ({e})"),
            ));
            p
        })?;
        let used = vec![false; terms.len()];
        Ok(Converter { opencc, terms, used, glossary })
    }

    /// Converts one string: glossary terms first (longest first), the rest
    /// through OpenCC.
    pub fn convert(&mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut plain = 0;
        let mut at = 0;
        while at < text.len() {
            let hit = self.terms.iter().position(|t| text[at..].starts_with(t.from.as_str()));
            if let Some(i) = hit {
                out.push_str(&self.opencc.convert(&text[plain..at]));
                out.push_str(&self.terms[i].to);
                self.used[i] = true;
                at += self.terms[i].from.len();
                plain = at;
            } else {
                at += text[at..].chars().next().map_or(1, char::len_utf8);
            }
        }
        out.push_str(&self.opencc.convert(&text[plain..]));
        out
    }

    /// A warning at every glossary entry no text used.
    pub fn unused(&self) -> Problems {
        let mut problems = Problems::default();
        if let Some(file) = &self.glossary {
            for (term, used) in self.terms.iter().zip(&self.used) {
                if !used {
                    problems.push(file.problem(
                        Severity::Warning,
                        Some(term.at.clone()),
                        format!("glossary entry '{}' is never used: no text of the report contains it", term.from),
                    ));
                }
            }
        }
        problems
    }
}

/// Reads the glossary's terms: `"干部" = "幹部"` lines, or
/// `[[term]]` tables with `from` and `to`. Longest terms first.
fn read_glossary(file: &SourceFile, problems: &mut Problems) -> Vec<Term> {
    let tree = match crate::locate::syntax_errors(&file.text) {
        Ok(tree) => tree,
        Err(errors) => {
            for e in errors {
                problems.push(file.problem(Severity::Error, e.span, e.message));
            }
            return Vec::new();
        }
    };
    let mut terms = Vec::new();
    let mut bad = |span: Range<usize>, message: &str| problems.push(file.problem(Severity::Error, Some(span), message));
    for (key, value) in tree.get_ref().iter() {
        match (key.get_ref().as_ref(), value.get_ref()) {
            (_, DeValue::String(to)) => {
                terms.push(Term { from: key.get_ref().to_string(), to: to.to_string(), at: key.span() })
            }
            ("term", DeValue::Array(items)) => {
                for item in items {
                    let DeValue::Table(t) = item.get_ref() else {
                        bad(item.span(), "a [[term]] must be a table with `from` and `to`");
                        continue;
                    };
                    let get = |k: &str| match t.get(k).map(|v| v.get_ref()) {
                        Some(DeValue::String(s)) => Some(s.to_string()),
                        _ => None,
                    };
                    match (get("from"), get("to")) {
                        (Some(from), Some(to)) if t.len() == 2 => terms.push(Term { from, to, at: item.span() }),
                        _ => bad(item.span(), "a [[term]] has exactly two strings, `from` and `to`"),
                    }
                }
            }
            _ => bad(value.span(), "a glossary entry is `\"简体\" = \"繁體\"` or a [[term]] with `from` and `to`"),
        }
    }
    for term in &terms {
        if term.from.is_empty() {
            bad(term.at.clone(), "a glossary term must not be empty");
        }
    }
    terms.sort_by_key(|t| std::cmp::Reverse(t.from.len()));
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glossary_terms_are_kept_and_the_rest_converted() {
        let file = SourceFile {
            shown: "g.toml".into(),
            path: "g.toml".into(),
            text: "\"后台\" = \"后台\"\n\"从未\" = \"從未\"\n".into(),
        };
        let mut c = Converter::new(Variant::HongKong, Some(file)).expect("glossary");
        assert_eq!(c.convert("后台的报告数据"), "后台的報告數據");
        assert_eq!(Converter::new(Variant::HongKong, None).expect("rules").convert("后台"), "後台");
        let unused = c.unused();
        assert_eq!(unused.0.len(), 1);
        assert!(unused.0[0].message.contains("从未"));
    }
}
