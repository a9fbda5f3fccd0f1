//! Preflight: the checks `check` adds to validation, and the `fonts` report.
//!
//! Warnings: characters no font covers, index codes no place discloses, and
//! labels nothing references. What can only be seen on the composed pages
//! (image slots, resolution at placed size, composition) is the layout
//! preflight's, in [`crate::inspect`].

use std::collections::{BTreeMap, HashSet};
use std::process::ExitCode;

use typst::text::FontInfo;

use crate::args::CommonArgs;
use crate::diag::{Problems, Severity};
use crate::fonts::load_fonts;
use crate::load::load;
use crate::model::Block;
use crate::model::markup::refs_in;
use crate::source::{Report, SourceFile};
use crate::validate::validate;

/// Runs every validation plus the preflight warnings.
pub fn check(args: &CommonArgs) -> Problems {
    let report = match load(&args.manifest) {
        Ok(report) => report,
        Err(problems) => return problems,
    };
    let mut problems = validate(&report);
    crate::theme::check_report(&report, &args.root(), &mut problems);
    match load_fonts(&args.root(), args.system_fonts) {
        Ok((_, infos)) => uncovered(&report, &infos, &mut problems),
        Err(message) => problems.push(crate::diag::Problem::file(Severity::Error, &args.root().join("fonts"), message)),
    }
    unused_codes(&report, &mut problems);
    unreferenced_labels(&report, &mut problems);
    problems
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
    let mut seen = HashSet::new();
    let mut out = BTreeMap::new();
    for file in report.files() {
        for (offset, c) in file.text.char_indices() {
            if c.is_ascii() || c.is_whitespace() || !seen.insert(c) {
                continue;
            }
            if !fonts.iter().any(|f| f.coverage.contains(c as u32)) {
                out.insert(c, (file, offset));
            }
        }
    }
    out
}

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

/// `csr-press fonts`: families, styles and coverage of the data.
pub fn fonts(args: &CommonArgs) -> ExitCode {
    let infos = match load_fonts(&args.root(), args.system_fonts) {
        Ok((_, infos)) => infos,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(crate::exit::EXIT_ERRORS);
        }
    };
    let mut families: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for info in &infos {
        let v = &info.variant;
        families
            .entry(info.family.as_str())
            .or_default()
            .push(format!("{:?} {:?} {}", v.style, v.weight.to_number(), v.stretch.to_ratio().get()).replace(" 1", ""));
    }
    for (family, styles) in &families {
        println!("{family}: {}", styles.join(", "));
    }
    match load(&args.manifest) {
        Ok(report) => {
            let missing = uncovered_chars(&report, &infos);
            if missing.is_empty() {
                println!("coverage: every character in the data is covered");
                ExitCode::SUCCESS
            } else {
                for (c, (file, offset)) in &missing {
                    let (line, col) = crate::diag::line_col(&file.text, *offset);
                    println!("not covered: '{c}' U+{:04X} at {}:{line}:{col}", *c as u32, file.shown.display());
                }
                ExitCode::from(crate::exit::EXIT_ERRORS)
            }
        }
        Err(problems) => {
            eprint!("{}", problems.render(args.diagnostic_format));
            ExitCode::from(crate::exit::EXIT_ERRORS)
        }
    }
}
