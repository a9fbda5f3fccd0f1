//! The full 2020 report from `data/`: it builds, it carries the content of
//! the source text, its index pages are right, and its typography follows
//! the checklist. One print build is shared by the tests in this file.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::support::press::{index_tables, load};
use crate::support::*;

/// The source text of the printed report (in `../shared` beside the repo).
fn source_text() -> String {
    let path = repo().join("../shared/source/report-2020.txt");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {} ({e})", path.display()))
}

/// Builds the full report (print) once per test binary and returns its path.
fn report_pdf() -> &'static Path {
    static PDF: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &PDF.get_or_init(|| built(&[])).1
}

/// The proof of the full report, built once: everything the data holds,
/// the figures whose photographs were never supplied included (the print
/// leaves those out: `[print] missing_images = "omit"` in data/report.toml).
fn proof_pdf() -> &'static Path {
    static PDF: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &PDF.get_or_init(|| built(&["--profile", "proof"])).1
}

fn built(extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let pdf = dir.path().join("report.pdf");
    let out = build(&repo().join("data/report.toml"), &pdf, extra);
    assert!(out.status.success(), "the full report does not build:\n{}", stderr(&out));
    (dir, pdf)
}

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// Han 4-grams of a line (whitespace removed).
fn grams(line: &str) -> Vec<String> {
    let chars: Vec<char> = line.chars().filter(|c| !c.is_whitespace()).collect();
    chars.windows(4).filter(|w| w.iter().all(|&c| is_han(c))).map(|w| w.iter().collect()).collect()
}

#[test]
fn full_report_has_60_to_100_pages_with_boxes_and_embedded_fonts() {
    let proof = pdf_pages(proof_pdf());
    assert!((60..=100).contains(&proof), "the proof has {proof} pages");
    // The print leaves out 49 photo slots, about six pages of them.
    let pdf = report_pdf();
    let pages = pdf_pages(pdf);
    assert!((proof - 8..proof).contains(&pages), "the print has {pages} pages, the proof {proof}");
    for font in pdf_fonts(pdf) {
        assert!(font.embedded && font.subset, "not embedded and subset: {font:?}");
    }
    let boxes = page_boxes(pdf);
    assert_eq!(boxes.len(), pages);
    let near = |r: [f64; 4], e: [f64; 4]| r.iter().zip(e).all(|(a, b)| (a - b).abs() < 0.005);
    for (i, b) in boxes.iter().enumerate() {
        assert!(near(b.trim, [8.50, 8.50, 603.78, 850.39]), "page {}: TrimBox {:?}", i + 1, b.trim);
        assert!(near(b.bleed, [0.0, 0.0, 612.28, 858.90]), "page {}: BleedBox {:?}", i + 1, b.bleed);
    }
}

#[test]
fn pdf_carries_at_least_97_percent_of_the_source_text() {
    let pdf = proof_pdf();
    let text: String = (1..=pdf_pages(pdf)).map(|p| squash(&pdf_text_by_column(pdf, p, false))).collect();
    let source = source_text();
    let (mut total, mut found) = (0usize, 0usize);
    let mut missing = Vec::new();
    for (i, line) in source.lines().enumerate() {
        let g = grams(line);
        if g.is_empty() {
            continue;
        }
        let hit = g.iter().filter(|g| text.contains(g.as_str())).count();
        total += g.len();
        found += hit;
        if hit * 2 < g.len() {
            missing.push(format!("  {:>5}: {}", i + 1, line.trim()));
        }
    }
    let share = 100.0 * found as f64 / total as f64;
    println!("content coverage: {found}/{total} Han 4-grams = {share:.2} %");
    println!("source lines mostly missing ({}):\n{}", missing.len(), missing.join("\n"));
    assert!(share >= 97.0, "coverage {share:.2} % is under 97 %");
}

