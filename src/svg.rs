//! SVG figures: the limits an SVG must keep before Typst renders it.
//!
//! An SVG is a program for a renderer: a small file can ask for a huge
//! canvas or, through `<use>`, for millions of elements. Before it reaches
//! Typst, an SVG must be at most [`MAX_SVG_BYTES`] long, have at most
//! [`MAX_SVG_NODES`] elements once every `<use>` is expanded, declare a size
//! of at most [`MAX_SVG_SIDE`] units a side, and be self-contained: it may
//! reference nothing outside itself (no linked images, no external style
//! sheets), so it can never read a file outside the data folder.

use std::collections::HashMap;

/// Why an SVG cannot be placed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SvgError {
    /// The file is longer than [`MAX_SVG_BYTES`].
    #[error(
        "SVG of {0} bytes is larger than the limit of {limit} MiB; simplify it or convert it to PNG",
        limit = MAX_SVG_BYTES / 1024 / 1024
    )]
    TooLong(usize),
    /// The file is not UTF-8 text.
    #[error("corrupt SVG (not UTF-8 text)")]
    NotText,
    /// The XML or the SVG cannot be parsed.
    #[error("corrupt SVG ({0})")]
    Corrupt(String),
    /// An attribute references something outside the SVG.
    #[error(
        "SVG references '{reference}' outside itself (SVG line {line}); embed it (data: URL) or convert the figure to PNG"
    )]
    External {
        /// The reference, shortened.
        reference: String,
        /// The SVG's own line.
        line: u32,
    },
    /// A style sheet loads something outside the SVG.
    #[error("SVG style sheet loads something outside the SVG (SVG line {0}); inline it")]
    ExternalStyle(u32),
    /// Too many elements once every `<use>` is expanded.
    #[error(
        "SVG has {0} elements (with <use> expanded), more than the limit of {MAX_SVG_NODES}; simplify it or convert it to PNG",
        MAX_SVG_NODES = MAX_SVG_NODES
    )]
    TooManyElements(u64),
    /// `<use>` elements refer to each other in a cycle.
    #[error("SVG <use> elements refer to each other in a cycle")]
    UseCycle,
    /// Elements and `<use>` references nest too deep.
    #[error("SVG nests elements and <use> references more than {MAX_SVG_DEPTH} deep; simplify it", MAX_SVG_DEPTH = MAX_SVG_DEPTH)]
    TooDeep,
    /// The declared canvas is too big.
    #[error(
        "SVG declares a size of {width}×{height}, more than the limit of {MAX_SVG_SIDE} a side; fix its width, height or viewBox",
        MAX_SVG_SIDE = MAX_SVG_SIDE
    )]
    TooBig {
        /// The declared width.
        width: f32,
        /// The declared height.
        height: f32,
    },
}

/// Largest accepted SVG file, in bytes.
pub const MAX_SVG_BYTES: usize = 16 * 1024 * 1024;
/// Most elements an SVG may have, counting each `<use>` expansion.
pub const MAX_SVG_NODES: u64 = 100_000;
/// Largest declared width or height, in SVG user units (px).
pub const MAX_SVG_SIDE: f32 = 20_000.0;
/// Deepest nesting of elements and `<use>` references.
pub const MAX_SVG_DEPTH: usize = 256;

/// Checks an SVG file's bytes against the limits; `Err` says what is wrong
/// and where in the SVG (its own line).
pub fn check_svg(data: &[u8]) -> Result<(), SvgError> {
    if data.len() > MAX_SVG_BYTES {
        return Err(SvgError::TooLong(data.len()));
    }
    let text = std::str::from_utf8(data).map_err(|_| SvgError::NotText)?;
    let options = roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() };
    let doc = roxmltree::Document::parse_with_options(text, options).map_err(|e| SvgError::Corrupt(e.to_string()))?;
    let line = |node: roxmltree::Node| doc.text_pos_at(node.range().start).row;
    for node in doc.descendants().filter(|n| n.is_element()) {
        for attr in node.attributes() {
            let value = attr.value().trim();
            let external = match attr.name() {
                "href" => !value.starts_with('#') && !value.starts_with("data:"),
                "style" => references_outside(value),
                _ => false,
            };
            if external {
                return Err(SvgError::External { reference: shorten(value), line: line(node) });
            }
        }
        if node.has_tag_name("style") {
            let css: String = node.children().filter_map(|c| c.text()).collect();
            if references_outside(&css) {
                return Err(SvgError::ExternalStyle(line(node)));
            }
        }
    }
    let nodes = expanded_count(&doc)?;
    if nodes > MAX_SVG_NODES {
        return Err(SvgError::TooManyElements(nodes));
    }
    let tree = usvg::Tree::from_data(data, &usvg::Options::default()).map_err(|e| SvgError::Corrupt(e.to_string()))?;
    let size = tree.size();
    let (w, h) = (size.width(), size.height());
    if !(w.is_finite() && h.is_finite()) || w > MAX_SVG_SIDE || h > MAX_SVG_SIDE {
        return Err(SvgError::TooBig { width: w, height: h });
    }
    Ok(())
}

