//! `watch` under hostile conditions (issue 12, defect 10): fonts replaced,
//! the data folder replaced as `git checkout` or a sync tool does, and
//! `--emit-data` written on every build.

#![allow(clippy::unwrap_used)] // a test that cannot set up should panic

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::*;

/// A running `watch` and the lines it prints.
struct Watch {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Watch {
    fn start(manifest: &Path, pdf: &Path, root: &Path, extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_csr-press"))
            .args(["watch", manifest.to_str().unwrap(), "-o", pdf.to_str().unwrap(), "--root"])
            .arg(root)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn watch");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let watch = Watch { child, lines };
        watch.wait_for("watching for changes");
        watch
    }

    /// Waits for a line containing `needle` (a generous limit only so a
    /// broken watch fails the test instead of hanging it).
    fn wait_for(&self, needle: &str) -> String {
        loop {
            match self.lines.recv_timeout(Duration::from_secs(120)) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => continue,
                Err(_) => panic!("watch printed no line with {needle:?}"),
            }
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Edits a file in place.
fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{from:?} not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

#[test]
fn watch_writes_emit_data_on_every_build() {
    let dir = fixture("mini");
    let json = dir.path().join("out/data.json");
    let pdf = dir.path().join("out/report.pdf");
    let watch = Watch::start(&dir.path().join("report.toml"), &pdf, &repo(), &["--emit-data", json.to_str().unwrap()]);
    assert!(std::fs::read_to_string(&json).expect("emitted JSON").contains("1,400+"));
    edit(&dir.path().join("parts/numbers.toml"), "\"1,400+\"", "\"2,468+\"");
    watch.wait_for("built");
    assert!(std::fs::read_to_string(&json).unwrap().contains("2,468+"), "--emit-data not rewritten");
}

#[test]
fn watch_survives_a_replaced_data_folder() {
    let project = tempfile::tempdir().unwrap();
    let data = project.path().join("data");
    copy_dir(&repo().join("tests/fixtures/mini"), &data);
    let pdf = project.path().join("out/report.pdf");
    let watch = Watch::start(&data.join("report.toml"), &pdf, &repo(), &[]);
    // A new folder is prepared beside it and swapped in by renames.
    let fresh = project.path().join("data.new");
    copy_dir(&data, &fresh);
    edit(&fresh.join("parts/numbers.toml"), "\"1,400+\"", "\"9,876+\"");
    std::fs::rename(&data, project.path().join("data.old")).unwrap();
    std::fs::rename(&fresh, &data).unwrap();
    watch.wait_for("built");
    // And the new folder is watched: a later edit is built too.
    edit(&data.join("parts/numbers.toml"), "\"9,876+\"", "\"5,432+\"");
    let mut text = String::new();
    for _ in 0..5 {
        watch.wait_for("built");
        text = squash(&pdf_text(&pdf, 0));
        if text.contains("5,432+") {
            break;
        }
    }
    assert!(text.contains("5,432+"), "the edit in the new data folder was not built");
}

#[test]
fn watch_reloads_fonts_when_fonts_change() {
    let dir = fixture("mini");
    let root = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("layout"), &root.path().join("layout"));
    copy_dir(&repo().join("fonts"), &root.path().join("fonts"));
    let pdf = dir.path().join("out/report.pdf");
    let watch = Watch::start(&dir.path().join("report.toml"), &pdf, root.path(), &[]);
    let fonts = poppler("pdffonts", &[pdf.to_str().unwrap()]);
    assert!(fonts.contains("NotoSansCJK"), "{fonts}");
    for entry in std::fs::read_dir(root.path().join("fonts")).unwrap().flatten() {
        if entry.file_name().to_string_lossy().starts_with("NotoSans") {
            std::fs::remove_file(entry.path()).unwrap();
        }
    }
    let mut fonts = String::new();
    for _ in 0..5 {
        watch.wait_for("built");
        fonts = poppler("pdffonts", &[pdf.to_str().unwrap()]);
        if !fonts.contains("NotoSansCJK") {
            break;
        }
    }
    assert!(!fonts.contains("NotoSansCJK"), "watch kept the removed fonts:\n{fonts}");
}
