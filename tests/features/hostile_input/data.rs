//! Hostile input, continued (issue 12): sizes, locations, `check` agreeing
//! with `build` on every bad input, images, escaped diagnostics.

use std::path::Path;
use std::process::Output;

use crate::support::case::{Case, root_copy};
use crate::support::*;

/// Runs `check` on a manifest in `short` format.
fn check(manifest: &Path) -> Output {
    run(&["check", manifest.to_str().unwrap(), "--diagnostic-format", "short"])
}

/// The 1-based column of `needle` in line `line` (1-based) of `text`.
fn column_of(text: &str, line: usize, needle: &str) -> usize {
    let l = text.lines().nth(line - 1).unwrap();
    l[..l.find(needle).unwrap()].chars().count() + 1
}

// 7. Sizes.

#[test]
fn a_megabyte_title_is_an_error_at_the_value() {
    let c = Case::new();
    let huge = "题".repeat(400_000);
    c.edit("report.toml", "title = \"测试报告2020\"", &format!("title = \"{huge}\""));
    c.fails(&["report.toml:6:9: error: a text of 1200000 bytes is longer than the limit of 64 KiB"]);
}

#[test]
fn an_unbreakable_token_is_broken_by_the_layout_not_run_off_the_page() {
    // The layouts let a long Latin run break anywhere (layout/report.typ);
    // the layout preflight would report any text past its column.
    let c = Case::new();
    let token = "A".repeat(400);
    c.edit("parts/letter.toml", "标记字符原样输出", &format!("标记字符{token}"));
    let out = check(&c.path("report.toml"));
    let err = stderr(&out);
    assert!(!err.contains("[overflow]") && !err.contains("[overlap]"), "{err}");
    assert!(!err.contains("unbroken run"), "{err}");
}

