//! `csr-press preview`: renders pages to PNG and a contact sheet.

use std::path::PathBuf;

use super::{CommandError, Failure, Outcome, UsageError, guard};
use crate::args::PreviewArgs;
use crate::pipeline::{BuildError, LoadedReport, Session};
use crate::preview::{CONTACT_SHEET, page_file, parse_pages, render_pages};

/// Runs `preview`.
pub fn preview(args: &PreviewArgs) -> Result<Outcome, Failure> {
    if std::fs::symlink_metadata(&args.output).is_ok_and(|m| !m.is_dir()) {
        return Err(UsageError::NotAFolder(args.output.clone()).into());
    }
    let sheet = args.output.join(CONTACT_SHEET);
    let loaded = LoadedReport::read(&args.common.manifest);
    guard(&args.common, loaded.as_ref().ok().map(LoadedReport::report), None, &[&sheet], args.force)?;
    crate::write::install_cleanup();
    let stopped = |cause: BuildError| Failure::build(&args.output, cause);
    let loaded = loaded.map_err(|problems| stopped(BuildError::Data(problems)))?;
    let config = crate::config::Config {
        edition: args.edition.clone(),
        ..args.common.config(args.output.join("unused.pdf"), args.profile, false)
    };
    let root = config.root.clone();
    let mut session = Session::new(config).map_err(stopped)?;
    let loaded = session.edition_of(loaded).map_err(stopped)?;
    let composed = session.compose_report(loaded).map_err(stopped)?;
    let diagnostics = composed.diagnostics();
    let after = |failure: Failure| Failure::After { diagnostics: diagnostics.clone(), failure: Box::new(failure) };
    let document = &composed.document;
    let total = document.pages().len();
    let pages = match args.pages.as_deref().map(|spec| parse_pages(spec, total)).transpose() {
        Ok(pages) => pages.unwrap_or_else(|| (1..=total).collect()),
        Err(error) => return Err(after(UsageError::from(error).into())),
    };
    // Every preview is recorded, so `--changed` shows what changed since the last one.
    let changed = crate::changes::record(document, &composed.report, &composed.pointers, &root, &sheet);
    let mut summary = String::new();
    let (pages, marked) = match (args.changed, changed) {
        (true, Ok(Some(changes))) => {
            summary.push_str(&changes.render());
            (changes.pages(), changes.pages())
        }
        (true, Ok(None)) => (pages, Vec::new()),
        (true, Err(error)) => return Err(after(CommandError::from(error).into())),
        (false, _) => (pages, Vec::new()),
    };
    let files: Vec<PathBuf> = pages.iter().map(|n| args.output.join(page_file(*n))).collect();
    let outputs: Vec<&std::path::Path> = files.iter().map(PathBuf::as_path).collect();
    if let Err(refused) = guard(&args.common, Some(&composed.report), None, &outputs, args.force) {
        return Err(after(refused.into()));
    }
    match render_pages(document, &pages, &marked, args.ppi, &args.output) {
        Ok(written) => {
            summary.push_str(&format!("wrote {written} page images and {CONTACT_SHEET} to {}", args.output.display()));
            Ok(Outcome { diagnostics, summary })
        }
        Err(error) => Err(after(CommandError::from(error).into())),
    }
}
