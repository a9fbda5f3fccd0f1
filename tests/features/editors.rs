//! The editors' tools on the real binary: KPI values from spreadsheets and
//! the `kpi export` round trip, charts and QR codes drawn from data, and the
//! change report between builds (`build`, `preview --changed`).

use std::path::Path;

use crate::support::*;
use calamine::{Data, Reader};
use rust_xlsxwriter::Workbook;

/// The editors fixture with its workbook written by the first `kpi export`.
fn editors_fixture() -> tempfile::TempDir {
    let dir = fixture("editors");
    let workbook = dir.path().join("kpi/员工.xlsx");
    let out = run(&["kpi", "export", manifest(&dir).as_str(), "-o", workbook.to_str().expect("test step")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("wrote 1 KPI table"), "{}", stdout(&out));
    dir
}

fn manifest(dir: &tempfile::TempDir) -> String {
    dir.path().join("report.toml").to_str().expect("test step").to_owned()
}

/// Every sheet of a workbook as rows of cell texts.
fn read_book(path: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    let mut book = calamine::open_workbook_auto(path).expect("open workbook");
    let names = book.sheet_names();
    names
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).expect("sheet");
            let rows = range
                .rows()
                .map(|r| r.iter().map(|c| if *c == Data::Empty { String::new() } else { c.to_string() }).collect())
                .collect();
            (name, rows)
        })
        .collect()
}

/// Writes sheets of text cells (how a department's edit is simulated).
fn write_book(path: &Path, sheets: &[(String, Vec<Vec<String>>)]) {
    let mut book = Workbook::new();
    for (name, rows) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(name).expect("test step");
        for (r, row) in rows.iter().enumerate() {
            for (c, text) in row.iter().enumerate().filter(|(_, t)| !t.is_empty()) {
                sheet.write_string(r as u32, c as u16, text).expect("test step");
            }
        }
    }
    book.save(path).expect("test step");
}

/// Sets the cell of `indicator` in the column of `year`.
fn set_cell(sheet: &mut [Vec<String>], indicator: &str, year: &str, value: &str) {
    let col = sheet[0].iter().position(|h| h == year).expect("year column");
    let row = sheet.iter_mut().find(|r| r.get(1).map(String::as_str) == Some(indicator)).expect("indicator row");
    row[col] = value.to_owned();
}

