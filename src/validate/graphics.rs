//! Checks of graphics drawn from data: a chart's rows must resolve against
//! its KPI table ([`crate::charts::plot`]), a materiality matrix's scores
//! lie on its axes, a QR code must encode.

use std::ops::Range;

use crate::charts::{QR_SIZE_MM, SCORE_MAX, plot, qr_runs};
use crate::diag::{Problems, Severity};
use crate::model::Block;
use crate::source::{Report, SourceFile};

/// Validates a chart, materiality or QR block.
pub fn check_graphic(file: &SourceFile, span: Range<usize>, block: &Block, report: &Report, problems: &mut Problems) {
    let message = match block {
        Block::Chart { kind, table, rows, year, .. } => {
            plot(report, *kind, table, rows, *year).err().map(|e| e.to_string())
        }
        Block::Materiality { topics, .. } => {
            let bad = topics.iter().find(|t| !(0.0..=SCORE_MAX).contains(&t.x) || !(0.0..=SCORE_MAX).contains(&t.y));
            let mut numbers: Vec<u32> = topics.iter().map(|t| t.no).collect();
            numbers.sort_unstable();
            let repeated = numbers.windows(2).find(|w| w[0] == w[1]).map(|w| w[0]);
            match (bad, repeated) {
                (Some(t), _) => Some(format!("topic {} has scores outside 0–{SCORE_MAX}", t.no)),
                (None, Some(n)) => Some(format!("topic number {n} is used twice")),
                _ => None,
            }
        }
        Block::Qr { url, .. } if url.trim().is_empty() => Some("a QR code needs a `url`".into()),
        Block::Qr { size_mm: Some(size), .. } if !QR_SIZE_MM.contains(size) => {
            let message = format!(
                "`size_mm = {size}`: a QR code must be {}–{} mm wide (smaller does not scan, larger does not fit)",
                QR_SIZE_MM.start(),
                QR_SIZE_MM.end()
            );
            let at = file.find(file.region(span.clone()), "size_mm");
            return problems.push(file.problem(Severity::Error, at.or(Some(file.region(span))), message));
        }
        Block::Qr { url, .. } => qr_runs(url).err().map(|e| e.to_string()),
        _ => None,
    };
    if let Some(message) = message {
        problems.push(file.problem(Severity::Error, Some(file.region(span)), message));
    }
}
