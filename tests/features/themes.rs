//! Themes and identity: the engine names no client, a copied and re-coloured
//! theme reaches the PDF, every entry point of the theme API restyles what
//! it names, themes import nothing but the API, accents are checked against
//! the theme, the root is found from the manifest, and identity facts
//! (contact details and QR code included) reach the PDF.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::*;

/// Every file under `dir` (recursively) with one of the extensions.
fn files(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path, exts));
        } else if path.extension().and_then(|e| e.to_str()).is_some_and(|e| exts.contains(&e)) {
            out.push(path);
        }
    }
    out
}

/// The CMYK values of a theme file's colours, as `[c, m, y, k]` percents.
fn theme_colours(theme: &Path) -> Vec<[f64; 4]> {
    fn walk(value: &toml::Value, out: &mut Vec<[f64; 4]>) {
        match value {
            toml::Value::Array(items)
                if items.len() == 4 && items.iter().all(|v| v.as_integer().is_some() || v.as_float().is_some()) =>
            {
                let n: Vec<f64> =
                    items.iter().map(|v| v.as_float().unwrap_or_else(|| v.as_integer().unwrap_or(0) as f64)).collect();
                out.push([n[0], n[1], n[2], n[3]]);
            }
            toml::Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            toml::Value::Table(table) => table.values().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let text = std::fs::read_to_string(theme.join("theme.toml")).expect("theme.toml");
    let value: toml::Value = toml::from_str(&text).expect("theme.toml parses");
    let mut out = Vec::new();
    walk(&value, &mut out);
    out
}

#[test]
fn the_engine_names_no_client_colour_or_report_type() {
    let root = repo();
    let mut forbidden: Vec<String> = [
        "中国移动",
        "China Mobile",
        "CMCC",
        "cmcc",
        "澜清",
        "Lanqing",
        "可持续发展报告",
        "社会责任报告",
        "ESG）报告",
        "ESG 报告",
        "环境、社会及管治",
    ]
    .map(String::from)
    .to_vec();
    // Every client colour (the themes other than the neutral house theme),
    // as the engine would write it; pure greys are the engine's own.
    for theme in ["cmcc-2020", "lanqing"] {
        for [c, m, y, k] in theme_colours(&root.join("themes").join(theme)) {
            if c == 0.0 && m == 0.0 && y == 0.0 {
                continue;
            }
            forbidden.push(format!("cmyk({c}%, {m}%, {y}%, {k}%)"));
            forbidden.push(format!("[{c}, {m}, {y}, {k}]"));
        }
    }
    assert!(forbidden.len() > 20, "client colours were read: {forbidden:?}");
    let mut engine = files(&root.join("layout"), &["typ"]);
    engine.extend(files(&root.join("src"), &["rs"]));
    assert!(engine.len() > 20, "engine files: {}", engine.len());
    let mut found = Vec::new();
    for file in &engine {
        let text = std::fs::read_to_string(file).expect("read engine file");
        for needle in &forbidden {
            if text.contains(needle.as_str()) {
                found.push(format!("{}: {needle}", file.strip_prefix(&root).unwrap_or(file).display()));
            }
        }
    }
    assert!(found.is_empty(), "client names, colours or report types in the engine:\n{}", found.join("\n"));
}

/// Runs `check` with one-line diagnostics.
fn check_short(manifest: &Path) -> std::process::Output {
    run(&["check", manifest.to_str().expect("utf-8 path"), "--diagnostic-format", "short"])
}

/// The mini fixture with its manifest edited by `edit`.
fn mini_with(edit: impl Fn(String) -> String) -> tempfile::TempDir {
    let dir = fixture("mini");
    let manifest = dir.path().join("report.toml");
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    std::fs::write(&manifest, edit(text)).expect("write manifest");
    dir
}

/// CMYK fill and stroke operands in the PDF's content streams, in the 8 bits
/// per component the PDF writer keeps.
fn cmyk_operands(pdf: &Path) -> Vec<[i64; 4]> {
    let doc = lopdf::Document::load(pdf).expect("PDF loads");
    let mut out = Vec::new();
    for object in doc.objects.values() {
        let Ok(stream) = object.as_stream() else { continue };
        let Ok(bytes) = stream.decompressed_content() else { continue };
        let Ok(content) = lopdf::content::Content::decode(&bytes) else { continue };
        for op in content.operations.iter().filter(|op| op.operator == "k" || op.operator == "K") {
            let v: Vec<i64> =
                op.operands.iter().filter_map(|o| o.as_float().ok()).map(|f| (f * 255.0).round() as i64).collect();
            if let [c, m, y, k] = v[..] {
                out.push([c, m, y, k]);
            }
        }
    }
    out
}

/// The mini fixture in a copy of the house theme named `name`, whose
/// theme.toml has `from` replaced by `to`.
fn mini_in_copied_theme(name: &str, from: &str, to: &str) -> tempfile::TempDir {
    let dir = mini_with(|text| text.replace("theme = \"house\"", &format!("theme = \"{name}\"")));
    let theme = dir.path().join("themes").join(name);
    copy_dir(&repo().join("themes/house"), &theme);
    let spec = std::fs::read_to_string(theme.join("theme.toml")).expect("theme.toml");
    assert!(spec.contains(from), "the house theme lacks {from}; update this test");
    std::fs::write(theme.join("theme.toml"), spec.replacen(from, to, 1)).expect("write theme");
    dir
}

/// Builds the mini fixture of `dir` into `name`.pdf, which must succeed.
fn build_ok(dir: &Path, name: &str) -> PathBuf {
    let pdf = dir.join(format!("{name}.pdf"));
    let out = build(&dir.join("report.toml"), &pdf, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    pdf
}

#[test]
fn a_copied_recoloured_theme_reaches_the_pdf() {
    let dir = mini_in_copied_theme("client", "brand = [78, 52, 28, 18]", "brand = [13, 57, 91, 7]");
    let colours = cmyk_operands(&build_ok(dir.path(), "client"));
    let eight_bit = |cmyk: [f64; 4]| cmyk.map(|p| (p * 2.55).round() as i64);
    assert!(colours.contains(&eight_bit([13.0, 57.0, 91.0, 7.0])), "the new brand colour is not in the PDF");
    // The house theme's own brand colour is gone.
    assert!(!colours.contains(&eight_bit([78.0, 52.0, 28.0, 18.0])), "the old brand colour is still in the PDF");
}

#[test]
fn an_unknown_accent_is_a_located_error_listing_the_declared_ones() {
    let dir = mini_edited("parts/chapter.toml", "accent = \"blue\"", "accent = \"sky\"");
    let pdf = dir.path().join("report.pdf");
    let out = build(&dir.path().join("report.toml"), &pdf, &["--diagnostic-format", "short"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("chapter.toml:5:10: error: unknown accent 'sky'"), "{err}");
    assert!(err.contains("blue, green, neutral, orange, purple, teal"), "{err}");
    assert!(!pdf.exists());
}

#[test]
fn an_unknown_theme_is_a_located_error_naming_the_available_ones() {
    let dir = mini_with(|text| text.replace("theme = \"house\"", "theme = \"nope\""));
    let out = check_short(&dir.path().join("report.toml"));
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("report.toml:") && err.contains("theme 'nope' not found"), "{err}");
    assert!(err.contains("cmcc-2020, house, lanqing"), "{err}");
}

#[test]
fn the_root_is_found_from_the_manifest() {
    let out = Command::new(env!("CARGO_BIN_EXE_csr-press"))
        .args(["check", repo().join("examples/lanqing/data/report.toml").to_str().expect("utf-8 path")])
        .current_dir(std::env::temp_dir())
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn language_and_identity_reach_the_pdf() {
    let dir = mini_with(|text| {
        // zh-HK: its fonts are in fonts/ (zh-TW's TC faces are not shipped).
        text.replace("language = \"zh-CN\"", "language = \"zh-HK\"").replace(
            "report_type = \"测试报告\"",
            "report_type = \"企業社會責任報告\"\ntitle_en = \"Test Group CSR Report\"",
        )
    });
    let pdf = dir.path().join("hk.pdf");
    let out = build(&dir.path().join("report.toml"), &pdf, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let cover = squash(&pdf_text(&pdf, 1));
    assert!(cover.contains("企業社會責任報告") && cover.contains("TestGroupCSRReport"), "{cover}");
    let doc = lopdf::Document::load(&pdf).expect("PDF loads");
    let lang = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Lang").ok())
        .and_then(|l| l.as_str().ok())
        .map(|s| String::from_utf8_lossy(s).into_owned());
    assert_eq!(lang.as_deref(), Some("zh-HK"));
}

#[test]
fn a_bad_language_tag_is_located() {
    let dir = mini_with(|text| text.replace("language = \"zh-CN\"", "language = \"Chinese (Taiwan)\""));
    let out = check_short(&dir.path().join("report.toml"));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("must be a tag such as zh-CN, zh-HK, zh-TW or en"), "{}", stderr(&out));
}

/// The mini fixture with `from` replaced by `to` in `file`.
fn mini_edited(file: &str, from: &str, to: &str) -> tempfile::TempDir {
    let dir = fixture("mini");
    let path = dir.path().join(file);
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains(from), "{file} lacks {from}");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
    dir
}

/// Runs `check` on a mini fixture after replacing `from` by `to` in `file`.
fn check_after_edit(file: &str, from: &str, to: &str) -> String {
    let dir = mini_edited(file, from, to);
    let out = check_short(&dir.path().join("report.toml"));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    stderr(&out)
}

#[test]
fn a_malformed_tag_hint_shows_the_reports_own_indexes() {
    let err = check_after_edit("parts/chapter.toml", "\"DEMO:A1\"", "\"A1\"");
    assert!(
        err.contains("chapter.toml:") && err.contains("must have the form INDEX:CODE, e.g. 'DEMO:A1' (indexes: DEMO)"),
        "{err}"
    );
}

#[test]
fn index_columns_must_fit_the_printed_columns() {
    let err = check_after_edit(
        "indexes/demo.toml",
        "columns = [\"指标编号及名称\", \"披露页码\"]",
        "columns = [\"编号\", \"名称\", \"说明\", \"页码\"]",
    );
    assert!(
        err.contains("demo.toml:3:1: error: index 'DEMO' prints 3 columns (code, name, pages) but `columns` names 4"),
        "{err}"
    );
}

#[test]
fn an_index_without_columns_is_headed_by_the_theme_labels() {
    let dir = mini_edited("indexes/demo.toml", "columns = [\"指标编号及名称\", \"披露页码\"]\n", "");
    let pdf = build_ok(dir.path(), "labels");
    let last_pages: String = (pdf_pages(&pdf) - 2..=pdf_pages(&pdf)).map(|p| squash(&pdf_text(&pdf, p))).collect();
    // The house theme's labels: 编号, 指标, 披露页码.
    assert!(last_pages.contains("编号指标") && last_pages.contains("披露页码"), "{last_pages}");
}

#[test]
fn a_spot_colour_in_a_theme_prints_as_a_separation() {
    let spot = "highlight = { spot = \"PANTONE 123 C\", cmyk = [0, 24, 94, 0] }";
    let dir = mini_in_copied_theme("spot", "highlight = [5, 32, 78, 4]", spot);
    let pdf = build_ok(dir.path(), "spot");
    let doc = lopdf::Document::load(&pdf).expect("PDF loads");
    let separations: Vec<Vec<u8>> = doc
        .objects
        .values()
        .filter_map(|o| o.as_array().ok())
        .filter(|a| a.first().and_then(|n| n.as_name().ok()) == Some(b"Separation".as_slice()))
        .filter_map(|a| a.get(1).and_then(|n| n.as_name().ok()).map(<[u8]>::to_vec))
        .collect();
    assert!(separations.contains(&b"PANTONE 123 C".to_vec()), "{separations:?}");
}

#[test]
fn a_broken_theme_file_is_located() {
    let dir = mini_in_copied_theme("broken", "case = \"案例\"\n", "");
    let err = stderr(&check_short(&dir.path().join("report.toml")));
    assert!(err.contains("theme.toml:") && err.contains("missing field `case`"), "{err}");
    let dir = mini_in_copied_theme("broken", "tint = \"mist\"", "tint = \"fog\"");
    let err = stderr(&check_short(&dir.path().join("report.toml")));
    assert!(err.contains("'neutral' names colour 'fog', which the palette does not declare"), "{err}");
}

#[test]
#[cfg(unix)]
fn a_theme_cannot_read_outside_its_folder() {
    let dir = mini_in_copied_theme("leaky", "default-accent", "default-accent");
    let theme = dir.path().join("themes/leaky");
    let outside = dir.path().join("secret.txt");
    std::fs::write(&outside, "secret").expect("write");
    std::os::unix::fs::symlink(&outside, theme.join("leak.txt")).expect("symlink");
    let cover = std::fs::read_to_string(theme.join("theme.typ")).expect("theme.typ");
    std::fs::write(theme.join("theme.typ"), format!("#let leak = read(\"leak.txt\")\n{cover}")).expect("write");
    let pdf = dir.path().join("leak.pdf");
    let out = build(&dir.path().join("report.toml"), &pdf, &["--diagnostic-format", "short"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("access denied"), "{}", stderr(&out));
    assert!(!pdf.exists());
}

/// The mini fixture in `theme` (its chapter's accent left to the theme's
/// default), with `extra` lines after the language tag.
fn mini_in_theme(theme: &str, extra: &str) -> tempfile::TempDir {
    let dir = mini_with(|text| {
        text.replace("theme = \"house\"", &format!("theme = \"{theme}\""))
            .replace("language = \"zh-CN\"", &format!("language = \"zh-CN\"\n{extra}"))
    });
    edit(&dir.path().join("parts/chapter.toml"), "accent = \"blue\"\n", "");
    dir
}

/// What a theme file imports: the paths of its `#import` lines.
fn imports(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| line.trim_start().strip_prefix("#import"))
        .map(|rest| rest.trim().split(['"', ')']).nth(1).unwrap_or(rest).to_owned())
        .collect()
}

#[test]
fn themes_import_nothing_but_the_theme_api() {
    let themes = repo().join("themes");
    let files = files(&themes, &["typ"]);
    assert!(files.len() >= 3, "theme files: {files:?}");
    let mut wrong = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read theme file");
        let found = imports(&text);
        assert!(!found.is_empty() || !text.contains("import"), "{}: an import this test cannot read", file.display());
        for path in found {
            // The API, or a file of the theme's own folder (no path out of it).
            let own = !path.contains('/') && !path.contains('\\') && path.ends_with(".typ");
            if path != "/layout/theme-api.typ" && !own {
                wrong.push(format!("{}: {path}", file.strip_prefix(&themes).unwrap_or(file).display()));
            }
        }
        assert!(text.contains("/layout/theme-api.typ"), "{} does not import the theme API", file.display());
    }
    assert!(wrong.is_empty(), "theme files importing engine internals:\n{}", wrong.join("\n"));
}

/// Each entry point of the theme API, redefined to print a word of its own
/// (and the chart palette to one colour), appended to a copy of house.
const HOOKED: &str = r#"
#let cover(meta) = (art: none, body: [HOOK-COVER])
#let back-cover(meta) = (art: none, body: [HOOK-BACK])
#let part-opener(p, t, number) = (art: none, body: [HOOK-OPENER-#number])
#let part-band(p, t, number) = block[HOOK-BAND]
#let rating-head(p, t, number) = block[HOOK-RATING]
#let running-head(title, part, recto) = [HOOK-HEAD]
#let folio(number, recto) = [HOOK-FOLIO]
#let case-frame(t) = (fill: none, stroke: none, tab: label => [HOOK-CASE])
#let stat-callout(t, body) = block[HOOK-STAT #body]
#let chart-palette(t) = (cmyk(13%, 57%, 91%, 7%),)
"#;

#[test]
fn every_entry_point_of_a_copied_theme_reaches_the_pdf() {
    let dir = mini_in_copied_theme("hooked", "default-accent", "default-accent");
    let theme = dir.path().join("themes/hooked/theme.typ");
    let text = std::fs::read_to_string(&theme).expect("theme.typ");
    std::fs::write(&theme, format!("{text}\n{HOOKED}")).expect("write theme");
    // A chart, for the chart palette.
    let numbers = dir.path().join("parts/numbers.toml");
    let mut parts = std::fs::read_to_string(&numbers).expect("numbers.toml");
    parts.push_str("\n[[sections.blocks]]\ntype = \"chart\"\nkind = \"bar\"\ntitle = \"员工总数\"\ntable = \"kpi-table\"\nrows = [\"total\"]\n");
    std::fs::write(&numbers, parts).expect("write numbers.toml");
    let pdf = build_ok(dir.path(), "hooked");
    let pages: Vec<String> = (1..=pdf_pages(&pdf)).map(|p| squash(&pdf_text(&pdf, p))).collect();
    let all = pages.concat();
    assert!(pages[0].contains("HOOK-COVER"), "cover: {}", pages[0]);
    assert!(pages.last().is_some_and(|p| p.contains("HOOK-BACK")), "back cover: {:?}", pages.last());
    // The mini report's one chapter is chapter 1.
    for word in ["HOOK-OPENER-1", "HOOK-BAND", "HOOK-HEAD", "HOOK-FOLIO", "HOOK-CASE", "HOOK-STAT"] {
        assert!(all.contains(word), "{word} is not in the PDF");
    }
    let colours = cmyk_operands(&pdf);
    assert!(colours.contains(&[33, 145, 232, 18]), "the chart palette's colour is not in the PDF");
    // The 目录 still lists the parts: the engine's headings do not depend on the theme.
    assert!(pages[1].contains("社会绩效"), "contents: {}", pages[1]);
}

#[test]
fn a_rating_letter_gets_the_themes_rating_head() {
    // The stress fixture's rating letter is long enough to start a page of
    // its own (the mini report's runs in after the part before it).
    let dir = fixture("stress");
    let theme = dir.path().join("themes/hooked");
    copy_dir(&repo().join("themes/house"), &theme);
    let text = std::fs::read_to_string(theme.join("theme.typ")).expect("theme.typ");
    std::fs::write(theme.join("theme.typ"), format!("{text}\n{HOOKED}")).expect("write theme");
    let manifest = dir.path().join("report.toml");
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    std::fs::write(&manifest, format!("{text}\n[design]\ntheme = \"hooked\"\n")).expect("write manifest");
    let pdf = build_ok(dir.path(), "rating");
    let all: String = (1..=pdf_pages(&pdf)).map(|p| squash(&pdf_text(&pdf, p))).collect();
    assert!(all.contains("HOOK-RATING"), "no rating head in the PDF");
}

#[test]
fn contact_details_and_the_qr_code_reach_every_themes_back_cover() {
    for theme in ["house", "lanqing", "cmcc-2020"] {
        let dir = mini_in_theme(
            theme,
            "address = \"测试市测试路 1 号\"\nwebsite = \"www.example.cn\"\n\
             telephone = \"+86 10 1234 5678\"\nemail = \"esg@example.cn\"\nqr = \"https://www.example.cn/esg\"",
        );
        let pdf = build_ok(dir.path(), theme);
        let last = pdf_pages(&pdf);
        let back = squash(&pdf_text(&pdf, last));
        for detail in ["测试市测试路1号", "www.example.cn", "+8610", "esg@example.cn"] {
            assert!(back.contains(detail), "{theme}: {detail} is not on the back cover: {back}");
        }
        assert_eq!(decode_qr(&pdf, last), vec!["https://www.example.cn/esg".to_owned()], "{theme}");
    }
}

#[test]
fn a_back_cover_without_contact_details_is_still_designed() {
    for theme in ["house", "lanqing", "cmcc-2020"] {
        let dir = mini_in_theme(theme, "");
        let pdf = build_ok(dir.path(), theme);
        let back = squash(&pdf_text(&pdf, pdf_pages(&pdf)));
        assert!(back.contains("贡献数智新力量") && !back.contains("网址"), "{theme}: {back}");
    }
}

#[test]
fn malformed_contact_details_are_located_errors() {
    for (field, bad, why) in [
        ("website", "not a site", "is not a host name"),
        ("email", "esg.example.cn", "name@example.cn"),
        ("telephone", "call us", "is not part of a telephone number"),
        ("qr", "www.example.cn", "starts with https://"),
    ] {
        let dir = mini_with(|text| {
            text.replace("language = \"zh-CN\"", &format!("language = \"zh-CN\"\n{field} = \"{bad}\""))
        });
        let err = stderr(&check_short(&dir.path().join("report.toml")));
        assert!(err.contains("report.toml:13:1: error:") && err.contains(why), "{field}: {err}");
    }
}

#[test]
fn a_cover_image_fills_the_house_covers_image_slot() {
    let dir = mini_in_theme("house", "cover_image = \"cover.png\"");
    std::fs::copy(repo().join("tests/fixtures/stress/images/grey-2.png"), dir.path().join("cover.png")).expect("copy");
    let pdf = build_ok(dir.path(), "cover");
    let on_cover = pdf_images(&pdf).into_iter().filter(|i| i.page == 1 && i.kind != "smask").count();
    assert_eq!(on_cover, 1, "the cover image is not on the cover");
    // A missing one is a located error.
    let dir = mini_in_theme("house", "cover_image = \"nope.jpg\"");
    let err = stderr(&check_short(&dir.path().join("report.toml")));
    assert!(err.contains("report.toml:13:") && err.contains("nope.jpg"), "{err}");
}
