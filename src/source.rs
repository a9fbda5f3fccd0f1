//! Data files as read from disk, and the report they make: the substrate
//! every stage shares. A [`SourceFile`] keeps its text so that any stage can
//! locate a problem at a byte span of it; [`parse`] turns it into a typed
//! [`Loaded`] value, keeping every syntax and data error located.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use crate::diag::{Problem, Problems, Severity};
use crate::locate::{block_errors, long_strings, relocate, syntax_errors};
use crate::model::{Index, Manifest, Part};
use crate::paths::{io_reason, shown_path};

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
