//! The marks the layouts leave for csr-press: labelled `metadata` that
//! says what a thing on a page is. `layout/marks.typ` is the only Typst file
//! that leaves (or queries) them; this is the only Rust file that knows their
//! labels. A label is parsed into a [`Mark`] once, where it is read from the
//! composed pages ([`super::scan`]); everything after that matches on the
//! enum. A unit test below reads `layout/marks.typ` and checks that both
//! sides name the same marks, and that no other layout file leaves one.

use std::fmt;
use std::str::FromStr;

/// The prefix of every mark's label.
const PREFIX: &str = "csr-";

/// A kind of mark, by its label in `layout/marks.typ`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mark {
    /// `<csr-page>`: a page's grid, left in its background.
    Page,
    /// `<csr-src>`: the data place (`pN:offset`, `iN:offset`) of what follows.
    Src,
    /// `<csr-keep>`: a head, or a body that must follow a head of its `id`.
    Keep,
    /// `<csr-flow>`: where a part's columns start, or its text ends.
    Flow,
    /// `<csr-slot>`: an image slot without an image.
    Slot,
    /// `<csr-band>`: a part band's title (no running head on its page).
    Band,
    /// `<csr-overlay>`: proof furniture (a proof's watermark, under the
    /// content, and slug line) from a mark to an `"end"` mark or the page's
    /// end, not the page's content.
    Overlay,
    /// `<csr-disclosure:TAG>`: the start or end of a place tagged `TAG`
    /// (`INDEX:CODE`); each tag has a label of its own.
    Disclosure,
    /// `<csr-binding>`: the binding (`perfect`, `saddle`, `none`) the
    /// layouts padded the page count for.
    Binding,
    /// `<csr-units>`: the compound units the layouts keep whole.
    Units,
    // Diagram and callout marks (issue 25).
    /// `<csr-node>`: an org chart's node box (`id`, `parent`, `width`,
    /// `height`), at its top-left corner.
    Node,
    /// `<csr-callout>`: a stat callout's number (`id` of its grid, `row`).
    Callout,
    /// `<csr-word>`: a name set as one word (`{word:桥e贷}`), before it.
    Word,
    /// `<csr-lines>`: the start or end of a caption or table cell whose
    /// last line must carry a few characters (no runt).
    Lines,
    /// `<csr-sizing>`: an index table's column widths and which of its
    /// cells wrap, for csr-press to give back when it composes the same
    /// pages again.
    Sizing,
}

impl Mark {
    /// Every kind of mark.
    pub const ALL: [Mark; 15] = [
        Mark::Page,
        Mark::Src,
        Mark::Keep,
        Mark::Flow,
        Mark::Slot,
        Mark::Band,
        Mark::Overlay,
        Mark::Disclosure,
        Mark::Binding,
        Mark::Units,
        Mark::Node,
        Mark::Callout,
        Mark::Word,
        Mark::Lines,
        Mark::Sizing,
    ];

    /// The label of the mark (for [`Mark::Disclosure`], without its `:TAG`).
    pub const fn label(self) -> &'static str {
        match self {
            Mark::Page => "csr-page",
            Mark::Src => "csr-src",
            Mark::Keep => "csr-keep",
            Mark::Flow => "csr-flow",
            Mark::Slot => "csr-slot",
            Mark::Band => "csr-band",
            Mark::Overlay => "csr-overlay",
            Mark::Disclosure => "csr-disclosure",
            Mark::Binding => "csr-binding",
            Mark::Units => "csr-units",
            Mark::Node => "csr-node",
            Mark::Callout => "csr-callout",
            Mark::Word => "csr-word",
            Mark::Lines => "csr-lines",
            Mark::Sizing => "csr-sizing",
        }
    }

    /// Whether the label carries a key after a colon (`csr-disclosure:TAG`).
    pub const fn keyed(self) -> bool {
        matches!(self, Mark::Disclosure)
    }

    /// Parses a label: the mark and, for a keyed mark, its key (the `TAG` of
    /// `csr-disclosure:TAG`). `None` for a label that is no mark (a data
    /// label, or an unknown `csr-` label).
    pub fn parse(label: &str) -> Option<(Mark, Option<&str>)> {
        if !label.starts_with(PREFIX) {
            return None;
        }
        let (name, key) = match label.split_once(':') {
            Some((name, key)) => (name, Some(key)),
            None => (label, None),
        };
        let mark = Mark::ALL.into_iter().find(|m| m.label() == name)?;
        (mark.keyed() == key.is_some()).then_some((mark, key))
    }
}

