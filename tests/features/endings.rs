//! Composition rules of a designer's review, continued (typography.md,
//! rules 19, 20, 24 and 25; issue 19): every part's last page balanced,
//! floats kept in their section (never above its heading), table runs of
//! three rows at least, no runt in a caption or table cell, no table
//! column run narrow. The stress fixture (and its parts added for these
//! rules) composes with none of these findings; each defect planted in a
//! variant is found with its class, page and data file, and fails
//! `--strict`. Needs nothing but the Rust toolchain.

use super::support::variant::{
    UNBALANCED_TITLES, assert_found, assert_stress_clean, build_strict, check_strict, findings, press, variant,
};
use super::support::{Reader, squash, stderr};

/// Every class these rules add.
const CLASSES: [&str; 6] = ["unbalanced", "runt", "detached-float", "empty-heading", "narrow-column", "half-empty"];

#[test]
fn the_stress_fixture_ends_every_part_balanced() {
    // Not even a note: every part's last page stands even.
    assert_stress_clean(&CLASSES);
}

#[test]
fn a_longer_part_ending_on_one_full_column_is_unbalanced() {
    // The layout copy ignores copyfit's balance: the parts of the stress
    // fixture end with one column full and the other short (the long-title
    // part's last page with its columns far apart), and balancing does
    // nothing.
    let root = variant(&[("parts.typ", "let balance = p.at(\"balance\", default: none)", "let balance = none")], &[]);
    let found = assert_found(root.path(), "unbalanced", None, "parts/02-long-title.toml");
    assert!(found.iter().any(|l| l.contains(": warning: ") && l.contains("last page")), "{found:?}");
}

/// A KPI cell whose last line would carry two characters in the stress
/// fixture's three-year table (set as wide as the part's widest KPI table,
/// its indicator column holds about forty-one).
const RUNT_CELL: (&str, &str, &str) = (
    "parts/04-performance.toml",
    "\"分项1第2项指标名称较长需要换行显示\"",
    "\"分项1第2项指标名称较长需要换行显示的说明文字用于检验表格单元格末行字数是否足够多不会\"",
);

#[test]
fn a_table_cell_keeps_three_characters_on_its_last_line() {
    let root = variant(&[], &[RUNT_CELL]);
    let out = check_strict(root.path());
    assert!(findings(&out, "runt").is_empty(), "{}", stderr(&out));
}

#[test]
fn a_table_cell_ending_in_a_runt_is_found() {
    // The layout copy lets cells break anywhere.
    let root = variant(&[("tokens.typ", "else { runt-free([#s]) }", "else { [#s] }")], &[RUNT_CELL]);
    let found = assert_found(root.path(), "runt", None, "parts/04-performance.toml");
    assert!(
        found
            .iter()
            .any(|l| l.contains("table cell '分项1第2项指标名称较长需要换行显示") && l.contains("2 characters")),
        "{found:?}"
    );
}

/// The line of tables.typ that sets a table after its heading.
const IN_PLACE: &str = "  heading + table\n";

/// The same table and heading floated to the page's `edge` (`top` or
/// `bottom`) instead.
fn floated(edge: &str) -> String {
    format!("  place({edge}, float: true, scope: \"parent\", heading + table)\n")
}

#[test]
fn a_float_that_lands_after_the_next_heading_is_detached() {
    // The layout copy floats tables to the page foot: the stress fixture's
    // economy and governance figures (their section's only block) land
    // below the next sections, which then read before them.
    let root = variant(&[("tables.typ", IN_PLACE, &floated("bottom"))], &[]);
    let found = assert_found(root.path(), "detached-float", None, "parts/11-endings.toml");
    assert!(found.iter().any(|l| l.contains("table '经济与治理'") && l.contains("after the heading")), "{found:?}");
}

#[test]
fn a_float_set_above_its_own_sections_heading_is_detached() {
    // The layout copy floats tables to the page top: the stress fixture's
    // safety figures (their section's approach stands before them on the
    // same page) float above the section's heading, read as part of the
    // section before.
    let root = variant(&[("tables.typ", IN_PLACE, &floated("top"))], &[]);
    let found = assert_found(root.path(), "detached-float", None, "parts/11-endings.toml");
    assert!(
        found.iter().any(|l| l.contains("table '安全生产绩效'") && l.contains("before its own section's heading")),
        "{found:?}"
    );
}

