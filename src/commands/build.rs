//! `csr-press build`: one build, one PDF.

use std::path::Path;

use super::{Failure, Outcome, guard};
use crate::args::BuildArgs;
use crate::pipeline::{BuildError, LoadedReport, Session};

/// Builds the PDF (and `--emit-data`). The report is read once: the output
/// guard looks at it, then the session builds from it.
pub fn build(args: &BuildArgs) -> Result<Outcome, Failure> {
    let outputs: Vec<&Path> = std::iter::once(args.output.as_path()).chain(args.emit_data.as_deref()).collect();
    let loaded = LoadedReport::read(&args.common.manifest);
    // The guard refuses before any work, whether or not the report loads.
    guard(&args.common, loaded.as_ref().ok().map(LoadedReport::report), args.icc.as_deref(), &outputs, args.force)?;
    let stopped = |cause: BuildError| Failure::build(&args.output, cause);
    let loaded = loaded.map_err(|problems| stopped(BuildError::Data(problems)))?;
    crate::write::install_cleanup();
    let mut session = Session::new(args.config()).map_err(stopped)?;
    let finished = session.build_emitting(loaded, args.emit_data.as_deref()).map_err(stopped)?;
    Ok(Outcome { summary: finished.summary(&args.output), diagnostics: finished.diagnostics })
}
