//! What a build is asked to do: the profile, the print options and the
//! whole build configuration resolved from the command line. Shared by the
//! commands and every stage below them.

use std::path::PathBuf;

use serde::Serialize;

use crate::diag::DiagnosticFormat;
use crate::paths::Root;

/// The build profile, which selects page setup and output intent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, clap::ValueEnum, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// Print-ready: 3 mm bleed, TrimBox and BleedBox, CMYK.
    #[default]
    Print,
    /// Design review: no bleed, PROOF watermark and slug line.
    Proof,
    /// On screen: no bleed, links.
    Screen,
}

impl Profile {
    /// The profile's name as the layouts see it.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Print => "print",
            Profile::Proof => "proof",
            Profile::Screen => "screen",
        }
    }
}

/// The PDF/X standard the print profile writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Standard {
    /// PDF/X-1a:2003: PDF 1.4, CMYK and spot only, no transparency.
    X1a,
    /// PDF/X-4: PDF 1.6 with the output profile embedded.
    X4,
    /// A plain PDF (boxes, CMYK images and ink preflight only).
    None,
}

impl Standard {
    /// The standard's name as printed in messages and in the PDF.
    pub fn name(self) -> &'static str {
        match self {
            Standard::X1a => "PDF/X-1a:2003",
            Standard::X4 => "PDF/X-4",
            Standard::None => "plain PDF",
        }
    }
}

/// Print options given on the command line.
#[derive(Debug, Clone, Default)]
pub struct PrintOptions {
    /// `--pdfx`: overrides `[print] standard`.
    pub standard: Option<Standard>,
    /// `--icc`: the printer's CMYK profile; overrides `[print] profile`.
    pub icc: Option<PathBuf>,
    /// `--strict`: print preflight warnings stop the build.
    pub strict: bool,
}

/// Everything a build needs to know, resolved from the command line.
#[derive(Debug, Clone)]
pub struct Config {
    /// The manifest (`data/report.toml`).
    pub manifest: PathBuf,
    /// The folder holding `layout/` and `fonts/`.
    pub root: Root,
    /// Where the PDF goes.
    pub output: PathBuf,
    /// Print, proof or screen.
    pub profile: Profile,
    /// Crop and registration marks (print profile).
    pub marks: bool,
    /// Also use the machine's fonts.
    pub system_fonts: bool,
    /// How problems are printed.
    pub format: DiagnosticFormat,
    /// Layout preflight findings are errors: the build fails and writes nothing.
    pub strict: bool,
    /// PDF/X standard, output profile and strictness of the print profile.
    pub print: PrintOptions,
    /// The edition to build (`--edition zh-HK`): `None` for the data as it is.
    pub edition: Option<String>,
    /// Whether the build may write its caches (copyfit plans, converted
    /// images) under the root; `check` writes nothing.
    pub writes_caches: bool,
    /// How font files are brought into memory: mapped, but read whole in
    /// `watch`.
    pub font_loading: FontLoading,
}

/// How the fonts in `fonts/` are brought into memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FontLoading {
    /// Mapped (a build, a check, a preview: one process, seconds long):
    /// no copy of the file, 2–3 % of a build's time (BENCHMARKS.md,
    /// `src/fonts/mapped.rs`).
    #[default]
    Mapped,
    /// Read whole (`watch`): a long session must not depend on files an
    /// editor may replace in place while it runs (it starts a new session
    /// for new fonts).
    Read,
}
