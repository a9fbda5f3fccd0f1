//! What the layout preflight reports: a [`Finding`] of a [`FindingClass`].
//! The classes are named here once; the rules, copyfit and the output match
//! on the enum, and its [`name`](FindingClass::name) is what is printed
//! (`[near-empty]` at the end of a message).

use std::fmt;
use std::str::FromStr;

/// One thing a designer would mark on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// 1-based physical page.
    pub page: usize,
    /// What kind of thing it is.
    pub class: FindingClass,
    /// What is wrong and what to do.
    pub message: String,
    /// The data place (`pN:offset` or `iN:offset`) the finding belongs to.
    pub src: Option<String>,
    /// For [`FindingClass::Unbalanced`]: how tall, in points, the part's
    /// column block should be for its last page to stand balanced (the
    /// room of its earlier pages and half of its last page's content), for
    /// copyfit to balance. For [`FindingClass::HalfEmpty`] on a one-page
    /// part's only page (not on a page inside a part): the share of its two
    /// columns filled, for copyfit to run the next part in there.
    pub extent: Option<f64>,
    /// For [`FindingClass::Unbalanced`]: how much longer one column is than
    /// the other, as a share of the type area's height (copyfit keeps the
    /// most even of the heights it tries).
    pub uneven: Option<f64>,
}

/// The kinds of finding of the layout preflight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FindingClass {
    /// A text page whose type area carries almost nothing.
    NearEmpty,
    /// A part's last page with one column much longer than the other.
    Unbalanced,
    /// A head parted from what must follow it.
    Stranded,
    /// Something running past its column or the trim.
    Overflow,
    /// Text over text or over art.
    Overlap,
    /// Text hidden under an opaque fill.
    HiddenText,
    /// A justified line whose Han characters justification set apart.
    LooseLine,
    /// Art running past the bleed.
    Bleed,
    /// An image too coarse at its placed size.
    ImagePpi,
    /// An RGB image in print.
    ImageColour,
    /// An image slot without an image.
    ImageMissing,
    /// A page count the binding does not allow, or a back cover that is not
    /// the last, left-hand page.
    PageCount,
    /// A heading with nothing of its own under it before the next heading.
    EmptyHeading,
    /// A Latin word, code, number or URL broken where it must not be.
    BrokenToken,
    /// A compound unit broken inside, or a number parted from its unit.
    UnitSplit,
    /// A Han–Latin or Han–digit boundary set without its quarter em.
    UnevenSpacing,
    /// A heading whose last line carries one or two characters.
    Runt,
    /// Text in the paper colour with nothing painted under it: it does not
    /// print (a chart value outside its bar, say).
    PaperText,
    // Diagrams and callouts (issue 25).
    /// An org chart node that no line joins to its parent's box.
    DetachedNode,
    /// Stat callouts of one row whose numbers do not share a baseline.
    MisalignedCallouts,
    /// A table (a float) that lands outside its section: after the heading
    /// that follows it, or past its part's end.
    DetachedFloat,
    /// A table cell set over many lines of a few characters each.
    NarrowColumn,
    /// A page inside a part (not its last) with its columns less than half
    /// filled (a note: the part's text could fill it).
    HalfEmpty,
    /// A part run in after the part before (no band, an inline heading)
    /// that starts at a page top: the part before ended on an earlier page.
    RunInAtTop,
}

impl FindingClass {
    /// Every class.
    pub const ALL: [FindingClass; 24] = [
        FindingClass::NearEmpty,
        FindingClass::Unbalanced,
        FindingClass::Stranded,
        FindingClass::Overflow,
        FindingClass::Overlap,
        FindingClass::HiddenText,
        FindingClass::LooseLine,
        FindingClass::Bleed,
        FindingClass::ImagePpi,
        FindingClass::ImageColour,
        FindingClass::ImageMissing,
        FindingClass::PageCount,
        FindingClass::EmptyHeading,
        FindingClass::BrokenToken,
        FindingClass::UnitSplit,
        FindingClass::UnevenSpacing,
        FindingClass::Runt,
        FindingClass::PaperText,
        FindingClass::DetachedNode,
        FindingClass::MisalignedCallouts,
        FindingClass::DetachedFloat,
        FindingClass::NarrowColumn,
        FindingClass::HalfEmpty,
        FindingClass::RunInAtTop,
    ];

    /// The name printed with a finding.
    pub const fn name(self) -> &'static str {
        match self {
            FindingClass::NearEmpty => "near-empty",
            FindingClass::Unbalanced => "unbalanced",
            FindingClass::Stranded => "stranded",
            FindingClass::Overflow => "overflow",
            FindingClass::Overlap => "overlap",
            FindingClass::HiddenText => "hidden-text",
            FindingClass::LooseLine => "loose-line",
            FindingClass::Bleed => "bleed",
            FindingClass::ImagePpi => "image-ppi",
            FindingClass::ImageColour => "image-colour",
            FindingClass::ImageMissing => "image-missing",
            FindingClass::PageCount => "page-count",
            FindingClass::EmptyHeading => "empty-heading",
            FindingClass::BrokenToken => "broken-token",
            FindingClass::UnitSplit => "unit-split",
            FindingClass::UnevenSpacing => "uneven-spacing",
            FindingClass::Runt => "runt",
            FindingClass::PaperText => "paper-text",
            FindingClass::DetachedNode => "detached-node",
            FindingClass::MisalignedCallouts => "misaligned-callouts",
            FindingClass::DetachedFloat => "detached-float",
            FindingClass::NarrowColumn => "narrow-column",
            FindingClass::HalfEmpty => "half-empty",
            FindingClass::RunInAtTop => "run-in-at-top",
        }
    }

    /// Whether only an editor can mend it (by rewording): such findings are
    /// reported as notes, which never fail a build, `--strict` included.
    /// (A loose line is a warning: the layouts give the line breaker other
    /// choices first. A half-empty page inside a part is a note: the rules
    /// that keep floats in their sections and blocks whole made it.)
    pub const fn is_advice(self) -> bool {
        matches!(self, FindingClass::HalfEmpty)
    }

    /// Whether it fails every build, `--strict` or not: a printer cannot
    /// bind the copies.
    pub const fn is_error(self) -> bool {
        matches!(self, FindingClass::PageCount)
    }
}

impl fmt::Display for FindingClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is no finding class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFindingClass(pub String);

impl fmt::Display for UnknownFindingClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a class of layout finding", self.0)
    }
}

impl std::error::Error for UnknownFindingClass {}

impl FromStr for FindingClass {
    type Err = UnknownFindingClass;

    /// The class printed as `name`.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        FindingClass::ALL.into_iter().find(|c| c.name() == name).ok_or_else(|| UnknownFindingClass(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::FindingClass;

    #[test]
    fn class_names_are_distinct_and_read_back() {
        let mut names: Vec<&str> = FindingClass::ALL.iter().map(|c| c.name()).collect();
        for class in FindingClass::ALL {
            assert_eq!(class.name().parse(), Ok(class));
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FindingClass::ALL.len());
        assert!("near empty".parse::<FindingClass>().is_err());
    }
}