/// Whether CSS text loads a resource: `@import`, or `url(…)` naming
/// anything but a fragment (`#id`) or embedded data.
fn references_outside(css: &str) -> bool {
    let lower = css.to_ascii_lowercase();
    lower.contains("@import")
        || lower.match_indices("url(").any(|(i, m)| {
            let arg = lower[i + m.len()..].trim_start().trim_start_matches(['"', '\'']);
            !(arg.starts_with('#') || arg.starts_with("data:"))
        })
}

/// The first 60 characters of `text`, with `…` if cut.
fn shorten(text: &str) -> String {
    let short: String = text.chars().take(60).collect();
    if short.len() < text.len() { format!("{short}…") } else { short }
}

/// The number of elements with every `<use>` replaced by what it refers
/// to (recursively), saturating above the limit. A `<use>` cycle is an error.
fn expanded_count(doc: &roxmltree::Document) -> Result<u64, SvgError> {
    let ids: HashMap<&str, roxmltree::Node> =
        doc.descendants().filter(|n| n.is_element()).filter_map(|n| n.attribute("id").map(|id| (id, n))).collect();
    let mut memo: HashMap<roxmltree::NodeId, u64> = HashMap::new();
    let mut stack = Vec::new();
    count(doc.root_element(), &ids, &mut memo, &mut stack)
}

/// The expanded element count below `node` (see [`expanded_count`]).
fn count<'a>(
    node: roxmltree::Node<'a, 'a>,
    ids: &HashMap<&str, roxmltree::Node<'a, 'a>>,
    memo: &mut HashMap<roxmltree::NodeId, u64>,
    stack: &mut Vec<roxmltree::NodeId>,
) -> Result<u64, SvgError> {
    if let Some(&n) = memo.get(&node.id()) {
        return Ok(n);
    }
    if stack.contains(&node.id()) {
        return Err(SvgError::UseCycle);
    }
    if stack.len() >= MAX_SVG_DEPTH {
        return Err(SvgError::TooDeep);
    }
    stack.push(node.id());
    let mut total: u64 = 1;
    for child in node.children().filter(|c| c.is_element()) {
        total = total.saturating_add(count(child, ids, memo, stack)?);
        if total > MAX_SVG_NODES {
            break;
        }
    }
    if node.has_tag_name("use")
        && let Some(target) = node.attributes().find(|a| a.name() == "href").and_then(|a| a.value().strip_prefix('#'))
        && let Some(&referenced) = ids.get(target)
    {
        total = total.saturating_add(count(referenced, ids, memo, stack)?);
    }
    stack.pop();
    memo.insert(node.id(), total);
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_use_bomb_is_refused() {
        let mut svg = String::from(
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10"><rect id="a0" width="1" height="1"/>"#,
        );
        for i in 1..12 {
            let p = i - 1;
            svg.push_str(&format!(r##"<g id="a{i}">"##));
            for _ in 0..10 {
                svg.push_str(&format!(r##"<use xlink:href="#a{p}"/>"##));
            }
            svg.push_str("</g>");
        }
        svg.push_str("</svg>");
        let err = check_svg(svg.as_bytes()).expect_err("refused").to_string();
        assert!(err.contains("more than the limit"), "{err}");
    }

    #[test]
    fn external_references_are_refused() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><image href="../secret.png" width="5" height="5"/></svg>"#;
        assert!(check_svg(svg.as_bytes()).expect_err("refused").to_string().contains("outside itself (SVG line 1)"));
        let ok = r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5" height="5" style="fill:url(#g)"/></svg>"#;
        assert_eq!(check_svg(ok.as_bytes()), Ok(()));
    }

    #[test]
    fn a_deep_use_chain_is_refused_without_overflowing_the_stack() {
        let mut svg = String::from(r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">"#);
        for i in 0..20_000 {
            svg.push_str(&format!(r##"<g id="a{i}"><use href="#a{}"/></g>"##, i + 1));
        }
        svg.push_str("</svg>");
        assert!(check_svg(svg.as_bytes()).expect_err("refused").to_string().contains("deep"));
    }

    #[test]
    fn a_huge_canvas_is_refused() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000"><rect width="5" height="5"/></svg>"#;
        assert!(check_svg(svg.as_bytes()).expect_err("refused").to_string().contains("declares a size"));
    }
}
