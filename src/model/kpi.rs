//! KPI tables: rows and integrity checks.

use serde::{Deserialize, Serialize};

/// One row of a KPI table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KpiRow {
    /// A sub-heading row: only this field is set.
    #[serde(default)]
    pub group: Option<String>,
    /// Indicator name.
    #[serde(default)]
    pub indicator: Option<String>,
    /// Unit, printed in its own column.
    #[serde(default)]
    pub unit: String,
    /// One value per year, as printed: `7,716`, `/`, `>15`, `1,400+`.
    #[serde(default)]
    pub values: Vec<String>,
    /// Footnote markers: numbers of the table's notes.
    #[serde(default)]
    pub notes: Vec<u32>,
    /// Identifier for integrity checks.
    #[serde(default)]
    pub id: Option<String>,
}

/// An integrity check: the `parts` rows add up to `total` (a row id) or
/// to `equals` (a constant such as 100), per year, within `tolerance`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KpiCheck {
    /// Row ids that are summed.
    pub parts: Vec<String>,
    /// Row id of the total.
    #[serde(default)]
    pub total: Option<String>,
    /// A constant total (e.g. 100 for percentages).
    #[serde(default)]
    pub equals: Option<f64>,
    /// Allowed absolute difference.
    #[serde(default)]
    pub tolerance: f64,
}
