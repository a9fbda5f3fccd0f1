//! The KPI workbook contract shared by the spreadsheet import (stage 1,
//! `load`) and `kpi export`: which worksheet holds which KPI table,
//! and the header texts of its columns. A workbook `kpi export` writes is
//! one the import reads back unchanged.

use crate::model::{Block, Part};

/// Longest worksheet name a workbook allows.
const WORKSHEET_NAME_MAX: usize = 31;
/// Header text of the id column.
pub const ID_HEADER: &str = "id";
/// Header text of the indicator column.
pub const INDICATOR_HEADER: &str = "指标名称";
/// Header text of the unit column.
pub const UNIT_HEADER: &str = "单位";

/// The worksheet name `kpi export` gives each KPI table of the report, in
/// reading order: the title, cleaned and shortened to what workbooks allow,
/// made unique with a ` (2)` suffix.
pub fn worksheet_names<'a>(parts: impl Iterator<Item = &'a Part>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for part in parts {
        for block in kpi_blocks(part) {
            let Block::Kpi { title, .. } = block else { continue };
            let clean: String =
                title.chars().filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\')).collect();
            let clean = clean.trim().trim_matches('\'').to_owned();
            let base = if clean.is_empty() { "KPI".to_owned() } else { clean };
            let mut name = cut(&base, WORKSHEET_NAME_MAX);
            let mut n = 2;
            // Workbooks compare worksheet names without case, in every script
            // (`Ä` and `ä` are one name).
            while names.iter().any(|other| other.to_lowercase() == name.to_lowercase()) {
                let suffix = format!(" ({n})");
                name = cut(&base, WORKSHEET_NAME_MAX - suffix.chars().count()) + &suffix;
                n += 1;
            }
            names.push(name);
        }
    }
    names
}

/// `name` cut to `max` characters; a name may not end in an apostrophe (nor
/// begin with one: the caller trims those), so a cut that leaves one at the
/// end drops it too.
fn cut(name: &str, max: usize) -> String {
    let cut: String = name.chars().take(max).collect();
    let kept = cut.trim_end_matches(['\'', ' ']);
    if kept.is_empty() { "KPI".to_owned() } else { kept.to_owned() }
}

/// The KPI blocks of a part in reading order.
pub fn kpi_blocks(part: &Part) -> Vec<&Block> {
    let sections = part.sections.iter().map(|s| s.get_ref());
    let blocks = part.blocks.iter().chain(
        sections.flat_map(|s| s.blocks.iter().chain(s.subsections.iter().flat_map(|sub| sub.get_ref().blocks.iter()))),
    );
    blocks.map(|b| b.get_ref()).filter(|b| matches!(b, Block::Kpi { .. })).collect()
}

#[cfg(test)]
mod tests {
    use super::cut;

    #[test]
    fn a_cut_never_ends_in_an_apostrophe() {
        let title = format!("{}'s KPI", "a".repeat(30));
        assert_eq!(cut(&title, 31), "a".repeat(30));
        assert_eq!(cut("'''", 31), "KPI");
    }
}
