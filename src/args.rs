//! The command line: clap derive, one struct per command, shared groups
//! flattened. [`Cli`] is turned into a [`Config`] before any work starts.

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use crate::config::Profile;
use crate::config::{Config, FontLoading};
use crate::config::{PrintOptions, Standard};
use crate::diag::DiagnosticFormat;
use crate::paths::Root;

/// Typesets the structured data of a report into a print-ready PDF.
#[derive(Debug, Parser)]
#[command(name = "csr-press", version, about)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Builds the PDF.
    Build(BuildArgs),
    /// Rebuilds the PDF whenever data, layouts, fonts or images change.
    Watch(BuildArgs),
    /// Validates the data and reports preflight warnings, writing nothing.
    Check(CheckArgs),
    /// Renders pages to PNG, plus a contact sheet of all pages.
    Preview(PreviewArgs),
    /// Lists the font families the layouts can use and their coverage of the data.
    Fonts(CommonArgs),
    /// Scaffolds a new report in a new folder (house theme) and prints what to run next.
    New(NewArgs),
    /// Works with the report's KPI tables as spreadsheets.
    #[command(subcommand)]
    Kpi(KpiCommand),
}

impl Command {
    /// How long the command may run (`--time-limit`), if it is limited:
    /// `watch` runs until stopped and `new` writes a few files.
    pub fn time_limit(&self) -> Option<std::time::Duration> {
        let seconds = match self {
            Command::Build(args) => args.common.time_limit,
            Command::Check(args) => args.common.time_limit,
            Command::Preview(args) => args.common.time_limit,
            Command::Fonts(args) => args.time_limit,
            Command::Kpi(KpiCommand::Export(args)) => args.common.time_limit,
            Command::Watch(_) | Command::New(_) => 0,
        };
        (seconds > 0).then(|| std::time::Duration::from_secs(seconds))
    }

    /// How the command prints problems (`human` for `new`, which has none).
    pub fn diagnostic_format(&self) -> DiagnosticFormat {
        match self {
            Command::Build(args) | Command::Watch(args) => args.common.diagnostic_format,
            Command::Check(args) => args.common.diagnostic_format,
            Command::Preview(args) => args.common.diagnostic_format,
            Command::Fonts(args) => args.diagnostic_format,
            Command::Kpi(KpiCommand::Export(args)) => args.common.diagnostic_format,
            Command::New(_) => DiagnosticFormat::Human,
        }
    }
}

/// The `kpi` commands.
#[derive(Debug, Subcommand)]
pub enum KpiCommand {
    /// Writes every KPI table to one workbook (one sheet per table) for departments to fill in.
    Export(KpiExportArgs),
}

/// Options of `kpi export`.
#[derive(Debug, Clone, Args)]
pub struct KpiExportArgs {
    /// Shared options.
    #[command(flatten)]
    pub common: CommonArgs,
    /// Where to write the workbook (.xlsx); never a spreadsheet the report reads.
    #[arg(short, long, default_value = "out/kpi.xlsx")]
    pub output: PathBuf,
    /// Only the tables of the part with this id (e.g. `environmental`).
    #[arg(long)]
    pub part: Option<String>,
}

/// Options every command shares.
#[derive(Debug, Clone, Args)]
pub struct CommonArgs {
    /// The manifest listing the report's parts.
    #[arg(default_value = "data/report.toml")]
    pub manifest: PathBuf,
    /// The folder holding layout/ and fonts/ (default: the nearest one above the manifest, else above this program).
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// Also use the fonts installed on this machine (the PDF then depends on it).
    #[arg(long)]
    pub system_fonts: bool,
    /// How problems are printed: `human` with the source line, `short` one line each,
    /// `github` as GitHub Actions workflow commands.
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Human)]
    pub diagnostic_format: DiagnosticFormat,
    /// Stop with an error when the command runs longer than this many seconds (0: no limit).
    /// Typst has no instruction budget, so a runaway loop in a theme's Typst code is bounded
    /// here, as a whole; `watch` is not limited.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_TIME_LIMIT_S)]
    pub time_limit: u64,
}

