//! Stage 1: reads the manifest and every part and index file it lists.
//!
//! Parse errors keep the file, line and column of the offending value (see
//! [`crate::locate`]). Loading does not stop at the first bad file or the
//! first error in a file: every file is read and every problem is returned
//! together. Listed files must be relative `.toml` paths that stay inside
//! the manifest's folder after symlinks are resolved, and regular files; a
//! file that is not a data file is never parsed, so its content is never
//! echoed in an error.

use std::path::{Component, Path, PathBuf};

use serde::de::DeserializeOwned;

use crate::diag::{Problem, Problems, Severity};
use crate::locate::{block_errors, long_strings, relocate, syntax_errors};
use crate::model::{Index, Manifest, Part};

/// Largest data file, in bytes.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// A data file as read from disk.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as shown to the user.
    pub shown: PathBuf,
    /// The path on disk.
    pub path: PathBuf,
    /// The text, without a byte-order mark.
    pub text: String,
}

impl SourceFile {
    /// Creates a problem located at a byte span of this file.
    pub fn problem(
        &self,
        severity: Severity,
        span: Option<std::ops::Range<usize>>,
        message: impl Into<String>,
    ) -> Problem {
        Problem::at(severity, &self.shown, &self.text, span, message)
    }

    /// Finds the byte span of `needle` inside `within` (a span of this file),
    /// for pointing at a field value inside a block.
    pub fn find(&self, within: std::ops::Range<usize>, needle: &str) -> Option<std::ops::Range<usize>> {
        let within = self.region(within);
        let end = within.end.min(self.text.len());
        let start = within.start.min(end);
        let hay = self.text.get(start..end)?;
        hay.find(needle).map(|i| start + i..start + i + needle.len())
    }
}

impl SourceFile {
    /// Widens the span of a `[[table]]` header (all `toml` reports for a
    /// table in an array of tables) to the table's keys: up to the next
    /// header line.
    pub fn region(&self, span: std::ops::Range<usize>) -> std::ops::Range<usize> {
        crate::locate::widen(&self.text, span)
    }
}

/// A parsed data file.
#[derive(Debug, Clone)]
pub struct Loaded<T> {
    /// Where it came from.
    pub file: SourceFile,
    /// What it says.
    pub data: T,
}

/// Everything under a manifest, parsed but not yet validated.
#[derive(Debug, Clone)]
pub struct Report {
    /// The folder holding the manifest; figure images resolve against it.
    pub base: PathBuf,
    /// The manifest.
    pub manifest: Loaded<Manifest>,
    /// The parts, in manifest order.
    pub parts: Vec<Loaded<Part>>,
    /// The disclosure indexes, in manifest order.
    pub indexes: Vec<Loaded<Index>>,
}

impl Report {
    /// Every file that was read, manifest first.
    pub fn files(&self) -> impl Iterator<Item = &SourceFile> {
        std::iter::once(&self.manifest.file)
            .chain(self.parts.iter().map(|p| &p.file))
            .chain(self.indexes.iter().map(|i| &i.file))
    }
}

/// Loads the manifest at `manifest` and every file it lists.
pub fn load(manifest: &Path) -> Result<Report, Problems> {
    load_with(manifest, crate::sheets::Missing::Error)
}

/// Loads like [`load`]; `missing` says what a KPI spreadsheet that does not
/// exist yet means (`kpi export` falls back to the values in TOML).
pub fn load_with(manifest: &Path, missing: crate::sheets::Missing) -> Result<Report, Problems> {
    let mut problems = Problems::default();
    let base = folder_of(manifest).to_path_buf();
    let manifest = read_toml::<Manifest>(manifest, &mut problems).ok_or_else(|| problems.clone())?;

    let mut seen = Vec::new();
    let mut parts = Vec::new();
    for entry in &manifest.data.parts {
        if let Some(path) = resolve_listed(&manifest.file, &base, entry, &mut seen, &mut problems) {
            parts.extend(read_toml::<Part>(&path, &mut problems));
        }
    }
    crate::sheets::import(&base, &mut parts, missing, &mut problems);
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
    let path = base.join(listed);
    let relative = Path::new(listed);
    let message = if relative.is_absolute() || relative.components().any(|c| !matches!(c, Component::Normal(_))) {
        format!(
            "listed file '{listed}' must be a plain relative path inside the manifest's folder (no '/…', '..' or '.')"
        )
    } else if relative.extension().is_none_or(|e| e != "toml") {
        format!("listed file '{listed}' is not a .toml data file")
    } else {
        match (path.canonicalize(), base_dir(base).canonicalize()) {
            (Err(_), _) => format!("listed file '{listed}' does not exist (create it or remove it from the list)"),
            (Ok(real), Ok(root)) if !real.starts_with(&root) => {
                format!("listed file '{listed}' leads outside the manifest's folder (through a symlink); copy it in")
            }
            (Ok(real), _) if !real.is_file() => {
                format!("listed file '{listed}' is not a regular file (a folder, FIFO or device)")
            }
            (Ok(real), _) if seen.contains(&real) => {
                format!("file '{listed}' is listed twice; list each part or index file once")
            }
            (Ok(real), _) => {
                seen.push(real);
                return Some(path);
            }
        }
    };
    problems.push(manifest.problem(Severity::Error, Some(entry.span()), message));
    None
}

