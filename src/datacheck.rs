//! The data checks `check` adds to validation (and the coverage the
//! `fonts` command lists).
//!
//! Warnings: characters no font covers, index codes no place discloses, and
//! labels nothing references. What can only be seen on the composed pages
//! (image slots, resolution at placed size, composition) is the layout
//! preflight's, in [`crate::inspect`].

use std::collections::{BTreeMap, HashSet};

use typst::text::FontInfo;

use crate::diag::{Problems, Severity};
use crate::model::Block;
use crate::model::markup::refs_in;
use crate::source::{Report, SourceFile};

/// The data checks `check` adds to validation: characters no font covers
/// (when the fonts loaded), index codes no place discloses, and labels
/// nothing references. All are warnings.
pub fn check_data(report: &Report, fonts: Option<&[FontInfo]>, problems: &mut Problems) {
    if let Some(fonts) = fonts {
        uncovered(report, fonts, problems);
    }
    unused_codes(report, problems);
    unreferenced_labels(report, problems);
}

/// Characters in the data that no font covers: one warning per character,
/// at its first place.
fn uncovered(report: &Report, fonts: &[FontInfo], problems: &mut Problems) {
    for (c, (file, offset)) in uncovered_chars(report, fonts) {
        problems.push(file.problem(
            Severity::Warning,
            Some(offset..offset + c.len_utf8()),
            format!("character '{c}' (U+{:04X}) is not covered by any font in fonts/", c as u32),
        ));
    }
}

/// Every character of the data files that no font covers, with its first place.
pub fn uncovered_chars<'a>(report: &'a Report, fonts: &[FontInfo]) -> BTreeMap<char, (&'a SourceFile, usize)> {
    let mut first = BTreeMap::new();
    for file in report.files() {
        for (offset, c) in file.text.char_indices() {
            if !c.is_ascii() && !c.is_whitespace() {
                first.entry(c).or_insert((file, offset));
            }
        }
    }
    // The characters in order, each font's covered code points in order:
    // one merge a font. (Asking a font's coverage about one character walks
    // its runs from the start, thousands in a CJK face, for every character.)
    let mut left: Vec<char> = first.keys().copied().collect();
    for font in fonts {
        if left.is_empty() {
            break;
        }
        let mut covered = font.coverage.iter().peekable();
        left.retain(|&c| {
            while covered.next_if(|&p| p < c as u32).is_some() {}
            covered.peek() != Some(&(c as u32))
        });
    }
    first.retain(|c, _| left.binary_search(c).is_ok());
    first
}

/// Index codes no section or block discloses (and that have no `status`).
fn unused_codes(report: &Report, problems: &mut Problems) {
    let carried: HashSet<&str> = report
        .parts
        .iter()
        .flat_map(|p| p.data.places(p.file.text.len()))
        .flat_map(|place| place.disclosures)
        .collect();
    for index in &report.indexes {
        let file = &index.file;
        for row in index.data.groups.iter().flat_map(|g| &g.rows) {
            let tag = format!("{}:{}", index.data.id, row.code);
            if row.status.is_none() && !carried.contains(tag.as_str()) {
                let needle = format!("\"{}\"", row.code);
                problems.push(file.problem(
                    Severity::Warning,
                    file.find(0..file.text.len(), &needle),
                    format!("no section or block discloses '{tag}'; tag one with it or give the row a `status`"),
                ));
            }
        }
    }
}

/// Block labels nothing references.
fn unreferenced_labels(report: &Report, problems: &mut Problems) {
    let mut referenced = HashSet::new();
    for part in &report.parts {
        for place in part.data.places(part.file.text.len()) {
            for text in place.block.map(Block::texts).unwrap_or_default() {
                referenced.extend(refs_in(text).filter_map(Result::ok).map(str::to_owned));
            }
            // A chart uses the KPI table it names.
            if let Some(Block::Chart { table, .. }) = place.block {
                referenced.insert(table.clone());
            }
        }
    }
    for part in &report.parts {
        let file = &part.file;
        for place in part.data.places(file.text.len()) {
            let Some(label) = place.label else { continue };
            // Sections are labelled for bookmarks too; only block labels are expected to be used.
            if place.block.is_some() && !referenced.contains(label) {
                problems.push(file.problem(
                    Severity::Warning,
                    file.find(place.span.clone(), label),
                    format!("label '{label}' is never referenced"),
                ));
            }
        }
    }
}
