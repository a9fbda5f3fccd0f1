//! `csr-press check`: every validation and data check, then the pages are
//! composed (not written) so that the layout preflight reports too. The
//! report is read once and checked once.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::{Failure, Outcome};
use crate::args::CheckArgs;
use crate::config::{Config, Profile};
use crate::datacheck::check_data;
use crate::diag::{Problem, Problems, Severity};
use crate::fonts::load_fonts;
use crate::pipeline::{BuildError, Diagnostics, LoadedReport, Session};

/// Runs `check` (on one edition, or on every edition, compared).
pub fn check(args: &CheckArgs) -> Result<Outcome, Failure> {
    let loaded = match LoadedReport::read(&args.common.manifest) {
        Ok(loaded) => loaded,
        Err(problems) => return verdict(problems, String::new(), args.strict),
    };
    let editions = if args.all_editions || args.edition.is_some() {
        match loaded.editions() {
            Ok(all) => match &args.edition {
                Some(tag) => match crate::edition::select(loaded.report(), &all, tag) {
                    Ok(one) => vec![one],
                    Err(problems) => return verdict(problems, String::new(), args.strict),
                },
                None => all,
            },
            Err(problems) => return verdict(problems, String::new(), args.strict),
        }
    } else {
        let one = check_one(args, loaded)?;
        return verdict(one.problems, one.typst_warnings, args.strict);
    };
    // The data's edition first: the others are compared with it.
    let mut editions = editions;
    editions.sort_by_key(|e| e.text != crate::edition::TextSource::Data);
    let mut base_pointers: Option<BTreeMap<String, String>> = None;
    let mut problems = Problems::default();
    let mut typst_warnings = String::new();
    let mut summaries = Vec::new();
    for edition in &editions {
        let tag = edition.language.tag();
        let edited = match loaded.clone().edition(edition) {
            Ok(edited) => edited,
            Err(found) => {
                problems.0.extend(found.0);
                summaries.push(format!("{tag}: its files have errors"));
                continue;
            }
        };
        problems.0.extend(crate::edition::compare::compare(loaded.report(), edition.language, edited.report()).0);
        let manifest = edited.report().manifest.file.clone();
        let one = check_one(args, edited)?;
        let mut line = format!("{tag}: {} errors, {} warnings", one.problems.errors(), one.problems.warnings());
        if let Some(pointers) = &one.pointers {
            line.push_str(&format!(", {} pages, {} index rows with pages", one.pages, pointers.len()));
            match &base_pointers {
                None => base_pointers = Some(pointers.clone()),
                Some(base) => {
                    let (missing, moved) = index_differences(base, pointers);
                    for tag_missing in &missing {
                        problems.push(manifest.problem(
                            Severity::Error,
                            None,
                            format!("the {tag} edition's indexes give no page for {tag_missing}, which the data's edition indexes"),
                        ));
                    }
                    if !moved.is_empty() {
                        let shown: Vec<&str> = moved.iter().take(4).map(String::as_str).collect();
                        line.push_str(&format!(
                            " ({} on other pages than in the data's edition: {}{})",
                            moved.len(),
                            shown.join(", "),
                            if moved.len() > 4 { ", …" } else { "" }
                        ));
                    }
                }
            }
        }
        summaries.push(line);
        problems.0.extend(one.problems.0);
        typst_warnings.push_str(&one.typst_warnings);
    }
    let mut outcome = verdict(problems, typst_warnings, args.strict);
    let editions_line = format!("editions compared: {}", summaries.join("; "));
    match &mut outcome {
        Ok(Outcome { summary, .. }) | Err(Failure::Findings { summary, .. }) => {
            *summary = format!("{editions_line}\n{summary}");
        }
        Err(_) => {}
    }
    outcome
}

/// Index rows the data's edition gives pages for and an edition does not,
/// and the rows whose pages differ (`GRI:2-1 3 → 3-4`), pages computed per
/// edition.
fn index_differences(
    base: &BTreeMap<String, String>,
    edition: &BTreeMap<String, String>,
) -> (Vec<String>, Vec<String>) {
    let mut missing = Vec::new();
    let mut moved = Vec::new();
    for (tag, pages) in base {
        match edition.get(tag) {
            None => missing.push(tag.clone()),
            Some(theirs) if theirs != pages => moved.push(format!("{tag} {pages} → {theirs}")),
            Some(_) => {}
        }
    }
    (missing, moved)
}

/// What checking one report found.
struct One {
    problems: Problems,
    typst_warnings: String,
    /// Disclosure tag → the pages its index rows print, when it composed.
    pointers: Option<BTreeMap<String, String>>,
    /// Pages composed.
    pages: usize,
}

/// Runs `check` on one loaded report.
fn check_one(args: &CheckArgs, loaded: LoadedReport) -> Result<One, Failure> {
    // `check` writes nothing: no copyfit plan, no converted image.
    let config =
        Config { writes_caches: false, ..args.common.config(PathBuf::from("out/check.pdf"), Profile::Print, false) };
    let root = config.root.clone();
    let fonts = load_fonts(&root, config.system_fonts, config.font_loading);
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
    let (mut pointers, mut pages) = (None, 0);
    if let (Some(checked), Ok((store, _))) = (composable, fonts) {
        let composed = Session::with_fonts(config, store).and_then(|mut session| {
            let resolved = session.resolve(checked)?;
            session.compose(resolved)
        });
        match composed {
            Ok(composed) => {
                // The data's checks ran above; what composing adds is its
                // notes (figures left out) and the layout findings.
                pages = composed.document.pages().len();
                pointers = Some(crate::changes::printed(&composed.pointers));
                problems = composed.problems;
                problems.0.extend(composed.findings.0);
                typst_warnings = composed.typst_warnings;
            }
            Err(BuildError::Data(found)) => problems.0.extend(found.0),
            Err(failure) => return Err(Failure::CheckLayout(failure)),
        }
    }
    Ok(One { problems, typst_warnings, pointers, pages })
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
