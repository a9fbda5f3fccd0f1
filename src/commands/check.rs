//! `csr-press check`: every validation and data check, then the pages are
//! composed (not written) so that the layout preflight reports too. The
//! report is read once and checked once.

use std::path::PathBuf;

use super::{Failure, Outcome};
use crate::args::CheckArgs;
use crate::config::{Config, Profile};
use crate::datacheck::check_data;
use crate::diag::{Problem, Problems, Severity};
use crate::fonts::load_fonts;
use crate::pipeline::{BuildError, Diagnostics, LoadedReport, Session};

/// Runs `check`.
pub fn check(args: &CheckArgs) -> Result<Outcome, Failure> {
    // `check` writes nothing: no copyfit plan, no converted image.
    let config =
        Config { writes_caches: false, ..args.common.config(PathBuf::from("out/check.pdf"), Profile::Print, false) };
    let root = config.root.clone();
    let loaded = match LoadedReport::read(&args.common.manifest) {
        Ok(loaded) => loaded,
        Err(problems) => return verdict(problems, String::new(), args.strict),
    };
    let fonts = load_fonts(&root, config.system_fonts);
    let checked = loaded.check(&root);
    let mut found = Problems::default();
    let report = match &checked {
        Ok(checked) => checked.report(),
        Err(rejected) => rejected.report.as_ref(),
    };
    if let Err(error) = &fonts {
        found.push(Problem::file(Severity::Error, &root.fonts(), error.to_string()));
    }
    check_data(report, fonts.as_ref().ok().map(|(_, infos)| infos.as_slice()), &mut found);
    // Composing needs data without errors.
    let (mut problems, composable) = match checked {
        Ok(mut checked) => {
            checked.problems.0.extend(found.0);
            let problems = checked.problems.clone();
            let composable = (!problems.has_errors()).then_some(checked);
            (problems, composable)
        }
        Err(mut rejected) => {
            rejected.problems.0.extend(found.0);
            (rejected.problems, None)
        }
    };
    let mut typst_warnings = String::new();
    if let (Some(checked), Ok((store, _))) = (composable, fonts) {
        let composed = Session::with_fonts(config, store).and_then(|mut session| {
            let resolved = session.resolve(checked)?;
            session.compose(resolved)
        });
        match composed {
            Ok(composed) => {
                // The data's checks ran above; what composing adds is its
                // notes (figures left out) and the layout findings.
                problems = composed.problems;
                problems.0.extend(composed.findings.0);
                typst_warnings = composed.typst_warnings;
            }
            Err(BuildError::Data(found)) => problems.0.extend(found.0),
            Err(failure) => return Err(Failure::CheckLayout(failure)),
        }
    }
    verdict(problems, typst_warnings, args.strict)
}

/// The verdict: everything found, and the summary line; a failure when
/// there are errors (or, with `--strict`, warnings).
fn verdict(problems: Problems, typst_warnings: String, strict: bool) -> Result<Outcome, Failure> {
    let errors = problems.errors();
    let warnings = problems.warnings();
    let summary = format!(
        "check: {errors} error{}, {warnings} warning{}{}",
        if errors == 1 { "" } else { "s" },
        if warnings == 1 { "" } else { "s" },
        if strict && warnings > 0 { " (--strict: warnings are errors)" } else { "" }
    );
    let mut diagnostics = Diagnostics::default();
    diagnostics.problems(problems);
    diagnostics.typst(typst_warnings);
    if errors > 0 || (strict && warnings > 0) {
        Err(Failure::Findings { diagnostics, summary })
    } else {
        Ok(Outcome { diagnostics, summary })
    }
}
