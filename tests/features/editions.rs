//! Editions (issue 23): zh-HK by conversion, English by translation files,
//! fonts by language, and `check --all-editions` comparing them.

use std::path::{Path, PathBuf};

use crate::support::{build, copy_dir, pdf_fonts, pdf_pages, pdf_text, repo, run, squash, stderr, stdout};

fn lanqing() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&repo().join("examples/lanqing/data"), dir.path());
    dir
}

fn text_of(pdf: &Path) -> String {
    squash(&(1..=pdf_pages(pdf)).map(|p| pdf_text(pdf, p)).collect::<Vec<_>>().join(""))
}

fn check(manifest: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["check", manifest.to_str().unwrap()];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn zh_hk_edition_is_traditional_and_set_in_the_hk_faces() {
    let dir = tempfile::tempdir().unwrap();
    let (hk, cn) = (dir.path().join("hk.pdf"), dir.path().join("cn.pdf"));
    let manifest = repo().join("data/report.toml");
    let out = build(&manifest, &hk, &["--edition", "zh-HK", "--strict"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = build(&manifest, &cn, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = text_of(&hk);
    for traditional in ["報告", "數據", "環境", "中國移動"] {
        assert!(text.contains(traditional), "no {traditional} in the zh-HK edition");
    }
    // 约 is a KPI value's qualifier: the figure is the data's, the word the edition's.
    assert!(text.contains("約"), "no 約 in the zh-HK edition's KPI tables");
    for simplified in ["报告", "数据", "环境", "发展", "约", "单位"] {
        assert!(!text.contains(simplified), "{simplified} left in the zh-HK edition");
    }
    let fonts: Vec<String> = pdf_fonts(&hk).into_iter().map(|f| f.name).collect();
    assert!(fonts.iter().any(|f| f.contains("SerifCJKhk")), "{fonts:?}");
    assert!(fonts.iter().any(|f| f.contains("SansCJKhk")), "{fonts:?}");
    // SC faces still appear: Typst falls back to them for characters outside
    // the HK subset (Simplified literals in the layouts, 时 in 出具时间).
    let (a, b) = (pdf_pages(&hk) as i64, pdf_pages(&cn) as i64);
    assert!((a - b).abs() <= 4, "zh-HK {a} pages, zh-CN {b}");
}

#[test]
fn english_edition_is_latin_with_the_chinese_figures() {
    let dir = tempfile::tempdir().unwrap();
    let (en, cn) = (dir.path().join("en.pdf"), dir.path().join("cn.pdf"));
    let manifest = repo().join("examples/lanqing/data/report.toml");
    // The preflight's line rules know English breaks at word spaces: the
    // English pages have no line finding. The stakeholder table (five rows,
    // which keep three a side, so it does not split) would stand alone in
    // one column of its part's last page: copyfit has the part set it across
    // the page, and the edition passes --strict.
    let out = build(&manifest, &en, &["--edition", "en", "--strict"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(build(&manifest, &cn, &[]).status.success());
    let fonts: Vec<String> = pdf_fonts(&en).into_iter().map(|f| f.name).collect();
    assert!(fonts.iter().any(|f| f.ends_with("+NotoSerif-Regular")), "{fonts:?}");
    assert!(fonts.iter().any(|f| f.ends_with("+NotoSans-Bold")), "{fonts:?}");
    let (en_text, cn_text) = (text_of(&en), text_of(&cn));
    assert!(en_text.contains("SafeguardingEveryDrop"));
    assert!(!en_text.contains("守护每一滴好水"));
    // Every KPI value of the performance tables, in both.
    for value in ["59,200", "38.6", "0.300", "4,862", "99.97", "92.6", "2,140"] {
        assert!(en_text.contains(value) && cn_text.contains(value), "{value} not in both editions");
    }
}

#[test]
fn all_editions_build_in_one_run_beside_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = build(&repo().join("examples/lanqing/data/report.toml"), &dir.path().join("x.pdf"), &["--all-editions"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.path().join("lanqing.pdf").is_file() && dir.path().join("lanqing-en.pdf").is_file());
    assert_eq!(stdout(&out).matches("built ").count(), 2);
}

#[test]
fn check_all_editions_passes_and_fails_on_planted_mismatches() {
    let data = lanqing();
    let manifest = data.path().join("report.toml");
    let out = check(&manifest, &["--all-editions"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("editions compared"));

    // A block missing from the English file.
    let en = data.path().join("en/parts/07-community.toml");
    let text = std::fs::read_to_string(&en).unwrap();
    let cut = text.rfind("[[sections.blocks]]\ntype = \"quote\"").unwrap();
    std::fs::write(&en, &text[..cut]).unwrap();
    let out = check(&manifest, &["--all-editions"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("en/parts/07-community.toml") && err.contains("is missing"), "{err}");
    assert!(err.contains("parts/07-community.toml:"), "{err}");
    std::fs::write(&en, text).unwrap();

    // A KPI value typed into the English file.
    let en = data.path().join("en/parts/08-performance.toml");
    let text = std::fs::read_to_string(&en).unwrap();
    std::fs::write(
        &en,
        text.replace(
            "unit = \"RMB 100 million\" }",
            "unit = \"RMB 100 million\", values = [\"1\", \"2\", \"3\", \"4\"] }",
        ),
    )
    .unwrap();
    let out = check(&manifest, &["--all-editions"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("en/parts/08-performance.toml:") && err.contains("never typed twice"), "{err}");
    // Even the same value: figures are never typed twice.
    std::fs::write(
        &en,
        text.replace(
            "unit = \"RMB 100 million\" }",
            "unit = \"RMB 100 million\", values = [\"42.6\", \"45.1\", \"47.3\", \"49.8\"] }",
        ),
    )
    .unwrap();
    let err = stderr(&check(&manifest, &["--all-editions"]));
    assert!(err.contains("never typed twice"), "{err}");
    std::fs::write(&en, text).unwrap();

    // A KPI indicator with no English name: located in the data, naming the translation.
    let text = std::fs::read_to_string(&en).unwrap();
    std::fs::write(&en, text.replace("{ indicator = \"Women\", unit = \"people\" }", "{ unit = \"people\" }")).unwrap();
    let err = stderr(&check(&manifest, &["--edition", "en"]));
    assert!(
        err.contains("KPI indicator") && err.contains("has no translation in") && err.contains("08-performance.toml"),
        "{err}"
    );
}

#[test]
fn glossary_entries_never_used_are_warned_about() {
    let data = lanqing();
    let manifest = data.path().join("report.toml");
    std::fs::write(data.path().join("glossary-hk.toml"), "\"澜清水务\" = \"瀾清水務\"\n\"从未出现\" = \"從未出現\"\n")
        .unwrap();
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str("\n[[editions]]\nlanguage = \"zh-HK\"\nconvert = \"opencc\"\nglossary = \"glossary-hk.toml\"\n");
    std::fs::write(&manifest, text).unwrap();
    let out = check(&manifest, &["--edition", "zh-HK"]);
    let err = stderr(&out);
    assert!(err.contains("glossary-hk.toml:2:1: warning: glossary entry '从未出现' is never used"), "{err}");
    assert!(!err.contains("'澜清水务' is never used"), "{err}");
}

#[test]
fn a_bad_editions_table_is_a_located_error() {
    let cases: [(&str, &str); 4] = [
        ("language = \"fr\"\nsource = \"data\"", "unknown edition language 'fr'"),
        ("language = \"en\"\ntranslation = \"en/\"", "a second edition in en"),
        (
            "language = \"zh-HK\"\nconvert = \"opencc\"\nglossary = \"nowhere.toml\"",
            "glossary 'nowhere.toml' does not exist",
        ),
        ("language = \"zh-TW\"\ntranslation = \"tw/\"", "translation folder 'tw/' does not exist"),
    ];
    for (entry, expected) in cases {
        let data = lanqing();
        let manifest: PathBuf = data.path().join("report.toml");
        let mut text = std::fs::read_to_string(&manifest).unwrap();
        text.push_str(&format!("\n[[editions]]\n{entry}\n"));
        std::fs::write(&manifest, text).unwrap();
        let out = check(&manifest, &["--all-editions"]);
        assert!(!out.status.success());
        let err = stderr(&out);
        assert!(err.contains("report.toml:") && err.contains(expected), "{expected}: {err}");
    }
}

#[test]
fn a_language_whose_fonts_are_missing_names_the_files_to_add() {
    let data = lanqing();
    let manifest = data.path().join("report.toml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str("\n[[editions]]\nlanguage = \"zh-TW\"\nconvert = \"opencc\"\n");
    std::fs::write(&manifest, text).unwrap();
    let out = build(&manifest, &data.path().join("tw.pdf"), &["--edition", "zh-TW"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("Noto Serif CJK TC") && err.contains("NotoSerifTC-Regular.otf"), "{err}");
    assert!(!data.path().join("tw.pdf").exists());
}

#[test]
fn an_english_label_missing_from_labels_en_is_located_in_both_files() {
    let root =
        crate::support::case::root_with(|fonts| std::os::unix::fs::symlink(repo().join("fonts"), fonts).unwrap());
    let labels = root.path().join("themes/lanqing/labels.en.toml");
    let text = std::fs::read_to_string(&labels).unwrap();
    std::fs::write(&labels, text.replace("note = \"Note\"\n", "")).unwrap();
    let data = lanqing();
    let manifest = data.path().join("report.toml");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_csr-press"))
        .args(["check", manifest.to_str().unwrap(), "--edition", "en", "--root", root.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("themes/lanqing/theme.toml:") && err.contains("label 'note' has no en value"), "{err}");
    assert!(err.contains("labels.en.toml"), "{err}");
}
