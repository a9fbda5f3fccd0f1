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
pub fn scaffold(dir: &Path) -> Result<(), ScaffoldError> {
    if dir.is_file() {
        return Err(ScaffoldError::IsAFile(dir.to_path_buf()));
    }
    let occupied = std::fs::read_dir(dir).map(|mut entries| entries.next().is_some()).unwrap_or(false);
    if occupied {
        return Err(ScaffoldError::NotEmpty(dir.to_path_buf()));
    }
    for (path, text) in FILES {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| ScaffoldError::CreateDir { dir: parent.to_path_buf(), reason: io_reason(&e) })?;
        }
        // `create_new` refuses a file that appeared meanwhile.
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&target)
            .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
            .map_err(|e| ScaffoldError::Write { file: target.clone(), reason: io_reason(&e) })?;
    }
    Ok(())
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
