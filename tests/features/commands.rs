//! The editor and CI commands: `check` (with every preflight warning),
//! `preview`, `fonts` and `build --emit-data` (`watch` has its own module).

use std::path::Path;

use crate::support::*;

#[test]
fn check_is_clean_on_valid_data_except_known_warnings() {
    let dir = fixture("mini");
    let out = run(&["check", dir.path().join("report.toml").to_str().unwrap(), "--diagnostic-format", "short"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("check: 0 errors"), "{}", stdout(&out));
}

#[test]
fn a_manifest_named_without_a_folder_is_read_from_the_current_one() {
    // `csr-press check report.toml` run in the report's folder: the
    // manifest's folder is "." (an empty parent once failed to resolve).
    let dir = fixture("mini");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_csr-press"))
        .args(["check", "report.toml", "--diagnostic-format", "short", "--root"])
        .arg(repo())
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("check: 0 errors"), "{}", stdout(&out));
}

#[test]
fn check_reports_every_preflight_warning_and_strict_fails() {
    let dir = fixture("mini");
    let root = dir.path();
    // A character no font covers (outside the BMP as well).
    edit(&root.join("parts/letter.toml"), "标记字符原样输出", "标记字符😀原样输出");
    // An image under 300 ppi at its placed size: 100 px across 170 mm.
    image::RgbImage::from_pixel(100, 60, image::Rgb([20, 90, 200])).save(root.join("low.png")).unwrap();
    edit(
        &root.join("parts/chapter.toml"),
        "caption = \"5G 基站建设现场\"",
        "caption = \"5G 基站建设现场\"\nimage = \"low.png\"",
    );
    // An index code no place discloses.
    edit(
        &root.join("indexes/demo.toml"),
        "{ code = \"A2\", name = \"案例\" },",
        "{ code = \"A2\", name = \"案例\" },\n  { code = \"A3\", name = \"无人披露\" },",
    );
    // A label nothing references.
    edit(&root.join("parts/back.toml"), "type = \"contacts\"", "type = \"contacts\"\nlabel = \"lonely\"");

    let manifest = root.join("report.toml");
    let out = run(&["check", manifest.to_str().unwrap(), "--diagnostic-format", "short"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "warnings alone pass without --strict:\n{err}");
    for expected in [
        "parts/letter.toml:12:13: warning",
        "warning: character '😀' (U+1F600) is not covered by any font in fonts/",
        "has no image; it prints as a placeholder: give the figure an `image` [image-missing]",
        "ppi at its placed size (",
        "warning: no section or block discloses 'DEMO:A3'",
        "warning: label 'lonely' is never referenced",
    ] {
        assert!(err.contains(expected), "expected {expected:?} in:\n{err}");
    }
    assert!(
        err.lines().all(|l| [": warning: ", ": error: ", ": note: "].iter().any(|level| l.contains(level))),
        "short format is one line each:\n{err}"
    );

    let strict = run(&["check", manifest.to_str().unwrap(), "--strict"]);
    assert_eq!(strict.status.code(), Some(1));
    assert!(stdout(&strict).contains("--strict"), "{}", stdout(&strict));
}

#[test]
fn check_human_format_shows_the_source_line() {
    let dir = fixture("mini");
    edit(&dir.path().join("parts/chapter.toml"), "DEMO:A1", "DEMO:ZZ");
    let out = run(&["check", dir.path().join("report.toml").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("disclosures = [\"DEMO:ZZ\"]"), "{err}");
    assert!(err.contains('^'), "{err}");
}

#[test]
fn usage_errors_exit_with_2() {
    let out = run(&["build", "--profile", "glossy"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn preview_writes_page_images_and_a_contact_sheet() {
    let dir = fixture("mini");
    let png_dir = dir.path().join("preview");
    let out = run(&[
        "preview",
        dir.path().join("report.toml").to_str().unwrap(),
        "--pages",
        "1-2,5",
        "--ppi",
        "36",
        "-o",
        png_dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    for name in ["page-001.png", "page-002.png", "page-005.png"] {
        let img = image::open(png_dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        // A4 at 36 ppi: 298 × 421 px.
        assert_eq!((img.width(), img.height()), (298, 421), "{name}");
    }
    assert!(!png_dir.join("page-003.png").exists());
    let sheet = image::open(png_dir.join("contact-sheet.png")).expect("contact sheet");
    assert!(sheet.width() > 8 * 160 && sheet.height() > 220, "{}x{}", sheet.width(), sheet.height());
    // The cover thumbnail is not blank: its upper field is the house theme's ink blue.
    let px = sheet.to_rgb8().get_pixel(40, 60).0;
    assert!(u16::from(px[2]) > u16::from(px[0]) + 40, "cover thumbnail colour {px:?}");
}

#[test]
fn fonts_lists_families_and_coverage() {
    let dir = fixture("mini");
    let out = run(&["fonts", dir.path().join("report.toml").to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Noto Serif CJK SC") && text.contains("Noto Sans CJK SC"), "{text}");
    assert!(text.contains("every character in the data is covered"), "{text}");
}

#[test]
fn emit_data_writes_the_json_the_layouts_read() {
    let dir = fixture("mini");
    let json = dir.path().join("data.json");
    let out =
        build(&dir.path().join("report.toml"), &dir.path().join("r.pdf"), &["--emit-data", json.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let value: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(value["meta"]["theme"], "贡献数智新力量");
    assert_eq!(value["parts"].as_array().map(Vec::len), Some(5));
    // Han–digit spaces are normalised on the way to the layout.
    assert!(value.to_string().contains("截至2020年底"));
}

/// The layouts compile with nothing but the emitted JSON as a real file
/// under the root, as the stock Typst CLI sees them (`--input data=…`):
/// compiled in-process with a world that has only the root and its fonts.
/// (An earlier version also ran a `typst` binary when one was on PATH; no
/// test runs a program outside the toolchain now, and this in-process
/// compile is the same check without one.)
#[test]
fn layouts_compile_in_plain_typst_from_emitted_data() {
    let dir = fixture("mini");
    let name = format!("out/plain-typst-{}.json", std::process::id());
    let json = repo().join(&name);
    let pdf = dir.path().join("r.pdf");
    let out = build(&dir.path().join("report.toml"), &pdf, &["--emit-data", json.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let pages = crate::support::press::compile_plain(&name);
    let _ = std::fs::remove_file(&json);
    assert_eq!(pages, Ok(pdf_pages(&pdf)), "plain compile differs from csr-press build");
}

/// A figure with a BMP (which Typst cannot embed) becomes a cached PNG; the
/// second build reuses the cache; `screen` downsamples a 3000 px image
/// placed 170 mm wide (448 ppi) to 150 ppi.
#[test]
fn figure_images_are_converted_cached_and_downsampled() {
    let dir = fixture("mini");
    let root = dir.path();
    image::RgbImage::from_fn(3000, 1000, |x, _| image::Rgb([(x % 256) as u8, 80, 160]))
        .save(root.join("photo.bmp"))
        .unwrap();
    edit(
        &root.join("parts/chapter.toml"),
        "caption = \"5G 基站建设现场\"",
        "caption = \"5G 基站建设现场\"\nimage = \"photo.bmp\"",
    );
    let pdf = root.join("out/report.pdf");
    // One cache folder under the root (the repository), keyed by the
    // source's content hash and the target width.
    let hash = format!("{:032x}", typst::utils::hash128(&std::fs::read(root.join("photo.bmp")).unwrap()));
    let cache = repo().join("out/.cache/images");
    let converted = cache.join(format!("{hash}-3000.png"));

    assert!(build(&root.join("report.toml"), &pdf, &[]).status.success());
    assert!(!root.join("out/.cache").exists(), "no cache beside the output");
    let png = image::load_from_memory(&cached_png(&converted)).unwrap();
    assert_eq!((png.width(), png.height()), (3000, 1000));
    let stamp = std::fs::metadata(&converted).unwrap().modified().unwrap();

    std::thread::sleep(std::time::Duration::from_millis(20));
    assert!(build(&root.join("report.toml"), &pdf, &[]).status.success());
    assert_eq!(std::fs::metadata(&converted).unwrap().modified().unwrap(), stamp, "the cached PNG was rewritten");

    let screen = root.join("out/screen.pdf");
    assert!(build(&root.join("report.toml"), &screen, &["--profile", "screen"]).status.success());
    let small = cache.join(format!("{hash}-1004.png"));
    let png = image::load_from_memory(&cached_png(&small)).unwrap_or_else(|e| panic!("{}: {e}", small.display()));
    assert_eq!(png.width(), 1004);
    assert!(std::fs::metadata(&screen).unwrap().len() < std::fs::metadata(&pdf).unwrap().len());
}

/// The PNG in a cache file `HASH-WIDTH.png`: the bytes after a 16-byte
/// header that binds them to their source (the source's content hash, the
/// width and the PNG itself), so a swapped or damaged entry is never used.
fn cached_png(path: &Path) -> Vec<u8> {
    let stored = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path.file_stem().and_then(|s| s.to_str()).expect("a cache file name");
    let (source, width) = name.split_once('-').expect("HASH-WIDTH");
    let source = u128::from_str_radix(source, 16).expect("a hex hash");
    let width: u32 = width.parse().expect("a width");
    let (header, png) = stored.split_at(16);
    assert_eq!(
        header,
        typst::utils::hash128(&(source, width, png)).to_le_bytes(),
        "cache entry does not match its source"
    );
    png.to_vec()
}
