//! `csr-press watch`: builds once, then rebuilds on every change to the data,
//! the layouts, the fonts or a referenced image.
//!
//! The session (and so the Typst world and comemo's caches) stays alive, so a
//! rebuild only redoes what the change touched; a change under `fonts/`
//! starts a new session, so the new fonts are used. Events are batched;
//! editor temporary files and the output folder are ignored. A broken save
//! prints the error and keeps the last good PDF. A watched folder that is
//! replaced (renamed away and created anew, as `git checkout` or a sync tool
//! does) is watched again. `--emit-data` is written on every build.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use notify::{EventKind, RecursiveMode, Watcher};

use super::{CommandError, Failure, Outcome, Printer, guard};
use crate::args::BuildArgs;
use crate::config::{Config, FontLoading};
use crate::paths::{Cache, folder_of};
use crate::pipeline::Session;

/// How long to wait for more events after the first one of a batch.
pub const DEBOUNCE: Duration = Duration::from_millis(30);
/// Compilations a memoised result may go unused before it is evicted.
pub const EVICT_AGE: usize = 10;

/// Runs `watch` until Ctrl-C (or SIGTERM), printing a status line per
/// build through `printer`.
pub fn watch(args: &BuildArgs, printer: &Printer) -> Result<Outcome, Failure> {
    if args.all_editions {
        return Err(super::UsageError::WatchAllEditions.into());
    }
    let outputs: Vec<&Path> = std::iter::once(args.output.as_path()).chain(args.emit_data.as_deref()).collect();
    guard(&args.common, None, args.icc.as_deref(), &outputs, args.force)?;
    // A session of hours reads its fonts whole: a font file replaced in
    // place under a mapping would end it.
    let config = Config { font_loading: FontLoading::Read, ..args.config() };
    let output = config.output.clone();
    let mut session = Session::new(config.clone()).map_err(|cause| Failure::build(&output, cause))?;
    // Only the pages an edit changed are finished again.
    session.remember_pages();
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst)).map_err(CommandError::from)?;
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event| {
        let _ = tx.send(event);
    })
    .map_err(CommandError::Watcher)?;
    let ignored = ignored_dirs(&session, &output, args.emit_data.as_deref());
    let fonts = absolute(&config.root.fonts());
    let mut watched = watch_all(&mut watcher, &watched_dirs(&session), &[])?;
    rebuild(&mut session, &output, args.emit_data.as_deref(), printer);
    printer.summary(&format!("[{}] watching for changes (Ctrl-C to stop)", clock()));
    while !stop.load(Ordering::SeqCst) {
        let Ok(first) = rx.recv_timeout(Duration::from_millis(200)) else { continue };
        let mut events = vec![first];
        // Batch: an editor's save is often several events.
        while let Ok(more) = rx.recv_timeout(DEBOUNCE) {
            events.push(more);
        }
        // A read (an access event, as every build makes of the fonts and
        // the data) changes nothing.
        events.retain(|e| !e.as_ref().is_ok_and(|e| matches!(e.kind, EventKind::Access(_))));
        let dirs: Vec<PathBuf> = watched.iter().map(|w| w.path.clone()).collect();
        let replaced = watched.iter().any(|w| identity(&w.path) != w.identity);
        if replaced {
            // The folder at a watched path is a new one: watch it instead.
            match watch_all(&mut watcher, &dirs, &watched) {
                Ok(now) => watched = now,
                Err(error) => printer.error(&error),
            }
        }
        let relevant = replaced || events.iter().any(|e| is_relevant(e, &ignored, &dirs));
        if !relevant {
            continue;
        }
        if events.iter().flatten().flat_map(|e| &e.paths).any(|p| p.starts_with(&fonts)) {
            // Fonts live in the world: a new session loads the new set.
            match Session::new(config.clone()) {
                Ok(fresh) => {
                    session = fresh;
                    session.remember_pages();
                }
                Err(cause) => {
                    printer.build_error(&cause);
                    printer.summary(&format!("[{}] build failed; kept the last good {}", clock(), output.display()));
                    continue;
                }
            }
        }
        rebuild(&mut session, &output, args.emit_data.as_deref(), printer);
        session.evict(EVICT_AGE);
    }
    Ok(Outcome { summary: format!("[{}] stopped", clock()), ..Outcome::default() })
}

/// A watched folder and the identity (device, inode) it had when watched.
struct Watched {
    path: PathBuf,
    identity: Option<(u64, u64)>,
}

