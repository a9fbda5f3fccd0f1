//! The command line: clap derive, one struct per command, shared groups
//! flattened. [`Cli`] is turned into a [`Config`] before any work starts.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::diag::DiagnosticFormat;
use crate::pipeline::Config;
use crate::resolve::Profile;

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
    /// Works with the report's KPI tables as spreadsheets.
    #[command(subcommand)]
    Kpi(KpiCommand),
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
    /// The folder holding layout/ and fonts/ (default: the current folder).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Also use the fonts installed on this machine (the PDF then depends on it).
    #[arg(long)]
    pub system_fonts: bool,
    /// How problems are printed: `human` with the source line, `short` one line each.
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Human)]
    pub diagnostic_format: DiagnosticFormat,
}

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
    /// Resolution in pixels per inch.
    #[arg(long, default_value_t = 72.0)]
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
}

impl CommonArgs {
    /// Resolves the shared options into a build configuration.
    pub fn config(&self, output: PathBuf, profile: Profile, marks: bool) -> Config {
        Config {
            manifest: self.manifest.clone(),
            root: self.root.clone(),
            output,
            profile,
            marks,
            system_fonts: self.system_fonts,
            format: self.diagnostic_format,
        }
    }
}

impl BuildArgs {
    /// The build configuration.
    pub fn config(&self) -> Config {
        self.common.config(self.output.clone(), self.profile, self.marks)
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
}
