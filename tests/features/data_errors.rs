//! The bad-input suite: every case breaks a copy of the fixture in one way
//! and asserts the exit code, the message (with file:line where there is
//! one), that nothing panics, and that the previous PDF is untouched.

use crate::support::case::{Case, root_copy, root_with};
use crate::support::*;

#[test]
fn malformed_toml() {
    let c = Case::new();
    c.edit("parts/letter.toml", "title = \"董事长致辞\"", "title = \"董事长致辞");
    c.fails(&["parts/letter.toml:3:", "error:"]);
}

#[test]
fn wrong_type() {
    let c = Case::new();
    c.edit("report.toml", "year = 2020", "year = \"2020\"");
    c.fails(&["report.toml:9:8: error: invalid type: string \"2020\", expected i32"]);
}

#[test]
fn unknown_field() {
    let c = Case::new();
    c.edit("parts/chapter.toml", "type = \"stats\"", "type = \"stats\"\nvaule = 1");
    c.fails(&["parts/chapter.toml:24:1: error: unknown field `vaule`, expected one of `title`, `items`"]);
}

#[test]
fn missing_field() {
    let c = Case::new();
    c.edit("parts/chapter.toml", "type = \"quote\"\ntext = \"察势者智，驭势者赢。\"", "type = \"quote\"");
    c.fails(&["parts/chapter.toml:", "missing field `text`"]);
}

#[test]
fn empty_part_file() {
    let c = Case::new();
    c.write("parts/back.toml", "");
    c.fails(&["parts/back.toml", "missing field `kind`"]);
}

#[test]
fn empty_manifest() {
    let c = Case::new();
    c.write("report.toml", "");
    c.fails(&["report.toml:1:1: error: missing field `meta`"]);
}

#[test]
fn five_megabyte_paragraph() {
    let c = Case::new();
    let huge = "数".repeat(5 * 1024 * 1024 / 3);
    c.append("parts/letter.toml", &format!("\n[[blocks]]\ntype = \"paragraph\"\ntext = \"{huge}\"\n"));
    c.fails(&["parts/letter.toml:21:8: error: a text of 5242878 bytes is longer than the limit of 64 KiB"]);
}

#[test]
fn ten_thousand_kpi_rows() {
    let c = Case::new();
    let rows: String = (0..10_000)
        .map(|i| format!("  {{ indicator = \"指标{i}\", unit = \"个\", values = [\"1\", \"2\", \"3\"] }},\n"))
        .collect();
    c.append(
        "parts/numbers.toml",
        &format!(
            "\n[[sections.blocks]]\ntype = \"kpi\"\ntitle = \"巨表\"\nyears = [2018, 2019, 2020]\nrows = [\n{rows}]\n"
        ),
    );
    c.fails(&["parts/numbers.toml:", "a table of 10000 rows is longer than the limit of 2000"]);
}

#[test]
fn unknown_disclosure_code() {
    let c = Case::new();
    c.edit("parts/chapter.toml", "DEMO:A1", "DEMO:Q7");
    c.fails(&["parts/chapter.toml:16:17: error: unknown disclosure code 'Q7' in index 'DEMO'"]);
}

#[test]
fn unknown_index_in_tag() {
    let c = Case::new();
    c.edit("parts/chapter.toml", "DEMO:A1", "GRI:102-1");
    c.fails(&["parts/chapter.toml:16:17: error: unknown index 'GRI'"]);
}

#[test]
fn duplicate_label() {
    let c = Case::new();
    c.edit("parts/numbers.toml", "label = \"staff\"", "label = \"new-infra\"");
    c.fails(&["parts/numbers.toml:7:10: error: duplicate label 'new-infra'"]);
}

#[test]
fn dangling_reference() {
    let c = Case::new();
    c.edit("parts/chapter.toml", "{ref:kpi-table}", "{ref:kpi-tabel}");
    c.fails(&["parts/chapter.toml:20:41: error: reference to unknown label 'kpi-tabel'"]);
}

#[test]
fn unclosed_reference() {
    let c = Case::new();
    c.edit("parts/chapter.toml", "{ref:kpi-table}", "{ref:kpi-table");
    c.fails(&["parts/chapter.toml:20:41: error: unclosed reference"]);
}

#[test]
fn missing_image() {
    let c = Case::new();
    c.figure("image = \"images/site.png\"");
    c.fails(&["parts/chapter.toml:66:10: error: image 'images/site.png' not found"]);
}

#[test]
fn corrupt_image() {
    let c = Case::new();
    c.write("site.png", "this is not a png at all");
    c.figure("image = \"site.png\"");
    c.fails(&["parts/chapter.toml", "image 'site.png': unsupported or corrupt image file"]);
}

