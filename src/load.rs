//! Stage 1: reads the manifest and every part and index file it lists.
//!
//! Parse errors keep the file, line and column of the offending value (see
//! [`crate::locate`]). Loading does not stop at the first bad file or the
//! first error in a file: every file is read and every problem is returned
//! together. Listed files must be relative `.toml` paths that stay inside
//! the manifest's folder after symlinks are resolved, and regular files; a
//! file that is not a data file is never parsed, so its content is never
//! echoed in an error. KPI values a table takes from a spreadsheet are
//! read in here too ([`kpi_import`]), so every later stage sees one report.
//! Loading only loads: checking what parsing cannot is `validate`.

use std::path::{Component, Path, PathBuf};

use crate::diag::{Problems, Severity};
use crate::model::{Index, Manifest, Part};
use crate::paths::{PathError, confined, folder_of};
use crate::source::{Loaded, Report, SourceFile, parse, read_toml};

pub mod kpi_import;
pub mod sheets;

pub use kpi_import::Missing;

/// Loads the manifest at `manifest` and every file it lists.
pub fn load(manifest: &Path) -> Result<Report, Problems> {
    load_with(manifest, Missing::Error)
}

/// Loads like [`load`]; `missing` says what a KPI spreadsheet that does not
/// exist yet means (`kpi export` falls back to the values in TOML).
pub fn load_with(manifest: &Path, missing: Missing) -> Result<Report, Problems> {
    load_inner(manifest, Some(missing))
}

/// Loads the manifest and the files it lists without reading any KPI
/// spreadsheet: the tables keep their TOML values. For the output guard,
/// which needs the names of the inputs, not the values in them.
pub fn load_listed(manifest: &Path) -> Result<Report, Problems> {
    load_inner(manifest, None)
}

/// Most part files a manifest may list; a report has a few dozen. The
/// memory of a build follows its pages, which the layout, the copyfit
/// passes and the page inspection hold, not the loader (measured with
/// one-paragraph chapters, two pages each: 100 parts 0.36 GB, 200 parts
/// 0.59 GB, 400 parts 1.03 GB for 807 pages; 1,000 parts 2.5 GB), so the
/// limit keeps a build well inside a workstation's memory.
pub const MAX_PARTS: usize = 500;

fn load_inner(manifest: &Path, import: Option<Missing>) -> Result<Report, Problems> {
    let mut problems = Problems::default();
    let base = folder_of(manifest).to_path_buf();
    let manifest = read_toml::<Manifest>(manifest, &mut problems).ok_or_else(|| problems.clone())?;

    let listed = &manifest.data.parts;
    if listed.len() > MAX_PARTS {
        let at = listed.get(MAX_PARTS).map(toml::Spanned::span);
        let message = format!(
            "the manifest lists {} part files, more than the limit of {MAX_PARTS}; merge parts (a report has a few dozen)",
            listed.len()
        );
        problems.push(manifest.file.problem(Severity::Error, at, message));
        return Err(problems);
    }
    let mut seen = Vec::new();
    let mut parts = Vec::new();
    for entry in &manifest.data.parts {
        if let Some(path) = resolve_listed(&manifest.file, &base, entry, &mut seen, &mut problems) {
            parts.extend(read_toml::<Part>(&path, &mut problems));
        }
    }
    if let Some(missing) = import {
        kpi_import::import(&base, &mut parts, missing, &mut problems);
    }
    let mut indexes = Vec::new();
    for entry in &manifest.data.indexes {
        if let Some(path) = resolve_listed(&manifest.file, &base, entry, &mut seen, &mut problems) {
            indexes.extend(read_toml::<Index>(&path, &mut problems));
        }
    }
    if problems.has_errors() {
        return Err(problems);
    }
    Ok(Report { base, manifest, parts, indexes })
}

/// Resolves a file listed in the manifest: a relative `.toml` path inside
/// the manifest's folder (after symlinks), a regular file, listed once.
/// Problems are reported at the entry.
fn resolve_listed(
    manifest: &SourceFile,
    base: &Path,
    entry: &toml::Spanned<String>,
    seen: &mut Vec<PathBuf>,
    problems: &mut Problems,
) -> Option<PathBuf> {
    let listed = entry.get_ref();
    let relative = Path::new(listed);
    let message = if relative.is_absolute() || relative.components().any(|c| !matches!(c, Component::Normal(_))) {
        format!(
            "listed file '{listed}' must be a plain relative path inside the manifest's folder (no '/…', '..' or '.')"
        )
    } else if relative.extension().is_none_or(|e| e != "toml") {
        format!("listed file '{listed}' is not a .toml data file")
    } else {
        match confined(base, relative) {
            Err(PathError::NotFound) => {
                format!("listed file '{listed}' does not exist (create it or remove it from the list)")
            }
            Err(PathError::Folder(reason)) => format!("listed file '{listed}' cannot be read ({reason})"),
            Err(PathError::Outside) => {
                format!("listed file '{listed}' leads outside the manifest's folder (through a symlink); copy it in")
            }
            Err(PathError::NotAFile) => {
                format!("listed file '{listed}' is not a regular file (a folder, FIFO or device)")
            }
            Ok(real) if seen.contains(&real) => {
                format!("file '{listed}' is listed twice; list each part or index file once")
            }
            Ok(real) => {
                seen.push(real);
                return Some(base.join(listed));
            }
        }
    };
    problems.push(manifest.problem(Severity::Error, Some(entry.span()), message));
    None
}

/// Parses a manifest, one part and indexes given as text into a report
/// (based in the current folder), with the parse problems.
pub fn report_from_texts(manifest: &str, part: &str, indexes: &[&str]) -> (Option<Report>, Problems) {
    let file = |name: &str, text: &str| SourceFile {
        shown: PathBuf::from(name),
        path: PathBuf::from(name),
        text: text.to_owned(),
    };
    let mut problems = Problems::default();
    let manifest = match parse::<Manifest>(file("report.toml", manifest)) {
        Ok(m) => m,
        Err(p) => {
            problems.0.extend(p);
            return (None, problems);
        }
    };
    let parts: Vec<Loaded<Part>> =
        parse(file("part.toml", part)).map_err(|p| problems.0.extend(p)).into_iter().collect();
    let indexes = indexes
        .iter()
        .enumerate()
        .filter_map(|(i, text)| parse(file(&format!("index-{i}.toml"), text)).map_err(|p| problems.0.extend(p)).ok())
        .collect();
    (Some(Report { base: PathBuf::from("."), manifest, parts, indexes }), problems)
}
