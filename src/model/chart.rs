//! Charts drawn from data: KPI chart kinds and materiality topics.

use serde::{Deserialize, Serialize};

/// How a KPI chart draws its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    /// One bar per row and year, grouped by year.
    Bar,
    /// One line per row over the years.
    Line,
    /// The rows stacked into one bar per year.
    Stacked,
    /// The rows' shares of their sum in one year, as a ring.
    Ring,
}

/// A topic of a materiality matrix.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    /// The topic's number, as in the topics table (printed in the dot).
    pub no: u32,
    /// Score on the horizontal axis, 0–10.
    pub x: f64,
    /// Score on the vertical axis, 0–10.
    pub y: f64,
    /// The group the topic belongs to (colour and legend).
    pub group: String,
}
