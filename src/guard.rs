//! The output guard: before any work, refuses output paths that would
//! destroy something: an input of the build, a folder, a device or FIFO, or
//! (without `--force`) a symlink. Used by the commands; the writing itself
//! is [`crate::write`].

use std::path::{Path, PathBuf};

use crate::model::Block;
use crate::paths::{Root, folder_of};
use crate::source::Report;
use crate::theme::{DEFAULT_THEME, find_theme};

/// What the build reads, so that no output may replace it.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// Folders whose every file is an input (`layout/`, `fonts/`).
    pub folders: Vec<PathBuf>,
    /// The data folder: its data files (`.toml`) and images are inputs.
    pub data: Option<PathBuf>,
    /// Single files read by the build: the manifest, listed files, images.
    pub files: Vec<PathBuf>,
}

impl Inputs {
    /// The inputs of a build with this manifest and root: `layout/` and
    /// `fonts/`, the data folder, the manifest, and (when the manifest
    /// loads) every listed file and image.
    ///
    /// Loads the report; a command that has loaded it already uses
    /// [`Inputs::from_report`] instead.
    pub fn of(manifest: &Path, root: &Path) -> Self {
        // The spreadsheets are named, not read: the build reads them once.
        match crate::load::load_listed(manifest) {
            Ok(report) => Self::from_report(&report, &Root::new(root)),
            Err(_) => Inputs {
                folders: engine_folders(&Root::new(root)),
                data: Some(folder_of(manifest).to_path_buf()),
                files: vec![manifest.to_path_buf()],
            },
        }
    }

    /// The inputs of a build of a loaded report with this root: `layout/`
    /// and `fonts/`, the theme folder, the data folder, the manifest, every
    /// listed file, every image and KPI spreadsheet the blocks name, the
    /// logo and the output profile (`[print] profile`).
    pub fn from_report(report: &Report, root: &Root) -> Self {
        let manifest = &report.manifest.file.path;
        let data = &report.manifest.data;
        let mut files = vec![manifest.clone()];
        files.extend(report.files().map(|f| f.path.clone()));
        for part in &report.parts {
            files.extend(part.data.kpi_workbook.as_ref().map(|s| report.base.join(s.get_ref())));
            for place in part.data.places(part.file.text.len()) {
                let images = place.block.map(Block::images).unwrap_or_default();
                files.extend(images.iter().map(|i| report.base.join(i)));
                if let Some(Block::Kpi { workbook: Some(source), .. }) = place.block {
                    files.push(report.base.join(source));
                }
            }
        }
        files.extend(data.meta.logo.as_ref().map(|logo| report.base.join(logo)));
        files.extend(data.print.as_ref().and_then(|p| p.profile.as_ref()).map(|p| report.base.join(p.get_ref())));
        let mut folders = engine_folders(root);
        let theme = data.design.as_ref().and_then(|d| d.theme.as_ref()).map_or(DEFAULT_THEME, |t| t.get_ref().as_str());
        folders.extend(find_theme(theme, &report.base, root.dir()));
        Inputs { folders, data: Some(folder_of(manifest).to_path_buf()), files }
    }

    /// Adds a file the command line names as an input (`--icc FILE`).
    pub fn with_file(mut self, file: impl Into<PathBuf>) -> Self {
        self.files.push(file.into());
        self
    }
}

/// The root's folders whose every file is an input.
fn engine_folders(root: &Root) -> Vec<PathBuf> {
    vec![root.layout(), root.fonts()]
}

/// Why an output path is refused (a usage error, exit code 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GuardError {
    /// The path is a symlink and `--force` was not given.
    #[error("refusing to write {0}: it is a symlink (pass --force to replace the link itself with the file)")]
    Symlink(String),
    /// The path is a folder.
    #[error("refusing to write {0}: it is a directory (name a file, e.g. {0}/report.pdf)")]
    Directory(String),
    /// The path is a device, FIFO or socket.
    #[error("refusing to write {0}: it is not a regular file (a device, FIFO or socket)")]
    NotAFile(String),
    /// The path is an input of the build.
    #[error(
        "refusing to write {0}: it is an input of the build (the manifest, a data file, a KPI spreadsheet, an \
         image, the logo, the output profile, or a file under layout/, fonts/ or the theme folder); write \
         outputs to out/ or another folder"
    )]
    Input(String),
}

/// File name extensions of files in the data folder that count as inputs
/// even when no manifest lists them yet (data files, layouts, fonts).
pub const DATA_EXTENSIONS: &[&str] = &["toml", "typ", "otf", "ttf", "otc", "ttc"];

/// Refuses an output path that is an input of the build, a folder, not a
/// regular file, or a symlink (unless `force`).
pub fn guard_output(path: &Path, inputs: &Inputs, force: bool) -> Result<(), GuardError> {
    let shown = path.display().to_string();
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        let kind = meta.file_type();
        if kind.is_symlink() && !force {
            return Err(GuardError::Symlink(shown));
        }
        if kind.is_dir() {
            return Err(GuardError::Directory(shown));
        }
        if !kind.is_file() && !kind.is_symlink() {
            return Err(GuardError::NotAFile(shown));
        }
    }
    let target = real_target(path);
    let is_input = inputs.files.iter().filter_map(|f| f.canonicalize().ok()).any(|f| f == target)
        || inputs.folders.iter().filter_map(|d| d.canonicalize().ok()).any(|d| target.starts_with(d))
        || inputs.data.as_ref().and_then(|d| d.canonicalize().ok()).is_some_and(|d| {
            target.starts_with(&d)
                && target
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| DATA_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        });
    if is_input {
        return Err(GuardError::Input(shown));
    }
    Ok(())
}

/// The path an output will really have: the canonical parent folder (the
/// nearest one that exists) joined with the rest.
fn real_target(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            let mut out = real;
            out.extend(rest.iter().rev());
            return out;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loaded_report_names_its_inputs() {
        let manifest = "parts = [\"part.toml\"]\n[meta]\ntitle = \"t\"\ntheme = \"s\"\nyear = 2020\n\
                        organisation = \"o\"\ndate = \"2020-01-01\"\nlanguage = \"zh-CN\"\n";
        let part = "kind = \"chapter\"\nid = \"a\"\ntitle = \"A\"\n";
        let (report, problems) = crate::load::report_from_texts(manifest, part, &[]);
        let report = report.unwrap_or_else(|| panic!("{problems:?}"));
        let inputs = Inputs::from_report(&report, &Root::new("/root"));
        assert_eq!(inputs.folders[..2], [PathBuf::from("/root/layout"), PathBuf::from("/root/fonts")]);
        // The default theme, found beside the working folder (this repository's).
        assert!(inputs.folders[2..].iter().all(|f| f.ends_with("themes/house")));
        assert_eq!(inputs.data, Some(PathBuf::from(".")));
        assert!(inputs.files.contains(&PathBuf::from("report.toml")));
        assert!(inputs.files.contains(&PathBuf::from("part.toml")));
    }
}
