//! Writes files atomically: a temporary file beside the target, then a
//! rename, so a reader never sees half a PDF and a failed build never
//! touches the last good one. A leaf every stage may use (the image and
//! copyfit caches, the PDF, the change record).
//!
//! Temporary files carry the process id in their name; they are removed on
//! failure, on SIGINT/SIGTERM ([`install_cleanup`]), and by the next run
//! when the process that made them was killed. Which outputs may be written
//! at all is the output guard's business (`guard`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::paths::io_reason;

/// The prefix of every temporary file csr-press writes.
pub const TEMP_PREFIX: &str = ".csr-press-";

/// A file that could not be written.
#[derive(Debug, thiserror::Error)]
#[error("failed to write {} ({})", .path.display(), io_reason(.source))]
pub struct WriteError {
    /// The file.
    pub path: PathBuf,
    /// Why.
    pub source: std::io::Error,
}

/// Temporary files being written now, removed if a signal ends the process.
static LIVE_TEMPS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

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
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let fail = |source: std::io::Error| WriteError { path: path.to_path_buf(), source };
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
