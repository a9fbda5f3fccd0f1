//! Blocks as a reader sees them on the stress fixture's print PDF (built
//! once for the module): index pages that follow the data, signatures,
//! org charts, plain tables, salutations and marked words.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::support::{Reader, index_pages, pdf_text, squash, stderr};
use super::support::variant::{press, variant};

/// The stress fixture built once: its root (kept) and its PDF.
fn stress_pdf() -> &'static Path {
    static BUILT: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, pdf) = BUILT.get_or_init(|| {
        let root = variant(&[], &[]);
        let pdf = root.path().join("out.pdf");
        let out = press(root.path(), &["build", "-o", pdf.to_str().expect("a path")]);
        assert!(out.status.success(), "{}", stderr(&out));
        (root, pdf)
    });
    pdf
}

/// The physical pages (1-based) whose text holds `needle` (spaces ignored).
fn pages_with(pdf: &Path, needle: &str) -> Vec<usize> {
    let pages = Reader::open(pdf).pages();
    (1..=pages).filter(|&p| squash(&pdf_text(pdf, p)).contains(needle)).collect()
}

#[test]
fn index_pages_are_where_a_floated_tables_section_is_printed() {
    // 经济价值的创造与分配 (GRI 201-1) opens with a wide table, which floats
    // with its heading; the section's paragraph stays where it was written.
    let pdf = stress_pdf();
    let table = pages_with(pdf, "经济价值分配表");
    let text = pages_with(pdf, "经济价值分配坚持公平透明原则");
    assert_eq!((table.len(), text.len()), (1, 1), "table on {table:?}, text on {text:?}");
    assert_ne!(table, text, "the fixture's table no longer floats away from its text: the test proves nothing");
    let mut content: Vec<usize> = table.iter().chain(&text).copied().collect();
    content.sort_unstable();
    let index = *pages_with(pdf, "直接产生和分配的经济价值").last().expect("the GRI index row");
    let cited = index_pages(pdf, index, "201-1").expect("pages for 201-1");
    assert_eq!(cited, content, "the index cites {cited:?}; the section is printed on {content:?}");
}

#[test]
fn no_signature_field_breaks() {
    // Three signatories (a firm, two 中国注册会计师) do not fit side by side in
    // a column: they stack, and every name, title and date is on one line.
    let pdf = stress_pdf();
    let page = *pages_with(pdf, "李文博").first().expect("the assurance statement's signatures");
    let lines: Vec<String> = Reader::open(pdf).layout_text(page).lines().map(squash).collect();
    for field in ["华信永道会计师事务所（特殊普通合伙）", "中国·北京", "2024年4月18日", "中国注册会计师", "李文博", "陈思远"] {
        assert!(lines.iter().any(|l| l.contains(field)), "{field} is broken across lines on page {page}:\n{}", lines.join("\n"));
    }
}
