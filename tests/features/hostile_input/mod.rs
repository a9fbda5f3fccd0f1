//! Hostile input and unsafe paths (issue 12): outputs that would destroy an
//! input, confined data paths, SVG and image limits, numbers, sizes,
//! locations, escaped diagnostics. Every case asserts the exit code, a
//! message naming the place, that no other file changed and that the last
//! good PDF is byte-identical (`Case::failed_code`).

use std::path::Path;
use std::process::{Command, Output};

use crate::support::case::{Case, root_copy};
use crate::support::*;

/// Round 2 (issue 24): time and cache bounds.
mod bounds;
/// Sizes, locations, `check` agreeing with `build`, images, escapes.
mod data;
/// Round 2 (issue 24): spreadsheets, theme folders, caches, the guard.
mod readers;

/// Runs the binary with the repository as root, in `short` format.
fn press(args: &[&str]) -> Output {
    let mut all = args.to_vec();
    all.extend(["--diagnostic-format", "short"]);
    run(&all)
}

/// Builds the case's fixture into `out` with extra arguments.
fn build_to(c: &Case, out: &Path, extra: &[&str]) -> Output {
    c.settle();
    let mut args = vec!["--diagnostic-format", "short"];
    args.extend_from_slice(extra);
    build(&c.path("report.toml"), out, &args)
}

/// Runs `check` on the case.
fn check(c: &Case) -> Output {
    press(&["check", c.path("report.toml").to_str().unwrap()])
}

/// Asserts `check` fails with the same located message as `build`.
fn check_agrees(c: &Case, expected: &str) {
    let out = check(c);
    assert_eq!(out.status.code(), Some(1), "check must fail too:\n{}", stderr(&out));
    assert!(stderr(&out).contains(expected), "check: expected {expected:?} in:\n{}", stderr(&out));
}

// 1. Output paths.

#[test]
fn output_onto_an_input_is_refused() {
    let c = Case::new();
    for (flag, target) in [
        ("-o", "report.toml"),
        ("-o", "parts/letter.toml"),
        ("--emit-data", "parts/back.toml"),
        ("--emit-data", "indexes/demo.toml"),
        ("-o", "parts/new.toml"),
    ] {
        let target = c.path(target);
        let out = if flag == "-o" {
            build_to(&c, &target, &[])
        } else {
            build_to(&c, &c.pdf, &[flag, target.to_str().unwrap()])
        };
        let shown = target.display().to_string();
        c.failed_code(out, 2, &[&format!("error: refusing to write {shown}: it is an input of the build")]);
    }
}

#[test]
fn output_onto_an_image_the_data_names_is_refused() {
    let c = Case::new();
    image::RgbImage::from_pixel(40, 30, image::Rgb([9, 9, 9])).save(c.path("pic.png")).unwrap();
    c.figure("image = \"pic.png\"");
    let out = build_to(&c, &c.path("pic.png"), &[]);
    c.failed_code(out, 2, &["pic.png: it is an input of the build"]);
}

#[test]
fn output_into_layout_or_fonts_is_refused() {
    let c = Case::new();
    let root = root_copy();
    let font = std::fs::read_dir(root.path().join("fonts")).unwrap().next().unwrap().unwrap().path();
    for target in [root.path().join("layout/report.typ"), font] {
        let before = std::fs::read(&target).unwrap();
        let out = c.build_into(root.path(), &target);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains("it is an input of the build"), "{}", stderr(&out));
        assert_eq!(std::fs::read(&target).unwrap(), before, "{} was touched", target.display());
    }
}

#[test]
fn output_that_is_a_folder_device_or_fifo_is_refused() {
    let c = Case::new();
    std::fs::create_dir(c.path("folder.pdf")).unwrap();
    let out = build_to(&c, &c.path("folder.pdf"), &[]);
    c.failed_code(out, 2, &["folder.pdf: it is a directory"]);
    let out = build_to(&c, Path::new("/dev/null"), &[]);
    c.failed_code(out, 2, &["refusing to write /dev/null: it is not a regular file"]);
    make_fifo(&c.path("pipe.pdf"));
    let out = build_to(&c, &c.path("pipe.pdf"), &[]);
    c.failed_code(out, 2, &["pipe.pdf: it is not a regular file"]);
}