impl fmt::Display for Mark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A label that names no mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAMark(pub String);

impl fmt::Display for NotAMark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a mark of layout/marks.typ", self.0)
    }
}

impl std::error::Error for NotAMark {}

impl FromStr for Mark {
    type Err = NotAMark;

    /// The mark a label names (a keyed mark's key is left out).
    fn from_str(label: &str) -> Result<Self, Self::Err> {
        Mark::parse(label).map(|(mark, _)| mark).ok_or_else(|| NotAMark(label.to_owned()))
    }
}

/// The layout sources: every `.typ` file under `layout/` and of each theme,
/// with its path relative to the repository, for tests that hold the Typst
/// side to what the Rust side expects.
#[cfg(test)]
pub(crate) fn layout_sources() -> Vec<(String, String)> {
    fn collect(dir: &std::path::Path, root: &std::path::Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).expect("read a layout folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                collect(&path, root, out);
            } else if path.extension().is_some_and(|e| e == "typ") {
                let name = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
                out.push((name, std::fs::read_to_string(&path).expect("read a layout file")));
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    collect(&root.join("layout"), root, &mut out);
    collect(&root.join("themes"), root, &mut out);
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::{Mark, layout_sources};

    /// The file that leaves every mark.
    const MARKS_TYP: &str = "layout/marks.typ";

    /// Mark labels written in Typst source: `<csr-NAME>` literals and
    /// `label("csr-NAME…")` calls (a keyed label ends at its colon).
    fn labels_in(source: &str) -> BTreeSet<String> {
        let mut found = BTreeSet::new();
        for (opening, ends) in [("<csr-", &['>'][..]), ("label(\"csr-", &['"', ':'][..])] {
            for (at, _) in source.match_indices(opening) {
                let name = &source[at + opening.len() - "csr-".len()..];
                let end = name.find(ends).unwrap_or(name.len());
                found.insert(name[..end].to_owned());
            }
        }
        found
    }

    #[test]
    fn marks_typ_and_the_mark_enum_name_the_same_marks() {
        let sources = layout_sources();
        let (_, marks_typ) = sources.iter().find(|(name, _)| name == MARKS_TYP).expect("layout/marks.typ");
        let in_typst = labels_in(marks_typ);
        let in_rust: BTreeSet<String> = Mark::ALL.iter().map(|m| m.label().to_owned()).collect();
        assert_eq!(in_typst, in_rust, "marks left by layout/marks.typ vs. `Mark`");
        // A keyed mark's label is built with its key in Typst, never written whole.
        for mark in Mark::ALL {
            let keyed_in_typst = marks_typ.contains(&format!("label(\"{}:\"", mark.label()));
            assert_eq!(keyed_in_typst, mark.keyed(), "{mark}: keyed in Typst and in Rust");
        }
    }

    #[test]
    fn no_layout_file_but_marks_typ_leaves_or_queries_a_mark() {
        // Marks are metadata; labels are made with `label(…)` or `<…>`.
        let forbidden = ["metadata(", "label(", "<csr-", "\"csr-"];
        let mut found = Vec::new();
        for (name, source) in layout_sources().iter().filter(|(name, _)| name != MARKS_TYP) {
            for (number, line) in source.lines().enumerate() {
                let code = line.split("//").next().unwrap_or_default();
                // Counter and state keys (`csr-head:`, `csr-part`) are no labels.
                let code = code.replace("counter(\"csr-", "").replace("state(\"csr-", "");
                for needle in forbidden.iter().filter(|n| code.contains(**n)) {
                    found.push(format!("{name}:{}: {needle}", number + 1));
                }
            }
        }
        assert!(found.is_empty(), "marks left or read outside layout/marks.typ:\n{}", found.join("\n"));
    }

    #[test]
    fn labels_parse_to_their_marks_once() {
        for mark in Mark::ALL {
            let label = if mark.keyed() { format!("{}:GRI:2-1", mark.label()) } else { mark.label().to_owned() };
            let key = mark.keyed().then_some("GRI:2-1");
            assert_eq!(Mark::parse(&label), Some((mark, key)));
            assert_eq!(label.parse::<Mark>(), Ok(mark));
        }
        assert_eq!(Mark::parse("csr-disclosure"), None, "a disclosure without its tag");
        assert_eq!(Mark::parse("csr-page:x"), None, "an unkeyed mark with a key");
        assert_eq!(Mark::parse("port"), None, "a data label");
        assert!("csr-unknown".parse::<Mark>().is_err());
    }
}
