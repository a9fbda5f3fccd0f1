//! `watch`: it rebuilds after an edit and keeps the last good PDF through a
//! broken save; under hostile conditions (issue 12, defect 10) it survives
//! fonts replaced and the data folder replaced as `git checkout` or a sync
//! tool does, and writes `--emit-data` on every build.

use crate::support::case::root_copy;
use crate::support::watch::Watch;
use crate::support::*;

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
    // The names of the fonts the PDF embeds, as one line.
    let font_names = |pdf: &std::path::Path| pdf_fonts(pdf).into_iter().map(|f| f.name + " ").collect::<String>();
    let fonts = font_names(&pdf);
    assert!(fonts.contains("NotoSansCJK"), "{fonts}");
    for entry in std::fs::read_dir(root.path().join("fonts")).unwrap().flatten() {
        if entry.file_name().to_string_lossy().starts_with("NotoSans") {
            std::fs::remove_file(entry.path()).unwrap();
        }
    }
    let mut fonts = String::new();
    for _ in 0..5 {
        watch.wait_for("built");
        fonts = font_names(&pdf);
        if !fonts.contains("NotoSansCJK") {
            break;
        }
    }
    assert!(!fonts.contains("NotoSansCJK"), "watch kept the removed fonts:\n{fonts}");
}

#[test]
fn watch_rebuilds_after_an_edit_and_recovers_from_a_broken_one() {
    let dir = fixture("mini");
    let manifest = dir.path().join("report.toml");
    let pdf = dir.path().join("out/report.pdf");
    let watch = Watch::start(&manifest, &pdf, &repo(), &[]);
    assert!(pdf.exists());

    let numbers = dir.path().join("parts/numbers.toml");
    edit(&numbers, "\"1,400+\"", "\"2,468+\"");
    let line = watch.wait_for("built");
    assert!(line.starts_with('[') && line.contains(" ms"), "timestamped status with duration: {line}");
    assert!(squash(&pdf_text(&pdf, 0)).contains("2,468+"));

    let good = std::fs::read(&pdf).unwrap();
    edit(&numbers, "title = \"员工\"", "title = ");
    watch.wait_for("build failed; kept the last good");
    assert!(std::fs::read(&pdf).unwrap() == good, "a broken save must keep the last good PDF");

    edit(&numbers, "title = \n", "title = \"员工\"\n");
    watch.wait_for("built");
    // Files in the output folder do not trigger builds.
    std::fs::write(dir.path().join("out/notes.txt"), "x").unwrap();
}

#[test]
fn emit_data_into_the_data_folder_starts_no_build_of_its_own() {
    // Issue 24: each write of the emitted data used to start the next build.
    let dir = fixture("mini");
    let json = dir.path().join("parts/emitted.json");
    let pdf = dir.path().join("out/report.pdf");
    let watch = Watch::start(&dir.path().join("report.toml"), &pdf, &repo(), &["--emit-data", json.to_str().unwrap()]);
    let lines = watch.lines_during(std::time::Duration::from_secs(3));
    assert!(!lines.iter().any(|l| l.contains("built")), "no edit, yet it built again: {lines:?}");
    // An edit still builds.
    edit(&dir.path().join("parts/numbers.toml"), "\"1,400+\"", "\"2,468+\"");
    watch.wait_for("built");
}
