//! The `build` command on the small fixture: pages, fonts, boxes, text,
//! located data errors, atomic output and byte-identical rebuilds.

use crate::support::*;

#[test]
fn builds_the_fixture_with_embedded_subset_cjk_fonts() {
    let dir = fixture("mini");
    let pdf = dir.path().join("out/report.pdf");
    let out = build(&dir.path().join("report.toml"), &pdf, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("pages"), "one-line summary: {}", stdout(&out));

    let pages = pdf_pages(&pdf);
    // Short parts run on after the part before them (copyfit), so few pages.
    assert!((6..=14).contains(&pages), "unexpected page count {pages}");

    let fonts = pdf_fonts(&pdf);
    assert!(fonts.iter().any(|f| f.name.contains("NotoSerifCJK")), "{fonts:?}");
    assert!(fonts.iter().any(|f| f.name.contains("NotoSansCJK")), "{fonts:?}");
    for font in &fonts {
        assert!(font.embedded, "font not embedded: {font:?}");
        // Subset fonts carry a tag (`ABCDEF+`).
        assert!(font.subset, "font not subset: {font:?}");
        assert!(font.unicode, "font without a ToUnicode map: {font:?}");
    }

    let text = squash(&pdf_text(&pdf, 0));
    for expected in
        ["董事长致辞", "5G上珠峰，续写新传奇", "1,811", "县、乡、村扶贫任务", "459,152", "过程性", "示例索引", "目录"]
    {
        assert!(text.contains(&squash(expected)), "missing text {expected}");
    }
}

