//! The commands, one file each. A command turns its arguments into a
//! configuration, runs the pipeline and returns what happened: an
//! [`Outcome`] (what to print) or a [`Failure`] (why it failed). Only
//! `main` prints them, through the one [`Printer`], and chooses the exit
//! code ([`Failure::exit_code`]: 1 for errors, 2 for usage). `watch` runs
//! until stopped and prints its status lines as it goes, through the same
//! printer.

mod build;
mod check;
mod fonts;
mod kpi_export;
mod new;
mod preview;
mod printer;
mod watch;

use std::path::{Path, PathBuf};

pub use crate::write::remove_live_temps;
pub use printer::Printer;
pub use watch::{DEBOUNCE, EVICT_AGE, is_editor_temp};

use crate::args::{Command, CommonArgs, KpiCommand};
use crate::changes::RecordError;
use crate::fonts::FontError;
use crate::guard::{Inputs, guard_output};
use crate::pipeline::{BuildError, Diagnostics};
use crate::preview::{PageListError, RenderError};
use crate::scaffold::ScaffoldError;
use crate::source::Report;

/// Exit code for a command that found errors.
pub const EXIT_ERRORS: u8 = 1;

/// Exit code for a usage error (bad argument, refused output path).
pub const EXIT_USAGE: u8 = 2;

/// What a successful command has to say.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Warnings and notes (standard error).
    pub diagnostics: Diagnostics,
    /// The summary (standard output; empty for none).
    pub summary: String,
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// A refused argument or output path: nothing was done (exit 2).
    #[error(transparent)]
    Usage(#[from] UsageError),
    /// The build (or export) stopped: why, and the file it left unchanged.
    #[error("{verb} failed; {} was not changed", output.display())]
    NotWritten {
        /// `build` or `export`.
        verb: &'static str,
        /// The file (or folder) left as it was.
        output: PathBuf,
        /// Why the build stopped.
        cause: BuildError,
    },
    /// `check` could not lay the pages out.
    #[error("check: layout failed")]
    CheckLayout(BuildError),
    /// The command ran to the end, and what it found fails it: the
    /// diagnostics, then the summary.
    #[error("{summary}")]
    Findings {
        /// Everything found (standard error).
        diagnostics: Diagnostics,
        /// The summary (standard output).
        summary: String,
    },
    /// Something else went wrong.
    #[error(transparent)]
    Error(#[from] CommandError),
    /// A failure after the work had things to say (warnings of the
    /// composition a preview then could not render, say).
    #[error("{failure}")]
    After {
        /// What was said first.
        diagnostics: Diagnostics,
        /// The failure.
        failure: Box<Failure>,
    },
}

impl Failure {
    /// The exit code: 2 for usage errors, 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Usage(_) => EXIT_USAGE,
            Failure::After { failure, .. } => failure.exit_code(),
            _ => EXIT_ERRORS,
        }
    }

    /// A build that stopped, leaving `output` as it was.
    fn build(output: &Path, cause: BuildError) -> Self {
        Failure::NotWritten { verb: "build", output: output.to_path_buf(), cause }
    }
}

/// A refused argument or output path.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    /// The output guard refused an output path (its message).
    #[error("{0}")]
    Refused(#[from] crate::guard::GuardError),
    /// `watch --all-editions`: watch builds one PDF.
    #[error("watch builds one edition: use --edition LANGUAGE (build --all-editions builds them all)")]
    WatchAllEditions,
    /// `preview -o` names something that is not a folder.
    #[error("refusing to write into {}: it is not a folder", .0.display())]
    NotAFolder(PathBuf),
    /// `--pages` is not a page list of this document.
    #[error(transparent)]
    Pages(#[from] PageListError),
    /// `kpi export -o` names a spreadsheet the report reads.
    #[error("{} is a spreadsheet the report reads ({input}); export to another file", output.display())]
    ReadsSpreadsheet {
        /// The refused output.
        output: PathBuf,
        /// How the report names it.
        input: String,
    },
    /// `kpi export --part` names no part.
    #[error("the report has no part with id '{0}'")]
    NoSuchPart(String),
    /// `new` cannot write its folder.
    #[error(transparent)]
    Scaffold(#[from] ScaffoldError),
}

/// A command that failed for another reason than its data.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The fonts could not be loaded.
    #[error(transparent)]
    Fonts(#[from] FontError),
    /// `watch` cannot catch Ctrl-C.
    #[error("cannot install the Ctrl-C handler ({0})")]
    CtrlC(#[from] ctrlc::Error),
    /// `watch` cannot watch files at all.
    #[error("cannot watch files ({0})")]
    Watcher(notify::Error),
    /// `watch` cannot watch a folder.
    #[error("cannot watch {} ({source})", dir.display())]
    Watch {
        /// The folder.
        dir: PathBuf,
        /// Why.
        source: notify::Error,
    },
    /// The change record could not be written.
    #[error(transparent)]
    Changes(#[from] RecordError),
    /// The preview could not be rendered or written.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// The workbook could not be made.
    #[error("cannot write the workbook ({0})")]
    Workbook(#[from] rust_xlsxwriter::XlsxError),
    /// A file could not be written (the message of [`crate::write::write_atomic`]).
    #[error("{0}")]
    Write(crate::write::WriteError),
}

/// Runs one command. `printer` is for `watch`, which prints as it goes.
pub fn run(command: Command, printer: &Printer) -> Result<Outcome, Failure> {
    match command {
        Command::Build(args) => build::build(&args),
        Command::Watch(args) => watch::watch(&args, printer),
        Command::Check(args) => check::check(&args),
        Command::Preview(args) => preview::preview(&args),
        Command::Fonts(args) => fonts::fonts(&args),
        Command::New(args) => new::new_report(&args),
        Command::Kpi(KpiCommand::Export(args)) => kpi_export::export(&args),
    }
}

/// Refuses the outputs of a command that would destroy an input, a folder,
/// a device or (without `--force`) a symlink. `report` is the report the
/// command read, when it read one (the inputs are the files it names);
/// `also` are inputs named on the command line (`--icc`).
fn guard(
    common: &CommonArgs,
    report: Option<&Report>,
    also: Option<&Path>,
    outputs: &[&Path],
    force: bool,
) -> Result<(), UsageError> {
    let root = common.root();
    let mut inputs = match report {
        Some(report) => Inputs::from_report(report, &root),
        None => Inputs::of(&common.manifest, root.dir()),
    };
    if let Some(file) = also {
        inputs = inputs.with_file(file);
    }
    for output in outputs {
        guard_output(output, &inputs, force).map_err(UsageError::Refused)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::{Failure, UsageError};
    use crate::diag::Problems;
    use crate::pipeline::{BuildError, Diagnostics};

    #[test]
    fn usage_errors_exit_with_2_and_the_rest_with_1() {
        let usage = Failure::from(UsageError::NoSuchPart("x".into()));
        assert_eq!(usage.exit_code(), 2);
        let after = Failure::After { diagnostics: Diagnostics::default(), failure: Box::new(usage) };
        assert_eq!(after.exit_code(), 2);
        let build = Failure::build(Path::new("out/r.pdf"), BuildError::Data(Problems::default()));
        assert_eq!(build.exit_code(), 1);
        assert_eq!(build.to_string(), "build failed; out/r.pdf was not changed");
        let findings = Failure::Findings { diagnostics: Diagnostics::default(), summary: "check: 1 error".into() };
        assert_eq!(findings.exit_code(), 1);
        let refused = Failure::from(UsageError::NotAFolder(PathBuf::from("x.png")));
        assert_eq!(refused.to_string(), "refusing to write into x.png: it is not a folder");
    }
}
