//! Variants of the stress fixture for planted-defect tests: a project root
//! in a temporary folder with edited data or an edited copy of the layouts,
//! `check`/`build` run on it, and its findings by class.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::{Reader, copy_dir, repo, stderr};

/// Links the (large, read-only) fonts folder where the platform can, else copies it.
pub fn link_or_copy(from: &Path, to: &Path) {
    #[cfg(unix)]
    if std::os::unix::fs::symlink(from, to).is_ok() {
        return;
    }
    copy_dir(from, to);
}

/// A project root in a temporary folder: the stress data with `data_edits`
/// applied, a copy of the layouts with `layout_edits` applied (each a file,
/// a text and its replacement), and the repository's themes and fonts.
pub fn variant(layout_edits: &[(&str, &str, &str)], data_edits: &[(&str, &str, &str)]) -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("a temporary folder");
    copy_dir(&repo().join("tests/fixtures/stress"), root.path());
    copy_dir(&repo().join("layout"), &root.path().join("layout"));
    copy_dir(&repo().join("themes"), &root.path().join("themes"));
    link_or_copy(&repo().join("fonts"), &root.path().join("fonts"));
    for (folder, edits) in [("layout", layout_edits), ("", data_edits)] {
        for (file, from, to) in edits {
            let path = root.path().join(folder).join(file);
            let text = std::fs::read_to_string(&path).expect("read a file to edit");
            assert!(text.contains(from), "{file} does not contain {from:?}: the variant would plant nothing");
            std::fs::write(&path, text.replacen(from, to, 1)).expect("write an edited file");
        }
    }
    root
}

/// Runs `csr-press ARGS MANIFEST --root ROOT` on a variant.
pub fn press(root: &Path, args: &[&str]) -> Output {
    Command::new(program())
        .args(args)
        .arg(root.join("report.toml"))
        .arg("--root")
        .arg(root)
        .args(["--diagnostic-format", "short"])
        .output()
        .expect("run csr-press")
}

/// Builds a variant with `--strict` into its `out.pdf`, asserts that the
/// build passes, and opens the PDF.
pub fn build_strict(root: &Path) -> Reader {
    let pdf = root.join("out.pdf");
    let out = press(root, &["build", "--strict", "-o", pdf.to_str().expect("a path")]);
    assert!(out.status.success(), "{}", stderr(&out));
    Reader::open(&pdf)
}

/// Checks a variant with `--strict`, asserts that the check passes, and
/// gives what it printed.
pub fn check_strict(root: &Path) -> Output {
    let out = press(root, &["check", "--strict"]);
    assert!(out.status.success(), "{}", stderr(&out));
    out
}

/// The program under test: the crate's binary, or `CSR_PRESS_BIN` when set
/// (a copy taken from a target folder other builds write to).
pub fn program() -> PathBuf {
    std::env::var_os("CSR_PRESS_BIN").map_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_csr-press")), PathBuf::from)
}

/// Asserts that the stress fixture as it is checks clean under `--strict`
/// and reports no finding, not even a note, of any of `classes`.
pub fn assert_stress_clean(classes: &[&str]) {
    let root = variant(&[], &[]);
    let out = check_strict(root.path());
    for class in classes {
        assert!(findings(&out, class).is_empty(), "{}", stderr(&out));
    }
}

/// The findings of one class: lines ending in `[class]`.
pub fn findings(out: &Output, class: &str) -> Vec<String> {
    let tag = format!("[{class}]");
    stderr(out).lines().filter(|l| l.ends_with(&tag)).map(str::to_owned).collect()
}

/// Checks a variant and asserts that a finding of `class` is reported on
/// `page` (any page when `None`), located at a line of `file`, and that
/// `check --strict` fails. Returns the findings of the class.
pub fn assert_found(root: &Path, class: &str, page: Option<usize>, file: &str) -> Vec<String> {
    let out = press(root, &["check"]);
    let found = findings(&out, class);
    assert!(!found.is_empty(), "no [{class}] finding:\n{}", stderr(&out));
    let on_page = |l: &&String| match page {
        Some(p) => l.contains(&format!(": page {p}: ")),
        None => l.split(": page ").nth(1).is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit())),
    };
    let located = found.iter().filter(on_page).find(|l| {
        let after = l.split(file).nth(1).unwrap_or("");
        after.starts_with(':') && after[1..].starts_with(|c: char| c.is_ascii_digit())
    });
    assert!(located.is_some(), "no [{class}] finding on page {page:?} located in {file}:\n{}", found.join("\n"));
    let strict = press(root, &["check", "--strict"]);
    assert!(!strict.status.success(), "[{class}] did not fail --strict:\n{}", stderr(&strict));
    found
}

/// Layout edits that set titles and headings as the line breaker alone
/// would (titles.typ): no clause break, no balancing, no runt-free end.
pub const UNBALANCED_TITLES: [(&str, &str, &str); 3] = [
    ("titles.typ", "let line = plain(lead + style(runt-free(body)))", "let line = plain(lead + style(body))"),
    ("titles.typ", "for _ in range(9) {", "for _ in range(0) {"),
    ("titles.typ", "if splits.len() > 0 {", "if false {"),
];
