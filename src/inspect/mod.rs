//! Stage 4b: the layout preflight. Reads the composed pages (Typst's
//! frames, not the PDF) the way a print designer reads a proof and reports
//! what they would mark: near-empty pages, heads and rows stranded at a
//! column foot, anything running past its column or the trim, text over
//! text or art, text hidden under a fill, loose lines (spread by
//! justification), tokens and units broken inside, Han–Latin boundaries set
//! without their space, images too coarse or in the wrong
//! colour model, and empty image slots.
//!
//! The layouts cooperate by leaving marks (`metadata` labelled `<csr-…>`,
//! all of them from `layout/marks.typ`, read as a [`Mark`]): `<csr-page>`
//! describes each page's grid, `<csr-src>` names the data place a block
//! comes from, `<csr-keep>` ties a head to what must follow it,
//! `<csr-slot>` is an image slot without an image. The rules know nothing
//! of any report or theme: they read geometry and marks.

mod balance;
mod breaks;
mod diagrams;
mod finding;
mod floats;
mod geometry;
mod headings;
mod keep;
mod lines;
mod marks;
mod narrow;
mod pages;
mod pictures;
mod pointers;
mod runts;
pub mod scan;
mod sizing;
mod spacing;

use std::path::Path;

use typst_layout::PagedDocument;

use crate::config::Profile;
use crate::diag::{Problem, Problems, Severity};
use crate::source::Report;
pub use finding::{Finding, FindingClass};
pub use marks::Mark;
#[cfg(test)]
pub(crate) use marks::layout_sources;
pub use pointers::{Pointers, pointers};
use scan::{Sheet, scan};
pub use sizing::{Sizings, sizings};

/// What the rules need to know about the build.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The output profile (image rules depend on it).
    pub profile: Profile,
    /// Minimum image resolution at placed size.
    pub min_ppi: f64,
    /// Whether post-processing turns RGB images into CMYK (the print profile
    /// does, see `postprocess`): then an RGB image is no finding here.
    pub images_converted: bool,
    /// Whether the report is set in a Latin-script language (an English
    /// edition): its lines break at word spaces, which the frames do not
    /// keep at a line's end, so a break between two letters is no broken
    /// word there.
    pub latin: bool,
}

/// What the preflight found.
#[derive(Debug, Clone, Default)]
pub struct Inspection {
    /// Findings in page order.
    pub findings: Vec<Finding>,
    /// The first page of each part (1-based), by part index.
    pub part_starts: Vec<usize>,
}

/// Inspects every page of a report with `parts` parts.
pub fn inspect(document: &PagedDocument, options: Options, parts: usize) -> Inspection {
    let pages: Vec<(usize, &typst_layout::Page)> =
        document.pages().iter().enumerate().map(|(i, p)| (i + 1, p)).collect();
    let sheets: Vec<Sheet> = crate::parallel::map(&pages, |&(number, page)| scan(number, page));
    let mut part_starts = vec![0; parts];
    for sheet in &sheets {
        for src in sheet.marks(Mark::Src).filter_map(|m| m.text("src")) {
            if let Some(start) = part_of(src).and_then(|n| part_starts.get_mut(n))
                && *start == 0
            {
                *start = sheet.number;
            }
        }
    }
    let mut findings = Vec::new();
    let mut last_src: Option<String> = None;
    // The rules of one page read that page only: pages are checked on all cores.
    let units = breaks::units(&sheets);
    let per_page = crate::parallel::map(&sheets, |sheet| {
        let mut found = Vec::new();
        breaks::check(sheet, &units, options.latin, &mut found);
        pages::near_empty(sheet, &mut found);
        lines::loose(sheet, &mut found);
        spacing::uneven(sheet, &mut found);
        headings::runts(sheet, &mut found);
        runts::check(sheet, &mut found);
        narrow::check(sheet, &mut found);
        geometry::overflow(sheet, &mut found);
        geometry::overlap(sheet, &mut found);
        geometry::hidden(sheet, &mut found);
        geometry::paper_text(sheet, &mut found);
        diagrams::detached(sheet, &mut found);
        diagrams::misaligned(sheet, &mut found);
        geometry::past_bleed(sheet, &mut found);
        pictures::check(sheet, options, &mut found);
        found
    });
    for (sheet, found) in sheets.iter().zip(per_page) {
        for (order, mut finding) in found {
            finding.src = finding.src.or_else(|| src_before(sheet, order)).or_else(|| last_src.clone());
            findings.push(finding);
        }
        if let Some(src) = sheet.marks(Mark::Src).filter_map(|m| m.text("src")).last() {
            last_src = Some(src.to_owned());
        }
    }
    keep::stranded(&sheets, &mut findings);
    keep::short_runs(&sheets, &mut findings);
    headings::empty(&sheets, &mut findings);
    floats::detached(&sheets, &mut findings);
    pages::page_count(&sheets, &mut findings);
    // Every part's last page: its columns balanced (rule 20).
    balance::part_ends(&sheets, &part_starts, &mut findings);
    balance::segment_ends(&sheets, &mut findings);
    findings.sort_by_key(|f| f.page);
    Inspection { findings, part_starts }
}

