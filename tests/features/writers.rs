//! Writers that must never replace an input: `kpi export` and `new`
//! (issue 24). Each refusal exits 2, names the path and leaves the input
//! as it was.

use crate::support::{fixture, make_fifo, run, stderr};

#[test]
fn kpi_export_never_replaces_the_manifest() {
    let dir = fixture("mini");
    let manifest = dir.path().join("report.toml");
    let before = std::fs::read(&manifest).expect("the manifest");
    let out = run(&["kpi", "export", manifest.to_str().expect("utf-8"), "-o", manifest.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("report.toml"), "the message names the path: {}", stderr(&out));
    assert_eq!(std::fs::read(&manifest).expect("the manifest"), before, "the manifest is untouched");
}

#[test]
fn kpi_export_never_replaces_a_fifo() {
    let dir = fixture("mini");
    let manifest = dir.path().join("report.toml");
    let fifo = dir.path().join("kpi.xlsx");
    make_fifo(&fifo);
    let out = run(&["kpi", "export", manifest.to_str().expect("utf-8"), "-o", fifo.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::symlink_metadata(&fifo).expect("the fifo").file_type().is_fifo(), "the FIFO is still a FIFO");
}

#[test]
fn new_refuses_a_folder_with_files_and_leaves_nothing_behind() {
    let parent = tempfile::tempdir().expect("a temporary folder");
    let dir = parent.path().join("acme");
    std::fs::create_dir(&dir).expect("a folder");
    std::fs::write(dir.join("notes.txt"), "keep me").expect("a file");
    let out = run(&["new", dir.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(dir.join("notes.txt")).expect("the file"), "keep me");
    let names: Vec<String> = std::fs::read_dir(parent.path())
        .expect("read")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["acme"], "no staging folder is left behind");
}

#[test]
fn kpi_export_names_worksheets_a_workbook_accepts() {
    // Two tables whose titles differ only in case (`Ä`, `ä`: one name to a
    // workbook), and a title whose 31-character cut ends in an apostrophe.
    let dir = fixture("mini");
    let part = dir.path().join("parts/numbers.toml");
    let text = std::fs::read_to_string(&part).expect("the part");
    let table = &text[text.find("[[sections.blocks]]\ntype = \"kpi\"").expect("a KPI block")..];
    let table = &table[..table.find("\n]\n").expect("the rows end") + 3];
    let plain = table.replacen("label = \"kpi-table\"\n", "", 1).replacen("disclosures = [\"DEMO:B1\"]\n", "", 1);
    let long = format!("{}'s numbers", "a".repeat(30));
    let extra = [
        plain.replacen("title = \"员工\"", "title = \"Ä\"", 1),
        plain.replacen("title = \"员工\"", "title = \"ä\"", 1),
        plain.replacen("title = \"员工\"", &format!("title = \"{long}\""), 1),
    ];
    std::fs::write(&part, format!("{text}\n{}", extra.join("\n"))).expect("write the part");
    let manifest = dir.path().join("report.toml");
    let book = dir.path().join("out/kpi.xlsx");
    let out = run(&["kpi", "export", manifest.to_str().expect("utf-8"), "-o", book.to_str().expect("utf-8")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(crate::support::stdout(&out).contains("wrote 4 KPI tables"), "{}", crate::support::stdout(&out));
}

#[test]
fn a_change_record_that_is_a_fifo_or_holds_escapes_is_not_trusted() {
    let dir = fixture("mini");
    let manifest = dir.path().join("report.toml");
    let pdf = dir.path().join("out/report.pdf");
    let state = crate::support::press::state_path(&crate::support::repo(), &pdf);
    std::fs::create_dir_all(state.parent().expect("the cache folder")).expect("the cache folder");
    // A FIFO where the record lies: never opened (it would block), replaced.
    make_fifo(&state);
    let first = crate::support::build(&manifest, &pdf, &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    // A record whose index pointers hold terminal escapes: printed escaped.
    let text = std::fs::read_to_string(&state).expect("the record");
    let mut record: serde_json::Value = serde_json::from_str(&text).expect("a JSON record");
    for pages in record["pointers"].as_object_mut().expect("pointers").values_mut() {
        *pages = serde_json::Value::String("\u{1b}[2J\u{1b}]0;owned\u{7}".into());
    }
    std::fs::write(&state, record.to_string()).expect("write the record");
    let second = crate::support::build(&manifest, &pdf, &[]);
    let said = crate::support::stdout(&second);
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(!said.contains('\u{1b}') && !said.contains('\u{7}'), "no raw control character: {said:?}");
    assert!(said.contains("\\u{1b}"), "the escape is shown escaped: {said}");
}

#[test]
fn check_writes_nothing() {
    // Issue 25: `check` composed the pages and left a copyfit plan (and
    // converted images) in the root's cache; the README says it writes nothing.
    let root = crate::support::case::root_copy();
    let dir = fixture("mini");
    let before = crate::support::case::snapshot(dir.path());
    let manifest = dir.path().join("report.toml");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_csr-press"))
        .args(["check", manifest.to_str().expect("utf-8"), "--root"])
        .arg(root.path())
        .output()
        .expect("run csr-press");
    assert!(out.status.code().is_some_and(|c| c <= 1), "{}", stderr(&out));
    assert!(!root.path().join("out").exists(), "check wrote under the root's out/");
    assert!(crate::support::case::snapshot(dir.path()) == before, "check wrote beside the data");
}
