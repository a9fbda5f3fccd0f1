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
