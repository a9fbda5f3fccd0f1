//! Helpers shared by the integration tests: run the real binary on a copy
//! of a fixture, and read PDFs with poppler-utils.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub mod case;
pub mod png;
pub mod watch;

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

/// Runs a poppler tool and returns its standard output.
pub fn poppler(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} is needed for this test (apt-get install poppler-utils): {e}"));
    assert!(out.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The text of one page (1-based), or of the whole PDF with `page = 0`.
pub fn pdf_text(pdf: &Path, page: usize) -> String {
    let p = pdf.to_str().expect("utf-8 path");
    if page == 0 {
        poppler("pdftotext", &["-enc", "UTF-8", p, "-"])
    } else {
        let n = page.to_string();
        poppler("pdftotext", &["-enc", "UTF-8", "-f", &n, "-l", &n, p, "-"])
    }
}

/// The number of pages.
pub fn pdf_pages(pdf: &Path) -> usize {
    let info = poppler("pdfinfo", &[pdf.to_str().expect("utf-8 path")]);
    info.lines().find_map(|l| l.strip_prefix("Pages:")).and_then(|v| v.trim().parse().ok()).expect("page count")
}

/// Text with all whitespace removed.
pub fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The pages an index page prints for `code`: finds the line on which the
/// code stands as a word (layout mode; two index columns may share a line)
/// and parses the page list after it, up to the next code.
pub fn index_pages(pdf: &Path, page: usize, code: &str) -> Option<Vec<usize>> {
    let n = page.to_string();
    let text = poppler("pdftotext", &["-layout", "-enc", "UTF-8", "-f", &n, "-l", &n, pdf.to_str()?, "-"]);
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
            if let Some(pages) = rest[..end].iter().rev().find_map(|w| parse_ranges(w)) {
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

/// Lays out the full report in-process (print profile, repository fonts).
pub fn full_report_document() -> typst_layout::PagedDocument {
    use csr_press::diag::DiagnosticFormat;
    let config = csr_press::pipeline::Config {
        manifest: repo().join("data/report.toml"),
        root: repo(),
        output: repo().join("out/unused.pdf"),
        profile: csr_press::resolve::Profile::Print,
        marks: false,
        system_fonts: false,
        format: DiagnosticFormat::Short,
        strict: false,
        print: Default::default(),
    };
    let mut session =
        csr_press::pipeline::Session::new(config).unwrap_or_else(|f| panic!("{}", f.render(DiagnosticFormat::Short)));
    session.layout().unwrap_or_else(|f| panic!("{}", f.render(DiagnosticFormat::Short))).0
}

/// The plain text of each page of a laid-out document, in frame order.
pub fn page_texts(doc: &typst_layout::PagedDocument) -> Vec<String> {
    fn walk(frame: &typst::layout::Frame, out: &mut String) {
        for (_, item) in frame.items() {
            match item {
                typst::layout::FrameItem::Group(g) => walk(&g.frame, out),
                typst::layout::FrameItem::Text(t) => out.push_str(&t.text),
                _ => {}
            }
        }
    }
    doc.pages()
        .iter()
        .map(|p| {
            let mut s = String::new();
            walk(&p.frame, &mut s);
            s
        })
        .collect()
}

/// The text of one page in reading order for a two-column page: the left
/// half, then the right half (pdftotext alone interleaves the columns
/// where boxes and grids confuse its reading-order guess). `layout` keeps
/// the physical layout of each half (for reading table rows).
pub fn pdf_text_by_column(pdf: &Path, page: usize, layout: bool) -> String {
    let n = page.to_string();
    let path = pdf.to_str().expect("utf-8 path");
    let info = poppler("pdfinfo", &["-box", "-f", &n, "-l", &n, path]);
    let media: Vec<f64> = info
        .lines()
        .find_map(|l| l.split_once("MediaBox:"))
        .map(|(_, v)| v.split_whitespace().filter_map(|w| w.parse().ok()).collect())
        .unwrap_or_default();
    let (w, h) = (media.get(2).copied().unwrap_or(612.0), media.get(3).copied().unwrap_or(859.0));
    let (half, height) = (((w / 2.0).round() as i64).to_string(), (h.ceil() as i64).to_string());
    let mut text = String::new();
    for x in ["0", half.as_str()] {
        let mut args = vec!["-enc", "UTF-8", "-f", &n, "-l", &n, "-x", x, "-y", "0", "-W", &half, "-H", &height];
        if layout {
            args.push("-layout");
        }
        args.extend([path, "-"]);
        text.push_str(&poppler("pdftotext", &args));
    }
    text
}

/// Where each disclosure tag is carried: `(tag, needle)`, the needle being
/// the first six characters of the place's heading or first text (places
/// whose needle has fewer than four Han characters are left out).
pub fn tag_carriers(report: &csr_press::load::Report) -> Vec<(String, String)> {
    let mut carriers = Vec::new();
    for part in &report.parts {
        for place in part.data.places(part.file.text.len()) {
            let text = place
                .heading
                .map(str::to_owned)
                .or_else(|| place.block.and_then(|b| b.texts().first().map(|s| s.to_string())));
            let Some(text) = text else { continue };
            let needle: String = squash(&text).chars().take(6).collect();
            if needle.chars().filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c)).count() < 4 {
                continue;
            }
            for tag in place.disclosures {
                carriers.push((tag.to_owned(), needle.clone()));
            }
        }
    }
    carriers
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
