//! `csr-press watch`: builds once, then rebuilds on every change to the data,
//! the layouts, the fonts or a referenced image.
//!
//! The session (and so the Typst world and comemo's caches) stays alive, so a
//! rebuild only redoes what the change touched. Events are batched; editor
//! temporary files and the output folder are ignored. A broken save prints
//! the error and keeps the last good PDF.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use notify::{EventKind, RecursiveMode, Watcher};

use crate::args::BuildArgs;
use crate::exit::{EXIT_ERRORS, fail};
use crate::pipeline::Session;

/// How long to wait for more events after the first one of a batch.
pub const DEBOUNCE: Duration = Duration::from_millis(30);
/// Compilations a memoised result may go unused before it is evicted.
pub const EVICT_AGE: usize = 10;

/// Runs `watch` until Ctrl-C.
pub fn watch(args: &BuildArgs) -> ExitCode {
    let config = args.config();
    let format = config.format;
    let output = config.output.clone();
    let mut session = match Session::new(config) {
        Ok(session) => session,
        Err(failure) => return fail(&failure, format, &output),
    };
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    if let Err(e) = ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst)) {
        eprintln!("error: cannot install the Ctrl-C handler ({e})");
        return ExitCode::from(EXIT_ERRORS);
    }
    let (tx, rx) = mpsc::channel();
    let mut watcher = match notify::recommended_watcher(move |event| {
        let _ = tx.send(event);
    }) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: cannot watch files ({e})");
            return ExitCode::from(EXIT_ERRORS);
        }
    };
    let ignored = ignored_dirs(&session, &output);
    for dir in watched_dirs(&session) {
        if let Err(e) = watcher.watch(&dir, RecursiveMode::Recursive) {
            eprintln!("error: cannot watch {} ({e})", dir.display());
            return ExitCode::from(EXIT_ERRORS);
        }
    }
    rebuild(&mut session, &output);
    println!("[{}] watching for changes (Ctrl-C to stop)", clock());
    while !stop.load(Ordering::SeqCst) {
        let Ok(first) = rx.recv_timeout(Duration::from_millis(200)) else { continue };
        let mut relevant = is_relevant(&first, &ignored);
        // Batch: an editor's save is often several events.
        while let Ok(more) = rx.recv_timeout(DEBOUNCE) {
            relevant |= is_relevant(&more, &ignored);
        }
        if relevant {
            rebuild(&mut session, &output);
            session.evict(EVICT_AGE);
        }
    }
    println!("[{}] stopped", clock());
    ExitCode::SUCCESS
}

/// Builds and prints one timestamped status line (plus errors on failure).
fn rebuild(session: &mut Session, output: &Path) {
    match session.build() {
        Ok(outcome) => {
            eprint!("{}", outcome.warnings);
            println!("[{}] {}", clock(), outcome.summary(output));
        }
        Err(failure) => {
            eprint!("{}", failure.render(session.config.format));
            println!("[{}] build failed; kept the last good {}", clock(), output.display());
        }
    }
}

/// The folders whose changes trigger a rebuild: the data folder, the
/// layouts, the fonts and the root's themes.
fn watched_dirs(session: &Session) -> Vec<PathBuf> {
    let config = &session.config;
    let data = config.manifest.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut dirs = vec![absolute(data), absolute(&config.root.join("layout")), absolute(&config.root.join("fonts"))];
    dirs.extend(Some(config.root.join(crate::theme::THEMES_DIR)).filter(|d| d.is_dir()).map(|d| absolute(&d)));
    dirs.sort();
    dirs.dedup();
    // A folder inside another watched one is covered already.
    let all = dirs.clone();
    dirs.retain(|d| !all.iter().any(|o| o != d && d.starts_with(o)));
    dirs
}

/// What the build itself writes: the PDF, the image cache beside it, and the
/// root's `out/` and `target/` folders (unless the data lives there).
fn ignored_dirs(session: &Session, output: &Path) -> Vec<PathBuf> {
    let out = output.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let data =
        absolute(session.config.manifest.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")));
    let mut ignored = vec![absolute(out).join(output.file_name().unwrap_or_default()), absolute(out).join(".cache")];
    for dir in ["out", "target"] {
        let dir = absolute(&session.config.root.join(dir));
        if !data.starts_with(&dir) {
            ignored.push(dir);
        }
    }
    ignored
}

fn absolute(path: &Path) -> PathBuf {
    path.canonicalize().or_else(|_| std::path::absolute(path)).unwrap_or_else(|_| path.to_path_buf())
}

/// Whether an event concerns a file we read (not output, not editor junk).
fn is_relevant(event: &notify::Result<notify::Event>, ignored: &[PathBuf]) -> bool {
    let Ok(event) = event else { return false };
    if matches!(event.kind, EventKind::Access(_)) {
        return false;
    }
    event.paths.iter().any(|p| !ignored.iter().any(|i| p.starts_with(i)) && !is_editor_temp(p))
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
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0) % 86_400;
    format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
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