#[test]
fn a_truncated_font_is_an_error_naming_the_file() {
    let c = Case::new();
    let root = root_copy();
    let font = std::fs::read_dir(root.path().join("fonts"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "otf" || e == "ttf" || e == "ttc" || e == "otc"))
        .expect("a font file");
    let bytes = std::fs::read(&font).unwrap();
    std::fs::write(&font, &bytes[..bytes.len() / 2]).unwrap();
    let name = font.file_name().unwrap().to_string_lossy().into_owned();
    c.failed(c.build_in(root.path()), &[&format!("{name} is truncated or corrupt")]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_csr-press"))
        .args(["check", c.path("report.toml").to_str().unwrap(), "--root", root.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("is truncated or corrupt"), "{}", stderr(&out));
}

// 8. Locations.

#[test]
fn type_errors_and_unknown_fields_are_located_at_the_value_all_in_one_run() {
    let c = Case::new();
    c.edit("parts/chapter.toml", "ordered = true", "ordered = \"yes\"");
    c.edit("parts/chapter.toml", "type = \"quote\"", "type = \"quote\"\nsorce = \"x\"");
    let err = c.fails(&[
        "parts/chapter.toml:55:11: error: invalid type: string \"yes\", expected a boolean",
        "parts/chapter.toml:60:1: error: unknown field `sorce`",
    ]);
    assert_eq!(err.matches(": error: ").count(), 2, "{err}");
}

#[test]
fn every_syntax_error_of_a_file_is_reported() {
    let c = Case::new();
    c.edit("parts/back.toml", "kind = ", "kind = = ");
    c.append("parts/back.toml", "\n[[blocks]]\ntype = \"quote\"\ntext = \"未闭合\n");
    let err = c.fails(&["parts/back.toml:1:", "parts/back.toml:"]);
    assert!(err.matches("parts/back.toml:").count() >= 2, "only one syntax error reported:\n{err}");
}

#[test]
fn empty_labels_and_headers_are_data_errors() {
    let c = Case::new();
    c.edit("parts/numbers.toml", "label = \"kpi-table\"", "label = \"\"");
    c.edit("parts/chapter.toml", "{ref:kpi-table}", "");
    c.fails(&["parts/numbers.toml:12:9: error: the label is empty"]);
    c.edit("parts/numbers.toml", "label = \"\"", "label = \"kpi-table\"");
    c.edit("parts/chapter.toml", "header = [\"风险类型\", \"风险描述\", \"应对措施\"]", "header = []");
    c.fails(&["parts/chapter.toml:84:10: error: a table needs a `header`"]);
}

#[test]
fn typst_columns_are_one_based() {
    let c = Case::new();
    let root = root_copy();
    let kpi = root.path().join("layout/kpi.typ");
    let text = std::fs::read_to_string(&kpi).unwrap().replacen("block(", "blok(", 1);
    std::fs::write(&kpi, &text).unwrap();
    let line = text.lines().position(|l| l.contains("blok(")).unwrap() + 1;
    let col = column_of(&text, line, "blok");
    c.failed(c.build_in(root.path()), &[&format!("layout/kpi.typ:{line}:{col}: error: unknown variable: blok")]);
}

// 9. `check` runs every validation `build` runs.

/// A named way to break a fresh fixture copy.
type BadInput = (&'static str, fn(&Path));

/// Every bad input of the issue, as an edit of a fresh fixture copy.
fn bad_inputs() -> Vec<BadInput> {
    fn figure(dir: &Path, fields: &str) {
        edit(
            &dir.join("parts/chapter.toml"),
            "caption = \"5G 基站建设现场\"",
            &format!("caption = \"5G 基站建设现场\"\n{fields}"),
        );
    }
    vec![
        ("corrupt png", |d| {
            std::fs::write(d.join("bad.png"), "not a png").unwrap();
            figure(d, "image = \"bad.png\"");
        }),
        ("truncated png", |d| {
            let mut png = Vec::new();
            image::RgbImage::from_pixel(64, 64, image::Rgb([1, 2, 3]))
                .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
                .unwrap();
            png.truncate(png.len() / 2);
            std::fs::write(d.join("half.png"), png).unwrap();
            figure(d, "image = \"half.png\"");
        }),
        ("svg bomb", |d| {
            let inner = r##"<use href="#a"/>"##.repeat(400);
            let svg = format!(
                r##"<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><g id="a">{}</g><g id="b">{inner}</g><g>{}</g></svg>"##,
                r#"<rect width="1" height="1"/>"#.repeat(400),
                r##"<use href="#b"/>"##.repeat(400)
            );
            std::fs::write(d.join("b.svg"), svg).unwrap();
            figure(d, "image = \"b.svg\"");
        }),
        ("image is a folder", |d| {
            std::fs::create_dir(d.join("dir.png")).unwrap();
            figure(d, "image = \"dir.png\"");
        }),
        ("width nan", |d| figure(d, "width_mm = nan")),
        ("width huge", |d| figure(d, "width_mm = 1e300")),
        ("kpi grammar", |d| edit(&d.join("parts/numbers.toml"), "\"454,332\"", "\"1,,,0,0\"")),
        ("years repeated", |d| edit(&d.join("parts/numbers.toml"), "[2018, 2019, 2020]", "[2018, 2018, 2020]")),
        ("tolerance inf", |d| {
            edit(&d.join("parts/numbers.toml"), "total = \"total\" }", "total = \"total\", tolerance = inf }")
        }),
        ("empty label", |d| edit(&d.join("parts/back.toml"), "label = \"rating-letter\"", "label = \" \"")),
        ("empty header", |d| {
            edit(&d.join("parts/chapter.toml"), "header = [\"风险类型\", \"风险描述\", \"应对措施\"]", "header = []")
        }),
        ("org cycle", |d| {
            edit(&d.join("parts/chapter.toml"), "{ id = \"group\", name", "{ id = \"group\", parent = \"ltd\", name")
        }),
        ("listed twice", |d| {
            edit(&d.join("report.toml"), "\"parts/back.toml\"", "\"parts/back.toml\", \"parts/back.toml\"")
        }),
        ("absolute listed path", |d| edit(&d.join("report.toml"), "\"parts/back.toml\"", "\"/etc/passwd\"")),
        ("huge string", |d| {
            edit(&d.join("report.toml"), "title = \"测试报告2020\"", &format!("title = \"{}\"", "x".repeat(70_000)))
        }),
        ("type error in a block", |d| edit(&d.join("parts/chapter.toml"), "ordered = true", "ordered = 1")),
        ("unknown field in a block", |d| {
            edit(&d.join("parts/chapter.toml"), "type = \"quote\"", "type = \"quote\"\nvaule = 1")
        }),
        ("syntax error", |d| edit(&d.join("parts/letter.toml"), "title = \"董事长致辞\"", "title = \"董事长致辞")),
        ("dangling reference", |d| edit(&d.join("parts/chapter.toml"), "{ref:kpi-table}", "{ref:nothing}")),
        ("unknown disclosure", |d| edit(&d.join("parts/chapter.toml"), "DEMO:A1", "DEMO:Q7")),
        ("table row short", |d| {
            edit(&d.join("parts/chapter.toml"), "[\"实体风险\", \"极端天气\", \"加强应急保障\"]", "[\"实体风险\"]")
        }),
        ("too many stars", |d| edit(&d.join("parts/back.toml"), "stars = 4", "stars = 6")),
    ]
}

#[test]
fn check_and_build_give_the_same_verdict_on_every_bad_input() {
    for (name, breaks) in bad_inputs() {
        let dir = fixture("mini");
        breaks(dir.path());
        let manifest = dir.path().join("report.toml");
        let checked = check(&manifest);
        let pdf = dir.path().join("out/report.pdf");
        let built = build(&manifest, &pdf, &["--diagnostic-format", "short"]);
        assert_eq!(checked.status.code(), Some(1), "{name}: check passed:\n{}", stderr(&checked));
        assert_eq!(built.status.code(), Some(1), "{name}: build passed:\n{}", stderr(&built));
        assert!(!pdf.exists(), "{name}: a PDF was written");
        let first_error = |out: &Output| stderr(out).lines().find(|l| l.contains(": error: ")).map(str::to_owned);
        assert_eq!(first_error(&checked), first_error(&built), "{name}: check and build disagree");
        let located = first_error(&built).unwrap_or_default();
        let place = located.split(": error: ").next().unwrap_or_default();
        assert!(place.split(':').count() >= 3, "{name}: error without line:col: {located}");
        assert!(!stderr(&built).contains("panicked"), "{name}: panic");
    }
}

// Also: images, cache, diagnostics, org charts.

#[test]
fn an_image_too_big_to_decode_is_a_memory_limit_not_corruption() {
    let c = Case::new();
    // A 16-bit RGBA PNG of 9000 × 9000 pixels: 81 Mpx, but 648 MB decoded.
    let png = crate::support::png::declaring(9_000, 9_000, 16, 6);
    std::fs::write(c.path("deep.png"), png).unwrap();
    c.figure("image = \"deep.png\"");
    let err = c.fails(&["parts/chapter.toml:66:10: error: image 'deep.png': image needs more than the memory limit"]);
    assert!(!err.contains("corrupt"), "{err}");
}

#[test]
fn the_image_cache_lives_under_the_root_and_is_validated() {
    let c = Case::new();
    image::RgbImage::from_fn(300, 100, |x, _| image::Rgb([(x % 256) as u8, 7, 9])).save(c.path("p.bmp")).unwrap();
    c.figure("image = \"p.bmp\"");
    c.succeeds();
    assert!(!c.path("out/.cache").exists(), "cache written beside -o");
    let hash = format!("{:032x}", typst::utils::hash128(&std::fs::read(c.path("p.bmp")).unwrap()));
    let cached = repo().join("out/.cache/images").join(format!("{hash}-300.png"));
    let stored = std::fs::read(&cached).expect("cached PNG under the root's out/.cache");
    let first = std::fs::read(&c.pdf).unwrap();
    // A damaged cache entry is not trusted: it is rebuilt and the PDF is the same.
    std::fs::write(&cached, &stored[..stored.len() / 2]).unwrap();
    c.succeeds();
    assert_eq!(std::fs::read(&c.pdf).unwrap(), first);
    assert_eq!(std::fs::read(&cached).unwrap(), stored, "the damaged entry was not rewritten");
}

#[test]
fn control_characters_from_the_data_are_escaped() {
    let c = Case::new();
    c.edit("parts/numbers.toml", "label = \"staff\"", "label = \"new-infra\\u001b[2J\"");
    c.edit("parts/chapter.toml", "label = \"new-infra\"", "label = \"new-infra\\u001b[2J\"");
    let err = c.fails(&["duplicate label 'new-infra\\u{1b}[2J'"]);
    assert!(!err.contains('\u{1b}'), "a raw escape reached the terminal");
}

#[test]
fn an_org_chart_cycle_is_an_error() {
    let c = Case::new();
    c.edit("parts/chapter.toml", "{ id = \"group\", name", "{ id = \"group\", parent = \"ltd\", name");
    c.fails(&["parts/chapter.toml:71:10: error: org chart node 'group' is its own ancestor"]);
}
