//! Exit codes and how a failed build is reported: shared by every command.

use std::path::Path;
use std::process::ExitCode;

use crate::args::CommonArgs;
use crate::diag::DiagnosticFormat;
use crate::guard::Inputs;
use crate::guard::until_merge::guard_output;
use crate::pipeline::Failure;

/// Exit code for a build or check that found errors.
pub const EXIT_ERRORS: u8 = 1;

/// Exit code for a usage error (bad argument, refused output path).
pub const EXIT_USAGE: u8 = 2;

/// Refuses the outputs of a command that would destroy an input, a folder,
/// a device or (without `--force`) a symlink: prints why and returns the
/// usage exit code.
pub fn guard(common: &CommonArgs, outputs: &[&Path], force: bool) -> Result<(), ExitCode> {
    let inputs = Inputs::of(&common.manifest, &common.root());
    for output in outputs {
        if let Err(message) = guard_output(output, &inputs, force) {
            eprintln!("error: {}", crate::diag::escape_controls(&message));
            return Err(ExitCode::from(EXIT_USAGE));
        }
    }
    Ok(())
}

/// Prints a failed build and what became of the output.
pub fn fail(failure: &Failure, format: DiagnosticFormat, output: &Path) -> ExitCode {
    for line in failure.render(format).lines() {
        eprintln!("{}", crate::diag::escape_controls(line));
    }
    eprintln!("build failed; {} was not changed", output.display());
    ExitCode::from(EXIT_ERRORS)
}
