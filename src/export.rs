//! The KPI workbook `csr-press kpi export` writes: every KPI table of the
//! report in one workbook, one sheet per table, for departments to fill in.
//!
//! Each sheet has a header row (`id`, `指标名称`, `单位`, one column per year),
//! sub-heading rows in bold, value cells formatted as text (so `/`, `>90` and
//! `1,400+` survive a round trip) and the table's notes under it. The sheet
//! names are the ones [`crate::load::kpi_import`] looks for, so pointing a part's
//! `kpi_source` at the filled-in workbook needs no further setup.

use std::path::Path;

use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::model::{Block, KpiRow};
use crate::source::Report;
use crate::workbook::{ID_HEADER, INDICATOR_HEADER, UNIT_HEADER, kpi_blocks, worksheet_names as sheet_names};

/// Header fill: a neutral dark grey (the workbook belongs to no brand; a
/// client colour here would follow every report, whatever its theme).
const HEADER_FILL: u32 = 0x3C3C3C;
/// Sub-heading fill: a neutral light grey.
const GROUP_FILL: u32 = 0xEDEDED;

/// The `kpi_source` or `source` that names `output`, if any.
pub fn reads(report: &Report, output: &Path) -> Option<String> {
    let target = output.canonicalize().ok()?;
    let mut sources: Vec<String> = Vec::new();
    for part in &report.parts {
        sources.extend(part.data.kpi_workbook.as_ref().map(|s| s.get_ref().clone()));
        for block in kpi_blocks(&part.data) {
            if let Block::Kpi { workbook: Some(s), .. } = block {
                sources.push(s.clone());
            }
        }
    }
    sources.into_iter().find(|s| report.base.join(s).canonicalize().ok().as_ref() == Some(&target))
}

/// The workbook's bytes and the number of tables in it; `only` limits it
/// to the part with that id.
pub fn workbook(report: &Report, only: Option<&str>) -> Result<(Vec<u8>, usize), XlsxError> {
    let mut book = Workbook::new();
    let names = sheet_names(report.parts.iter().map(|p| &p.data));
    let blocks = report.parts.iter().flat_map(|p| kpi_blocks(&p.data).into_iter().map(|b| (p.data.id.as_str(), b)));
    let mut tables = 0;
    for ((part, block), name) in blocks.zip(names) {
        let Block::Kpi { years, rows, notes, .. } = block else { continue };
        if only.is_some_and(|id| id != part) {
            continue;
        }
        let sheet = book.add_worksheet();
        sheet.set_name(name)?;
        write_table(sheet, years, rows, notes)?;
        tables += 1;
    }
    if tables == 0 {
        book.add_worksheet().write_string(0, 0, "这份报告没有 KPI 表")?;
    }
    Ok((book.save_to_buffer()?, tables))
}

/// Writes one KPI table to a sheet.
fn write_table(sheet: &mut Worksheet, years: &[i32], rows: &[KpiRow], notes: &[String]) -> Result<(), XlsxError> {
    let border = Color::RGB(0xBFBFBF);
    let head = Format::new()
        .set_bold()
        .set_font_color(Color::White)
        .set_background_color(Color::RGB(HEADER_FILL))
        .set_border(FormatBorder::Thin)
        .set_border_color(border);
    let cell = Format::new().set_border(FormatBorder::Thin).set_border_color(border);
    let value = cell.clone().set_num_format("@").set_align(rust_xlsxwriter::FormatAlign::Right);
    let id = cell.clone().set_font_color(Color::RGB(0x808080));
    let group = cell.clone().set_bold().set_background_color(Color::RGB(GROUP_FILL));
    let note = Format::new().set_italic().set_font_color(Color::RGB(0x595959));

    let header = [ID_HEADER.to_owned(), INDICATOR_HEADER.to_owned(), UNIT_HEADER.to_owned()];
    let header = header.into_iter().chain(years.iter().map(i32::to_string));
    for (c, text) in header.enumerate() {
        sheet.write_string_with_format(0, c as u16, text, &head)?;
    }
    let last = 2 + years.len() as u16;
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        if let Some(name) = &row.group {
            sheet.write_string_with_format(r, 1, name, &group)?;
            for c in (0..=last).filter(|&c| c != 1) {
                sheet.write_blank(r, c, &group)?;
            }
            continue;
        }
        sheet.write_string_with_format(r, 0, row.id.as_deref().unwrap_or(""), &id)?;
        sheet.write_string_with_format(r, 1, row.indicator.as_deref().unwrap_or(""), &cell)?;
        sheet.write_string_with_format(r, 2, &row.unit, &cell)?;
        for y in 0..years.len() {
            let text = row.values.get(y).map_or("", String::as_str);
            sheet.write_string_with_format(r, 3 + y as u16, text, &value)?;
        }
    }
    for (i, text) in notes.iter().enumerate() {
        sheet.write_string_with_format(rows.len() as u32 + 2 + i as u32, 1, format!("注{}：{text}", i + 1), &note)?;
    }
    sheet.set_column_width(0, 16)?;
    sheet.set_column_width(1, 44)?;
    sheet.set_column_width(2, 16)?;
    for y in 0..years.len() as u16 {
        sheet.set_column_width(3 + y, 12)?;
    }
    sheet.set_freeze_panes(1, 2)?;
    Ok(())
}
