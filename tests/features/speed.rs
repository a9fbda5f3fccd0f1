//! Issue 21, fast builds: copyfit searched part by part, finishing beside
//! the change record and the preflight, and in `watch` an ink pass that
//! walks only the pages that changed. None of it may change a byte of the
//! PDF: a build that searches its plan, one that remembers it and a warm
//! `watch` rebuild give the same file. (Timings are measured by `bench/`,
//! never asserted here.)

use std::path::Path;
use std::process::Command;

use crate::support::case::root_copy;
use crate::support::watch::Watch;
use crate::support::*;

/// Builds `manifest` with `root` into `pdf`; the bytes and the status line.
fn build_in(root: &Path, manifest: &Path, pdf: &Path) -> (Vec<u8>, String) {
    build_with(root, manifest, pdf, &[])
}

/// [`build_in`] with more environment variables.
fn build_with(root: &Path, manifest: &Path, pdf: &Path, env: &[(&str, &str)]) -> (Vec<u8>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_csr-press"))
        .args(["build", manifest.to_str().expect("path"), "-o", pdf.to_str().expect("path"), "--root"])
        .arg(root)
        .env("CSR_PRESS_TIMINGS", "1")
        .envs(env.iter().copied())
        .output()
        .expect("run csr-press");
    assert!(out.status.success(), "{}", stderr(&out));
    (std::fs::read(pdf).expect("pdf"), stdout(&out))
}

#[test]
fn searched_and_remembered_plans_give_the_same_pdf_of_the_2020_report() {
    // A root of its own, so that its plan cache is this test's alone.
    let root = root_copy();
    copy_dir(&repo().join("data"), &root.path().join("data"));
    let manifest = root.path().join("data/report.toml");
    let cache = root.path().join("out/.cache/copyfit");
    let (searched, said) = build_in(root.path(), &manifest, &root.path().join("out/a.pdf"));
    assert!(said.matches("compile ").count() > 1, "the 2020 data needs copyfit: {said}");
    let (remembered, said) = build_in(root.path(), &manifest, &root.path().join("out/b.pdf"));
    assert_eq!(said.matches("compile ").count(), 1, "a remembered plan composes once: {said}");
    assert!(searched == remembered, "the remembered plan changed the PDF");
    std::fs::remove_dir_all(&cache).expect("the plan cache");
    let (again, _) = build_in(root.path(), &manifest, &root.path().join("out/c.pdf"));
    assert!(searched == again, "a second search gave another PDF");
}

/// The one remembered copyfit plan under `root` (beside it, the index
/// pages it was composed with), then the plan cache emptied.
fn take_plan(root: &Path) -> String {
    let cache = root.join("out/.cache/copyfit");
    let plans: Vec<_> = std::fs::read_dir(&cache)
        .expect("the plan cache")
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            !name.ends_with(".pages.json") && !name.ends_with(".sizing.json")
        })
        .collect();
    assert_eq!(plans.len(), 1, "one plan remembered");
    let plan = std::fs::read_to_string(plans[0].path()).expect("the plan");
    std::fs::remove_dir_all(&cache).expect("the plan cache");
    plan
}

/// The second report's data in a root of its own (its plan cache this
/// test's alone), built once, searching its plan: the root, the manifest,
/// the PDF and the status line.
fn second_report_searched() -> (tempfile::TempDir, std::path::PathBuf, Vec<u8>, String) {
    let root = root_copy();
    copy_dir(&repo().join("examples/lanqing/data"), &root.path().join("data"));
    let manifest = root.path().join("data/report.toml");
    let (pdf, said) = build_in(root.path(), &manifest, &root.path().join("out/a.pdf"));
    (root, manifest, pdf, said)
}

