//! `csr-press new DIR`: writes a small report that builds and passes
//! `check --strict` as it is — a manifest in the house theme, a letter, a
//! chapter with a case box and a KPI table, a GRI index — and
//! prints the commands to run next. The files are the real, editable files
//! under `templates/new/`, built into the binary.

use std::path::{Path, PathBuf};

use crate::args::{infer_root, program_root};
use crate::paths::io_reason;

/// The scaffold: path inside the new folder, contents.
pub const FILES: [(&str, &str); 6] = [
    ("report.toml", include_str!("../templates/new/report.toml")),
    ("parts/01-letter.toml", include_str!("../templates/new/parts/01-letter.toml")),
    ("parts/02-chapter.toml", include_str!("../templates/new/parts/02-chapter.toml")),
    ("parts/03-index.toml", include_str!("../templates/new/parts/03-index.toml")),
    ("indexes/gri.toml", include_str!("../templates/new/indexes/gri.toml")),
    ("README.md", include_str!("../templates/new/README.md")),
];

/// Why the scaffold could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    /// The target is a file.
    #[error("{} is a file; give a new folder", .0.display())]
    IsAFile(PathBuf),
    /// The target folder has files in it.
    #[error("{} is not empty; `new` never overwrites files (give a new folder)", .0.display())]
    NotEmpty(PathBuf),
    /// A folder could not be created.
    #[error("cannot create {} ({reason})", dir.display())]
    CreateDir {
        /// The folder.
        dir: PathBuf,
        /// Why.
        reason: String,
    },
    /// A file could not be written.
    #[error("cannot write {} ({reason})", file.display())]
    Write {
        /// The file.
        file: PathBuf,
        /// Why.
        reason: String,
    },
}

/// Writes the scaffold into `dir`, which must not exist or be empty.
///
/// The files are written into a temporary folder beside `dir`, which is
/// renamed into place only when every file is written: a `new` that fails
/// half-way (a full disk, say) leaves nothing behind, and can simply be run
/// again.
pub fn scaffold(dir: &Path) -> Result<(), ScaffoldError> {
    write_files(dir, &FILES)
}

/// Writes `files` (path inside `dir`, contents) as [`scaffold`] does.
fn write_files(dir: &Path, files: &[(&str, &str)]) -> Result<(), ScaffoldError> {
    if dir.is_file() {
        return Err(ScaffoldError::IsAFile(dir.to_path_buf()));
    }
    let occupied = std::fs::read_dir(dir).map(|mut entries| entries.next().is_some()).unwrap_or(false);
    if occupied {
        return Err(ScaffoldError::NotEmpty(dir.to_path_buf()));
    }
    let parent = crate::paths::folder_of(dir);
    std::fs::create_dir_all(parent)
        .map_err(|e| ScaffoldError::CreateDir { dir: parent.to_path_buf(), reason: io_reason(&e) })?;
    // A folder of the ordinary mode (as `mkdir` under the user's umask),
    // named after this process, removed again unless it is renamed in.
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let staging = Staging(parent.join(format!("{}new-{}-{name}", crate::write::TEMP_PREFIX, std::process::id())));
    std::fs::create_dir(&staging.0)
        .map_err(|e| ScaffoldError::CreateDir { dir: parent.to_path_buf(), reason: io_reason(&e) })?;
    for (path, text) in files {
        let target = staging.0.join(path);
        if let Some(folder) = target.parent() {
            std::fs::create_dir_all(folder)
                .map_err(|e| ScaffoldError::CreateDir { dir: dir.join(path), reason: io_reason(&e) })?;
        }
        std::fs::write(&target, text)
            .map_err(|e| ScaffoldError::Write { file: dir.join(path), reason: io_reason(&e) })?;
    }
    // Renaming onto an empty folder replaces it; onto a folder that gained
    // files meanwhile it fails, and the staging folder is removed.
    std::fs::rename(&staging.0, dir).map_err(|e| match e.kind() {
        std::io::ErrorKind::DirectoryNotEmpty => ScaffoldError::NotEmpty(dir.to_path_buf()),
        _ => ScaffoldError::CreateDir { dir: dir.to_path_buf(), reason: io_reason(&e) },
    })?;
    Ok(())
}

/// A staging folder, removed with what it holds when dropped (after a
/// successful rename there is nothing left to remove).
struct Staging(PathBuf);

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What to run next, with `--root` when the new folder does not lie inside
/// a csr-press folder.
pub fn next_steps(dir: &Path, root: Option<&Path>) -> String {
    let manifest = dir.join("report.toml");
    let inferred = infer_root(&manifest);
    let root_arg = match (root, &inferred) {
        (Some(root), _) => format!(" --root {}", root.display()),
        (None, Some(_)) => String::new(),
        // Without a root above the report, csr-press falls back to the one
        // above the program; name it so the commands work anywhere.
        (None, None) => match program_root() {
            Some(found) => format!(" --root {}", found.display()),
            None => " --root PATH/TO/csr-press".to_owned(),
        },
    };
    let pdf: PathBuf = dir.join("out").join("report.pdf");
    format!(
        "created {} ({} files)\n\nnext:\n  csr-press check --strict {}{root_arg}\n  csr-press build {} -o {}{root_arg}\n  csr-press watch {} -o {}{root_arg}\n\nthen edit report.toml and parts/*.toml; data/README.md in the csr-press folder describes every field",
        dir.display(),
        FILES.len(),
        manifest.display(),
        manifest.display(),
        pdf.display(),
        manifest.display(),
        pdf.display(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_nothing_behind() {
        let parent = tempfile::tempdir().expect("a temporary folder");
        let dir = parent.path().join("report");
        // A file name with a NUL byte cannot be written: the second file fails.
        let files = [("report.toml", "x"), ("parts/bad\0.toml", "y")];
        assert!(matches!(write_files(&dir, &files), Err(ScaffoldError::Write { .. })));
        let left: Vec<_> = std::fs::read_dir(parent.path()).expect("read the folder").collect();
        assert!(left.is_empty(), "nothing is left behind: {left:?}");
        // And `new` can simply run again.
        write_files(&dir, &files[..1]).expect("a second run writes the scaffold");
        assert!(dir.join("report.toml").is_file());
    }

    #[test]
    fn the_new_folder_is_not_private() {
        let parent = tempfile::tempdir().expect("a temporary folder");
        let dir = parent.path().join("report");
        scaffold(&dir).expect("the scaffold is written");
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).expect("a folder").permissions().mode() & 0o777;
        let plain = parent.path().join("plain");
        std::fs::create_dir(&plain).expect("a plain folder");
        assert_eq!(mode(&dir), mode(&plain), "the folder has the mode mkdir gives it, not the staging's own");
    }
}