/// The part whose own data place (`pN:0`, the part as a whole) `src` is.
pub fn part_of(src: &str) -> Option<usize> {
    src.strip_prefix('p')?.strip_suffix(":0")?.parse().ok()
}

/// A data place `pN:offset` as (part, offset).
pub fn data_place(src: &str) -> Option<(usize, usize)> {
    let (part, offset) = src.strip_prefix('p')?.split_once(':')?;
    Some((part.parse().ok()?, offset.parse().ok()?))
}

/// The data place of the last `<csr-src>` mark painted before `order`.
fn src_before(sheet: &Sheet, order: usize) -> Option<String> {
    sheet.marks(Mark::Src).filter(|m| m.order <= order).filter_map(|m| m.text("src")).last().map(str::to_owned)
}

/// Turns findings into located problems: at the data place when it is
/// known, else at the manifest. `strict` makes them errors.
pub fn problems(findings: &[Finding], report: &Report, manifest: &Path, strict: bool) -> Problems {
    let severity = if strict { Severity::Error } else { Severity::Warning };
    let mut out = Problems::default();
    for f in findings {
        let severity = match f.class {
            c if c.is_advice() => Severity::Note,
            c if c.is_error() => Severity::Error,
            _ => severity,
        };
        let message = format!("page {}: {} [{}]", f.page, f.message, f.class);
        let located = f.src.as_deref().and_then(|src| locate(report, src)).or_else(|| manifest_place(report, f));
        out.push(match located {
            Some((path, text, offset)) => Problem::at(severity, path, text, Some(offset..offset), message),
            None => Problem::file(severity, manifest, message),
        });
    }
    out
}

/// Where in the manifest a finding about the whole report belongs: a
/// `page-count` at its `binding` line, when the manifest has one.
fn manifest_place<'a>(report: &'a Report, f: &Finding) -> Option<(&'a Path, &'a str, usize)> {
    let file = &report.manifest.file;
    let at = match f.class {
        FindingClass::PageCount => file.find(0..file.text.len(), "binding")?,
        _ => return None,
    };
    Some((file.shown.as_path(), file.text.as_str(), at.start))
}

/// Maps `pN:offset` (part N) or `iN:offset` (index N) to its file.
fn locate<'a>(report: &'a Report, src: &str) -> Option<(&'a Path, &'a str, usize)> {
    let (which, offset) = src.split_once(':')?;
    let offset: usize = offset.parse().ok()?;
    let file = match which.split_at_checked(1)? {
        ("p", n) => &report.parts.get(n.parse::<usize>().ok()?)?.file,
        ("i", n) => &report.indexes.get(n.parse::<usize>().ok()?)?.file,
        _ => return None,
    };
    Some((file.shown.as_path(), file.text.as_str(), offset.min(file.text.len())))
}

/// A finding for `sheet` painted at `order`, without a data place yet.
pub(crate) fn found(sheet: &Sheet, order: usize, class: FindingClass, message: String) -> (usize, Finding) {
    (order, Finding { page: sheet.number, class, message, src: None, extent: None, uneven: None })
}

/// Shortens text quoted in a message.
pub(crate) fn quote(text: &str) -> String {
    let trimmed: String = text.trim().chars().take(24).collect();
    if text.trim().chars().count() > 24 { format!("'{trimmed}…'") } else { format!("'{trimmed}'") }
}