/// The identity of the folder at `path` now, `None` if there is none.
fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// Watches every folder recursively and its parent non-recursively (so a
/// replaced folder is noticed), dropping the watches of `old` first.
fn watch_all(watcher: &mut impl Watcher, dirs: &[PathBuf], old: &[Watched]) -> Result<Vec<Watched>, CommandError> {
    for w in old {
        let _ = watcher.unwatch(&w.path);
        if let Some(parent) = w.path.parent() {
            let _ = watcher.unwatch(parent);
        }
    }
    let mut out = Vec::new();
    for dir in dirs {
        let identity = identity(dir);
        if identity.is_some() {
            watcher
                .watch(dir, RecursiveMode::Recursive)
                .map_err(|source| CommandError::Watch { dir: dir.clone(), source })?;
        }
        if let Some(parent) = dir.parent() {
            let _ = watcher.watch(parent, RecursiveMode::NonRecursive);
        }
        out.push(Watched { path: dir.clone(), identity });
    }
    Ok(out)
}

/// Reads the report and builds (and writes `--emit-data`), printing one
/// timestamped status line (plus errors on failure).
fn rebuild(session: &mut Session, output: &Path, emit: Option<&Path>, printer: &Printer) {
    let result = session.load().and_then(|loaded| session.build_emitting(loaded, emit));
    match result {
        Ok(finished) => {
            printer.diagnostics(&finished.diagnostics);
            printer.summary(&format!("[{}] {}", clock(), finished.summary(output)));
        }
        Err(cause) => {
            printer.build_error(&cause);
            printer.summary(&format!("[{}] build failed; kept the last good {}", clock(), output.display()));
        }
    }
}

/// The folders whose changes trigger a rebuild: the data folder, the
/// layouts, the fonts and the root's themes.
fn watched_dirs(session: &Session) -> Vec<PathBuf> {
    let config = &session.config;
    let data = folder_of(&config.manifest);
    let mut dirs = vec![absolute(data), absolute(&config.root.layout()), absolute(&config.root.fonts())];
    dirs.extend(Some(config.root.themes()).filter(|d| d.is_dir()).map(|d| absolute(&d)));
    dirs.sort();
    dirs.dedup();
    // A folder inside another watched one is covered already.
    let all = dirs.clone();
    dirs.retain(|d| !all.iter().any(|o| o != d && d.starts_with(o)));
    dirs
}

/// What the build itself writes: the PDF, `--emit-data` (which may lie in
/// the data folder: a write of it must not start the next build), the image
/// cache, and the root's `out/` and `target/` folders (unless the data lives
/// there).
fn ignored_dirs(session: &Session, output: &Path, emit: Option<&Path>) -> Vec<PathBuf> {
    let data = absolute(folder_of(&session.config.manifest));
    let cache = absolute(&session.config.root.cache(Cache::Images));
    let written = |file: &Path| absolute(folder_of(file)).join(file.file_name().unwrap_or_default());
    let mut ignored = vec![written(output), cache];
    ignored.extend(emit.map(written));
    for dir in ["out", "target"] {
        let dir = absolute(&session.config.root.dir().join(dir));
        if !data.starts_with(&dir) {
            ignored.push(dir);
        }
    }
    ignored
}

/// The canonical path, or the absolute one for a path that does not exist.
fn absolute(path: &Path) -> PathBuf {
    path.canonicalize().or_else(|_| std::path::absolute(path)).unwrap_or_else(|_| path.to_path_buf())
}

/// Whether an event concerns a file we read (not output, not editor junk):
/// a path inside a watched folder (events from a parent folder count only
/// for the watched folder itself).
fn is_relevant(event: &notify::Result<notify::Event>, ignored: &[PathBuf], dirs: &[PathBuf]) -> bool {
    let Ok(event) = event else { return false };
    event.paths.iter().any(|p| {
        let own_temp = p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(crate::write::TEMP_PREFIX));
        dirs.iter().any(|d| p.starts_with(d))
            && !ignored.iter().any(|i| p.starts_with(i))
            && !is_editor_temp(p)
            && !own_temp
            // A folder the build creates on the way to what it writes (`out/`).
            && !ignored.iter().any(|i| i != p && i.starts_with(p))
    })
}

/// Editor swap, backup and temporary files.
pub fn is_editor_temp(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.starts_with(".#")
        || name.starts_with(".csr-press-")
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name == "4913"
        || name.starts_with(".~lock.") // LibreOffice's lock beside an open spreadsheet
        || name.starts_with("~$") // Excel's
        || (name.starts_with('#') && name.ends_with('#'))
}

/// The wall-clock time of day, UTC, as `HH:MM:SS`.
fn clock() -> String {
    let now = time::OffsetDateTime::now_utc().time();
    format!("{:02}:{:02}:{:02}", now.hour(), now.minute(), now.second())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::is_editor_temp;

    #[test]
    fn editor_temp_files_are_ignored() {
        for name in [
            "a.toml~",
            ".a.toml.swp",
            "4913",
            ".#a.toml",
            "#a.toml#",
            ".csr-press-x.tmp",
            ".~lock.环境.xlsx#",
            "~$环境.xlsx",
        ] {
            assert!(is_editor_temp(Path::new(name)), "{name}");
        }
        assert!(!is_editor_temp(Path::new("data/parts/08-smart.toml")));
    }
}