#[test]
fn typst_markup_in_data_prints_literally() {
    let dir = fixture("mini");
    let pdf = dir.path().join("report.pdf");
    let out = build(&dir.path().join("report.toml"), &pdf, &["--profile", "screen"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Column by column: a short letter has its two columns balanced.
    let text: String = (1..=pdf_pages(&pdf)).map(|p| squash(&pdf_text_by_column(&pdf, p, false))).collect();
    let literal =
        squash(r"标记字符原样输出：#strong[x] *粗体* _斜体_ $x^2$ <tag> @ref [括号] // 注释 \ 反斜杠 #let a = 1");
    assert!(text.contains(&literal), "markup characters were not printed literally:\n{text}");
}

#[test]
fn print_profile_has_trim_and_bleed_boxes_on_every_page() {
    let dir = fixture("mini");
    let pdf = dir.path().join("report.pdf");
    let out = build(&dir.path().join("report.toml"), &pdf, &["--profile", "print"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let boxes = page_boxes(&pdf);
    assert_eq!(boxes.len(), pdf_pages(&pdf));
    for PageBoxes { trim: t, bleed: b, .. } in boxes {
        assert!((t[2] - t[0] - 595.28).abs() < 0.05 && (t[3] - t[1] - 841.89).abs() < 0.05, "trim {t:?}");
        let mm3 = 3.0 * 72.0 / 25.4;
        assert!((t[0] - b[0] - mm3).abs() < 0.05 && (b[3] - t[3] - mm3).abs() < 0.05, "bleed {b:?} vs {t:?}");
    }
}

#[test]
fn marks_keep_the_boxes_right() {
    let dir = fixture("mini");
    let pdf = dir.path().join("report.pdf");
    let out = build(&dir.path().join("report.toml"), &pdf, &["--marks"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let PageBoxes { media, trim, bleed, .. } = page_boxes(&pdf)[0];
    assert!((trim[2] - trim[0] - 595.28).abs() < 0.05);
    assert!(bleed[0] > media[0] + 20.0, "marks need room outside the bleed: {media:?} {bleed:?}");
}

#[test]
fn two_builds_are_byte_identical() {
    let dir = fixture("mini");
    let a = dir.path().join("a.pdf");
    let b = dir.path().join("b.pdf");
    assert!(build(&dir.path().join("report.toml"), &a, &[]).status.success());
    assert!(build(&dir.path().join("report.toml"), &b, &[]).status.success());
    assert!(std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap(), "builds differ");
}

#[test]
fn bad_data_fails_with_a_located_message_and_keeps_the_old_pdf() {
    let dir = fixture("mini");
    let manifest = dir.path().join("report.toml");
    let pdf = dir.path().join("report.pdf");
    assert!(build(&manifest, &pdf, &[]).status.success());
    let before = std::fs::read(&pdf).unwrap();

    let part = dir.path().join("parts/numbers.toml");
    let text = std::fs::read_to_string(&part).unwrap();
    std::fs::write(&part, text.replacen("title = \"员工\"\nlabel", "title = \"员工\"\nvaule = 1\nlabel", 1)).unwrap();
    let out = build(&manifest, &pdf, &["--diagnostic-format", "short"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("parts/numbers.toml:7:1: error: unknown field `vaule`, expected one of `title`, `label`"),
        "{err}"
    );
    assert!(std::fs::read(&pdf).unwrap() == before, "the old PDF was touched");
}

#[test]
fn all_semantic_errors_are_reported_in_one_run() {
    let dir = fixture("mini");
    let manifest = dir.path().join("report.toml");
    let chapter = dir.path().join("parts/chapter.toml");
    let text = std::fs::read_to_string(&chapter)
        .unwrap()
        .replace("DEMO:A1", "DEMO:Z9")
        .replace("{ref:kpi-table}", "{ref:nowhere}")
        .replace("type = \"figure\"\ncaption", "type = \"figure\"\nimage = \"missing.png\"\ncaption");
    std::fs::write(&chapter, text).unwrap();
    let numbers = dir.path().join("parts/numbers.toml");
    let text = std::fs::read_to_string(&numbers)
        .unwrap()
        .replace("\"1,332\"]", "\"1,33x\"]")
        .replace("label = \"staff\"", "label = \"new-infra\"");
    std::fs::write(&numbers, text).unwrap();

    let out = build(&manifest, &dir.path().join("r.pdf"), &["--diagnostic-format", "short"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for expected in [
        "parts/chapter.toml:20:",
        "unknown disclosure code 'Z9' in index 'DEMO'",
        "reference to unknown label 'nowhere'",
        "image 'missing.png' not found",
        "KPI value '1,33x' of '港澳台及海外员工数' is not a number",
        "duplicate label 'new-infra'",
    ] {
        assert!(err.contains(expected), "expected {expected:?} in:\n{err}");
    }
    assert!(!dir.path().join("r.pdf").exists());
}

#[test]
fn broken_kpi_check_names_the_year_and_rows() {
    let dir = fixture("mini");
    let numbers = dir.path().join("parts/numbers.toml");
    let text = std::fs::read_to_string(&numbers).unwrap().replace("\"454,332\"", "\"454,333\"");
    std::fs::write(&numbers, text).unwrap();
    let out = build(&dir.path().join("report.toml"), &dir.path().join("r.pdf"), &["--diagnostic-format", "short"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("parts/numbers.toml:"), "{err}");
    assert!(err.contains("KPI check failed for 2020: cn + abroad = 454332 but total is 454333"), "{err}");
}

#[test]
fn index_prints_the_pages_that_hold_the_tagged_content() {
    let dir = fixture("mini");
    let pdf = dir.path().join("report.pdf");
    assert!(build(&dir.path().join("report.toml"), &pdf, &[]).status.success());
    let pages = pdf_pages(&pdf);
    let index_page = (1..=pages).rev().find(|&p| squash(&pdf_text(&pdf, p)).contains("示例索引")).expect("index page");
    for (code, needle) in [("A1", "引领新基建"), ("A2", "5G上珠峰"), ("B1", "459,152")] {
        let printed = index_pages(&pdf, index_page, code).unwrap_or_else(|| panic!("no pages printed for {code}"));
        assert!(
            printed.iter().any(|&p| squash(&pdf_text(&pdf, p)).contains(needle)),
            "{code}: pages {printed:?} do not hold {needle}"
        );
    }
    let index_text = pdf_text(&pdf, index_page);
    assert!(index_text.contains("不适用"));
}

#[test]
fn every_profile_has_bookmarks_and_metadata() {
    let dir = fixture("mini");
    for profile in ["print", "proof", "screen"] {
        let pdf = dir.path().join(format!("{profile}.pdf"));
        let out = build(&dir.path().join("report.toml"), &pdf, &["--profile", profile]);
        assert!(out.status.success(), "{profile}: {}", stderr(&out));
        let info = pdf_info(&pdf);
        for (field, value) in
            [("Title", "测试报告2020"), ("Author", "测试集团有限公司"), ("Subject", ""), ("Keywords", "测试")]
        {
            let got = info.get(field).unwrap_or_else(|| panic!("{profile}: no {field} in {info:?}"));
            assert!(got.starts_with(value), "{profile}: {field} is {got:?}, not {value:?}");
        }
        let doc = lopdf::Document::load(&pdf).unwrap();
        let catalog = doc.catalog().unwrap();
        assert_eq!(catalog.get(b"Lang").unwrap().as_str().unwrap(), b"zh-CN");
        let outline = doc.get_toc().expect("an outline");
        let titles: Vec<String> = outline.toc.iter().map(|t| t.title.clone()).collect();
        for part in ["董事长致辞", "智慧发展", "社会绩效", "相关索引"] {
            assert!(titles.iter().any(|t| t == part), "{profile}: no bookmark {part} in {titles:?}");
        }
        assert!(titles.iter().any(|t| t == "引领新基建"), "sections are bookmarked too: {titles:?}");
        let first = page_boxes(&pdf)[0];
        assert_eq!(first.trim != first.media, profile == "print", "{profile}: bleed only in print\n{first:?}");
    }
}

#[test]
fn screen_profile_links_contents_index_and_references() {
    let dir = fixture("mini");
    let pdf = dir.path().join("screen.pdf");
    assert!(build(&dir.path().join("report.toml"), &pdf, &["--profile", "screen"]).status.success());
    let doc = lopdf::Document::load(&pdf).unwrap();
    let mut links_per_page = Vec::new();
    for (_, id) in doc.get_pages() {
        let annots = doc.get_page_annotations(id).unwrap_or_default();
        let links =
            annots.iter().filter(|a| a.get(b"Subtype").ok().and_then(|s| s.as_name().ok()) == Some(b"Link")).count();
        links_per_page.push(links);
    }
    // Contents (page 2), the reference in the chapter (page 5) and the index (last page but one).
    assert!(links_per_page[1] >= 5, "contents links: {links_per_page:?}");
    assert!(links_per_page[4] >= 1, "reference link: {links_per_page:?}");
    assert!(links_per_page[links_per_page.len() - 2] >= 3, "index links: {links_per_page:?}");
}

#[test]
fn print_colours_are_cmyk_only() {
    let dir = fixture("mini");
    let pdf = dir.path().join("print.pdf");
    assert!(build(&dir.path().join("report.toml"), &pdf, &["--marks"]).status.success());
    let doc = lopdf::Document::load(&pdf).unwrap();
    let mut cmyk = 0;
    for object in doc.objects.values() {
        let Ok(stream) = object.as_stream() else { continue };
        let Ok(bytes) = stream.decompressed_content() else { continue };
        let Ok(content) = lopdf::content::Content::decode(&bytes) else { continue };
        for op in &content.operations {
            match op.operator.as_str() {
                "k" | "K" => cmyk += 1,
                "rg" | "RG" | "g" | "G" => panic!("non-CMYK colour operator {} {:?}", op.operator, op.operands),
                _ => {}
            }
        }
    }
    assert!(cmyk > 20, "expected CMYK colour operators, found {cmyk}");
}

#[test]
fn a_character_no_font_covers_is_a_build_warning_and_a_strict_error() {
    // Issue 25: it printed as a box and `build` said nothing.
    let dir = fixture("mini");
    let part = dir.path().join("parts/back.toml");
    edit(&part, "具有卓越的过程性表现。", "具有卓越的过程性表现\u{1F6F8}。");
    let pdf = dir.path().join("out/report.pdf");
    let out = build(&dir.path().join("report.toml"), &pdf, &["--diagnostic-format", "short"]);
    assert!(out.status.success(), "a warning only: {}", stderr(&out));
    let said = stderr(&out);
    let line = said.lines().find(|l| l.contains("[missing-glyph]")).unwrap_or_else(|| panic!("no warning: {said}"));
    assert!(line.contains("back.toml:12:") && line.contains("U+1F6F8") && line.contains("warning"), "{line}");
    let strict = build(&dir.path().join("report.toml"), &pdf, &["--strict", "--diagnostic-format", "short"]);
    assert_eq!(strict.status.code(), Some(1), "an error with --strict: {}", stderr(&strict));
}