/// The folder a path is relative to (`.` for an empty parent).
pub fn base_dir(base: &Path) -> &Path {
    if base.as_os_str().is_empty() { Path::new(".") } else { base }
}

/// The folder a file is in: `.` for a bare file name (`report.toml`).
pub fn folder_of(file: &Path) -> &Path {
    base_dir(file.parent().unwrap_or(Path::new("")))
}

/// Reads and parses one TOML file, recording any problem.
pub fn read_toml<T: DeserializeOwned>(path: &Path, problems: &mut Problems) -> Option<Loaded<T>> {
    let file = read_source(path).map_err(|p| problems.push(p)).ok()?;
    parse(file).map_err(|p| problems.0.extend(p)).ok()
}

/// Parses a file's text as TOML into `T`. Every syntax error is reported;
/// a data error is located at the offending key or value, together with the
/// errors of every other broken block of the file.
pub fn parse<T: DeserializeOwned>(file: SourceFile) -> Result<Loaded<T>, Vec<Problem>> {
    let located = match syntax_errors(&file.text) {
        Err(errors) => errors,
        Ok(tree) => match toml::from_str::<T>(&file.text) {
            Ok(data) => {
                let long = long_strings(&tree);
                if long.is_empty() {
                    return Ok(Loaded { file, data });
                }
                long
            }
            Err(err) => {
                // A block's error is reported by `block_errors`, at its value
                // and together with every other broken block.
                let blocks = block_errors(&tree, &file.text);
                if blocks.is_empty() {
                    let message = crate::locate::clean(err.message());
                    vec![crate::locate::Located { span: relocate(&tree, &file.text, err.span(), &message), message }]
                } else {
                    blocks
                }
            }
        },
    };
    Err(located.into_iter().map(|l| file.problem(Severity::Error, l.span, l.message)).collect())
}

/// Parses and validates the text of one part file on its own, with the
/// given manifest and indexes; for fuzzing and editor integrations.
pub fn check_part_text(manifest: &str, part: &str, indexes: &[&str]) -> Problems {
    let (report, mut problems) = report_from_texts(manifest, part, indexes);
    if let Some(report) = report {
        problems.0.extend(crate::validate::validate(&report).0);
    }
    problems
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

/// Reads a text file, stripping a byte-order mark and rejecting invalid UTF-8.
pub fn read_source(path: &Path) -> Result<SourceFile, Problem> {
    let shown = shown_path(path);
    let cannot = |reason: String| Problem::file(Severity::Error, &shown, format!("cannot read file ({reason})"));
    // The type is checked before opening: opening a FIFO would block forever.
    let meta = std::fs::metadata(path).map_err(|e| cannot(io_reason(&e)))?;
    if !meta.is_file() {
        return Err(cannot("not a regular file: a folder, FIFO or device".into()));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(cannot(format!(
            "{} bytes, more than the limit of {} MiB for a data file; split it",
            meta.len(),
            MAX_FILE_BYTES / 1024 / 1024
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| cannot(io_reason(&e)))?;
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let offset = err.utf8_error().valid_up_to();
            let valid = String::from_utf8_lossy(&err.as_bytes()[..offset]).into_owned();
            return Err(Problem::at(
                Severity::Error,
                &shown,
                &valid,
                Some(offset..offset),
                "file is not valid UTF-8 (save it as UTF-8)",
            ));
        }
    };
    let text = text.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(text);
    Ok(SourceFile { shown, path: path.to_path_buf(), text })
}

/// Shows a path relative to the current directory where it lies below it.
pub fn shown_path(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    std::env::current_dir()
        .ok()
        .and_then(|cwd| absolute.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}

/// A short lowercase reason for an I/O error.
pub fn io_reason(err: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match err.kind() {
        NotFound => "not found".into(),
        PermissionDenied => "permission denied".into(),
        IsADirectory => "is a directory".into(),
        _ => err.to_string().to_lowercase(),
    }
}