#[test]
fn truncated_image() {
    let c = Case::new();
    let mut png = Vec::new();
    image::RgbImage::from_pixel(64, 64, image::Rgb([1, 2, 3]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    png.truncate(png.len() / 2);
    std::fs::write(c.path("half.png"), png).unwrap();
    c.figure("image = \"half.png\"");
    c.fails(&["image 'half.png': corrupt image"]);
}

#[test]
fn enormous_image() {
    let c = Case::new();
    // A PNG header that declares 60000 × 60000 pixels.
    let png = crate::support::png::declaring(60_000, 60_000, 8, 2);
    std::fs::write(c.path("huge.png"), png).unwrap();
    c.figure("image = \"huge.png\"");
    c.fails(&["image 'huge.png': image is 60000×60000 pixels, more than the 100000000 pixel limit"]);
}

#[test]
fn image_path_escaping_the_root() {
    let c = Case::new();
    c.figure("image = \"../../../../etc/passwd\"");
    c.fails(&["parts/chapter.toml:66:10: error: image '../../../../etc/passwd' lies outside the manifest's folder"]);
}

#[test]
fn image_symlink_out_of_the_root() {
    let c = Case::new();
    std::os::unix::fs::symlink("/etc/hostname", c.path("photo.png")).unwrap();
    c.figure("image = \"photo.png\"");
    c.fails(&["image 'photo.png' lies outside the manifest's folder"]);
}

#[test]
fn empty_font_folder() {
    let c = Case::new();
    let root = root_with(|f| std::fs::create_dir(f).unwrap());
    c.failed(c.build_in(root.path()), &["error: no fonts found in", "fonts"]);
}

#[test]
fn unreadable_font_folder() {
    let c = Case::new();
    // A file where the folder should be cannot be listed (even by root).
    let root = root_with(|f| std::fs::write(f, "not a folder").unwrap());
    c.failed(c.build_in(root.path()), &["error: cannot read the font folder", "Not a directory"]);
}

#[test]
fn typst_error_in_a_layout() {
    let c = Case::new();
    let root = root_copy();
    let kpi = root.path().join("layout/kpi.typ");
    let text = std::fs::read_to_string(&kpi).unwrap().replacen("    kpi-notes(b)\n", "    blok(b)\n", 1);
    std::fs::write(&kpi, text).unwrap();
    c.failed(c.build_in(root.path()), &["layout/kpi.typ:", "error: unknown variable: blok"]);
}

#[test]
fn typst_markup_in_data_is_printed_not_run() {
    let c = Case::new();
    c.edit("parts/letter.toml", "标记字符原样输出", "#panic(\\\"boom\\\") #read(\\\"/etc/passwd\\\") ");
    c.succeeds();
    let text = squash(&pdf_text(&c.pdf, 0));
    assert!(text.contains(&squash("#panic(\"boom\") #read(\"/etc/passwd\")")), "markup was not printed literally");
}

#[test]
fn invalid_utf8() {
    let c = Case::new();
    let mut bytes = std::fs::read(c.path("parts/letter.toml")).unwrap();
    let at = bytes.iter().position(|&b| b == b'\n').unwrap() + 1;
    bytes.insert(at, 0xff);
    std::fs::write(c.path("parts/letter.toml"), bytes).unwrap();
    c.fails(&["parts/letter.toml:2:1: error: file is not valid UTF-8"]);
}

#[test]
fn byte_order_mark_is_accepted() {
    let c = Case::new();
    let text = std::fs::read_to_string(c.path("parts/letter.toml")).unwrap();
    c.write("parts/letter.toml", &format!("\u{feff}{text}"));
    c.succeeds();
}

#[test]
fn crlf_line_endings_are_accepted_and_lines_still_count() {
    let c = Case::new();
    let text = std::fs::read_to_string(c.path("parts/chapter.toml")).unwrap();
    c.write("parts/chapter.toml", &text.replace('\n', "\r\n"));
    c.succeeds();
    c.edit("parts/chapter.toml", "DEMO:A1", "DEMO:Q7");
    c.fails(&["parts/chapter.toml:16:17: error: unknown disclosure code 'Q7'"]);
}

#[test]
fn characters_outside_the_bmp_build_and_check_warns() {
    let c = Case::new();
    c.edit("parts/letter.toml", "标记字符原样输出", "𠀀𝐀😀");
    c.succeeds();
    let out = run(&["check", c.path("report.toml").to_str().unwrap(), "--diagnostic-format", "short"]);
    let err = stderr(&out);
    assert!(err.contains("parts/letter.toml:12:11: warning: character '😀' (U+1F600) is not covered"), "{err}");
}

#[test]
fn characters_no_font_covers_fail_strict_check() {
    let c = Case::new();
    c.edit("parts/letter.toml", "标记字符原样输出", "ภาษาไทย");
    let out = run(&["check", c.path("report.toml").to_str().unwrap(), "--strict", "--diagnostic-format", "short"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("(U+0E20) is not covered"), "{}", stderr(&out));
}

#[test]
fn output_in_a_missing_folder_is_created() {
    let c = Case::new();
    let pdf = c.path("new/deeper/report.pdf");
    let out = build(&c.path("report.toml"), &pdf, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(pdf.exists());
}

#[test]
fn output_below_a_file_fails_cleanly() {
    let c = Case::new();
    c.write("blocker", "a file, not a folder");
    let pdf = c.path("blocker/report.pdf");
    let out = build(&c.path("report.toml"), &pdf, &["--diagnostic-format", "short"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("error: failed to write") && err.contains("blocker/report.pdf"), "{err}");
    assert!(!err.contains("panicked"));
}

#[test]
fn two_builds_writing_the_same_output_at_once() {
    let c = Case::new();
    let spawn = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_csr-press"))
            .args(["build", c.path("report.toml").to_str().unwrap(), "-o", c.pdf.to_str().unwrap(), "--root"])
            .arg(repo())
            .output()
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(spawn);
        let b = s.spawn(spawn);
        (a.join().unwrap().unwrap(), b.join().unwrap().unwrap())
    });
    assert!(a.status.success() && b.status.success(), "{}{}", stderr(&a), stderr(&b));
    // Whoever renamed last, the file is a whole, identical PDF.
    assert!(std::fs::read(&c.pdf).unwrap() == c.good);
    let leftovers: Vec<_> = std::fs::read_dir(c.path("out"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind");
}

#[test]
fn missing_manifest() {
    let c = Case::new();
    std::fs::remove_file(c.path("report.toml")).unwrap();
    c.fails(&["report.toml: error: cannot read file (not found)"]);
}

#[test]
fn listed_part_missing() {
    let c = Case::new();
    std::fs::remove_file(c.path("parts/back.toml")).unwrap();
    c.fails(&["report.toml:2:", "listed file 'parts/back.toml' does not exist"]);
}

#[test]
fn kpi_value_not_a_number() {
    let c = Case::new();
    c.edit("parts/numbers.toml", "\"454,332\"", "\"45四,332\"");
    c.fails(&["parts/numbers.toml:", "KPI value '45四,332' of '员工总数' is not a number"]);
}

#[test]
fn kpi_value_for_a_missing_year() {
    let c = Case::new();
    c.edit(
        "parts/numbers.toml",
        "\"459,152\", \"456,239\", \"454,332\"]",
        "\"459,152\", \"456,239\", \"454,332\", \"1\"]",
    );
    c.fails(&["parts/numbers.toml:", "'员工总数' has 4 values but the table has 3 years (2018, 2019, 2020)"]);
}

#[test]
fn kpi_footnote_marker_without_note() {
    let c = Case::new();
    c.edit("parts/numbers.toml", "notes = [1] }", "notes = [3] }");
    c.fails(&["'员工总数' refers to note 3 but the table has 1 notes"]);
}

#[test]
fn table_row_with_wrong_cell_count() {
    let c = Case::new();
    c.edit("parts/chapter.toml", "[\"实体风险\", \"极端天气\", \"加强应急保障\"]", "[\"实体风险\", \"极端天气\"]");
    c.fails(&["parts/chapter.toml:", "table row 2 has 2 cells but the header has 3"]);
}

#[test]
fn more_stars_than_the_scale() {
    let c = Case::new();
    c.edit("parts/back.toml", "stars = 4", "stars = 6");
    c.fails(&["parts/back.toml:", "rating '平衡性' has 6 stars out of 5"]);
}

#[test]
fn index_block_names_an_unknown_index() {
    let c = Case::new();
    c.edit("parts/index.toml", "index = \"DEMO\"", "index = \"DEMO2\"");
    c.fails(&["parts/index.toml:", "unknown index 'DEMO2'"]);
}

#[test]
fn org_chart_parent_unknown() {
    let c = Case::new();
    c.edit("parts/chapter.toml", "parent = \"hk\"", "parent = \"hq\"");
    c.fails(&["parts/chapter.toml:", "org chart parent 'hq' is not the id of any node"]);
}

#[test]
fn bad_meta_date() {
    let c = Case::new();
    c.edit("report.toml", "date = \"2021-05-21\"", "date = \"21/05/2021\"");
    c.fails(&["report.toml:11:9: error: meta.date must be a date written YYYY-MM-DD"]);
}

#[test]
fn duplicate_index_code() {
    let c = Case::new();
    c.edit("indexes/demo.toml", "{ code = \"A2\", name = \"案例\" }", "{ code = \"A1\", name = \"案例\" }");
    c.fails(&["indexes/demo.toml:9:12: error: duplicate code 'A1' in index 'DEMO'"]);
}
