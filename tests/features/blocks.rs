//! Blocks as a reader sees them on the stress fixture's print PDF (built
//! once for the module): index pages that follow the data, signatures,
//! org charts, plain tables, salutations and marked words.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::support::variant::{press, variant};
use super::support::{Reader, index_pages, pdf_text, squash, stderr};

/// The stress fixture built once: its root (kept) and its PDF.
fn stress_pdf() -> &'static Path {
    static BUILT: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, pdf) = BUILT.get_or_init(|| {
        let root = variant(&[], &[]);
        let pdf = root.path().join("out.pdf");
        let out = press(root.path(), &["build", "-o", pdf.to_str().expect("a path")]);
        assert!(out.status.success(), "{}", stderr(&out));
        (root, pdf)
    });
    pdf
}

/// The physical pages (1-based) whose text holds `needle` (spaces ignored).
fn pages_with(pdf: &Path, needle: &str) -> Vec<usize> {
    let pages = Reader::open(pdf).pages();
    (1..=pages).filter(|&p| squash(&pdf_text(pdf, p)).contains(needle)).collect()
}

/// Where the 经济价值的创造与分配 section is printed: its table's pages
/// and its paragraph's pages.
fn economic_value(pdf: &Path) -> (Vec<usize>, Vec<usize>) {
    (pages_with(pdf, "经济价值分配表"), pages_with(pdf, "经济价值分配坚持公平透明原则"))
}

#[test]
fn index_pages_are_where_a_spanning_tables_section_is_printed() {
    // 经济价值的创造与分配 (GRI 201-1) opens with a wide table, set in place
    // across the page with its heading; the section's paragraph follows it.
    // Where the two stand on one page in the fixture as it stands, two-line
    // paragraphs are added before the section (three at a time) until they
    // do not: the table then ends at a page foot and the paragraph runs on
    // on the next page (or the table starts on the next page).
    let filler = "\n[[sections.blocks]]\ntype = \"paragraph\"\ntext = \"公司坚持以绿色低碳为导向，持续优化能源结构，推动生产运营全过程节能降耗。\"\n";
    let anchor = "\n[[sections]]\ntitle = \"经济价值的创造与分配\"";
    let mut kept = None;
    let (pdf, table, text) = (0..=60)
        .step_by(3)
        .find_map(|k| {
            let pdf = if k == 0 {
                stress_pdf().to_path_buf()
            } else {
                let root = variant(&[], &[("parts/03-chapter.toml", anchor, &format!("{}{anchor}", filler.repeat(k)))]);
                let pdf = root.path().join("out.pdf");
                let out = press(root.path(), &["build", "-o", pdf.to_str().expect("a path")]);
                assert!(out.status.success(), "{}", stderr(&out));
                kept = Some(root);
                pdf
            };
            let (table, text) = economic_value(&pdf);
            (table.len() == 1 && table != text).then_some((pdf, table, text))
        })
        .expect("the table never stood on another page than its text");
    let mut content: Vec<usize> = table.iter().chain(&text).copied().collect();
    content.sort_unstable();
    content.dedup();
    let index = *pages_with(&pdf, "直接产生和分配的经济价值").last().expect("the GRI index row");
    let cited = index_pages(&pdf, index, "201-1").expect("pages for 201-1");
    assert_eq!(cited, content, "the index cites {cited:?}; the section is printed on {content:?}");
}

#[test]
fn no_signature_field_breaks() {
    // Three signatories (a firm, two 中国注册会计师) do not fit side by side in
    // a column: they stack, and every name, title and date is on one line.
    let pdf = stress_pdf();
    let page = *pages_with(pdf, "李文博").first().expect("the assurance statement's signatures");
    let lines: Vec<String> = Reader::open(pdf).layout_text(page).lines().map(squash).collect();
    for field in
        ["华信永道会计师事务所（特殊普通合伙）", "中国·北京", "2024年4月18日", "中国注册会计师", "李文博", "陈思远"]
    {
        assert!(
            lines.iter().any(|l| l.contains(field)),
            "{field} is broken across lines on page {page}:\n{}",
            lines.join("\n")
        );
    }
    // The letter's one signature stands right: its longest line ends at
    // the column's right edge (where the justified lines above end).
    let page = *pages_with(pdf, "王明远").first().expect("the letter's signature");
    let runs: Vec<(String, f64, f64, f64)> = Reader::open(pdf).runs(page).into_iter().flatten().collect();
    let firm = runs.iter().find(|r| r.0 == "远航能源集团有限公司").expect("the signature's firm line");
    let half = |x: f64| x > 297.6;
    // (A line ending in a comma or stop lets it hang past the edge.)
    let hangs = |r: &&(String, f64, f64, f64)| r.0.ends_with(['，', '。', '、', '；', '：', '”', '）']);
    let edge = runs.iter().filter(|r| half(r.1) == half(firm.1) && !hangs(r)).map(|r| r.2).fold(f64::MIN, f64::max);
    assert!((firm.2 - edge).abs() < 1.0, "the signature ends at {:.1}, the column at {edge:.1}", firm.2);
}

