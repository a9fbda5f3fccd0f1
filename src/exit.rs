//! Exit codes and how a failed build is reported: shared by every command.

use std::path::Path;
use std::process::ExitCode;

use crate::diag::DiagnosticFormat;
use crate::pipeline::Failure;

/// Exit code for a build or check that found errors.
pub const EXIT_ERRORS: u8 = 1;

/// Exit code for a usage error (bad argument, refused output path).
pub const EXIT_USAGE: u8 = 2;

/// Prints a failed build and what became of the output.
pub fn fail(failure: &Failure, format: DiagnosticFormat, output: &Path) -> ExitCode {
    eprint!("{}", failure.render(format));
    eprintln!("build failed; {} was not changed", output.display());
    ExitCode::from(EXIT_ERRORS)
}
