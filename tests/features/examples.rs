//! The second example report (examples/lanqing, a fictional water utility
//! in its own theme) and the `new` scaffold: both build from the repository
//! as they are, pass `check --strict`, and print what their data says.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::support::press::{chapter_accents, load};
use crate::support::*;

fn manifest() -> PathBuf {
    repo().join("examples/lanqing/data/report.toml")
}

/// Builds the example once per test binary and returns its path.
fn example_pdf() -> &'static Path {
    static PDF: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, pdf) = PDF.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let pdf = dir.path().join("lanqing.pdf");
        let out = build(&manifest(), &pdf, &[]);
        assert!(out.status.success(), "the example does not build:\n{}", stderr(&out));
        (dir, pdf)
    });
    pdf
}

#[test]
fn example_has_15_to_25_pages_with_embedded_fonts() {
    let pdf = example_pdf();
    let pages = pdf_pages(pdf);
    assert!((15..=25).contains(&pages), "the example has {pages} pages");
    let fonts = pdf_fonts(pdf);
    assert!(!fonts.is_empty());
    for font in fonts {
        assert!(font.embedded && font.subset, "not embedded and subset: {font:?}");
    }
}

#[test]
fn example_prints_its_identity_chapters_and_kpis() {
    let pdf = example_pdf();
    let cover = squash(&pdf_text(pdf, 1));
    for needle in ["澜清水务集团有限公司", "2023", "环境、社会及管治（ESG）报告", "LanqingWaterGroup2023Environmental"]
    {
        assert!(cover.contains(needle), "cover lacks {needle}: {cover}");
    }
    let all = squash(&pdf_text(pdf, 0));
    for needle in [
        "守护每一滴好水",
        "绿色低碳运营",
        "与员工共成长",
        "诚信治理共建社区",
        "八十天抗旱保供",
        "4,862",
        "38.6",
        "GRI可持续发展报告标准（2021）",
        "适用的GRI1：基础2021",
    ] {
        assert!(all.contains(needle), "the PDF lacks {needle}");
    }
    // Nothing of the 2020 report's theme leaks into another client's PDF.
    for needle in ["中国移动", "贡献数智新力量"] {
        assert!(!all.contains(needle), "the PDF prints {needle}");
    }
    // The theme's own label for case boxes.
    assert!(all.contains("实践案例"), "the theme's case label is missing");
    let info = pdf_info(pdf);
    let title = info.get("Title").map_or("", String::as_str);
    assert!(title.contains("澜清水务集团有限公司2023环境、社会及管治（ESG）报告"), "{info:?}");
}

#[test]
fn example_chapters_have_four_distinct_accents() {
    let mut accents = chapter_accents(&load(&manifest()));
    accents.sort_unstable();
    accents.dedup();
    assert!(accents.len() >= 4, "{accents:?}");
}

#[test]
fn example_index_pages_hold_the_disclosing_text() {
    let pdf = example_pdf();
    let report = load(&manifest());
    let pages = pdf_pages(pdf);
    let texts: Vec<String> = (1..=pages).map(|p| squash(&pdf_text(pdf, p))).collect();
    let index_page = texts.iter().position(|t| t.contains("适用的GRI1：基础2021")).expect("index page") + 1;
    let carriers = tag_carriers(&report);
    for (tag, needle) in &carriers {
        let code = tag.trim_start_matches("GRI:");
        let found = (index_page..=pages).find_map(|p| index_pages(pdf, p, code));
        let listed = found.unwrap_or_else(|| panic!("index prints no pages for {code}"));
        assert!(
            listed.iter().any(|&p| texts[p - 1].contains(needle.as_str())),
            "{code}: pages {listed:?} do not hold '{needle}'"
        );
    }
    let checked = carriers.len();
    assert!(checked >= 40, "checked {checked} tags");
}

#[test]
fn example_passes_check_strict() {
    let out = run(&["check", "--strict", manifest().to_str().expect("utf-8 path")]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("0 errors, 0 warnings"), "{}", stdout(&out));
}

#[test]
fn new_scaffolds_a_report_that_checks_strict_and_builds() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("acme");
    let out = run(&["new", target.to_str().expect("utf-8 path")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(said.contains("csr-press check --strict") && said.contains("csr-press build"), "{said}");
    let manifest = target.join("report.toml");
    let out = run(&["check", "--strict", manifest.to_str().expect("utf-8 path")]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let pdf = target.join("out/report.pdf");
    let out = build(&manifest, &pdf, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = squash(&pdf_text(&pdf, 0));
    for needle in ["示例集团有限公司", "案例", "员工总数", "GRI内容索引"] {
        assert!(text.contains(needle), "the scaffold PDF lacks {needle}");
    }
}

#[test]
fn new_never_writes_into_a_non_empty_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keep = dir.path().join("notes.txt");
    std::fs::write(&keep, "mine").expect("write");
    let out = run(&["new", dir.path().to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("is not empty"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&keep).expect("read"), "mine");
    assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
}