#[test]
fn kpi_export_fill_build_round_trip_and_integrity_check() {
    let dir = editors_fixture();
    let workbook = dir.path().join("kpi/员工.xlsx");
    let mut sheets = read_book(&workbook);
    assert_eq!(sheets[0].0, "员工");
    assert_eq!(sheets[0].1[0], ["id", "指标名称", "单位", "2018", "2019", "2020"]);

    // A department fills in new 2020 figures that add up.
    set_cell(&mut sheets[0].1, "中国大陆员工数", "2020", "454,000");
    set_cell(&mut sheets[0].1, "员工总数", "2020", "455,332");
    write_book(&workbook, &sheets);
    let pdf = dir.path().join("out/report.pdf");
    let out = build(Path::new(&manifest(&dir)), &pdf, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = squash(&pdf_text(&pdf, 0));
    assert!(text.contains("455,332") && text.contains("454,000"), "the new values are printed");
    assert!(!text.contains("454,332"), "the old total is gone");

    // A planted inconsistency: the total no longer adds up.
    set_cell(&mut sheets[0].1, "员工总数", "2020", "455,999");
    write_book(&workbook, &sheets);
    let good = std::fs::read(&pdf).expect("test step");
    let out = build(Path::new(&manifest(&dir)), &pdf, &["--diagnostic-format", "short"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("KPI check failed for 2020: cn + abroad = 455332 but total is 455999"), "{err}");
    assert!(std::fs::read(&pdf).expect("test step") == good, "a failed build keeps the last good PDF");

    // The workbook the report reads is never overwritten by an export.
    let out = run(&["kpi", "export", manifest(&dir).as_str(), "-o", workbook.to_str().expect("test step")]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn a_bad_cell_names_file_sheet_and_cell() {
    let dir = editors_fixture();
    let workbook = dir.path().join("kpi/员工.xlsx");
    let mut sheets = read_book(&workbook);
    set_cell(&mut sheets[0].1, "港澳台及海外员工数", "2019", "1,2.3");
    write_book(&workbook, &sheets);
    let pdf = dir.path().join("r.pdf");
    let out = build(Path::new(&manifest(&dir)), &pdf, &["--diagnostic-format", "short"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    // Row 5 (header, group row, three indicators), column E (2019).
    assert!(err.contains("kpi/员工.xlsx!员工!E5: error: '1,2.3' is not a number"), "{err}");
    assert!(!pdf.exists());

    // A row the table does not have is not dropped silently.
    set_cell(&mut sheets[0].1, "港澳台及海外员工数", "2019", "1,239");
    let extra = ["", "退休员工数", "人", "1", "2", "3"].map(String::from).to_vec();
    sheets[0].1.push(extra);
    write_book(&workbook, &sheets);
    let out = build(Path::new(&manifest(&dir)), &pdf, &["--diagnostic-format", "short"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("员工!B8: error: row '退休员工数' matches no indicator"), "{}", stderr(&out));
}

#[test]
fn csv_values_and_numbers_typed_as_numbers() {
    let dir = editors_fixture();
    let csv = "id,指标名称,单位,2018,2019,2020\n,员工构成,,,,\ntotal,员工总数,人,\"459,152\",\"456,239\",\"454,332\"\n\
               cn,中国大陆员工数,人,\"458,000\",\"455,000\",\"453,000\"\nabroad,港澳台及海外员工数,人,\"1,152\",\"1,239\",\"1,332\"\n\
               female,女性员工比例,%,54.1,54.3,54.6\nmale,男性员工比例,%,45.9,45.7,45.4\n";
    std::fs::write(dir.path().join("kpi/员工.csv"), csv).expect("test step");
    let part = dir.path().join("parts/numbers.toml");
    let text = std::fs::read_to_string(&part).expect("test step").replace("kpi/员工.xlsx", "kpi/员工.csv");
    std::fs::write(&part, text).expect("test step");
    let pdf = dir.path().join("r.pdf");
    let out = build(Path::new(&manifest(&dir)), &pdf, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(squash(&pdf_text(&pdf, 0)).contains("男性员工比例%45.945.745.4"));

    // A number typed as a number takes the decimals of the TOML value.
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("员工").expect("test step");
    for (c, h) in ["id", "指标名称", "单位", "2018", "2019", "2020"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).expect("test step");
    }
    let rows = [("total", 459152.0), ("cn", 458000.0), ("abroad", 1152.0), ("female", 54.1), ("male", 45.9)];
    for (r, (id, v)) in rows.iter().enumerate() {
        sheet.write_string(r as u32 + 1, 0, *id).expect("test step");
        for c in 3..6 {
            sheet.write_number(r as u32 + 1, c, if *id == "male" && c == 5 { 45.4 } else { *v }).expect("test step");
        }
    }
    book.save(dir.path().join("kpi/员工.xlsx")).expect("test step");
    let text = std::fs::read_to_string(&part).expect("test step").replace("kpi/员工.csv", "kpi/员工.xlsx");
    std::fs::write(&part, text).expect("test step");
    let out = build(Path::new(&manifest(&dir)), &pdf, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = squash(&pdf_text(&pdf, 0));
    assert!(text.contains("员工总数人459,152459,152459,152"), "{text}");
}

/// The 2020 report's environmental part reads its KPI values from
/// `data/kpi/环境绩效.xlsx`; the same values typed into TOML give the same
/// PDF text.
#[test]
fn report_kpi_part_from_spreadsheet_matches_toml() {
    let data = tempfile::tempdir().expect("test step");
    copy_dir(&repo().join("data"), data.path());
    let sheets = read_book(&repo().join("data/kpi/环境绩效.xlsx"));
    let part = data.path().join("parts/14-environmental.toml");
    let mut doc: toml::Table = toml::from_str(&std::fs::read_to_string(&part).expect("test step")).expect("test step");
    doc.remove("kpi_source");
    let mut inlined = 0;
    for section in doc["sections"].as_array_mut().expect("test step") {
        for sub in section.get_mut("subsections").and_then(|s| s.as_array_mut()).into_iter().flatten() {
            for block in sub.get_mut("blocks").and_then(|b| b.as_array_mut()).into_iter().flatten() {
                if block["type"].as_str() != Some("kpi") {
                    continue;
                }
                let title = block["title"].as_str().expect("test step").to_owned();
                let (_, rows) = sheets.iter().find(|(name, _)| *name == title).expect("a sheet per table");
                for row in block["rows"].as_array_mut().expect("test step") {
                    let Some(name) = row.get("indicator").and_then(|i| i.as_str()).map(str::to_owned) else { continue };
                    let cells = rows.iter().find(|r| r[1] == name).expect("a row per indicator");
                    let values = cells[3..].iter().map(|v| toml::Value::String(v.clone())).collect();
                    row.as_table_mut().expect("test step").insert("values".into(), toml::Value::Array(values));
                    inlined += 1;
                }
            }
        }
    }
    assert!(inlined > 30, "the part's indicators were inlined ({inlined})");
    std::fs::write(&part, toml::to_string(&doc).expect("test step")).expect("test step");

    let out_dir = tempfile::tempdir().expect("test step");
    let from_sheet = out_dir.path().join("sheet.pdf");
    let from_toml = out_dir.path().join("toml.pdf");
    let out = build(&repo().join("data/report.toml"), &from_sheet, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = build(&data.path().join("report.toml"), &from_toml, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (a, b) = (pdf_text(&from_sheet, 0), pdf_text(&from_toml, 0));
    assert!(a.contains("295.4") && a.contains("18.16"), "the imported values are printed");
    assert_eq!(a, b, "the same PDF text from the spreadsheet as from TOML");
}

#[test]
fn report_qr_codes_decode_to_their_urls() {
    let dir = tempfile::tempdir().expect("test step");
    let pdf = dir.path().join("report.pdf");
    let out = build(&repo().join("data/report.toml"), &pdf, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let pages = pdf_pages(&pdf);
    let page = (1..=pages).find(|&p| squash(&pdf_text(&pdf, p)).contains("扫码浏览本报告网络版")).expect("QR page");
    // (The feedback part's code may share the page: the about part runs
    // in after it.)
    let decoded = decode_qr(&pdf, page);
    assert!(decoded.iter().any(|d| d == "https://www.10086.cn/aboutus/csr/report"), "{decoded:?}");
    assert!(decoded.iter().all(|d| d.starts_with("https://") || d.starts_with("mailto:")), "{decoded:?}");
    // The matrix and a chart are drawn, with their labels as text.
    let text = squash(&pdf_text(&pdf, 0));
    assert!(text.contains("议题实质性分析矩阵") && text.contains("利益相关方关注程度") && text.contains("经济议题"));
    assert!(text.contains("温室气体排放构成") && text.contains("单位：百万吨"));
}

/// Lengthening an early paragraph moves the case box after it a page on:
/// the next build names the moved label and the index pointers.
#[test]
fn change_report_names_moved_labels_and_index_pointers() {
    let dir = editors_fixture();
    let pdf = dir.path().join("out/report.pdf");
    let first = build(Path::new(&manifest(&dir)), &pdf, &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(!stdout(&first).contains("changes since the last build"), "nothing to compare on the first build");
    assert!(
        crate::support::press::state_path(&repo(), &pdf).is_file(),
        "the record lives in the cache folder under the root"
    );

    let again = build(Path::new(&manifest(&dir)), &pdf, &[]);
    assert!(stdout(&again).contains("changes since the last build: none"), "{}", stdout(&again));

    let part = dir.path().join("parts/chapter.toml");
    let text = std::fs::read_to_string(&part).expect("test step");
    let longer =
        text.replacen("text = \"我们", &format!("text = \"{}我们", "让更多用户共享数字生活的便利。".repeat(200)), 1);
    std::fs::write(&part, longer).expect("test step");
    let after = build(Path::new(&manifest(&dir)), &pdf, &[]);
    assert!(after.status.success(), "{}", stderr(&after));
    let report = stdout(&after);
    let moved = report.lines().find(|l| l.contains("moved: 案例 5G+智慧港口: p")).unwrap_or_else(|| panic!("{report}"));
    let pages: Vec<u32> =
        moved.split('p').skip(1).filter_map(|s| s.trim_end_matches([' ', '→']).trim().parse().ok()).collect();
    assert!(pages.len() == 2 && pages[1] > pages[0], "{moved}");
    assert!(report.contains(&format!("index: DEMO:A2: p{} → p{}", pages[0], pages[1])), "{report}");
    assert!(report.contains("pages changed:"), "{report}");

    // `preview --changed` renders only what changed since the last preview.
    let preview = dir.path().join("preview");
    // The print profile: a proof's slug line carries the data revision, so
    // every proof page changes with any data edit.
    let args =
        ["preview", &manifest(&dir), "-o", preview.to_str().expect("test step"), "--changed", "--profile", "print"];
    let out = run(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::write(&part, text).expect("test step");
    for f in
        std::fs::read_dir(&preview).expect("test step").map(|e| e.expect("test step").path()).filter(|p| p.is_file())
    {
        std::fs::remove_file(f).expect("test step");
    }
    let out = run(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let rendered: Vec<String> = std::fs::read_dir(&preview)
        .expect("test step")
        .map(|e| e.expect("test step").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("page-"))
        .collect();
    assert!(!rendered.is_empty() && rendered.len() < pdf_pages(&pdf), "only changed pages: {rendered:?}");
    assert!(!rendered.iter().any(|n| n == "page-001.png"), "the cover did not change: {rendered:?}");
    assert!(preview.join("contact-sheet.png").is_file());
}

#[test]
fn watch_rebuilds_when_the_workbook_is_saved() {
    let dir = editors_fixture();
    let pdf = dir.path().join("out/report.pdf");
    with_watch(Path::new(&manifest(&dir)), &pdf, |rx| {
        wait_for(rx, "watching for changes");
        let workbook = dir.path().join("kpi/员工.xlsx");
        let mut sheets = read_book(&workbook);
        set_cell(&mut sheets[0].1, "女性员工比例", "2020", "55.5");
        set_cell(&mut sheets[0].1, "男性员工比例", "2020", "44.5");
        // Saved as spreadsheet programs do: a whole new file renamed into place.
        let temp = dir.path().join("out/.~saving.xlsx");
        write_book(&temp, &sheets);
        std::fs::rename(&temp, &workbook).expect("test step");
        wait_for(rx, "built");
        assert!(squash(&pdf_text(&pdf, 0)).contains("女性员工比例%54.154.355.5"));
    });
}

#[test]
fn a_chart_naming_an_unknown_table_or_row_is_a_located_error() {
    let dir = editors_fixture();
    let part = dir.path().join("parts/numbers.toml");
    let text = std::fs::read_to_string(&part).expect("test step");
    let broken = text.replacen("table = \"kpi-staff\"", "table = \"kpi-nope\"", 1).replacen(
        "\"female\", \"male\"",
        "\"female\", \"other\"",
        1,
    );
    std::fs::write(&part, broken).expect("test step");
    let out = run(&["check", &manifest(&dir), "--diagnostic-format", "short"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("numbers.toml:")
            && err.contains("chart names table 'kpi-nope', which is not the label of any KPI table"),
        "{err}"
    );
    assert!(err.contains("KPI table 'kpi-staff' has no row 'other'"), "{err}");
}

#[test]
fn a_ring_legend_gives_every_share_one_precision() {
    // Issue 25: 55 %, 2 % beside 17.5 %. Shares of 99.7, 0.3 and 0.0: the
    // last printed as 0.0, like the others.
    let dir = editors_fixture();
    let part = dir.path().join("parts/numbers.toml");
    edit(&part, "rows = [\"female\", \"male\"]", "rows = [\"cn\", \"abroad\", \"female\"]");
    let pdf = dir.path().join("out/report.pdf");
    let out = build(Path::new(&manifest(&dir)), &pdf, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text: String = (1..=pdf_pages(&pdf)).map(|p| squash(&pdf_text(&pdf, p))).collect();
    assert!(text.contains("(0.0%)") && text.contains("(99.7%)"), "{text}");
    assert!(!text.contains("(0%)"), "a share without its decimal: {text}");
}

#[test]
fn chart_text_in_the_paper_colour_on_paper_is_found() {
    // Issue 25: values that did not fit their bar were drawn white on white
    // paper. A layout copy paints the line chart's values in the paper
    // colour: `check` reports each, located at the chart, and `--strict` fails.
    let dir = editors_fixture();
    let root = crate::support::case::root_copy();
    edit(
        &root.path().join("layout/charts.typ"),
        "label-at(x, y - 4.2mm, slot, s.labels.at(i))",
        "label-at(x, y - 4.2mm, slot, s.labels.at(i), fill: paper)",
    );
    let check = |strict: bool| {
        let mut args = vec!["check".to_owned(), manifest(&dir), "--diagnostic-format".into(), "short".into()];
        if strict {
            args.push("--strict".into());
        }
        std::process::Command::new(env!("CARGO_BIN_EXE_csr-press"))
            .args(&args)
            .arg("--root")
            .arg(root.path())
            .output()
            .expect("run csr-press")
    };
    let out = check(false);
    let found: Vec<String> = stderr(&out).lines().filter(|l| l.ends_with("[paper-text]")).map(str::to_owned).collect();
    assert!(found.iter().any(|l| l.contains("numbers.toml:") && l.contains(": page ")), "{}", stderr(&out));
    assert_eq!(check(true).status.code(), Some(1), "--strict fails on it");
}
