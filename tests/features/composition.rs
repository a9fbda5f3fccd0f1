//! Composition rules of a designer's review (docs: typography.md, rules
//! 18–26): the stress fixture (tests/fixtures/stress, made by its
//! generate.py) composes with none of their findings, and each defect
//! planted in a variant (of the data, or of a copy of the layouts) is found
//! with its class, its page and the data file and line it comes from, and
//! fails `--strict`. Needs nothing but the Rust toolchain.

use std::path::Path;

use super::support::stderr;
use super::support::variant::{UNBALANCED_TITLES, assert_found, assert_stress_clean, findings, press, variant};

/// Every class the composition rules add.
const CLASSES: [&str; 8] =
    ["page-count", "stranded", "empty-heading", "broken-token", "unit-split", "loose-line", "uneven-spacing", "runt"];

#[test]
fn the_stress_fixture_has_no_composition_finding() {
    assert_stress_clean(&CLASSES);
}

#[test]
fn a_page_count_the_binding_does_not_allow_is_an_error() {
    // The layout copy sets the back cover on the next odd page: an odd
    // count, the back cover on a right-hand page.
    let root = variant(
        &[("report.typ", "pagebreak(to: \"even\")", "pagebreak(to: \"odd\")")],
        &[("report.toml", "[meta]", "[print]\nbinding = \"perfect\"\n\n[meta]")],
    );
    let found = assert_found(root.path(), "page-count", None, "report.toml");
    assert!(
        found.iter().any(|l| l.contains(": error: ") && l.contains(" pages, but perfect binding needs an even count")),
        "{found:?}"
    );
    // An error without `--strict` too: the printer cannot bind the copies.
    let out = press(root.path(), &["check"]);
    assert!(!out.status.success(), "{}", stderr(&out));
}

