//! Paths as the user sees them and as the disk does: the folder a file is
//! in, a path shown relative to the working folder, a short reason for an
//! I/O error, a relative path kept inside its folder ([`confined`]), and the
//! folder layout of the project root ([`Root`]).

use std::path::{Path, PathBuf};

/// The folder a path is relative to (`.` for an empty parent).
pub fn base_dir(base: &Path) -> &Path {
    if base.as_os_str().is_empty() { Path::new(".") } else { base }
}

/// The folder a file is in: `.` for a bare file name (`report.toml`).
pub fn folder_of(file: &Path) -> &Path {
    base_dir(file.parent().unwrap_or(Path::new("")))
}

/// Shows a path relative to the current directory where it lies below it.
pub fn shown_path(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    std::env::current_dir()
        .ok()
        .and_then(|cwd| absolute.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}

/// A short reason for an I/O error: a few common kinds in our words, else
/// the operating system's message as it is (its case kept: it may name a
/// path, which must stay the path that exists).
pub fn io_reason(err: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match err.kind() {
        NotFound => "not found".into(),
        PermissionDenied => "permission denied".into(),
        IsADirectory => "is a directory".into(),
        _ => err.to_string(),
    }
}

/// Largest ICC output profile read (`[print] profile`, `--icc`), in bytes.
pub const MAX_PROFILE_BYTES: u64 = 64 * 1024 * 1024;
/// Most files [`regular_files`] lists under one folder (a theme, the layouts).
pub const MAX_FOLDER_FILES: usize = 10_000;

/// Why [`read_regular_file`] refused or failed to read a file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// The path cannot be read (its reason, see [`io_reason`]).
    #[error("{0}")]
    Io(String),
    /// The path is a folder, FIFO, socket or device (checked before opening:
    /// opening a FIFO would block forever, a device may never end).
    #[error("not a regular file (a folder, FIFO, socket or device)")]
    NotAFile,
    /// The file is larger than the reader's cap.
    #[error("{size} bytes, more than the limit of {} MiB", cap / 1024 / 1024)]
    TooLarge {
        /// The file's size.
        size: u64,
        /// The cap.
        cap: u64,
    },
}

/// Reads a whole file that is a regular file of at most `cap` bytes. The
/// type and size are checked before the file is opened, and the read stops
/// past `cap` bytes even if the file grows meanwhile.
pub fn read_regular_file(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| ReadError::Io(io_reason(&e)))?;
    if !meta.is_file() {
        return Err(ReadError::NotAFile);
    }
    if meta.len() > cap {
        return Err(ReadError::TooLarge { size: meta.len(), cap });
    }
    let file = std::fs::File::open(path).map_err(|e| ReadError::Io(io_reason(&e)))?;
    // Opened by path after the check: a file swapped for a FIFO in between
    // is caught here (a FIFO opened for reading without a writer blocks, so
    // the check above is the guard; this one catches a swap to a device).
    let opened = file.metadata().map_err(|e| ReadError::Io(io_reason(&e)))?;
    if !opened.is_file() {
        return Err(ReadError::NotAFile);
    }
    let mut bytes = Vec::with_capacity(usize::try_from(opened.len().min(cap)).unwrap_or(0));
    file.take(cap.saturating_add(1)).read_to_end(&mut bytes).map_err(|e| ReadError::Io(io_reason(&e)))?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::TooLarge { size: bytes.len() as u64, cap });
    }
    Ok(bytes)
}

/// Why [`regular_files`] stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WalkError {
    /// The root folder cannot be read.
    #[error("cannot read the folder {0}")]
    Root(String),
    /// The folder holds more files than the cap.
    #[error("more than {0} files under the folder")]
    TooMany(usize),
}

/// Every regular file under `root`, sorted, as real paths: symlinks are
/// followed only where they stay inside the root, each real folder is
/// visited once (so `a -> .` loops end), FIFOs, sockets and devices are
/// skipped, and more than `max_files` files is an error. The one bounded
/// walk for hashing or listing a folder's files.
pub fn regular_files(root: &Path, max_files: usize) -> Result<Vec<PathBuf>, WalkError> {
    let real_root =
        root.canonicalize().map_err(|e| WalkError::Root(format!("{} ({})", root.display(), io_reason(&e))))?;
    let mut seen_dirs = std::collections::HashSet::new();
    let mut files = std::collections::BTreeSet::new();
    let mut stack = vec![real_root.clone()];
    seen_dirs.insert(real_root.clone());
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let Ok(real) = entry.path().canonicalize() else { continue };
            if !real.starts_with(&real_root) {
                continue;
            }
            let Ok(meta) = std::fs::metadata(&real) else { continue };
            if meta.is_dir() {
                if seen_dirs.insert(real.clone()) {
                    stack.push(real);
                }
            } else if meta.is_file() && files.insert(real) && files.len() > max_files {
                return Err(WalkError::TooMany(max_files));
            }
        }
    }
    Ok(files.into_iter().collect())
}

/// Why [`confined`] refused a path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// Nothing exists at the path (or a link in it is broken).
    #[error("not found")]
    NotFound,
    /// The folder itself cannot be resolved.
    #[error("cannot resolve the folder ({0})")]
    Folder(String),
    /// The path leads outside the folder (`..`, an absolute path, a symlink).
    #[error("lies outside the folder")]
    Outside,
    /// The path is a folder, FIFO or device.
    #[error("not a regular file (a folder, FIFO or device)")]
    NotAFile,
}

