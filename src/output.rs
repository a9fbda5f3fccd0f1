//! Stage 6: writes files atomically: a temporary file beside the target,
//! then a rename, so a reader never sees half a PDF and a failed build never
//! touches the last good one.

use std::io::Write;
use std::path::Path;

use crate::load::io_reason;

/// Writes `bytes` to `path` atomically, creating missing parent folders.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("failed to write {} ({})", path.display(), io_reason(&e));
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let mut temp = tempfile::Builder::new().prefix(".csr-press-").suffix(".tmp").tempfile_in(dir).map_err(fail)?;
    // No fsync: the rename alone keeps readers from ever seeing half a file,
    // and a sync per rebuild would cost `watch` tens of milliseconds.
    temp.write_all(bytes).map_err(fail)?;
    temp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}