#[test]
fn remembered_index_pages_are_checked_against_the_pages_they_point_at() {
    // A remembered plan's first composition is given the pages its index
    // rows point at (laid out once, with them). A cache is never trusted:
    // pages that are wrong (a damaged or stale cache) are found on the
    // composed pages and composed again, and the PDF is the searched one.
    let (root, manifest, searched, _) = second_report_searched();
    let cache = root.path().join("out/.cache/copyfit");
    let pages = std::fs::read_dir(&cache)
        .expect("the plan cache")
        .flatten()
        .find(|e| e.file_name().to_string_lossy().ends_with(".pages.json"))
        .expect("the index pages are remembered beside the plan")
        .path();
    let remembered: serde_json::Value = serde_json::from_slice(&std::fs::read(&pages).expect("pages")).expect("json");
    let tags = remembered.as_object().expect("tag → pages");
    assert!(tags.len() > 10, "the GRI index points at its disclosures' pages: {remembered}");
    let (again, said) = build_in(root.path(), &manifest, &root.path().join("out/b.pdf"));
    assert_eq!(said.matches("compile ").count(), 1, "given right pages, a remembered plan composes once: {said}");
    assert!(again == searched, "the given index pages changed the PDF");
    // Every row pointed at page 1 instead.
    let wrong: serde_json::Map<_, _> = tags.keys().map(|t| (t.clone(), serde_json::json!([1]))).collect();
    std::fs::write(&pages, serde_json::to_vec(&wrong).expect("json")).expect("write");
    let (mended, said) = build_in(root.path(), &manifest, &root.path().join("out/c.pdf"));
    assert_eq!(said.matches("compile ").count(), 2, "wrong pages are composed again: {said}");
    assert!(mended == searched, "wrong remembered index pages reached the PDF");
}

#[test]
fn parts_settled_alone_end_on_a_plan_the_whole_report_leaves_unchanged() {
    // Both reports: the 2020 one (run-ins, an index, balanced parts, parts
    // that take several fit steps) and the second (a GRI index, a part whose
    // balancing is raised and taken back). Settling parts alone may end on
    // another settled plan than the default search (the index's balanced
    // height is measured after the parts, not beside them), but it is one
    // the whole report leaves unchanged: remembered, it composes once and
    // gives the same PDF.
    for data in [repo().join("data"), repo().join("examples/lanqing/data")] {
        let root = root_copy();
        copy_dir(&data, &root.path().join("data"));
        let manifest = root.path().join("data/report.toml");
        let alone = [("CSR_PRESS_SEARCH", "alone")];
        let (settled, said) = build_with(root.path(), &manifest, &root.path().join("out/a.pdf"), &alone);
        assert!(said.contains(" alone "), "CSR_PRESS_SEARCH=alone settled no part alone: {said}");
        let (remembered, said) = build_with(root.path(), &manifest, &root.path().join("out/b.pdf"), &alone);
        assert_eq!(said.matches("compile ").count(), 1, "a remembered plan composes once: {said}");
        assert!(settled == remembered, "the remembered plan changed the PDF of {}", data.display());
        take_plan(root.path());
    }
}

#[test]
fn the_least_search_measured_composes_as_asked_and_gives_the_remembered_pdf() {
    // `CSR_PRESS_SEARCH=known` and `twice` measure what a search costs at
    // the least (BENCHMARKS.md, session 13): the remembered plan composed
    // without the pages remembered beside it, once, or after the default
    // plan's composition. What they measure must be what they say, and the
    // PDF the remembered plan's.
    let (root, manifest, searched, said) = second_report_searched();
    assert!(said.matches("compile ").count() > 2, "the second report needs copyfit: {said}");
    for (bound, compositions) in [("known", 1), ("twice", 2)] {
        let env = [("CSR_PRESS_SEARCH", bound)];
        let (pdf, said) = build_with(root.path(), &manifest, &root.path().join("out/b.pdf"), &env);
        assert_eq!(said.matches("compile ").count(), compositions, "CSR_PRESS_SEARCH={bound}: {said}");
        assert!(pdf == searched, "CSR_PRESS_SEARCH={bound} changed the PDF");
    }
    // Without a remembered plan there is nothing to measure: a search.
    take_plan(root.path());
    let (pdf, said) =
        build_with(root.path(), &manifest, &root.path().join("out/c.pdf"), &[("CSR_PRESS_SEARCH", "twice")]);
    assert!(said.matches("compile ").count() > 2, "with no plan remembered, a search: {said}");
    assert!(pdf == searched, "the search gave another PDF");
}

/// The pages kept and walked by the ink pass, from a status line printed
/// with `CSR_PRESS_TIMINGS`.
fn pages_kept(line: &str) -> (usize, usize) {
    let at = line.find("[ink: ").unwrap_or_else(|| panic!("no page counts in {line:?}"));
    let words: Vec<&str> = line[at + 6..].split_whitespace().collect();
    (words[0].parse().expect("kept"), words[3].parse().expect("walked"))
}

