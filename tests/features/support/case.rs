//! A prepared copy of the `mini` fixture with a good PDF built, and the
//! assertions every bad-input case makes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Mutex;

use super::*;

/// Every regular file under `dir` (symlinks as their target path), by path.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else { continue };
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_symlink() {
                let target = std::fs::read_link(&path).unwrap_or_default();
                out.insert(path, target.to_string_lossy().as_bytes().to_vec());
            } else if kind.is_file() {
                out.insert(path.clone(), std::fs::read(&path).unwrap_or_default());
            } else {
                out.insert(path, b"<special>".to_vec());
            }
        }
    }
    out
}

/// A prepared copy of the fixture with a good PDF already built.
pub struct Case {
    /// The fixture copy (the data folder).
    pub dir: tempfile::TempDir,
    /// The PDF built from the unbroken fixture.
    pub pdf: PathBuf,
    /// Its bytes.
    pub good: Vec<u8>,
    /// Every file of the fixture copy before the run under test.
    pub before: Mutex<BTreeMap<PathBuf, Vec<u8>>>,
}

impl Case {
    pub fn new() -> Self {
        let dir = fixture("mini");
        let pdf = dir.path().join("out/report.pdf");
        let out = build(&dir.path().join("report.toml"), &pdf, &[]);
        assert!(out.status.success(), "{}", stderr(&out));
        let good = std::fs::read(&pdf).expect("good pdf");
        let before = Mutex::new(snapshot(dir.path()));
        Case { dir, pdf, good, before }
    }

    /// Takes a new snapshot after the test's own edits, so `failed` can
    /// tell that the run under test touched nothing (`fails` does this
    /// itself; call it before running a command passed to `failed`).
    pub fn settle(&self) {
        *self.before.lock().expect("lock") = snapshot(self.dir.path());
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) {
        std::fs::write(self.path(rel), text).expect("write");
    }

    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = std::fs::read_to_string(self.path(rel)).expect("read");
        assert!(text.contains(from), "{from:?} not in {rel}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    /// Adds fields to the fixture's placeholder figure (line 65 of
    /// `parts/chapter.toml`; the first added field is on line 66).
    pub fn figure(&self, fields: &str) {
        self.edit(
            "parts/chapter.toml",
            "caption = \"5G 基站建设现场\"",
            &format!("caption = \"5G 基站建设现场\"\n{fields}"),
        );
    }

    pub fn append(&self, rel: &str, text: &str) {
        let old = std::fs::read_to_string(self.path(rel)).expect("read");
        self.write(rel, &(old + text));
    }

    pub fn build_with(&self, extra: &[&str]) -> Output {
        let mut args = vec!["--diagnostic-format", "short"];
        args.extend_from_slice(extra);
        build(&self.path("report.toml"), &self.pdf, &args)
    }

    /// Builds and asserts a failure with every expected fragment, no panic,
    /// and the old PDF byte-for-byte untouched.
    pub fn fails(&self, expected: &[&str]) -> String {
        self.fails_with(&[], expected)
    }

    pub fn fails_with(&self, extra: &[&str], expected: &[&str]) -> String {
        self.settle();
        let out = self.build_with(extra);
        self.failed(out, expected)
    }

    /// Asserts a failed run as `fails` does.
    pub fn failed(&self, out: Output, expected: &[&str]) -> String {
        self.failed_code(out, 1, expected)
    }

    /// Asserts a failed run with exit code `code`: the expected fragments,
    /// no panic, the old PDF untouched and no other file of the fixture
    /// changed, added or removed (the snapshot of the last `settle`).
    pub fn failed_code(&self, out: Output, code: i32, expected: &[&str]) -> String {
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(code), "expected exit {code}:\n{err}");
        assert!(!err.contains("panicked"), "panic:\n{err}");
        for e in expected {
            assert!(err.contains(e), "expected {e:?} in:\n{err}");
        }
        assert!(std::fs::read(&self.pdf).expect("pdf") == self.good, "the previous PDF was touched");
        let after = snapshot(self.dir.path());
        let before = self.before.lock().expect("lock");
        let changed: Vec<_> = before.keys().chain(after.keys()).filter(|p| before.get(*p) != after.get(*p)).collect();
        assert!(changed.is_empty(), "a failed run changed files: {changed:?}");
        err
    }

    /// Builds with another root (layouts and fonts).
    pub fn build_in(&self, root: &Path) -> Output {
        self.build_into(root, &self.pdf)
    }

    /// Builds with another root into `out`.
    pub fn build_into(&self, root: &Path, out: &Path) -> Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_csr-press"))
            .args(["build", self.path("report.toml").to_str().expect("utf-8"), "-o", out.to_str().expect("utf-8")])
            .args(["--diagnostic-format", "short", "--root"])
            .arg(root)
            .output()
            .expect("run csr-press")
    }

    /// Builds and asserts success without a panic.
    pub fn succeeds(&self) -> Output {
        let out = self.build_with(&[]);
        assert!(out.status.success(), "expected success:\n{}", stderr(&out));
        out
    }
}

/// A root with the repository's layouts and themes and a font folder made by `fonts`.
pub fn root_with(fonts: impl FnOnce(&Path)) -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("temp dir");
    copy_dir(&repo().join("layout"), &root.path().join("layout"));
    copy_dir(&repo().join("themes"), &root.path().join("themes"));
    fonts(&root.path().join("fonts"));
    root
}

/// A root with copies of the repository's layouts and fonts (to break).
pub fn root_copy() -> tempfile::TempDir {
    root_with(|f| copy_dir(&repo().join("fonts"), f))
}