#[test]
fn a_run_of_columns_ending_uneven_before_a_table_is_unbalanced() {
    // The layout copy ignores copyfit's heights for the runs of columns
    // that stop for a table set in place: the stress fixture's safety
    // approach, after the social figures, runs on in plain columns onto
    // the safety table's page, one column long and the other short.
    let root = variant(
        &[(
            "parts.typ",
            "let height = p.at(\"segments\", default: (:)).at(str(seg.before), default: none)",
            "let height = none",
        )],
        &[],
    );
    let found = assert_found(root.path(), "unbalanced", None, "parts/11-endings.toml");
    assert!(found.iter().any(|l| l.contains("columns before table '安全生产绩效'")), "{found:?}");
}

#[test]
fn a_table_run_of_fewer_than_three_rows_is_stranded() {
    // The layout copy keeps no rows of a data table together: the stress
    // fixture's risk table runs on with fewer than three of its four rows in
    // a column.
    let root = variant(
        &[("datatable.typ", "keep-column((false,) * b.rows.len())", "((table.cell(inset: 0pt, []),),) * b.rows.len()")],
        &[],
    );
    let found = assert_found(root.path(), "stranded", None, "parts/11-endings.toml");
    assert!(
        found.iter().any(|l| l.contains("table '风险与应对'") && l.contains("of its 4 rows in a column")),
        "{found:?}"
    );
}

#[test]
fn a_table_cell_set_a_few_characters_a_line_is_narrow() {
    // The layout copy gives a KPI table's indicator column 14 mm (about
    // four characters at table size): its indicators run down the column.
    let root = variant(&[("kpi.typ", "columns: (0pt, 1fr, auto)", "columns: (0pt, 14mm, 1fr)")], &[]);
    let found = assert_found(root.path(), "narrow-column", None, "parts/04-performance.toml");
    assert!(found.iter().any(|l| l.contains("table cell '分项")), "{found:?}");
}

#[test]
fn a_half_empty_page_inside_a_part_is_a_note() {
    // The layout copy starts the columns after each table set in place on
    // the next page unless most of a page is left: pages inside a part
    // stand half empty under a table.
    let root = variant(&[("parts.typ", "let least = 3 * (1em + leading)", "let least = 200mm")], &[]);
    let out = press(root.path(), &["check", "--strict"]);
    let found = findings(&out, "half-empty");
    assert!(found.iter().any(|l| l.contains(": note: ") && l.contains("parts/")), "{}", stderr(&out));
}

#[test]
fn a_run_in_part_at_a_page_foot_takes_a_page_of_its_own() {
    // The stress fixture's assurance statement (with its signatures) fills
    // its page but for a few lines: the short feedback part, run in after
    // it, would set a line a column there and spill onto a near-empty
    // page. It starts a page of its own instead (the part after it runs in
    // there), and the build is clean.
    let root = variant(&[], &[]);
    let reader = build_strict(root.path());
    let texts: Vec<String> = (1..=reader.pages()).map(|p| squash(&reader.text(p))).collect();
    let page_of = |needle: &str| texts.iter().position(|t| t.contains(needle)).map(|i| i + 1);
    // The assurance statement's last signature, and the feedback part's contact.
    let (signed, contact) = (page_of("陈思远"), page_of("esg@example.com"));
    assert!(signed.is_some() && contact == signed.map(|p| p + 1), "signed on {signed:?}, contact on {contact:?}");
    let feedback = contact.map_or(String::new(), |p| texts[p - 1].clone());
    // The about part runs in after it, and the practice part too: the
    // page of short parts' ends is full (a page of its own would stand a
    // third blank).
    assert!(
        feedback.contains("读者反馈") && feedback.contains("关于本报告") && feedback.contains("责任实践专题"),
        "{feedback}"
    );
    let assurance = signed.map_or(String::new(), |p| texts[p - 1].clone());
    assert!(!assurance.contains("读者反馈"), "the feedback part starts at the assurance page's foot: {assurance}");
}

#[test]
fn a_part_ending_on_a_page_it_shares_is_read_there() {
    // The layout copy ignores copyfit's balancing: the about part, run in
    // after the feedback part on its page, ends there in plain columns, one
    // long and the other short, above the part run in after it. The page
    // is read part by part (each down to where the next starts), not
    // skipped as a shared page.
    let root = variant(&[("parts.typ", "let balance = p.at(\"balance\", default: none)", "let balance = none")], &[]);
    let found = assert_found(root.path(), "unbalanced", None, "parts/07-about.toml");
    assert!(found.iter().any(|l| l.contains("last page")), "{found:?}");
}

