//! Stage 6: writes files atomically: a temporary file beside the target,
//! then a rename, so a reader never sees half a PDF and a failed build never
//! touches the last good one.
//!
//! Before any work, [`guard_output`] refuses targets that would destroy
//! something: an input of the build, a folder, a device or FIFO, or (without
//! `--force`) a symlink. Temporary files carry the process id in their name;
//! they are removed on failure, on SIGINT/SIGTERM ([`install_cleanup`]), and
//! by the next run when the process that made them was killed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::paths::io_reason;

/// The prefix of every temporary file csr-press writes.
pub const TEMP_PREFIX: &str = ".csr-press-";

/// Temporary files being written now, removed if a signal ends the process.
static LIVE_TEMPS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

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
    pub fn of(manifest: &Path, root: &Path) -> Self {
        let data = crate::paths::folder_of(manifest).to_path_buf();
        let mut files = vec![manifest.to_path_buf()];
        if let Ok(report) = crate::load::load(manifest) {
            files.extend(report.files().map(|f| f.path.clone()));
            for part in &report.parts {
                for place in part.data.places(part.file.text.len()) {
                    let images = place.block.map(crate::model::Block::images).unwrap_or_default();
                    files.extend(images.iter().map(|i| report.base.join(i)));
                }
            }
        }
        Inputs { folders: vec![root.join("layout"), root.join("fonts")], data: Some(data), files }
    }
}

/// File name extensions of files in the data folder that count as inputs
/// even when no manifest lists them yet (data files, layouts, fonts).
pub const DATA_EXTENSIONS: &[&str] = &["toml", "typ", "otf", "ttf", "otc", "ttc"];

/// Refuses an output path that is an input of the build, a folder, not a
/// regular file, or a symlink (unless `force`). Returns the message to print
/// (a usage error, exit code 2).
pub fn guard_output(path: &Path, inputs: &Inputs, force: bool) -> Result<(), String> {
    let shown = path.display();
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        let kind = meta.file_type();
        if kind.is_symlink() && !force {
            return Err(format!(
                "refusing to write {shown}: it is a symlink (pass --force to replace the link itself with the file)"
            ));
        }
        if kind.is_dir() {
            return Err(format!("refusing to write {shown}: it is a directory (name a file, e.g. {shown}/report.pdf)"));
        }
        if !kind.is_file() && !kind.is_symlink() {
            return Err(format!("refusing to write {shown}: it is not a regular file (a device, FIFO or socket)"));
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
        return Err(format!(
            "refusing to write {shown}: it is an input of the build (the manifest, a data file, an image, or a file \
             under layout/ or fonts/); write outputs to out/ or another folder"
        ));
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

/// Installs the SIGINT/SIGTERM handler that removes live temporary files and
/// ends the process (exit code 130), for one-shot commands.
pub fn install_cleanup() {
    // A second handler (watch installs its own) is refused; that is fine.
    let _ = ctrlc::set_handler(|| {
        remove_live_temps();
        std::process::exit(130);
    });
}

/// Removes every temporary file this process is writing now.
pub fn remove_live_temps() {
    if let Ok(live) = LIVE_TEMPS.lock() {
        for path in live.iter() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Writes `bytes` to `path` atomically, creating missing parent folders.
///
/// The file gets the usual mode (0666 less the umask: 0644 by default),
/// never the 0600 of a plain temporary file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("failed to write {} ({})", path.display(), io_reason(&e));
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    sweep_stale_temps(dir);
    let prefix = format!("{TEMP_PREFIX}{}-", std::process::id());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // open(2) applies the umask to this mode.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut temp = builder.tempfile_in(dir).map_err(fail)?;
    let temp_path = temp.path().to_path_buf();
    register(&temp_path, true);
    // No fsync: the rename alone keeps readers from ever seeing half a file,
    // and a sync per rebuild would cost `watch` tens of milliseconds.
    let result =
        temp.write_all(bytes).map_err(fail).and_then(|()| temp.persist(path).map(|_| ()).map_err(|e| fail(e.error)));
    register(&temp_path, false);
    result
}

/// Adds (`live`) or removes a temporary file from the live list.
fn register(path: &Path, live: bool) {
    if let Ok(mut temps) = LIVE_TEMPS.lock() {
        if live {
            temps.push(path.to_path_buf());
        } else {
            temps.retain(|p| p != path);
        }
    }
}

/// Removes temporary files left in `dir` by csr-press processes that no
/// longer run (killed before their rename).
pub fn sweep_stale_temps(dir: &Path) {
    // Without /proc there is no telling a dead writer from a live one.
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = temp_owner(&name.to_string_lossy()) else { continue };
        if pid != std::process::id() && !Path::new("/proc").join(pid.to_string()).exists() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The process id in a temporary file's name `.csr-press-PID-XXXXXX.tmp`.
fn temp_owner(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(TEMP_PREFIX)?.strip_suffix(".tmp")?;
    rest.split_once('-')?.0.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::temp_owner;

    #[test]
    fn temp_names_carry_the_pid() {
        assert_eq!(temp_owner(".csr-press-1234-abcDEF.tmp"), Some(1234));
        assert_eq!(temp_owner(".csr-press-abc.tmp"), None);
        assert_eq!(temp_owner("report.pdf"), None);
    }
}
