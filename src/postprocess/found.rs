//! What the content-stream interpreter found (`content.rs`): the CMYK
//! colours and how they paint, what breaks PDF/X, and how much text was set
//! to overprint. Its own file, so that the page cache (`pages.rs`), which
//! remembers a page's findings, and the interpreter, which uses the cache,
//! both read it without reading each other.

use std::collections::{BTreeMap, BTreeSet};

/// A CMYK colour in 0.1 % steps (the key of [`Usage`]).
pub type Cmyk = [u16; 4];

/// How one CMYK colour is used.
#[derive(Debug, Default, Clone)]
pub struct Usage {
    /// Pages it paints on (1-based).
    pub pages: BTreeSet<u32>,
    /// It colours text.
    pub text: bool,
    /// It strokes lines, or fills areas under 1 cm².
    pub fine: bool,
    /// The largest filled area, in mm².
    pub largest_mm2: f64,
}

/// Something that breaks PDF/X, found in the content.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Violation {
    /// An RGB colour (DeviceRGB or ICC-based RGB), with a description.
    Rgb(String),
    /// A colour space PDF/X-1a does not allow (Lab, CalRGB, ICC-based…).
    NonDevice(String),
    /// Transparency: constant alpha, a soft mask or a blend mode.
    Transparency(String),
}

/// Everything the scan found.
#[derive(Debug, Default, Clone)]
pub struct Scan {
    /// CMYK colours and how they are used.
    pub colours: BTreeMap<Cmyk, Usage>,
    /// Violations and the pages they occur on.
    pub violations: BTreeMap<Violation, BTreeSet<u32>>,
    /// Text runs set to overprint.
    pub overprinted: usize,
}

impl Scan {
    /// Adds what another scan found (of later pages).
    pub(super) fn merge(&mut self, other: Scan) {
        for (colour, usage) in other.colours {
            let mine = self.colours.entry(colour).or_default();
            mine.pages.extend(usage.pages);
            mine.text |= usage.text;
            mine.fine |= usage.fine;
            mine.largest_mm2 = mine.largest_mm2.max(usage.largest_mm2);
        }
        for (violation, pages) in other.violations {
            self.violations.entry(violation).or_default().extend(pages);
        }
        self.overprinted += other.overprinted;
    }
}
