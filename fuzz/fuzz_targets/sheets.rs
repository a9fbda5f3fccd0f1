//! Fuzzes the KPI spreadsheet import: reading a workbook's bytes into
//! sparse worksheets (bounded: zip entry sizes, cell counts) and matching
//! them against a KPI table, through
//! `csr_press::load::kpi_import::check_spreadsheet_bytes`, which must never
//! panic, never allocate what a file merely declares, and return problems.
//!
//! The first byte picks what the rest is:
//! - 0: the first worksheet's XML of an `.xlsx` file (the rest of the file
//!   is a real workbook `rust_xlsxwriter` writes, with a percent format);
//! - 1: the shared strings XML of that workbook;
//! - 2: the `content.xml` of an `.ods` file;
//! - 3: a CSV file;
//! - 4 and 5: a whole `.xlsx` or `.ods` file (zip bytes);
//! - 6 and up: the styles XML of the workbook.
#![no_main]

use std::io::{Cursor, Read, Write};
use std::sync::OnceLock;

use csr_press::diag::DiagnosticFormat;
use csr_press::load::kpi_import::{SheetFormat, check_spreadsheet_bytes};
use libfuzzer_sys::fuzz_target;

/// The entries of a small KPI workbook.
fn template() -> &'static Vec<(String, Vec<u8>)> {
    static TEMPLATE: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("KPI").expect("name");
        for (c, h) in ["id", "指标名称", "2018", "2019", "2020"].iter().enumerate() {
            sheet.write_string(0, c as u16, *h).expect("header");
        }
        let percent = rust_xlsxwriter::Format::new().set_num_format("0.0%");
        sheet.write_string(1, 0, "total").expect("id");
        sheet.write_string(1, 1, "total 指标").expect("name");
        sheet.write_number(1, 2, 1234.5).expect("number");
        sheet.write_string(1, 3, "/").expect("text");
        sheet.write_number_with_format(1, 4, 0.25, &percent).expect("percent");
        let bytes = book.save_to_buffer().expect("workbook");
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
        (0..zip.len())
            .map(|i| {
                let mut entry = zip.by_index(i).expect("entry");
                let mut data = Vec::new();
                entry.read_to_end(&mut data).expect("read");
                (entry.name().expect("name").into_owned(), data)
            })
            .collect()
    })
}

/// The template workbook with one entry's bytes replaced.
fn workbook_with(name: &str, data: &[u8]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (entry, bytes) in template() {
        out.start_file(entry.as_str(), options).expect("entry");
        out.write_all(if entry == name { data } else { bytes }).expect("write");
    }
    out.finish().expect("zip").into_inner()
}

/// An `.ods` file of one `content.xml`.
fn ods_with(content: &[u8]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    out.start_file("mimetype", options).expect("entry");
    out.write_all(b"application/vnd.oasis.opendocument.spreadsheet").expect("write");
    out.start_file("content.xml", options).expect("entry");
    out.write_all(content).expect("write");
    out.finish().expect("zip").into_inner()
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let (bytes, format) = match mode {
        0 => (workbook_with("xl/worksheets/sheet1.xml", rest), SheetFormat::Xlsx),
        1 => (workbook_with("xl/sharedStrings.xml", rest), SheetFormat::Xlsx),
        2 => (ods_with(rest), SheetFormat::Ods),
        3 => (rest.to_vec(), SheetFormat::Csv),
        4 => (rest.to_vec(), SheetFormat::Xlsx),
        5 => (rest.to_vec(), SheetFormat::Ods),
        _ => (workbook_with("xl/styles.xml", rest), SheetFormat::Xlsx),
    };
    let problems = check_spreadsheet_bytes(bytes, format);
    let _ = problems.render(DiagnosticFormat::Human);
    let _ = problems.render(DiagnosticFormat::Short);
});