#[test]
fn a_page_of_short_parts_ends_with_its_foot_blank_is_half_empty() {
    // The stress fixture's feedback page holds the feedback part (a page of
    // its own) and the about part run in after it; the practice part runs
    // in there too (a_run_in_part_at_a_page_foot_takes_a_page_of_its_own).
    // Made a feature (which never runs in), it starts a page of its own,
    // and the page before stands a third blank: a note.
    let practice = ("parts/09-practice.toml", "kind = \"back\"", "kind = \"feature\"");
    let root = variant(&[], &[practice]);
    let out = press(root.path(), &["check", "--strict"]);
    let found = findings(&out, "half-empty");
    assert!(found.iter().any(|l| l.contains(": note: ") && l.contains("07-about.toml")), "{}", stderr(&out));
}

#[test]
fn a_one_page_part_left_more_than_half_blank_is_half_empty() {
    // The stress fixture's group profile is a part of one page (its text,
    // an org chart, a layered diagram). Three of its paragraphs cut short
    // and its diagram down to one level, the page stands more than half
    // blank: a note, located at the part.
    let root = variant(
        &[],
        &[
            (
                "parts/02-long-title.toml",
                "  { name = \"执行层\", items = [\"各子公司设可持续发展专员负责数据收集与报送\"] },\n",
                "",
            ),
            (
                "parts/02-long-title.toml",
                r#"text = "公司积极参与乡村振兴，通过产业帮扶、消费帮扶与人才培养，带动当地群众持续增收。面对复杂多变的外部环境，我们保持战略定力，稳步推进数字化转型与精益管理。我们与供应商签订可持续发展协议，将环境、社会及治理要求纳入采购全流程。""#,
                r#"text = "短段。""#,
            ),
            (
                "parts/02-long-title.toml",
                r#"text = "面对复杂多变的外部环境，我们保持战略定力，稳步推进数字化转型与精益管理。我们与供应商签订可持续发展协议，将环境、社会及治理要求纳入采购全流程。截至2023年底，公司累计服务客户超过1,200万户，客户满意度达92.5%。""#,
                r#"text = "短段。""#,
            ),
            (
                "parts/02-long-title.toml",
                r#"text = "我们与供应商签订可持续发展协议，将环境、社会及治理要求纳入采购全流程。截至2023年底，公司累计服务客户超过1,200万户，客户满意度达92.5%。公司全年实现营业收入356.8亿元，同比增长7.4%，净利润41.2亿元。""#,
                r#"text = "短段。""#,
            ),
        ],
    );
    let out = press(root.path(), &["check", "--strict"]);
    let found = findings(&out, "half-empty");
    let alone =
        |l: &&String| l.contains(": note: ") && l.contains("02-long-title.toml") && l.contains("alone on its page");
    assert!(found.iter().any(|l| alone(&l)), "{}", stderr(&out));
}

#[test]
fn a_part_run_in_at_a_page_top_is_run_in_at_top() {
    // The stress fixture's index part planted to run in after a page break
    // whatever copyfit asks: it stands at a page top under an inline
    // heading, without its band, and the preflight says so (a warning,
    // located at the part; `--strict` fails on it).
    let root = variant(
        &[(
            "parts.typ",
            "    } else if p.at(\"run_in\", default: false) {\n      starts",
            "    } else if p.at(\"run_in\", default: false) or p.kind == \"index\" {\n      pagebreak(weak: true)\n      starts",
        )],
        &[],
    );
    let out = press(root.path(), &["check", "--strict"]);
    let found = findings(&out, "run-in-at-top");
    let located = |l: &&String| l.contains("08-index.toml") && l.contains("without its band");
    assert!(found.iter().any(|l| located(&l)), "{}", stderr(&out));
    assert!(!out.status.success(), "a part run in at a page top passed --strict");
}

/// The stress fixture's index row whose status is wider than any page
/// column the index tries.
const LONG_STATUS: &str = "根据所在地监管要求，本年度暂不披露";

#[test]
fn an_index_status_too_long_for_the_page_column_stands_on_a_line_of_its_own() {
    // Not stacked in the page column a few characters a line: the status
    // reads whole on one line, under its row.
    let root = variant(&[], &[]);
    let reader = build_strict(root.path());
    let text: String = (1..=reader.pages()).map(|p| reader.text(p)).collect();
    assert!(text.lines().any(|l| squash(l).contains(LONG_STATUS)), "{text}");
}

