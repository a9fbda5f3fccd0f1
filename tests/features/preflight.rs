//! The layout preflight on content no one tuned for: the stress fixture
//! (tests/fixtures/stress, made by its generate.py) composes with no
//! finding, and each defect planted in a deliberately bad variant (of the
//! data, or of a copy of the layouts) is found, with its page and the data
//! file and line it comes from.

use std::process::Command;

use crate::support::variant::{assert_found, check_strict, findings, press, variant};
use crate::support::{fixture, pdf_text, squash, stderr, stdout};

#[test]
fn stress_fixture_composes_with_no_finding() {
    let root = variant(&[], &[]);
    let out = press(root.path(), &["build", "--strict", "-o", root.path().join("out.pdf").to_str().expect("path")]);
    assert!(out.status.success(), "strict build failed:\n{}", stderr(&out));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    let out = press(root.path(), &["check", "--strict"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("check: 0 errors, 0 warnings"), "{}", stdout(&out));
}

#[test]
fn a_heading_parted_from_its_text_is_found() {
    // The layout copy lets headings go unstuck and puts a tall space after
    // each: the text after a heading lands in the next column.
    let root = variant(
        &[
            ("parts.typ", "  heading(level: level, item.title)\n", "  heading(level: level, item.title)\n  v(240mm)\n"),
            ("parts.typ", "below: 0.8em * s, sticky: true", "below: 0.8em * s, sticky: false"),
        ],
        &[],
    );
    let found = assert_found(root.path(), "stranded", None, "03-chapter.toml");
    assert!(found.iter().any(|l| l.contains("heading")), "{found:?}");
}

#[test]
fn a_kpi_group_row_parted_from_its_rows_is_found() {
    // No keep units, and a tall row after each group row: the group row
    // stands alone at a column foot. The tables stay in the column (a KPI
    // table spans when another of its part does).
    let root = variant(
        &[
            ("kpi.typ", "t.at(\"kpis-span\", default: false) or not fits(b", "not fits(b"),
            ("kpi.typ", "let keep = keep-column(groups)", "let keep = ((table.cell(inset: 0pt, []),),) * rows.len()"),
            (
                "kpi.typ",
                "mark + text(weight: \"bold\", fill: t.deep, r.group)))",
                "mark + text(weight: \"bold\", fill: t.deep, r.group)))\n      cells += keep.at(i) + (table.cell(colspan: n + 2, block(height: 230mm)),)",
            ),
        ],
        &[],
    );
    let found = assert_found(root.path(), "stranded", None, "04-performance.toml");
    assert!(found.iter().any(|l| l.contains("KPI group row")), "{found:?}");
}

#[test]
fn a_signature_alone_is_found() {
    // The block before a signature is no longer sticky, and a tall space
    // parts them.
    let root = variant(
        &[
            (
                "parts.typ",
                "run += block(sticky: true, block-of(list.at(i), t, lead: if i == 0 { lead }) +",
                "run += block(sticky: false, block-of(list.at(i), t, lead: if i == 0 { lead }) +",
            ),
            (
                "parts.typ",
                "src: sig.at(\"src\", default: none)))\n",
                "src: sig.at(\"src\", default: none)))\n      run += v(240mm)\n",
            ),
        ],
        &[],
    );
    let found = assert_found(root.path(), "stranded", None, "01-letter.toml");
    assert!(found.iter().any(|l| l.contains("signature")), "{found:?}");
}

#[test]
fn a_figure_wider_than_its_column_is_found() {
    let root = variant(&[], &[("parts/03-chapter.toml", "width_mm = 60", "width_mm = 150")]);
    let out = press(root.path(), &["check"]);
    let found: Vec<String> = ["overflow", "overlap"].iter().flat_map(|c| findings(&out, c)).collect();
    assert!(found.iter().any(|l| l.contains("03-chapter.toml")), "{}", stderr(&out));
}

#[test]
fn an_unbreakable_string_past_the_column_is_found() {
    // Without the rule that lets long Latin runs break, the ISIN runs out.
    let root = variant(&[("tokens.typ", "show regex(\"[!-~]{25,}\")", "show regex(\"[!-~]{2500,}\")")], &[]);
    let found = assert_found(root.path(), "overflow", None, "02-long-title.toml");
    assert!(found.iter().any(|l| l.contains("CNE1000")), "{found:?}");
}

#[test]
fn too_many_years_for_a_column_are_found() {
    // The layout copy never lets a wide KPI table span the page.
    let root =
        variant(&[("kpi.typ", "t.at(\"kpis-span\", default: false) or not fits(b, column-width)", "false")], &[]);
    let out = press(root.path(), &["check"]);
    let found: Vec<String> = ["overlap", "overflow"].iter().flat_map(|c| findings(&out, c)).collect();
    assert!(found.iter().any(|l| l.contains("04-performance.toml")), "{}", stderr(&out));
}

#[test]
fn a_running_head_under_a_band_is_found() {
    let root = variant(&[("report.typ", "{ return }", "{ }")], &[]);
    let found = assert_found(root.path(), "hidden-text", None, "01-letter.toml");
    assert!(found.iter().any(|l| l.contains("'远航能源")), "{found:?}");
}

#[test]
fn a_near_empty_page_that_copyfit_cannot_fix_is_found() {
    // A chapter (it has an opener, so it never runs in) with two lines of
    // text: its text page stays near-empty whatever the spacing.
    let root = variant(
        &[],
        &[("report.toml", "  \"parts/08-index.toml\",", "  \"parts/09-short.toml\",\n  \"parts/08-index.toml\",")],
    );
    std::fs::write(
        root.path().join("parts/09-short.toml"),
        "kind = \"chapter\"\nid = \"short\"\ntitle = \"短章\"\n\n[[blocks]]\ntype = \"paragraph\"\ntext = \"只有一段很短的文字。\"\n",
    )
    .expect("write part");
    let found = assert_found(root.path(), "near-empty", None, "09-short.toml");
    assert!(found.iter().any(|l| l.contains("1 line of text")), "{found:?}");
}

#[test]
fn images_are_judged_at_their_placed_size() {
    // A 120 px image across a column is far under 300 ppi; the same figure
    // data at 10 mm is fine.
    let coarse =
        variant(&[], &[("parts/03-chapter.toml", "image = \"images/grey-1.png\"", "image = \"images/coarse.png\"")]);
    let found = assert_found(coarse.path(), "image-ppi", None, "03-chapter.toml");
    assert!(found.iter().any(|l| l.contains("ppi at its placed size (60 ×")), "{found:?}");
    let small = variant(
        &[],
        &[(
            "parts/03-chapter.toml",
            "image = \"images/grey-1.png\"\nwidth_mm = 60",
            "image = \"images/coarse.png\"\nwidth_mm = 10",
        )],
    );
    let out = press(small.path(), &["check"]);
    assert!(findings(&out, "image-ppi").is_empty(), "{}", stderr(&out));
}

#[test]
fn an_image_slot_without_image_is_a_print_warning_and_a_strict_error() {
    let root = variant(&[], &[("parts/03-chapter.toml", "image = \"images/grey-0.png\"\n", "")]);
    assert_found(root.path(), "image-missing", None, "03-chapter.toml");
    let pdf = root.path().join("out.pdf");
    let out = press(root.path(), &["build", "--strict", "-o", pdf.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!pdf.exists(), "a strict build with findings wrote the PDF");
    // In a proof it stays a visible, labelled box, and is not reported.
    let out = press(root.path(), &["build", "--profile", "proof", "-o", pdf.to_str().expect("path")]);
    assert!(out.status.success() && findings(&out, "image-missing").is_empty(), "{}", stderr(&out));
}

#[test]
fn missing_images_omit_leaves_the_figure_out_of_print_with_a_note() {
    // `[print] missing_images = "omit"`: an edition printed without photos
    // still to come. Print leaves the figure and its caption out, says so in
    // a note, and passes --strict; the proof still shows the labelled box.
    let root = variant(&[], &[("parts/03-chapter.toml", "image = \"images/grey-0.png\"\n", "")]);
    let manifest = root.path().join("report.toml");
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    std::fs::write(&manifest, format!("{text}\n[print]\nmissing_images = \"omit\"\n")).expect("write manifest");
    let pdf = root.path().join("out.pdf");
    let out = press(root.path(), &["build", "--strict", "-o", pdf.to_str().expect("path")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let note = stderr(&out);
    assert!(
        note.lines().any(|l| l.contains("report.toml:") && l.contains(": note: 1 figure without an image left out")),
        "{note}"
    );
    let caption = "示范项目现场（30毫米宽）";
    assert!(!squash(&pdf_text(&pdf, 0)).contains(caption), "the omitted figure's caption was printed");
    let proof = root.path().join("proof.pdf");
    let out = press(root.path(), &["build", "--profile", "proof", "-o", proof.to_str().expect("path")]);
    assert!(out.status.success() && findings(&out, "image-missing").is_empty(), "{}", stderr(&out));
    assert!(squash(&pdf_text(&proof, 0)).contains(caption), "the proof lost the figure's box and caption");
}

#[test]
fn an_unknown_missing_images_choice_is_a_located_error() {
    let root = variant(&[], &[]);
    let manifest = root.path().join("report.toml");
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    std::fs::write(&manifest, format!("{text}\n[print]\nmissing_images = \"hide\"\n")).expect("write manifest");
    let out = press(root.path(), &["check"]);
    assert!(!out.status.success(), "{}", stderr(&out));
    let said = stderr(&out);
    let line = format!("report.toml:{}:", text.lines().count() + 3);
    assert!(said.lines().any(|l| l.contains(&line) && l.contains("`placeholder` or `omit`")), "{said}");
}

#[test]
fn cover_art_past_the_bleed_is_found_with_marks() {
    // The layout copy no longer clips page art to the bleed box, and the
    // house cover's field runs 20 mm wide of it.
    let root = variant(
        &[(
            "print.typ",
            "clip: true, place(top + left, dx: -slug, dy: -slug, extra)",
            "clip: false, place(top + left, dx: -slug, dy: -slug, extra)",
        )],
        &[(
            "themes/house/theme.typ",
            "rect(width: trim.width + 2 * bleed, height: h, fill: palette.field",
            "rect(width: trim.width + 2 * bleed + 20mm, height: h, fill: palette.field",
        )],
    );
    let pdf = root.path().join("out.pdf");
    let out = press(root.path(), &["build", "--marks", "-o", pdf.to_str().expect("path")]);
    let found = findings(&out, "bleed");
    assert!(found.iter().any(|l| l.contains("20.0 mm past the bleed")), "{}", stderr(&out));
}

#[test]
fn a_remembered_copyfit_plan_gives_the_same_pdf_in_one_composition() {
    let root = variant(&[], &[]);
    let build = |name: &str| {
        let pdf = root.path().join("out").join(name);
        let out = Command::new(env!("CARGO_BIN_EXE_csr-press"))
            .args(["build", "-o", pdf.to_str().expect("path")])
            .arg(root.path().join("report.toml"))
            .arg("--root")
            .arg(root.path())
            .env("CSR_PRESS_TIMINGS", "1")
            .output()
            .expect("run csr-press");
        assert!(out.status.success(), "{}", stderr(&out));
        (std::fs::read(&pdf).expect("pdf"), stdout(&out).matches("compile ").count())
    };
    let (first, searched) = build("a.pdf");
    assert!(searched > 1, "the stress fixture needs copyfit, so the first build composes more than once");
    let (second, composed) = build("b.pdf");
    assert_eq!(composed, 1, "the remembered plan is composed once");
    assert!(first == second, "a remembered plan changed the PDF");
    std::fs::remove_dir_all(root.path().join("out/.cache/copyfit")).expect("cache folder");
    let (third, _) = build("c.pdf");
    assert!(first == third, "the PDF depends on the cache");
}

#[test]
fn watch_starts_the_search_after_an_edit_from_the_last_plan() {
    // The stress fixture needs copyfit (short parts run in, columns
    // balanced). After an edit, `watch` starts from the plan of its last
    // build: one composition, not the whole search again.
    let root = fixture("stress");
    let pdf = root.path().join("out.pdf");
    crate::support::with_watch(&root.path().join("report.toml"), &pdf, |rx| {
        crate::support::wait_for(rx, "watching for changes");
        // New figures of the same width (tabular digits): inputs never
        // built before, pages that fit as they did.
        let novel = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").subsec_nanos();
        let (a, b) = (10 + novel % 90, 10 + novel / 90 % 90);
        // Saved as editors save: a new file renamed into place (a file
        // rewritten in place can be read half written, a different input).
        let part = root.path().join("parts/04-performance.toml");
        let text = std::fs::read_to_string(&part).expect("read part");
        let edited =
            text.replacen("values = [\"0\", \"13\", \"26\"]", &format!("values = [\"0\", \"{a}\", \"{b}\"]"), 1);
        assert_ne!(text, edited, "the fixture has no such row");
        let temp = root.path().join("parts/.saving.tmp");
        std::fs::write(&temp, edited).expect("write");
        std::fs::rename(&temp, &part).expect("rename");
        let rebuilt = crate::support::wait_for(rx, "built");
        assert_eq!(rebuilt.matches("compile ").count(), 1, "{rebuilt}");
    });
}

#[test]
fn an_org_chart_node_without_its_line_is_detached() {
    // The layout copy draws no drop from the bar to each child: the stress
    // chart's children stand unconnected under their parents.
    let root = variant(
        &[(
            "diagrams.typ",
            "        place(line(start: (centres.at(i), bar-y), end: (centres.at(i), top), stroke: line-stroke))\n",
            "",
        )],
        &[],
    );
    let found = assert_found(root.path(), "detached-node", None, "02-long-title.toml");
    for node in ["power", "grid", "new", "wind"] {
        assert!(found.iter().any(|l| l.contains(&format!("node '{node}'"))), "{node}: {found:?}");
    }
}

#[test]
fn stat_callouts_off_one_baseline_are_misaligned() {
    // The layout copy keeps no room above the numbers of callouts without a
    // period line: in the stress fixture's row where one callout has one,
    // the numbers stand at different heights.
    let root = variant(&[("blocks.typ", "} else if periods {", "} else if false {")], &[]);
    let found = assert_found(root.path(), "misaligned-callouts", None, "03-chapter.toml");
    assert!(found.iter().any(|l| l.contains("stat callout row 1")), "{found:?}");
}

#[test]
fn an_org_chart_too_wide_for_its_column_is_indented_and_joined() {
    // Five more siblings: the chart no longer fits the column drawn
    // downwards and is set indented, every node still joined; without the
    // branches from the trunk, the children are detached.
    let nodes: String = (0..5)
        .map(|i| format!("  {{ id = \"x{i}\", name = \"远航第{i}区域能源服务有限公司\", parent = \"group\", relation = \"参股\" }},\n"))
        .collect();
    let more = [("parts/02-long-title.toml", "  { id = \"wind\"", &*format!("{nodes}  {{ id = \"wind\""))];
    let root = variant(&[], &more);
    check_strict(root.path());
    let branch = "        place(line(start: (indent / 2, mid), end: (indent, mid), stroke: line-stroke))\n";
    let root = variant(&[("diagrams.typ", branch, "")], &more);
    let found = assert_found(root.path(), "detached-node", None, "02-long-title.toml");
    assert!(found.iter().any(|l| l.contains("node 'x4'")), "{found:?}");
}