/// The index pages of the PDF, split by index (in the order of 20-index.toml).
fn index_segments(pdf: &Path, titles: &[String]) -> Vec<(String, Vec<usize>)> {
    let pages = pdf_pages(pdf);
    let texts: Vec<String> = (1..=pages).map(|p| squash(&pdf_text_by_column(pdf, p, false))).collect();
    let first = texts.iter().rposition(|t| t.contains(&squash(&titles[0]))).expect("first index page");
    let mut segments: Vec<(String, Vec<usize>)> = titles.iter().map(|t| (t.clone(), Vec::new())).collect();
    let mut current = 0;
    for (i, text) in texts.iter().enumerate().skip(first) {
        let starts: Vec<usize> = (current..titles.len()).filter(|&k| text.contains(&squash(&titles[k]))).collect();
        if let Some(&k) = starts.first() {
            // A page where earlier tables end and a new one starts belongs to both.
            for segment in &mut segments[current..=*starts.last().unwrap_or(&k)] {
                segment.1.push(i + 1);
            }
            current = *starts.last().unwrap_or(&k);
        } else {
            segments[current].1.push(i + 1);
        }
    }
    segments
}

#[test]
fn index_pages_hold_the_disclosing_text() {
    let pdf = report_pdf();
    let report = load(&repo().join("data/report.toml"));
    let carriers = tag_carriers(&report);
    assert!(carriers.len() >= 100, "too few disclosure tags in the data: {}", carriers.len());
    let (titles, ids) = index_tables(&report);
    let segments = index_segments(pdf, &titles);

    // Every 7th tag, so the sample covers all indexes and parts.
    let mut checked = HashSet::new();
    for (tag, _) in carriers.iter().step_by(7) {
        if !checked.insert(tag.clone()) {
            continue;
        }
        let (index, code) = tag.split_once(':').expect("INDEX:CODE");
        // Indexes not printed in the index part (the materiality topics, whose
        // pages the materiality table prints) are not sampled here.
        let Some(k) = ids.iter().position(|i| i == index) else { continue };
        let next = titles.get(k + 1).map(String::as_str);
        let rows = index_table_text(pdf, &segments[k].1, &titles[k], next);
        let printed = index_row_pages(&rows, code)
            .unwrap_or_else(|| panic!("{tag}: no pages printed in the {} table", titles[k]));
        // All carriers of this tag: the printed pages must hold at least one.
        let needles: Vec<&String> = carriers.iter().filter(|(t, _)| t == tag).map(|(_, n)| n).collect();
        let holds = printed.iter().any(|&p| {
            let text = squash(&pdf_text_by_column(pdf, p, false));
            needles.iter().any(|n| text.contains(n.as_str()))
        });
        assert!(holds, "{tag}: printed pages {printed:?} hold none of {needles:?}");
    }
    assert!(checked.len() >= 15, "sampled only {} tags", checked.len());
}

/// The rows of one index table in reading order: each page of its segment
/// in layout mode, left column then right column, cut from the table's
/// title to the next table's title (two tables can share a page).
fn index_table_text(pdf: &Path, pages: &[usize], title: &str, next: Option<&str>) -> String {
    let text: String = pages.iter().map(|&p| pdf_text_by_column(pdf, p, true)).collect();
    // Titles may wrap across lines: find them with whitespace removed.
    let squashed_index: Vec<(usize, char)> = text.char_indices().filter(|(_, c)| !c.is_whitespace()).collect();
    let flat: String = squashed_index.iter().map(|(_, c)| c).collect();
    let locate = |t: &str| flat.find(&squash(t)).map(|i| squashed_index[flat[..i].chars().count()].0);
    let start = locate(title).unwrap_or(0);
    let end = next.and_then(locate).filter(|&e| e > start).unwrap_or(text.len());
    text[start..end].to_owned()
}

/// The pages printed on the row of `code` in an index table's text.
fn index_row_pages(rows: &str, code: &str) -> Option<Vec<usize>> {
    for line in rows.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.first() == Some(&code) {
            return words[1..].iter().rev().find_map(|w| parse_ranges(w));
        }
    }
    None
}