/// The real path of the regular file `relative` names inside `folder`,
/// after every symlink is resolved; refuses a path that leads outside the
/// folder (through `..`, an absolute path or a symlink), that does not
/// exist, or that is not a regular file.
pub fn confined(folder: &Path, relative: impl AsRef<Path>) -> Result<PathBuf, PathError> {
    let folder = base_dir(folder);
    let real = folder.join(relative).canonicalize().map_err(|_| PathError::NotFound)?;
    let root = folder.canonicalize().map_err(|e| PathError::Folder(e.to_string()))?;
    if !real.starts_with(&root) {
        return Err(PathError::Outside);
    }
    if !real.is_file() {
        return Err(PathError::NotAFile);
    }
    Ok(real)
}

/// The project root: the folder holding the engine (`layout/`), the fonts
/// (`fonts/`), the themes (`themes/`) and the build caches (`out/.cache/`).
/// The one place that knows how those folders are named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Root(PathBuf);

/// A cache folder under `out/.cache/` of the root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cache {
    /// Converted figure images.
    Images,
    /// Remembered copyfit plans.
    Copyfit,
    /// Change records of earlier builds.
    Changes,
}

impl Cache {
    /// The folder's path relative to the root.
    pub const fn relative(self) -> &'static str {
        match self {
            Cache::Images => "out/.cache/images",
            Cache::Copyfit => "out/.cache/copyfit",
            Cache::Changes => "out/.cache/changes",
        }
    }
}

impl Root {
    /// The engine's Typst files.
    pub const LAYOUT: &'static str = "layout";
    /// The font files a build uses.
    pub const FONTS: &'static str = "fonts";
    /// The theme folders.
    pub const THEMES: &'static str = "themes";

    /// A root at `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Root(dir.into())
    }

    /// Whether `dir` looks like a root: it holds `layout/` and `fonts/`.
    pub fn holds_engine(dir: &Path) -> bool {
        dir.join(Self::LAYOUT).is_dir() && dir.join(Self::FONTS).is_dir()
    }

    /// The root folder itself.
    pub fn dir(&self) -> &Path {
        &self.0
    }

    /// `layout/`.
    pub fn layout(&self) -> PathBuf {
        self.0.join(Self::LAYOUT)
    }

    /// `fonts/`.
    pub fn fonts(&self) -> PathBuf {
        self.0.join(Self::FONTS)
    }

    /// `themes/`.
    pub fn themes(&self) -> PathBuf {
        self.0.join(Self::THEMES)
    }

    /// A cache folder.
    pub fn cache(&self, cache: Cache) -> PathBuf {
        self.0.join(cache.relative())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn the_walk_ends_on_symlink_loops_and_skips_fifos() {
        let dir = tempfile::tempdir().expect("temporary folder");
        std::fs::write(dir.path().join("theme.toml"), b"x").expect("file");
        std::os::unix::fs::symlink(".", dir.path().join("a")).expect("symlink");
        std::os::unix::fs::symlink(".", dir.path().join("b")).expect("symlink");
        std::os::unix::fs::symlink("/etc", dir.path().join("out")).expect("symlink");
        rustix::fs::mkfifoat(rustix::fs::CWD, dir.path().join("pipe"), rustix::fs::Mode::from_raw_mode(0o644))
            .expect("fifo");
        let files = regular_files(dir.path(), 10).expect("walk");
        assert_eq!(files.len(), 1);
        assert!(files[0].ends_with("theme.toml"));
        assert_eq!(read_regular_file(&dir.path().join("pipe"), 10), Err(ReadError::NotAFile));
        assert!(matches!(read_regular_file(&dir.path().join("theme.toml"), 0), Err(ReadError::TooLarge { .. })));
        assert_eq!(regular_files(dir.path(), 0), Err(WalkError::TooMany(0)));
    }

    #[test]
    fn io_reasons_keep_the_case_of_the_message() {
        let err = std::io::Error::other("No space left on device: /Out/Report.pdf");
        assert_eq!(io_reason(&err), "No space left on device: /Out/Report.pdf");
    }

    #[test]
    fn confined_paths_stay_inside_their_folder() {
        let outer = tempfile::tempdir().expect("temporary folder");
        let data = outer.path().join("data");
        std::fs::create_dir_all(data.join("images")).expect("data folder");
        std::fs::write(data.join("images/a.png"), b"png").expect("image");
        std::fs::write(outer.path().join("secret.png"), b"png").expect("outside file");
        let real = confined(&data, "images/a.png").expect("inside");
        assert!(real.is_absolute() && real.ends_with("images/a.png"));
        assert_eq!(confined(&data, "images/b.png"), Err(PathError::NotFound));
        assert_eq!(confined(&data, "../secret.png"), Err(PathError::Outside));
        assert_eq!(confined(&data, "images"), Err(PathError::NotAFile));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(outer.path().join("secret.png"), data.join("link.png")).expect("symlink");
            assert_eq!(confined(&data, "link.png"), Err(PathError::Outside));
        }
    }
}