#[test]
fn an_index_status_stacked_in_the_page_column_is_found() {
    // The layout copy keeps every status in the page column and sets that
    // column 15 mm wide: the long status stacks there a few characters a
    // line, which the preflight reads on the page (the page cells are
    // marked like any table cell).
    let root = variant(
        &[
            (
                "index.typ",
                "let own-line(r, page-col) = r.status and r.pages > page-col - inset",
                "let own-line(r, page-col) = false",
            ),
            ("index.typ", "let page-col = costs.fold(", "let page-col = 15mm\n    let unused = costs.fold("),
        ],
        &[],
    );
    let found = assert_found(root.path(), "narrow-column", None, "indexes/gri.toml");
    assert!(found.iter().any(|l| l.contains(LONG_STATUS)), "{found:?}");
}

/// The stress fixture's long-status row with a name whose last line, in
/// the index's name column, would carry two characters.
const RUNT_NAME: (&str, &str, &str) =
    ("indexes/gri.toml", "已审结的贪污诉讼案件数目及结果\"", "已审结的贪污诉讼案件数目及结果和整改\"");

#[test]
fn an_index_name_keeps_three_characters_on_its_last_line() {
    let root = variant(&[], &[RUNT_NAME]);
    check_strict(root.path());
}

#[test]
fn an_index_name_ending_in_a_runt_is_found_at_its_row() {
    // The layout copy lets index names break anywhere: the planted name
    // ends on a line of two characters, found at its row's line.
    let root = variant(
        &[(
            "index.typ",
            "runt-free-text(s, \"table cell\", src: r.at(\"src\", default: src))",
            "lines-mark(\"start\", what: \"table cell\", text: s, src: r.at(\"src\", default: src)); s; lines-mark(\"end\")",
        )],
        &[RUNT_NAME],
    );
    let found = assert_found(root.path(), "runt", None, "indexes/gri.toml");
    // At the row's own line, not the index file's first.
    let at_row = |l: &&String| l.contains("indexes/gri.toml:") && !l.contains("indexes/gri.toml:1:");
    assert!(found.iter().filter(at_row).any(|l| l.contains("2 characters")), "{found:?}");
}

#[test]
fn a_diagram_label_ending_in_a_runt_is_found() {
    // The layout copy lets a layered diagram's labels break anywhere: the
    // stress fixture's long label (which the layouts break runt-free) ends
    // on a line of two characters in its box.
    let root = variant(
        &[
            (
                "diagrams.typ",
                "runt-free-text(it, \"diagram label\", src: b.at(\"src\", default: none))",
                "{ lines-mark(\"start\", what: \"diagram label\", text: it); it; lines-mark(\"end\") }",
            ),
            ("diagrams.typ", "#import \"marks.typ\": node-mark", "#import \"marks.typ\": node-mark, lines-mark"),
        ],
        &[],
    );
    let found = assert_found(root.path(), "runt", None, "parts/02-long-title.toml");
    assert!(found.iter().any(|l| l.contains("diagram label '各子公司") && l.contains("2 characters")), "{found:?}");
}

/// The stress fixture's chapter retitled: nineteen characters, which its
/// opener sets in two lines, the second of two characters when broken as
/// the line breaker alone would.
const LONG_TITLE: (&str, &str, &str) = (
    "parts/03-chapter.toml",
    "title = \"绿色低碳发展与生物多样性保护\"",
    "title = \"绿色低碳发展与生物多样性保护和生态文明\"",
);

/// The text of the retitled chapter's opener (its title ends 生态文明; the
/// contents page names it too).
fn opener_text(reader: &Reader) -> String {
    (1..=reader.pages())
        .map(|p| reader.text(p))
        .find(|t| squash(t).contains("生态文明") && !t.contains("CONTENTS"))
        .expect("the opener")
}

#[test]
fn an_opener_title_that_breaks_breaks_balanced() {
    let root = variant(&[], &[LONG_TITLE]);
    let reader = build_strict(root.path());
    let text = opener_text(&reader);
    // Its two lines carry ten and nine of its nineteen characters.
    let lines: Vec<usize> = text
        .lines()
        .map(squash)
        .filter(|l| "绿色低碳发展与生物多样性保护和生态文明".contains(l.as_str()) && !l.is_empty())
        .map(|l| l.chars().count())
        .collect();
    assert_eq!(lines, [10, 9], "{text}");
}

