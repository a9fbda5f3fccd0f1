//! Graphics drawn from data: KPI charts, materiality matrices and QR codes.
//!
//! A chart names a KPI table by its label and rows by id or indicator, so it
//! draws the very values the table prints (one source of truth, also when
//! they come from a spreadsheet). The numbers are resolved here and handed to
//! `layout/charts.typ` as a `plot` value; QR codes are encoded here into runs
//! of dark modules that the layout draws as one vector path in 100 % K.
//! Validation checks that a chart's [`plot`] resolves; the resolve stage
//! adds it to the layout JSON.

use serde::Serialize;

use crate::model::kpi_value::{indicator_key, parse_kpi};
use crate::model::{Block, ChartKind, KpiRow};
use crate::source::Report;

/// Why a chart or QR code cannot be drawn.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ChartError {
    /// The chart names a table no KPI table is labelled with.
    #[error("chart names table '{0}', which is not the label of any KPI table")]
    UnknownTable(String),
    /// The table has no row of that id or indicator.
    #[error("KPI table '{table}' has no row '{row}' (name a row id or indicator)")]
    UnknownRow {
        /// The table's label.
        table: String,
        /// The row asked for.
        row: String,
    },
    /// The chart names no rows.
    #[error("a chart needs at least one row")]
    NoRows,
    /// A share ring names a year the table does not have.
    #[error("KPI table '{table}' has no year {year} (it has {years:?})")]
    UnknownYear {
        /// The table's label.
        table: String,
        /// The year asked for.
        year: i32,
        /// The table's years.
        years: Vec<i32>,
    },
    /// The rows of a bar or line chart have different units.
    #[error("{}", format!("the rows of a {kind:?} chart must share one unit; table '{table}' mixes them").to_lowercase())]
    MixedUnits {
        /// The kind of chart.
        kind: ChartKind,
        /// The table's label.
        table: String,
    },
    /// A share ring has a row without a value, or a negative one.
    #[error("every row of a share ring needs a value of 0 or more in its year")]
    RingValues,
    /// A share ring whose values add up to nothing.
    #[error("the rows of a share ring add up to 0 in {year}; a ring shows shares of a total")]
    RingTotal {
        /// The ring's year.
        year: String,
    },
    /// A chart value below 0: the axes start at 0.
    #[error("row '{row}' has the negative value {value} in {year}; charts draw values from 0 (leave the row out)")]
    Negative {
        /// The row's indicator.
        row: String,
        /// The value as printed.
        value: String,
        /// The year.
        year: String,
    },
    /// The text cannot be encoded as a QR code.
    #[error("cannot encode '{text}' as a QR code ({reason})")]
    Qr {
        /// The text (a URL).
        text: String,
        /// Why.
        reason: String,
    },
}

/// Sizes a QR code may be printed at, in mm: smaller does not scan, larger
/// does not fit the text column.
pub const QR_SIZE_MM: std::ops::RangeInclusive<f64> = 10.0..=120.0;

/// Highest score on a materiality axis.
pub const SCORE_MAX: f64 = 10.0;

/// The numbers a chart draws.
#[derive(Debug, Serialize, PartialEq)]
pub struct Plot {
    /// The unit of every value.
    pub unit: String,
    /// The category labels: the table's years, or the one year of a ring.
    pub years: Vec<String>,
    /// One series per row.
    pub series: Vec<Series>,
    /// The top of the value axis: a round number over the largest bar.
    pub top: f64,
    /// The bottom of the value axis: 0, except for lines, which show the
    /// range of their values.
    pub bottom: f64,
}

/// One KPI row as a chart series.
#[derive(Debug, Serialize, PartialEq)]
pub struct Series {
    /// The indicator name.
    pub name: String,
    /// The values (`None` where the table prints `/`).
    pub values: Vec<Option<f64>>,
    /// The values as the table prints them.
    pub labels: Vec<String>,
}

