//! `csr-press build`: one build, one PDF (or one PDF an edition).

use std::path::{Path, PathBuf};

use super::{Failure, Outcome, guard};
use crate::args::BuildArgs;
use crate::edition::Edition;
use crate::pipeline::{BuildError, Diagnostics, LoadedReport, Session};

/// Builds the PDF (and `--emit-data`). The report is read once: the output
/// guard looks at it, then the session builds from it. With `--edition` the
/// report is made into that edition first; with `--all-editions` one
/// session (one set of fonts, one set of caches) builds every edition in
/// turn, each PDF beside `-o`.
pub fn build(args: &BuildArgs) -> Result<Outcome, Failure> {
    let loaded = LoadedReport::read(&args.common.manifest);
    let plan = match &loaded {
        Ok(loaded) => editions_to_build(args, loaded).map_err(|p| Failure::build(&args.output, BuildError::Data(p)))?,
        Err(_) => vec![(None, args.output.clone())],
    };
    let mut outputs: Vec<&Path> = plan.iter().map(|(_, o)| o.as_path()).collect();
    outputs.extend(args.emit_data.as_deref());
    // The guard refuses before any work, whether or not the report loads.
    guard(&args.common, loaded.as_ref().ok().map(LoadedReport::report), args.icc.as_deref(), &outputs, args.force)?;
    let loaded = loaded.map_err(|problems| Failure::build(&args.output, BuildError::Data(problems)))?;
    crate::write::install_cleanup();
    let first = plan.first().map_or(args.output.clone(), |(_, o)| o.clone());
    let mut config = args.config();
    config.output = first.clone();
    let mut session = Session::new(config).map_err(|e| Failure::build(&first, e))?;
    let mut summaries = Vec::new();
    let mut diagnostics = Diagnostics::default();
    let last = plan.len().saturating_sub(1);
    for (i, (edition, output)) in plan.into_iter().enumerate() {
        let stopped = |cause: BuildError| Failure::build(&output, cause);
        let edited = match &edition {
            Some(edition) => loaded.clone().edition(edition).map_err(|p| stopped(BuildError::Data(p)))?,
            None => loaded.clone(),
        };
        session.set_output(output.clone());
        let emit = if i == last { args.emit_data.as_deref() } else { None };
        let finished = session.build_emitting(edited, emit).map_err(stopped)?;
        summaries.push(finished.summary(&output));
        diagnostics.0.extend(finished.diagnostics.0);
    }
    Ok(Outcome { summary: summaries.join("\n"), diagnostics })
}

/// Which editions to build, each with its PDF: without `--edition` or
/// `--all-editions` the data as it is, to `-o`.
fn editions_to_build(
    args: &BuildArgs,
    loaded: &LoadedReport,
) -> Result<Vec<(Option<Edition>, PathBuf)>, crate::diag::Problems> {
    if args.all_editions {
        let editions = loaded.editions()?;
        return Ok(editions
            .into_iter()
            .map(|e| (e.output_beside(&args.output), e))
            .map(|(o, e)| (Some(e), o))
            .collect());
    }
    match &args.edition {
        None => Ok(vec![(None, args.output.clone())]),
        Some(tag) => {
            let editions = loaded.editions()?;
            let edition = crate::edition::select(loaded.report(), &editions, tag)?;
            Ok(vec![(Some(edition), args.output.clone())])
        }
    }
}
