//! Helpers shared by the tests: run the real binary on a copy of a fixture
//! (the only program a test runs), read the PDFs it writes (`pdf`, in Rust),
//! and reach the library (`press`, the one place that names its paths).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub mod case;
pub mod icc;
pub mod pdf;
pub mod png;
pub mod press;
pub mod variant;
pub mod watch;

pub use pdf::{
    PageBoxes, Reader, decode_qr, page_boxes, pdf_fonts, pdf_images, pdf_info, pdf_pages, pdf_text, pdf_text_by_column,
};
pub use press::tag_carriers;

/// The repository root (holds layout/ and fonts/).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies a fixture folder into a fresh temporary folder.
pub fn fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&repo().join("tests/fixtures").join(name), dir.path());
    dir
}

/// Copies a folder recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Edits a file in place: replaces the first `from` with `to`.
pub fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{from:?} not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

/// Runs `csr-press` with the repository as root.
pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_csr-press")).args(args).arg("--root").arg(repo()).output().expect("run csr-press")
}

/// Builds `manifest` into `out`, returning the process output.
pub fn build(manifest: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["build", manifest.to_str().expect("utf-8 path"), "-o", out.to_str().expect("utf-8 path")];
    args.extend_from_slice(extra);
    run(&args)
}

/// Standard error as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Standard output as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Text with all whitespace removed.
pub fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The pages an index page prints for `code`: finds the line on which the
/// code stands as a word (layout mode; two index columns may share a line)
/// and parses the page list after it, up to the next code.
pub fn index_pages(pdf: &Path, page: usize, code: &str) -> Option<Vec<usize>> {
    let text = Reader::open(pdf).layout_text(page);
    let is_code = |w: &str| {
        let mut chars = w.chars();
        chars.next().is_some_and(|c| c.is_ascii_uppercase()) && w.chars().any(|c| c.is_ascii_digit()) && w.is_ascii()
    };
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        for (i, w) in words.iter().enumerate() {
            if *w != code {
                continue;
            }
            let rest = &words[i + 1..];
            let end = rest.iter().position(|w| is_code(w)).unwrap_or(rest.len());
            // The first page list after the name: on a two-column index page
            // the other column's row (a numeric code, its pages) may follow
            // on the same line; a number in the name is no page of the PDF.
            let count = pdf::pdf_pages(pdf);
            let in_pdf = |pages: &Vec<usize>| pages.iter().all(|&p| (1..=count).contains(&p));
            if let Some(pages) = rest[..end].iter().find_map(|w| parse_ranges(w).filter(in_pdf)) {
                return Some(pages);
            }
        }
    }
    None
}

/// Parses `25-27，62` into pages; `None` if the word is not a page list.
pub fn parse_ranges(word: &str) -> Option<Vec<usize>> {
    let mut pages = Vec::new();
    // A list wrapped in its cell ends in `，` on this line: keep what is here.
    for part in word.split('，').filter(|p| !p.is_empty()) {
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        let (a, b): (usize, usize) = (a.parse().ok()?, b.parse().ok()?);
        pages.extend(a..=b);
    }
    (!pages.is_empty()).then_some(pages)
}

/// Waits for a line of the watch process that contains `needle`.
pub fn wait_for(lines: &std::sync::mpsc::Receiver<String>, needle: &str) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return line,
            Ok(_) => continue,
            Err(_) => panic!("watch printed no line with {needle:?} in time"),
        }
    }
}

/// Runs `csr-press watch` on `manifest` while `body` reads its status lines,
/// then stops it; a panic in `body` fails the test after the process is gone.
pub fn with_watch(
    manifest: &Path,
    pdf: &Path,
    body: impl FnOnce(&std::sync::mpsc::Receiver<String>) + std::panic::UnwindSafe,
) {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_csr-press"))
        .args(["watch", manifest.to_str().expect("utf-8 path"), "-o", pdf.to_str().expect("utf-8 path"), "--root"])
        .arg(repo())
        // Stage times on the status lines, for tests that count compositions.
        .env("CSR_PRESS_TIMINGS", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn watch");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let result = std::panic::catch_unwind(|| body(&rx));
    let _ = child.kill();
    let _ = child.wait();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

/// Makes a FIFO (named pipe) at `path`, as `mkfifo` does.
pub fn make_fifo(path: &Path) {
    rustix::fs::mkfifoat(rustix::fs::CWD, path, rustix::fs::Mode::from_raw_mode(0o644))
        .unwrap_or_else(|e| panic!("mkfifo {}: {e}", path.display()));
}

/// Sends `SIGINT` or `SIGTERM` to a child process, as `kill -INT` does.
pub fn interrupt(child: &std::process::Child, terminate: bool) {
    use nix::sys::signal::{Signal, kill};
    let signal = if terminate { Signal::SIGTERM } else { Signal::SIGINT };
    let pid = i32::try_from(child.id()).expect("a pid");
    // The child may have finished already: then there is nothing to stop.
    let _ = kill(nix::unistd::Pid::from_raw(pid), signal);
}

/// The process's file-creation mask (the `Umask:` line the kernel shows
/// for it), which the binary, started from here, inherits.
pub fn umask() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status.lines().find_map(|l| l.strip_prefix("Umask:")).expect("an Umask line");
    u32::from_str_radix(line.trim(), 8).expect("an octal umask")
}
