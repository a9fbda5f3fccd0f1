//! The checks of one block by its type: table shapes and sizes, figure
//! widths and images, org-chart links, ratings, index names; KPI tables
//! ([`super::kpi`]) and graphics ([`super::graphics`]) have their own.

use std::collections::HashSet;
use std::path::Path;

use super::fields;
use super::find::{find_value, key_value};
use super::graphics::check_graphic;
use super::kpi::check_kpi;
use crate::diag::{Problems, Severity};
use crate::image_check::{inspect, locate_image};
use crate::model::Block;
use crate::source::{Report, SourceFile};

/// Most rows a single table may have.
pub const MAX_TABLE_ROWS: usize = 2000;

/// The checks of one block, by its type.
pub fn check_block(
    file: &SourceFile,
    span: std::ops::Range<usize>,
    block: &Block,
    report: &Report,
    problems: &mut Problems,
) {
    match block {
        Block::Kpi { years, rows, notes, checks, .. } => {
            check_rows(file, span.clone(), rows.len(), problems);
            check_kpi(file, span, years, rows, notes, checks, problems);
        }
        Block::Table { header, rows, align, total, .. } => {
            check_rows(file, span.clone(), rows.len(), problems);
            if !align.is_empty() && align.len() != header.len() {
                let at = key_value(file, span.clone(), "align").or(Some(span.clone()));
                let message = format!("`align` has {} columns but the header has {}", align.len(), header.len());
                problems.push(file.problem(Severity::Error, at, message));
            }
            if *total && rows.len() < 2 {
                let at = key_value(file, span.clone(), "total").or(Some(span.clone()));
                problems.push(file.problem(Severity::Error, at, "`total = true` needs rows above the total row"));
            }
            if header.is_empty() {
                let at = key_value(file, span.clone(), "header").or(Some(span.clone()));
                problems.push(file.problem(Severity::Error, at, "a table needs a `header` with at least one cell"));
            }
            for (i, row) in rows.iter().enumerate() {
                if row.len() != header.len() {
                    let at = row.first().and_then(|c| find_value(file, span.clone(), c)).or(Some(span.clone()));
                    problems.push(file.problem(
                        Severity::Error,
                        at,
                        format!("table row {} has {} cells but the header has {}", i + 1, row.len(), header.len()),
                    ));
                }
            }
        }
        Block::Figure { image, width_mm, .. } => {
            if let Some(width) = width_mm {
                fields::check_width(file, span.clone(), *width, problems);
            }
            if let Some(image) = image {
                check_image(file, span, image, &report.base, problems);
            }
        }
        Block::Case { figures, .. } => {
            for image in figures.iter().filter_map(|f| f.image.as_deref()) {
                check_image(file, span.clone(), image, &report.base, problems);
            }
        }
        Block::OrgChart { nodes, .. } => {
            fields::check_org_cycles(file, span.clone(), nodes, problems);
            let ids: HashSet<&str> = nodes.iter().map(|n| n.id.as_str()).collect();
            for parent in nodes.iter().filter_map(|n| n.parent.as_deref()) {
                if !ids.contains(parent) {
                    problems.push(file.problem(
                        Severity::Error,
                        find_value(file, span.clone(), parent),
                        format!("org chart parent '{parent}' is not the id of any node"),
                    ));
                }
            }
        }
        Block::Ratings { items, .. } => {
            for r in items.iter().filter(|r| r.stars > r.of) {
                problems.push(file.problem(
                    Severity::Error,
                    find_value(file, span.clone(), &r.dimension),
                    format!("rating '{}' has {} stars out of {}", r.dimension, r.stars, r.of),
                ));
            }
        }
        Block::Chart { .. } | Block::Materiality { .. } | Block::Qr { .. } => {
            check_graphic(file, span, block, report, problems)
        }
        Block::Index { index, .. } if !report.indexes.iter().any(|i| &i.data.id == index) => {
            problems.push(file.problem(
                Severity::Error,
                find_value(file, span, index),
                format!("unknown index '{index}' (list its file under `indexes` in the manifest)"),
            ));
        }
        _ => {}
    }
}

/// A table may not have more than [`MAX_TABLE_ROWS`] rows.
pub fn check_rows(file: &SourceFile, span: std::ops::Range<usize>, rows: usize, problems: &mut Problems) {
    if rows > MAX_TABLE_ROWS {
        problems.push(file.problem(
            Severity::Error,
            Some(span),
            format!("a table of {rows} rows is longer than the limit of {MAX_TABLE_ROWS}; split it"),
        ));
    }
}

/// Resolves and decodes an image (both `check` and `build` run this), so a
/// corrupt or oversized image is an error at its `image = ` value.
fn check_image(file: &SourceFile, span: std::ops::Range<usize>, image: &str, base: &Path, problems: &mut Problems) {
    let message = match locate_image(base, image) {
        Err(e) => e.to_string(),
        Ok(path) => match inspect(&path) {
            Err(e) => format!("image '{image}': {e}"),
            Ok(()) => return,
        },
    };
    problems.push(file.problem(Severity::Error, find_value(file, span, image), message));
}