/// Builds a variant and returns its page count (from the `built …` line).
fn built_pages(root: &Path) -> usize {
    let pdf = root.join("out.pdf");
    let out = press(root, &["build", "-o", pdf.to_str().expect("a path")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let built = String::from_utf8_lossy(&out.stdout).into_owned();
    built
        .split(" pages")
        .next()
        .and_then(|s| s.rsplit('(').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no page count in {built:?}"))
}

#[test]
fn the_back_cover_is_the_last_left_hand_page() {
    // Perfect binding (the default): an even count, the back cover last.
    assert_eq!(built_pages(variant(&[], &[]).path()) % 2, 0);
}

#[test]
fn saddle_stitch_pads_to_a_multiple_of_four() {
    let root = variant(&[], &[]);
    let manifest = root.path().join("report.toml");
    let text = std::fs::read_to_string(&manifest).expect("read the manifest");
    std::fs::write(&manifest, format!("{text}\n[print]\nbinding = \"saddle\"\n")).expect("write the manifest");
    let pages = built_pages(root.path());
    assert_eq!(pages % 4, 0);
    let out = press(root.path(), &["check", "--strict"]);
    assert!(out.status.success() && findings(&out, "page-count").is_empty(), "{}", stderr(&out));
    // More content (a part of about five pages, more than the padding the
    // fixture may have): still a whole number of sheets of four.
    let paragraph = "[[blocks]]\ntype = \"paragraph\"\ntext = \"本附录说明报告编制过程中采用的数据口径、统计方法与核算边界，供读者参考。\"\n\n";
    let part = format!("kind = \"back\"\nid = \"extra\"\ntitle = \"附录\"\n\n{}", paragraph.repeat(200));
    std::fs::write(root.path().join("parts/11-extra.toml"), part).expect("write a part");
    let manifest = root.path().join("report.toml");
    let text = std::fs::read_to_string(&manifest).expect("read the manifest");
    let text = text.replacen("  \"parts/08-index.toml\",", "  \"parts/11-extra.toml\",\n  \"parts/08-index.toml\",", 1);
    std::fs::write(&manifest, text).expect("write the manifest");
    let more = built_pages(root.path());
    assert!(more > pages && more.is_multiple_of(4), "{pages} pages, then {more}");
}

#[test]
fn a_list_title_at_a_column_foot_is_stranded() {
    // The layout copy lets a list title part from its items and puts a
    // tall space after it: the items land in the next column.
    let root = variant(
        &[
            (
                "blocks.typ",
                "block(breakable: false, above: 0.9em, below: leading, {",
                "block(breakable: true, above: 0.9em, below: leading, {",
            ),
            ("blocks.typ", "fill: t.deep, title)))\n", "fill: t.deep, title)))\n    v(240mm)\n"),
        ],
        &[],
    );
    let found = assert_found(root.path(), "stranded", None, "09-practice.toml");
    assert!(found.iter().any(|l| l.contains("list title '重点举措")), "{found:?}");
}

#[test]
fn a_rating_label_at_a_column_foot_is_stranded() {
    // The layout copy lets a rating label part from its text.
    let root = variant(
        &[
            (
                "blocks.typ",
                "block(sticky: true, above: 0pt, below: 0.6em, {",
                "block(sticky: false, above: 0pt, below: 0.6em, {",
            ),
            (
                "blocks.typ",
                "        par(keep-mark(id, \"body\")",
                "        v(240mm)\n        par(keep-mark(id, \"body\")",
            ),
        ],
        &[],
    );
    let found = assert_found(root.path(), "stranded", None, "10-rating.toml");
    assert!(found.iter().any(|l| l.contains("rating label '")), "{found:?}");
}

#[test]
fn an_index_group_row_at_a_column_foot_is_stranded() {
    // The layout copy drops the index's keep column and makes every row
    // nearly a column tall: a group row ends a column, its rows in the next.
    let root = variant(
        &[
            ("index.typ", "let cells = keep.at(i)", "let cells = (table.cell(inset: 0pt, []),)"),
            (
                "index.typ",
                "keep-mark(group-id, \"body\") } + text(",
                "keep-mark(group-id, \"body\") } + block(height: 210mm) + text(",
            ),
        ],
        &[],
    );
    let found = assert_found(root.path(), "stranded", None, "gri.toml");
    // Located at the group's own line, not the index file's first.
    assert!(found.iter().any(|l| l.contains("index group row 'GRI") && !l.contains("gri.toml:1:")), "{found:?}");
}

#[test]
fn a_heading_a_wide_table_floated_away_from_is_empty() {
    // The layout copy leaves a section's heading where it stands while its
    // wide KPI table floats to the top of the page.
    let root = variant(
        &[("tables.typ", "  heading + table\n", "  heading + place(top, float: true, scope: \"parent\", table)\n")],
        &[],
    );
    let found = assert_found(root.path(), "empty-heading", None, "04-performance.toml");
    assert!(found.iter().any(|l| l.contains("'八年趋势'")), "{found:?}");
}

#[test]
fn a_heading_with_nothing_under_it_is_empty() {
    // A section without blocks, straight before the next section.
    let root = variant(
        &[],
        &[(
            "parts/04-performance.toml",
            "\n[[sections]]\ntitle = \"分项指标\"\n",
            "\n[[sections]]\ntitle = \"空无一物的一节\"\n\n[[sections]]\ntitle = \"分项指标\"\n",
        )],
    );
    let found = assert_found(root.path(), "empty-heading", None, "04-performance.toml");
    assert!(found.iter().any(|l| l.contains("'空无一物的一节'")), "{found:?}");
}

/// The end of the token rules in layout/tokens.typ. Of regex show rules, the
/// one whose match starts first wins, the later one on a tie: a planted rule
/// that may take the Han character before a token, as the layouts' do, is
/// tried before theirs.
const TOKENS_END: &str = "  body\n}";

#[test]
fn a_token_broken_inside_is_found() {
    // The layout copy lets every run of Latin letters, digits and signs
    // break anywhere: words, numbers, codes and the URL break inside.
    let root = variant(
        &[(
            "tokens.typ",
            TOKENS_END,
            "  show regex(\"\\p{Han}?[!-~]{2,}\"): it => { for c in it.text.clusters() { box(c) } }\n  body\n}",
        )],
        &[],
    );
    let found = assert_found(root.path(), "broken-token", None, ".toml");
    assert!(found.iter().any(|l| l.contains("broken between lines")), "{found:?}");
}

#[test]
fn a_unit_split_inside_is_found() {
    // The layout copy lets numbers and their units (compound units
    // included) break between any two characters.
    let root = variant(
        &[(
            "tokens.typ",
            TOKENS_END,
            "  show regex(\"\\p{Han}?[0-9][0-9,.]*[%％]?\" + unit): it => { for c in it.text.clusters() { box(c) } }\n  body\n}",
        )],
        &[],
    );
    let found = assert_found(root.path(), "unit-split", None, "09-practice.toml");
    assert!(found.iter().any(|l| l.contains("broken between lines")), "{found:?}");
}

#[test]
fn a_loose_line_is_a_warning() {
    // A Latin name (23 letters, too short to be broken) does not fit after
    // the paragraph's first words: justification spreads the Han characters
    // before it over the whole measure.
    let root = variant(
        &[],
        &[(
            "parts/03-chapter.toml",
            "text = \"报告期内，公司",
            "text = \"报告期内，公司依托ZhangjiakouWindSolarHub项目",
        )],
    );
    let found = assert_found(root.path(), "loose-line", None, "03-chapter.toml");
    assert!(found.iter().any(|l| l.contains(": warning: ") && l.contains("报告期内，公司依托")), "{found:?}");
}

#[test]
fn a_loose_line_in_a_justified_cell_is_found() {
    // The layout copy justifies the contact block, and the feedback part
    // gets a department whose Latin name does not fit after its Han words,
    // which justification spreads over the cell. Justification widens the line's last glyph past the
    // column's edge too; the line is still read as the column's.
    let root = variant(
        &[("blocks.typ", "{ set par(justify: false); grid(", "{ grid(")],
        &[(
            "parts/06-feedback.toml",
            "items = [{",
            "items = [{ label = \"联系部门\", value = \"远航能源集团有限公司 战略与SustainabilityOffice\" }, {",
        )],
    );
    let found = assert_found(root.path(), "loose-line", None, "06-feedback.toml");
    assert!(found.iter().any(|l| l.contains(": warning: ") && l.contains("远航能源集团有限公司 战略与")), "{found:?}");
}

#[test]
fn a_han_digit_boundary_without_its_space_is_found() {
    // The layout copy boxes each number with its unit, as the layouts once
    // did: the quarter em Typst sets between a Han character and a digit
    // ends at the box's edge (2000 年4 月20 日).
    let root = variant(
        &[("tokens.typ", "number + (if after.match(compound-start) == none { wj }) + joined(after)", "box(it.text)")],
        &[],
    );
    let found = assert_found(root.path(), "uneven-spacing", None, ".toml");
    assert!(found.iter().any(|l| l.contains("no quarter-em space between")), "{found:?}");
}

#[test]
fn a_heading_ending_in_a_runt_is_found() {
    // The layout copy lets a heading break anywhere, neither balanced nor
    // runt-free: the stress fixture's long section headings end on a line
    // of two characters.
    let mut edits = UNBALANCED_TITLES.to_vec();
    edits.push(("tokens.typ", "  if chars.len() <= n { return body }", "  return body"));
    let root = variant(&edits, &[]);
    let found = assert_found(root.path(), "runt", None, "03-chapter.toml");
    assert!(found.iter().any(|l| l.contains("ends on a line of")), "{found:?}");
}