/// Resolves a chart's rows against the KPI table labelled `table`.
pub fn plot(
    report: &Report,
    kind: ChartKind,
    table: &str,
    rows: &[String],
    year: Option<i32>,
) -> Result<Plot, ChartError> {
    let (years, table_rows) = kpi_table(report, table).ok_or_else(|| ChartError::UnknownTable(table.to_owned()))?;
    let picked: Vec<&KpiRow> = rows
        .iter()
        .map(|want| {
            table_rows
                .iter()
                .find(|r| r.id.as_deref() == Some(want))
                .or_else(|| {
                    table_rows.iter().find(|r| r.indicator.as_deref().map(indicator_key) == Some(indicator_key(want)))
                })
                .ok_or_else(|| ChartError::UnknownRow { table: table.to_owned(), row: want.clone() })
        })
        .collect::<Result<_, _>>()?;
    if picked.is_empty() {
        return Err(ChartError::NoRows);
    }
    let columns: Vec<usize> = match (kind, year) {
        (ChartKind::Ring, Some(y)) => {
            vec![years.iter().position(|&t| t == y).ok_or_else(|| ChartError::UnknownYear {
                table: table.to_owned(),
                year: y,
                years: years.to_vec(),
            })?]
        }
        (ChartKind::Ring, None) => vec![years.len().saturating_sub(1)],
        _ => (0..years.len()).collect(),
    };
    let unit = picked[0].unit.clone();
    if kind != ChartKind::Ring && picked.iter().any(|r| r.unit != unit) {
        return Err(ChartError::MixedUnits { kind, table: table.to_owned() });
    }
    let series: Vec<Series> = picked
        .iter()
        .map(|r| {
            let labels: Vec<String> = columns.iter().map(|&c| r.values.get(c).cloned().unwrap_or_default()).collect();
            let values = labels.iter().map(|v| parse_kpi(v).flatten()).collect();
            Series { name: r.indicator.clone().unwrap_or_default(), values, labels }
        })
        .collect();
    if kind == ChartKind::Ring && series.iter().any(|s| s.values.iter().any(|v| v.is_none_or(|v| v < 0.0))) {
        return Err(ChartError::RingValues);
    }
    for s in &series {
        if let Some(c) = s.values.iter().position(|v| v.is_some_and(|v| v < 0.0)) {
            let (row, value, year) = (s.name.clone(), s.labels[c].clone(), years[columns[c]].to_string());
            return Err(ChartError::Negative { row, value, year });
        }
    }
    if kind == ChartKind::Ring && series.iter().flat_map(|s| s.values.iter().flatten()).sum::<f64>() <= 0.0 {
        return Err(ChartError::RingTotal { year: columns.first().map(|&c| years[c].to_string()).unwrap_or_default() });
    }
    let largest = match kind {
        ChartKind::Stacked => {
            (0..columns.len()).map(|c| series.iter().filter_map(|s| s.values[c]).sum::<f64>()).fold(0.0, f64::max)
        }
        _ => series.iter().flat_map(|s| s.values.iter().flatten()).fold(0.0, |a: f64, &b| a.max(b)),
    };
    let years = columns.iter().map(|&c| years[c].to_string()).collect();
    let (bottom, top) = if kind == ChartKind::Line {
        let all: Vec<f64> = series.iter().flat_map(|s| s.values.iter().flatten().copied()).collect();
        let low = all.iter().copied().fold(f64::INFINITY, f64::min);
        let span = (largest - low).max(largest.abs() * 0.05).max(f64::EPSILON);
        ((low - span).max(0.0), largest + span * 0.6)
    } else {
        (0.0, nice_ceiling(largest))
    };
    Ok(Plot { unit, years, series, top, bottom })
}

/// The years and rows of the KPI table labelled `label`.
fn kpi_table<'a>(report: &'a Report, label: &str) -> Option<(&'a [i32], &'a [KpiRow])> {
    report.parts.iter().find_map(|part| {
        part.data.places(part.file.text.len()).into_iter().find_map(|place| match place.block {
            Some(Block::Kpi { years, rows, .. }) if place.label == Some(label) => Some((&years[..], &rows[..])),
            _ => None,
        })
    })
}

/// The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above `value` (1 for nothing).
pub fn nice_ceiling(value: f64) -> f64 {
    if value <= 0.0 || !value.is_finite() {
        return 1.0;
    }
    let scale = 10f64.powf(value.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * scale).find(|&v| v >= value * (1.0 - 1e-12)).unwrap_or(10.0 * scale)
}

/// Per row of a QR code, its runs of dark modules as `[start, length]`.
pub type QrRows = Vec<Vec<[usize; 2]>>;

/// The dark modules of a QR code for `text`: its width in modules and its rows.
pub fn qr_runs(text: &str) -> Result<(usize, QrRows), ChartError> {
    let code = qrcode::QrCode::new(text.as_bytes())
        .map_err(|e| ChartError::Qr { text: text.to_owned(), reason: e.to_string() })?;
    let width = code.width();
    let colors = code.to_colors();
    let rows = colors
        .chunks(width)
        .map(|row| {
            let mut runs: Vec<[usize; 2]> = Vec::new();
            for (x, c) in row.iter().enumerate() {
                if *c == qrcode::Color::Dark {
                    match runs.last_mut() {
                        Some(run) if run[0] + run[1] == x => run[1] += 1,
                        _ => runs.push([x, 1]),
                    }
                }
            }
            runs
        })
        .collect();
    Ok((width, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_tops_are_round() {
        assert_eq!(nice_ceiling(18.41), 20.0);
        assert_eq!(nice_ceiling(295.4), 500.0);
        assert_eq!(nice_ceiling(2.4), 2.5);
        assert_eq!(nice_ceiling(100.0), 100.0);
        assert_eq!(nice_ceiling(0.0), 1.0);
    }

    #[test]
    fn qr_runs_cover_the_finder_patterns() {
        let (width, rows) = qr_runs("https://www.10086.cn/aboutus/csr/report").expect("a URL encodes");
        assert_eq!(rows.len(), width);
        // The top-left finder pattern: a row of seven dark modules.
        assert_eq!(rows[0][0], [0, 7]);
        assert!(width >= 21 && (width - 17) % 4 == 0);
    }
}