#[test]
fn an_opener_title_ending_in_a_runt_is_found() {
    // The layout copy sets display titles as the line breaker alone would:
    // full lines, the last of two characters.
    let root = variant(&UNBALANCED_TITLES, &[LONG_TITLE]);
    let found = assert_found(root.path(), "runt", None, "parts/03-chapter.toml");
    assert!(found.iter().any(|l| l.contains("title '绿色低碳") && l.contains("2 characters")), "{found:?}");
}

#[test]
fn an_opener_title_breaks_after_a_clause_where_both_lines_fit() {
    // 抗疫有我，“移”路同行 (the 2020 feature): after the comma, not 路/同行.
    let title = (
        "parts/03-chapter.toml",
        "title = \"绿色低碳发展与生物多样性保护\"",
        "title = \"绿色低碳发展，生物多样性保护与生态文明\"",
    );
    let root = variant(&[], &[title]);
    let reader = build_strict(root.path());
    let text = opener_text(&reader);
    let lines: Vec<String> = text.lines().map(squash).collect();
    assert!(lines.iter().any(|l| l == "绿色低碳发展，"), "{text}");
    assert!(lines.iter().any(|l| l == "生物多样性保护与生态文明"), "{text}");
}

#[test]
fn a_section_heading_that_breaks_breaks_after_its_clause() {
    // Rule 24 for headings: the stress fixture's first section heading,
    // given a comma, breaks there (both lines fit the column), not where
    // the line breaker alone would fill the first line.
    let heading =
        ("parts/03-chapter.toml", "第1节 能源结构优化与节能降碳的系统推进", "第1节 能源结构优化，与节能降碳的系统推进");
    let root = variant(&[], &[heading]);
    let reader = build_strict(root.path());
    let text = (1..=reader.pages())
        .map(|p| reader.text_by_column(p, false))
        .find(|t| squash(t).contains("与节能降碳的系统推进") && !t.contains("CONTENTS"))
        .expect("the section");
    let lines: Vec<String> = text.lines().map(squash).collect();
    assert!(lines.iter().any(|l| l.ends_with("能源结构优化，")), "{text}");
    assert!(lines.iter().any(|l| l == "与节能降碳的系统推进"), "{text}");
}

/// The stress fixture's first case retitled so that, broken as the line
/// breaker alone would, its last line carries two characters.
const LONG_CASE_TITLE: (&str, &str, &str) = (
    "parts/03-chapter.toml",
    "title = \"案例1：风光储一体化示范项目投运，年减排二氧化碳约12万吨\"",
    "title = \"案例1：风光储一体化示范项目投运，年减排二氧化碳约12万吨并发电上网运行\"",
);

#[test]
fn a_case_title_keeps_three_characters_on_its_last_line() {
    let root = variant(&[], &[LONG_CASE_TITLE]);
    check_strict(root.path());
}

#[test]
fn a_case_title_ending_in_a_runt_is_found() {
    // The layout copy joins none of a case title's last characters.
    let root = variant(
        &[("boxes.typ", "let cut = calc.max(0, chars.len() - 3)", "let cut = chars.len()")],
        &[LONG_CASE_TITLE],
    );
    let found = assert_found(root.path(), "runt", None, "parts/03-chapter.toml");
    assert!(found.iter().any(|l| l.contains("case-box title '案例1") && l.contains("2 characters")), "{found:?}");
}

#[test]
fn a_parts_short_last_page_is_a_note() {
    // The English Lanqing edition: its management part ends on a page that
    // holds only its stakeholder table, about a quarter of the type area,
    // before an opener. An outside reader sees a page turned for one table:
    // a note at the part (below a fifth it would be `near-empty`, which
    // copyfit works on). The build stays clean under `--strict`.
    let manifest = super::support::repo().join("examples/lanqing/data/report.toml");
    let manifest = manifest.to_str().expect("a path");
    let out = super::support::run(&["check", manifest, "--edition", "en", "--strict", "--diagnostic-format", "short"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let found = findings(&out, "half-empty");
    assert!(
        found.iter().any(|l| l.contains(": note: ")
            && l.contains("03-management.toml")
            && l.contains("the part's last page has its columns")),
        "{}",
        stderr(&out)
    );
}
