//! Disclosure index files.

use serde::{Deserialize, Serialize};

/// A disclosure index file under `data/indexes/`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Index {
    /// Short id used as the prefix of disclosure tags (`GRI` in `GRI:2-1`).
    pub id: String,
    /// The standard's title.
    pub title: String,
    /// Column headings, e.g. `["指标编号及名称", "披露页码"]`.
    #[serde(default)]
    pub columns: Vec<String>,
    /// Row groups.
    pub groups: Vec<IndexGroup>,
}

/// A group of index rows under a heading.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IndexGroup {
    /// Group heading (may be empty).
    #[serde(default)]
    pub title: String,
    /// Rows.
    pub rows: Vec<IndexRow>,
}

/// One index row: a code and a name; the pages are computed.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IndexRow {
    /// The indicator code (`M2.13`, `A1.1`, `SDG 1`).
    pub code: String,
    /// The indicator name.
    pub name: String,
    /// Extra text column (e.g. what the organisation does for an SDG).
    #[serde(default)]
    pub detail: Option<String>,
    /// Printed instead of pages: `-`, `不适用`, `无相关实践`, ….
    #[serde(default)]
    pub status: Option<String>,
}
