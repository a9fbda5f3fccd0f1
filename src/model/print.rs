//! The manifest's `[print]` section: which PDF/X standard the print profile
//! writes, for which printing condition, through which output profile, and
//! the ink limit the preflight checks.

use serde::{Deserialize, Serialize};
use toml::Spanned;

/// `[print]` in `data/report.toml`. Every field is optional; without the
/// section the print profile writes PDF/X-1a:2003 for `FOGRA39`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Print {
    /// `x1a`, `x4` or `none`. Default: `x4` when a profile is given,
    /// otherwise `x1a`.
    #[serde(default)]
    pub standard: Option<Spanned<String>>,
    /// The printing condition: a name from the ICC characterization
    /// registry (`FOGRA39`, `FOGRA51`, `JC200103`, `CGATS TR 006`, …) or,
    /// with a profile, any name the printer uses. Default `FOGRA39`, or the
    /// profile's description when a profile is given.
    #[serde(default)]
    pub condition: Option<Spanned<String>>,
    /// A readable description of the condition, e.g.
    /// `Coated FOGRA39 (ISO 12647-2:2004)`; filled in for registered names.
    #[serde(default)]
    pub condition_info: Option<String>,
    /// The printer's CMYK ICC profile, relative to the manifest. Images are
    /// converted through it and PDF/X-4 embeds it.
    #[serde(default)]
    pub profile: Option<Spanned<String>>,
    /// Highest total area coverage (C+M+Y+K) in percent. Default 300.
    #[serde(default)]
    pub ink_limit: Option<Spanned<f64>>,
    /// What the finished profiles (print and screen) do with a figure that
    /// has no image yet. The proof always shows it as a labelled box.
    #[serde(default)]
    pub missing_images: MissingImages,
    /// How the printed copies are bound, which decides the page count the
    /// layouts pad to (with designed blanks before the back cover, always the
    /// last, left-hand page) and the preflight checks (`page-count`).
    #[serde(default)]
    pub binding: Binding,
}

/// `[print] binding`: what page counts the binding allows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Binding {
    /// Perfect (glued) binding: an even page count.
    #[default]
    Perfect,
    /// Saddle stitch: folded sheets of four pages, a multiple of 4.
    Saddle,
    /// Loose pages or screen only: any count.
    None,
}

impl Binding {
    /// The name the manifest and the layouts use.
    pub const fn name(self) -> &'static str {
        match self {
            Binding::Perfect => "perfect",
            Binding::Saddle => "saddle",
            Binding::None => "none",
        }
    }
}

/// `[print] missing_images`: a printer must never receive a placeholder.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MissingImages {
    /// A labelled box, and a preflight warning (an error with `--strict`):
    /// the images are still to come.
    #[default]
    Placeholder,
    /// The figure and its caption are left out, with a note saying how
    /// many: an edition printed without the photographs.
    Omit,
}