#[test]
fn an_org_chart_is_a_tree_with_located_errors() {
    // The stress chart (three siblings, a grandchild) composes with every
    // node joined (the fixture checks clean: no `detached-node`); a parent
    // that is no node, or a cycle of parents, is an error at its line.
    let root = variant(&[], &[]);
    let out = press(root.path(), &["check", "--strict"]);
    assert!(out.status.success() && !stderr(&out).contains("detached-node"), "{}", stderr(&out));
    let bad = variant(&[], &[("parts/02-long-title.toml", "parent = \"new\"", "parent = \"nwe\"")]);
    let out = press(bad.path(), &["check"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("02-long-title.toml:") && err.contains("org chart parent 'nwe' is not the id of any node"),
        "{err}"
    );
    let cycle = variant(
        &[],
        &[("parts/02-long-title.toml", "{ id = \"group\", name", "{ id = \"group\", parent = \"wind\", name")],
    );
    let out = press(cycle.path(), &["check"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("02-long-title.toml:") && err.contains("its own ancestor"), "{err}");
}

#[test]
fn a_plain_tables_numbers_align_right_and_its_total_row_follows() {
    // 环保投入（百万元）: three year columns of numbers (right-aligned by
    // themselves), a text column (left), and a total row (合计).
    let pdf = stress_pdf();
    let page = *pages_with(pdf, "环保投入（百万元）").first().expect("the table");
    let lines = Reader::open(pdf).runs(page);
    let rows: Vec<&Vec<(String, f64, f64, f64)>> = ["污水处理设施运维", "废气治理改造", "生态修复", "环境监测", "合计"]
        .iter()
        .map(|label| lines.iter().find(|l| l.first().is_some_and(|r| r.0 == *label)).expect(label))
        .collect();
    for row in &rows {
        assert_eq!(row.len(), 5, "{row:?}");
    }
    let spread = |edges: Vec<f64>| {
        edges.iter().copied().fold(f64::MIN, f64::max) - edges.iter().copied().fold(f64::MAX, f64::min)
    };
    for column in 1..4 {
        let right = spread(rows.iter().map(|r| r[column].2).collect());
        let left = spread(rows.iter().map(|r| r[column].1).collect());
        assert!(right < 0.5, "column {column}: right edges spread {right:.2} pt: {rows:?}");
        assert!(left > 1.0, "column {column}: the numbers are not right-aligned but left: {rows:?}");
    }
    // The label and note columns stay flush left.
    for column in [0, 4] {
        assert!(spread(rows.iter().map(|r| r[column].1).collect()) < 0.5, "column {column}: {rows:?}");
    }
    // The total row is last, and comes after the others.
    assert!(rows.windows(2).all(|w| w[0][0].3 < w[1][0].3), "{rows:?}");
}

#[test]
fn a_plain_tables_align_must_name_every_column() {
    let root = variant(
        &[],
        &[("parts/04-performance.toml", "total = true\n", "total = true\nalign = [\"left\", \"right\"]\n")],
    );
    let out = press(root.path(), &["check"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("04-performance.toml:") && err.contains("`align` has 2 columns but the header has 5"),
        "{err}"
    );
}

#[test]
fn a_letters_salutation_has_no_first_line_indent() {
    // The letter opens 尊敬的各位股东、客户和社会各界朋友： flush left; the
    // paragraph under it keeps its two-em indent.
    let pdf = stress_pdf();
    let page = *pages_with(pdf, "尊敬的各位股东").first().expect("the letter");
    let lines = Reader::open(pdf).runs(page);
    let at = lines.iter().position(|l| l.first().is_some_and(|r| r.0.starts_with("尊敬的"))).expect("the salutation");
    let (salutation, next) = (&lines[at][0], &lines[at + 1][0]);
    let em = (next.2 - next.1) / next.0.chars().count() as f64;
    // The column's left edge: where the paragraph's second line starts.
    let edge = lines[at + 2][0].1;
    assert!((salutation.1 - edge).abs() < 0.5, "salutation at {:.1}, column at {edge:.1}", salutation.1);
    assert!((next.1 - edge - 2.0 * em).abs() < 1.0, "first line at {:.1}, column at {edge:.1}, em {em:.1}", next.1);
}

#[test]
fn a_name_marked_as_one_word_keeps_its_letters_tight() {
    // 公司推出线上融资产品{word:桥e贷}，全年为小微企业发放贷款12.6亿元: no
    // quarter em around the e of 桥e贷, while 贷款 | 12.6 keeps its space.
    let pdf = stress_pdf();
    let page = *pages_with(pdf, "桥e贷").first().expect("the marked name");
    let glyphs = Reader::open(pdf).placed(page);
    let gap = |a: &str, b: &str| {
        glyphs
            .windows(2)
            .find(|w| w[0].0 == a && w[1].0 == b && (w[0].3 - w[1].3).abs() < 0.1)
            .map(|w| (w[1].1 - w[0].2) / w[0].4)
            .unwrap_or_else(|| panic!("no {a}{b} on page {page}"))
    };
    for (a, b) in [("桥", "e"), ("e", "贷")] {
        let g = gap(a, b);
        assert!(g.abs() < 0.05, "{a}|{b}: {g:.3} em");
    }
    // The same paragraph's Han–digit boundary, unmarked, keeps its space.
    let g = gap("款", "1");
    assert!(g > 0.1, "款|1: {g:.3} em");
}