#[test]
fn symlink_output_needs_force_and_then_replaces_the_link_only() {
    let c = Case::new();
    let elsewhere = tempfile::tempdir().unwrap();
    let victim = elsewhere.path().join("victim.txt");
    std::fs::write(&victim, "keep me").unwrap();
    let link = c.path("out/link.pdf");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let out = build_to(&c, &link, &[]);
    c.failed_code(out, 2, &["link.pdf: it is a symlink (pass --force"]);
    let out = build_to(&c, &link, &["--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_file());
    assert_eq!(std::fs::read(&link).unwrap(), c.good);
}

/// Files are written with the mode the umask gives a new file (0644 under
/// the usual 022), not the 0600 of a private temporary file. The binary
/// inherits this process's umask, read from the kernel; it is not changed
/// here, as that would change it for every test running at the same time.
#[test]
fn outputs_get_the_umask_mode_not_0600() {
    use std::os::unix::fs::PermissionsExt;
    let expected = 0o666 & !umask();
    assert_ne!(expected, 0o600, "the tests need a umask that lets group or others read (e.g. 022)");
    let c = Case::new();
    let pdf = c.path("out/mode.pdf");
    let json = c.path("out/mode.json");
    let report = c.path("report.toml");
    let report = report.to_str().unwrap();
    let out = press(&["build", report, "-o", pdf.to_str().unwrap(), "--emit-data", json.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    for file in [&pdf, &json] {
        assert_eq!(std::fs::metadata(file).unwrap().permissions().mode() & 0o777, expected, "{}", file.display());
    }
    let png_dir = c.path("out/png");
    let out = press(&["preview", report, "--pages", "1", "--ppi", "10", "-o", png_dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mode = std::fs::metadata(png_dir.join("page-001.png")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, expected);
}

/// Temporary files of a killed build (its pid is gone) are removed by the
/// next build; a SIGINT or SIGTERM leaves none and never a half PDF.
#[test]
fn temp_files_never_outlive_a_build() {
    let c = Case::new();
    let stale = c.path("out/.csr-press-999999999-AbCdEf.tmp");
    std::fs::write(&stale, "half a pdf").unwrap();
    c.succeeds();
    assert!(!stale.exists(), "a dead process's temporary file was left");
    for signal in ["-INT", "-TERM"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_csr-press"))
            .args(["build", c.path("report.toml").to_str().unwrap(), "-o", c.pdf.to_str().unwrap(), "--root"])
            .arg(repo())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(300));
        interrupt(&child, signal == "-TERM");
        let status = child.wait().unwrap();
        let temps: Vec<_> = std::fs::read_dir(c.path("out"))
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(temps.is_empty(), "{signal}: temporary files left: {temps:?} ({status})");
        assert_eq!(std::fs::read(&c.pdf).unwrap(), c.good, "{signal}: the PDF is not a whole, good one");
    }
}

// 2. Prose normalisation leaves paths, labels and references alone.

#[test]
fn image_paths_and_labels_with_spaces_are_used_as_written() {
    let c = Case::new();
    image::RgbImage::from_pixel(400, 300, image::Rgb([200, 30, 30])).save(c.path("图 1.png")).unwrap();
    c.figure("image = \"图 1.png\"\nlabel = \"图 1\"");
    c.edit("parts/chapter.toml", "{ref:kpi-table}", "{ref:图 1}");
    let json = c.path("out/data.json");
    let out = c.build_with(&["--emit-data", json.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!c.path("图1.png").exists());
    let data: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let text = data.to_string();
    assert!(text.contains("\"label\":\"图 1\"") && text.contains("{ref:图 1}"), "label or reference rewritten");
    let images = pdf_images(&c.pdf);
    assert!(images.iter().any(|i| i.width == 400 && i.height == 300), "the image was not placed:\n{images:?}");
}

// 3. SVG limits.

fn svg_case(svg: &str) -> Case {
    let c = Case::new();
    std::fs::write(c.path("chart.svg"), svg).unwrap();
    c.figure("image = \"chart.svg\"");
    c
}

#[test]
fn svg_use_bomb_is_refused_at_the_figure() {
    let mut svg = String::from(
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="100" height="100"><rect id="a0" width="1" height="1"/>"#,
    );
    for i in 1..9 {
        svg.push_str(&format!(r##"<g id="a{i}">"##));
        svg.push_str(&format!(r##"<use xlink:href="#a{}"/>"##, i - 1).repeat(10));
        svg.push_str("</g>");
    }
    svg.push_str("</svg>");
    let c = svg_case(&svg);
    let expected = "parts/chapter.toml:66:10: error: image 'chart.svg': SVG has";
    c.fails(&[expected, "more than the limit of 100000"]);
    check_agrees(&c, expected);
}

#[test]
fn svg_referencing_a_file_is_refused() {
    let c = svg_case(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">
<image href="../../../etc/hostname" width="5" height="5"/></svg>"#,
    );
    c.fails(&["parts/chapter.toml:66:10: error: image 'chart.svg': SVG references '../../../etc/hostname' outside itself (SVG line 2)"]);
}

#[test]
fn svg_with_a_huge_canvas_or_corrupt_is_refused() {
    let c = svg_case(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="1e9" height="1e9"><rect width="5" height="5"/></svg>"#,
    );
    c.fails(&["parts/chapter.toml:66:10: error: image 'chart.svg': SVG declares a size of"]);
    std::fs::write(c.path("chart.svg"), "<svg><unclosed></svg>").unwrap();
    c.fails(&["parts/chapter.toml:66:10: error: image 'chart.svg': corrupt SVG"]);
}

// 4. Listed paths are confined to the data folder.

#[test]
fn listed_paths_must_stay_in_the_data_folder() {
    let c = Case::new();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.toml"), "root:x:0:0:SECRET-LINE\n").unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.toml"), c.path("parts/linked.toml")).unwrap();
    for (entry, message) in [
        ("/etc/passwd", "must be a plain relative path inside the manifest's folder"),
        ("../outside.toml", "must be a plain relative path"),
        ("parts/linked.toml", "leads outside the manifest's folder"),
        ("notes.txt", "is not a .toml data file"),
    ] {
        c.edit("report.toml", "\"parts/back.toml\"", &format!("\"{entry}\""));
        let err = c.fails(&["report.toml:2:", message]);
        assert!(!err.contains("SECRET") && !err.contains("root:"), "content of a non-data file echoed:\n{err}");
        c.edit("report.toml", &format!("\"{entry}\""), "\"parts/back.toml\"");
    }
}

#[test]
fn same_part_listed_twice_is_an_error() {
    let c = Case::new();
    c.edit("report.toml", "\"parts/back.toml\"", "\"parts/back.toml\", \"parts/./back.toml\"");
    c.fails(&["report.toml:2:94: error: file 'parts/./back.toml' is listed twice"]);
    c.edit("report.toml", "\"parts/./back.toml\"", "\"parts/back.toml\"");
    c.fails(&["report.toml:2:94: error: file 'parts/back.toml' is listed twice"]);
}

#[test]
fn folders_and_fifos_are_not_regular_files() {
    let c = Case::new();
    std::fs::create_dir(c.path("parts/dir.toml")).unwrap();
    c.edit("report.toml", "\"parts/back.toml\"", "\"parts/dir.toml\"");
    c.fails(&["report.toml:2:", "listed file 'parts/dir.toml' is not a regular file"]);
    make_fifo(&c.path("parts/fifo.toml"));
    c.edit("report.toml", "\"parts/dir.toml\"", "\"parts/fifo.toml\"");
    c.fails(&["report.toml:2:", "listed file 'parts/fifo.toml' is not a regular file"]);
    // A FIFO as the manifest is refused before it is opened (no hang).
    let fifo = c.path("fifo-manifest.toml");
    make_fifo(&fifo);
    c.settle();
    let out = build(&fifo, &c.pdf, &["--diagnostic-format", "short"]);
    c.failed(out, &["fifo-manifest.toml: error: cannot read file (not a regular file"]);
    std::fs::create_dir(c.path("img.png")).unwrap();
    c.figure("image = \"img.png\"");
    c.edit("report.toml", "\"parts/fifo.toml\"", "\"parts/back.toml\"");
    c.fails(&["parts/chapter.toml:66:10: error: image 'img.png' is not a regular file (a folder, FIFO or device)"]);
}

// 5. preview arguments.

#[test]
fn preview_ppi_and_pages_are_checked_at_parsing() {
    let c = Case::new();
    let dir = c.path("out/png");
    for ppi in ["inf", "NaN", "0", "-72", "100000"] {
        let flag = format!("--ppi={ppi}");
        let out = press(&["preview", c.path("report.toml").to_str().unwrap(), &flag, "-o", dir.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "--ppi {ppi}: {}", stderr(&out));
        assert!(stderr(&out).contains("--ppi") && stderr(&out).contains("from 1 to 600"), "{}", stderr(&out));
    }
    let out =
        press(&["preview", c.path("report.toml").to_str().unwrap(), "--pages", "3-1", "-o", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("page range '3-1' runs backwards in --pages 3-1; write 1-3"), "{}", stderr(&out));
    assert!(!dir.exists(), "nothing is written on a usage error");
}

// 6. Numbers.

#[test]
fn figure_width_must_be_finite_and_in_range() {
    let c = Case::new();
    c.figure("width_mm = nan");
    for bad in ["nan", "inf", "-inf", "1e300", "-5.0", "0.0"] {
        c.edit("parts/chapter.toml", "width_mm = ", &format!("width_mm = {bad}\n#"));
        let expected = "parts/chapter.toml:66:12: error: width_mm = ";
        c.fails(&[expected, "is not a width from 5 to 210 mm"]);
        check_agrees(&c, expected);
        let text = std::fs::read_to_string(c.path("parts/chapter.toml")).unwrap();
        c.write("parts/chapter.toml", &text.replacen(&format!("width_mm = {bad}\n#"), "width_mm = ", 1));
    }
}

#[test]
fn kpi_checks_must_be_able_to_fail() {
    let c = Case::new();
    let checks = "checks = [{ parts = [\"cn\", \"abroad\"], total = \"total\" }]";
    for (check, field) in [
        ("{ parts = [\"cn\"], equals = nan }", "equals"),
        ("{ parts = [\"cn\"], total = \"total\", tolerance = inf }", "tolerance"),
        ("{ parts = [\"cn\"], total = \"total\", tolerance = -1.0 }", "tolerance"),
    ] {
        c.edit("parts/numbers.toml", checks, &format!("checks = [{check}]"));
        let col = "checks = [".len() + check.find(field).unwrap() + field.len() + " = ".len() + 1;
        let expected = format!("parts/numbers.toml:23:{col}: error: KPI check ");
        let expected = expected.as_str();
        c.fails(&[expected, &format!("{field} = "), "could never fail"]);
        check_agrees(&c, expected);
        c.edit("parts/numbers.toml", &format!("checks = [{check}]"), checks);
    }
}

#[test]
fn kpi_values_follow_the_strict_grammar() {
    let c = Case::new();
    for bad in ["1,,,0,0", "45,4332", "1.", ">>90"] {
        c.edit("parts/numbers.toml", "\"454,332\"", &format!("\"{bad}\""));
        c.fails(&["parts/numbers.toml:", &format!("KPI value '{bad}' of '员工总数' is not a number")]);
        c.edit("parts/numbers.toml", &format!("\"{bad}\""), "\"454,332\"");
    }
}

#[test]
fn kpi_years_are_unique_and_increasing() {
    let c = Case::new();
    c.edit("parts/numbers.toml", "years = [2018, 2019, 2020]", "years = [2018, 2020, 2020]");
    c.fails(&["parts/numbers.toml:", "KPI years must be unique and increasing, but 2020 follows 2020"]);
    c.edit("parts/numbers.toml", "years = [2018, 2020, 2020]", "years = [2019, 2018, 2020]");
    c.fails(&["parts/numbers.toml:", "but 2018 follows 2019"]);
}
