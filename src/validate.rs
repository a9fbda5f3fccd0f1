//! Stage 2: checks what parsing cannot: labels, references, disclosure tags,
//! KPI values and integrity checks, table shapes, images.
//!
//! Every problem keeps its place: the block's span from parsing, narrowed to
//! the offending value where it can be found in the text. The checks live
//! by kind: `references` (labels, `{ref:}`, disclosure tags, indexes),
//! `blocks` (each block by its type), `kpi` (KPI tables), `graphics`
//! (charts, materiality, QR codes) and `fields` (single values); `find`
//! narrows a block's span to the offending value.

use crate::diag::{Problems, Severity};
use crate::model::markup::pages_in;
use crate::paths::{MAX_PROFILE_BYTES, ReadError};
use crate::source::Report;

mod blocks;
mod fields;
mod find;
mod graphics;
mod kpi;
mod references;

pub use blocks::MAX_TABLE_ROWS;
pub use fields::{MAX_WIDTH_MM, MIN_WIDTH_MM};
pub use references::{collect_labels, index_codes};

/// Checks the loaded report. Returns every problem found (errors and warnings).
pub fn validate(report: &Report) -> Problems {
    let mut problems = Problems::default();
    let codes = index_codes(report, &mut problems);
    let labels = collect_labels(report, &mut problems);
    let example = references::tag_example(report);
    for index in &report.indexes {
        references::check_index_columns(index, &mut problems);
    }

    for part in &report.parts {
        let file = &part.file;
        for place in part.data.places(file.text.len()) {
            for tag in &place.disclosures {
                references::check_tag(file, place.span.clone(), tag, &codes, &example, &mut problems);
            }
            if let Some(block) = place.block {
                blocks::check_block(file, place.span.clone(), block, report, &mut problems);
                for text in block.texts() {
                    references::check_refs(file, place.span.clone(), text, &labels, &mut problems);
                    for tag in pages_in(text) {
                        references::check_tag(file, place.span.clone(), tag, &codes, &example, &mut problems);
                    }
                }
            }
        }
        references::check_opener_refs(file, &part.data, &labels, &mut problems);
    }
    check_print_profile(report, &mut problems);
    problems
}

/// `[print] profile` must be a regular file of at most
/// [`MAX_PROFILE_BYTES`], checked before any stage opens it (`/dev/zero`
/// would be read until memory runs out, a FIFO would block). A missing file
/// is reported where the profile is read.
fn check_print_profile(report: &Report, problems: &mut Problems) {
    let Some(name) = report.manifest.data.print.as_ref().and_then(|p| p.profile.as_ref()) else { return };
    let reason = match std::fs::metadata(report.base.join(name.get_ref())) {
        Ok(meta) if !meta.is_file() => ReadError::NotAFile,
        Ok(meta) if meta.len() > MAX_PROFILE_BYTES => ReadError::TooLarge { size: meta.len(), cap: MAX_PROFILE_BYTES },
        _ => return,
    };
    let file = &report.manifest.file;
    let message = format!("cannot read the output profile '{}' ({reason})", name.get_ref());
    problems.push(file.problem(Severity::Error, Some(name.span()), message));
}

/// Parses and validates the text of one part file on its own, with the
/// given manifest and indexes; for fuzzing and editor integrations.
pub fn check_part_text(manifest: &str, part: &str, indexes: &[&str]) -> Problems {
    let (report, mut problems) = crate::load::report_from_texts(manifest, part, indexes);
    if let Some(report) = report {
        problems.0.extend(validate(&report).0);
    }
    problems
}