#[test]
fn a_warm_watch_rebuild_gives_the_pdf_of_a_cold_build() {
    let dir = fixture("stress");
    let root = root_copy();
    let manifest = dir.path().join("report.toml");
    let (cold, said) = build_in(root.path(), &manifest, &dir.path().join("cold.pdf"));
    assert!(said.matches("compile ").count() > 1, "the stress fixture needs copyfit: {said}");
    assert!(!said.contains("[ink: "), "a cold build remembers no pages: {said}");
    let part = dir.path().join("parts/04-performance.toml");
    let text = std::fs::read_to_string(&part).expect("read part");
    let edited = text.replacen("values = [\"0\", \"13\", \"26\"]", "values = [\"0\", \"31\", \"62\"]", 1);
    assert_ne!(text, edited, "the fixture has no such row");
    std::fs::write(&part, &edited).expect("write");
    let (cold_edited, _) = build_in(root.path(), &manifest, &dir.path().join("cold-edited.pdf"));
    std::fs::write(&part, &text).expect("write");
    assert!(cold_edited != cold, "the edit changed nothing");
    let pdf = dir.path().join("watched.pdf");
    let watch = Watch::start_with(&manifest, &pdf, root.path(), &[], &[("CSR_PRESS_TIMINGS", "1")]);
    assert!(std::fs::read(&pdf).expect("watched pdf") == cold, "watch's first build differs from a cold build");
    // An edit and its undoing: the rebuilds are warm (comemo's caches, the
    // change record of the edit, the pages the ink pass finished before)
    // and each gives the PDF of a cold build of the same inputs.
    let mut counts = Vec::new();
    for (version, expected) in [(&edited, &cold_edited), (&text, &cold)] {
        let temp = dir.path().join("parts/.saving.tmp");
        std::fs::write(&temp, version).expect("write");
        std::fs::rename(&temp, &part).expect("rename");
        counts.push(pages_kept(&watch.wait_for("built")));
        assert!(std::fs::read(&pdf).expect("watched pdf") == *expected, "a warm rebuild differs from a cold build");
    }
    // The edit: the page with the value walked again, the others kept; its
    // undoing: every page as two builds before.
    let (kept, walked) = counts[0];
    assert!(kept > 0 && walked > 0, "after the edit {kept} pages were kept, {walked} walked");
    assert_eq!(counts[1].1, 0, "after the undoing every page is one finished before: {counts:?}");
}

/// A warm rebuild after an edit that moves a table's data place (a value
/// made longer above it: the byte offsets the run heights before tables
/// are keyed by shift) starts from the last plan with its keys moved, so it
/// composes once, and gives the PDF of a cold build of the edited data.
#[test]
fn a_warm_rebuild_after_an_edit_that_moves_a_table_composes_once() {
    let dir = fixture("stress");
    let root = root_copy();
    let manifest = dir.path().join("report.toml");
    let part = dir.path().join("parts/04-performance.toml");
    let text = std::fs::read_to_string(&part).expect("read part");
    // Above the part's table set in place across the page, whose run of
    // columns before it copyfit balances.
    let edited = text.replacen("values = [\"0\", \"13\", \"26\"]", "values = [\"0\", \"1,300\", \"26\"]", 1);
    assert_ne!(text, edited, "the fixture has no such row");
    std::fs::write(&part, &edited).expect("write");
    // Built in a root of its own: its copyfit plan is not one `watch` finds.
    let cold_root = root_copy();
    let (cold_edited, said) = build_in(cold_root.path(), &manifest, &dir.path().join("cold-edited.pdf"));
    assert!(said.matches("compile ").count() > 1, "the edited fixture needs copyfit: {said}");
    std::fs::write(&part, &text).expect("write");
    let pdf = dir.path().join("watched.pdf");
    let watch = Watch::start_with(&manifest, &pdf, root.path(), &[], &[("CSR_PRESS_TIMINGS", "1")]);
    let temp = dir.path().join("parts/.saving.tmp");
    std::fs::write(&temp, &edited).expect("write");
    std::fs::rename(&temp, &part).expect("rename");
    let line = watch.wait_for("built");
    assert_eq!(line.matches("compile ").count(), 1, "the rebuild composed more than once: {line}");
    assert!(std::fs::read(&pdf).expect("watched pdf") == cold_edited, "a warm rebuild differs from a cold build");
}
