//! `watch` under hostile conditions (issue 12, defect 10): fonts replaced,
//! the data folder replaced as `git checkout` or a sync tool does, and
//! `--emit-data` written on every build.

#![allow(clippy::unwrap_used)] // a test that cannot set up should panic

mod common;

use common::case::root_copy;
use common::watch::Watch;
use common::*;

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
    let root = root_copy();
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