/// The default `--time-limit`: far above any real report's build (the 2020
/// report builds in about a second), far below "forever".
pub const DEFAULT_TIME_LIMIT_S: u64 = 600;

/// Options of `build` and `watch`.
#[derive(Debug, Clone, Args)]
pub struct BuildArgs {
    /// Shared options.
    #[command(flatten)]
    pub common: CommonArgs,
    /// Where to write the PDF.
    #[arg(short, long, default_value = "out/report.pdf")]
    pub output: PathBuf,
    /// Print (bleed, boxes, CMYK), proof (watermark, slug) or screen (links).
    #[arg(long, value_enum, default_value_t = Profile::Print)]
    pub profile: Profile,
    /// Adds crop and registration marks outside the bleed (print profile).
    #[arg(long)]
    pub marks: bool,
    /// Also writes the resolved data the layouts read (JSON) to this file.
    #[arg(long)]
    pub emit_data: Option<PathBuf>,
    /// PDF/X standard of the print profile (default: x4 with a profile, else x1a).
    #[arg(long, value_enum)]
    pub pdfx: Option<Standard>,
    /// The printer's CMYK ICC profile: images convert through it; PDF/X-4 embeds it.
    #[arg(long, value_name = "FILE")]
    pub icc: Option<PathBuf>,
    /// Treats preflight findings (layout, ink, colour conversion) as errors: the
    /// build fails and writes nothing.
    #[arg(long)]
    pub strict: bool,
    /// Replaces a symlink at an output path with the file (refused without it).
    #[arg(long)]
    pub force: bool,
    /// Builds one edition of the manifest's `[[editions]]` (e.g. `zh-HK`, `en`).
    #[arg(long, value_name = "LANGUAGE")]
    pub edition: Option<String>,
    /// Builds every edition in one run, each PDF beside `-o` under its `output` name.
    #[arg(long, conflicts_with = "edition")]
    pub all_editions: bool,
}

/// Options of `check`.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Shared options.
    #[command(flatten)]
    pub common: CommonArgs,
    /// Treats warnings as errors.
    #[arg(long)]
    pub strict: bool,
    /// Checks one edition of the manifest's `[[editions]]`.
    #[arg(long, value_name = "LANGUAGE")]
    pub edition: Option<String>,
    /// Checks every edition and compares them: KPI values, disclosure codes
    /// and index pages must agree.
    #[arg(long, conflicts_with = "edition")]
    pub all_editions: bool,
}

/// Options of `preview`.
#[derive(Debug, Clone, Args)]
pub struct PreviewArgs {
    /// Shared options.
    #[command(flatten)]
    pub common: CommonArgs,
    /// Pages to render, e.g. `1-3,7` (default: all).
    #[arg(long)]
    pub pages: Option<String>,
    /// Resolution in pixels per inch (1 to 600).
    #[arg(long, default_value_t = 72.0, value_parser = parse_ppi)]
    pub ppi: f32,
    /// Folder for the PNG files.
    #[arg(short, long, default_value = "out/preview")]
    pub output: PathBuf,
    /// Page setup to preview.
    #[arg(long, value_enum, default_value_t = Profile::Proof)]
    pub profile: Profile,
    /// Renders only the pages changed since the last preview into this folder, marked on the contact sheet.
    #[arg(long)]
    pub changed: bool,
    /// Replaces symlinks at the PNG paths with the files (refused without it).
    #[arg(long)]
    pub force: bool,
    /// Previews one edition of the manifest's `[[editions]]` (e.g. `zh-HK`, `en`).
    #[arg(long)]
    pub edition: Option<String>,
}

/// Options of `new`.
#[derive(Debug, Clone, Args)]
pub struct NewArgs {
    /// The folder to create; it must not exist or be empty.
    pub dir: PathBuf,
    /// The folder holding layout/ and fonts/, for the printed commands.
    #[arg(long)]
    pub root: Option<PathBuf>,
}

/// The nearest folder at or above `path` that holds `layout/` and `fonts/`.
pub fn infer_root(path: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(path).ok()?;
    absolute.ancestors().find(|dir| Root::holds_engine(dir)).map(Path::to_path_buf)
}

/// The nearest folder above the running program that holds `layout/` and `fonts/`.
pub fn program_root() -> Option<PathBuf> {
    std::env::current_exe().ok().as_deref().and_then(infer_root)
}

/// Highest `--ppi`: an A4 page at 600 ppi is a 140 MB pixel buffer.
pub const MAX_PPI: f32 = 600.0;

/// Why a `--ppi` value is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PpiError {
    /// Not a number.
    #[error("'{0}' is not a number")]
    NotANumber(String),
    /// Not finite, or out of range.
    #[error("must be a number from 1 to {MAX_PPI}")]
    OutOfRange,
}

/// Parses `--ppi`: a finite number from 1 to [`MAX_PPI`].
fn parse_ppi(text: &str) -> Result<f32, PpiError> {
    let ppi: f32 = text.trim().parse().map_err(|_| PpiError::NotANumber(text.to_owned()))?;
    if !ppi.is_finite() || !(1.0..=MAX_PPI).contains(&ppi) {
        return Err(PpiError::OutOfRange);
    }
    Ok(ppi)
}

impl CommonArgs {
    /// The root: `--root`, else the nearest folder above the manifest
    /// holding `layout/` and `fonts/`, else the one above this program
    /// (`target/debug/csr-press` inside a checkout), else the current folder.
    pub fn root(&self) -> Root {
        Root::new(
            self.root
                .clone()
                .or_else(|| infer_root(&self.manifest))
                .or_else(program_root)
                .unwrap_or_else(|| PathBuf::from(".")),
        )
    }

    /// Resolves the shared options into a build configuration.
    pub fn config(&self, output: PathBuf, profile: Profile, marks: bool) -> Config {
        Config {
            manifest: self.manifest.clone(),
            root: self.root(),
            output,
            profile,
            marks,
            system_fonts: self.system_fonts,
            format: self.diagnostic_format,
            strict: false,
            print: PrintOptions::default(),
            edition: None,
            writes_caches: true,
            font_loading: FontLoading::default(),
        }
    }
}

impl BuildArgs {
    /// The build configuration.
    pub fn config(&self) -> Config {
        let print = PrintOptions { standard: self.pdfx, icc: self.icc.clone(), strict: self.strict };
        Config {
            strict: self.strict,
            print,
            edition: self.edition.clone(),
            ..self.common.config(self.output.clone(), self.profile, self.marks)
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn the_root_is_the_nearest_folder_with_layout_and_fonts() {
        let dir = tempfile::tempdir().expect("temp dir");
        let project = dir.path().join("project");
        for sub in ["layout", "fonts", "reports/acme/data"] {
            std::fs::create_dir_all(project.join(sub)).expect("create dir");
        }
        // A folder with only one of the two is not a root.
        std::fs::create_dir_all(project.join("reports/layout")).expect("create dir");
        let found = super::infer_root(&project.join("reports/acme/data/report.toml"));
        assert_eq!(found.as_deref(), Some(std::path::absolute(&project).expect("absolute").as_path()));
        assert_eq!(super::infer_root(&dir.path().join("elsewhere/report.toml")), None);
    }

    #[test]
    fn ppi_must_be_finite_and_in_range() {
        for bad in ["inf", "NaN", "0", "-72", "100000", "x"] {
            assert!(super::parse_ppi(bad).is_err(), "{bad}");
        }
        assert_eq!(super::parse_ppi("36"), Ok(36.0));
    }
}
