//! Chinese typography rules a program can check, on the laid-out pages of
//! the full report: body text is 100 % K, no line begins with closing
//! punctuation, no paragraph ends with a single character on its last line,
//! no Chinese text is smaller than the floor.

use std::collections::BTreeMap;

use typst::foundations::Repr;
use typst::layout::{Frame, FrameItem, Point, Transform};
use typst::visualize::Paint;
use typst_layout::PagedDocument;

/// The body text size set in layout/base.typ.
const BODY_PT: f64 = 10.0;

fn document() -> PagedDocument {
    crate::support::press::full_report_document()
}

/// A run of text with its absolute position.
struct Run {
    page: usize,
    x: f64,
    y: f64,
    size: f64,
    width: f64,
    family: String,
    fill: String,
    text: String,
}

fn walk(frame: &Frame, ts: Transform, page: usize, out: &mut Vec<Run>) {
    for (pos, item) in frame.items() {
        match item {
            FrameItem::Group(group) => {
                let ts = ts.pre_concat(Transform::translate(pos.x, pos.y)).pre_concat(group.transform);
                walk(&group.frame, ts, page, out);
            }
            FrameItem::Text(text) => {
                let p = Point::new(pos.x, pos.y).transform(ts);
                let fill = match &text.fill {
                    Paint::Solid(color) => color.repr().to_string(),
                    other => format!("{other:?}"),
                };
                out.push(Run {
                    page,
                    x: p.x.to_pt(),
                    y: p.y.to_pt(),
                    size: text.size.to_pt(),
                    width: text.width().to_pt(),
                    family: text.font.info().family.clone(),
                    fill,
                    text: text.text.to_string(),
                });
            }
            _ => {}
        }
    }
}

fn runs(doc: &PagedDocument) -> Vec<Run> {
    let mut out = Vec::new();
    for (i, page) in doc.pages().iter().enumerate() {
        walk(&page.frame, Transform::identity(), i + 1, &mut out);
    }
    out
}

fn is_body(run: &Run) -> bool {
    run.family.contains("Serif") && (run.size - BODY_PT).abs() < 0.01
}

#[test]
fn typography_rules_hold_on_the_full_report() {
    let doc = document();
    let all = runs(&doc);
    assert!(all.iter().filter(|r| is_body(r)).count() > 1000, "too little body text found");

    // Body text is 100 % K, never luma grey or rich black.
    let wrong: Vec<String> = all
        .iter()
        .filter(|r| is_body(r) && r.fill != "cmyk(0%, 0%, 0%, 100%)")
        .map(|r| format!("page {}: {} in {}", r.page, r.text, r.fill))
        .take(10)
        .collect();
    assert!(wrong.is_empty(), "body text not 100 % K:\n{}", wrong.join("\n"));

    // No text below the floors: 7 pt for captions and notes.
    let tiny: Vec<String> = all
        .iter()
        .filter(|r| r.size < 6.9 && r.text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)))
        .map(|r| format!("page {}: {} at {} pt", r.page, r.text, r.size))
        .take(10)
        .collect();
    assert!(tiny.is_empty(), "Chinese text under 7 pt:\n{}", tiny.join("\n"));

    let page_width = doc.pages()[0].frame.width().to_pt();
    // Line-start and line-end prohibitions, on every line of text.
    // Display type (part titles, big numbers, the decorative quote mark) is
    // set by hand, not broken into lines.
    let all_lines = lines_of(&all, page_width, |r| r.size < 20.0);
    let closing = ['、', '，', '。', '；', '：', '！', '？', '）', '》', '」', '』', '”', '’'];
    let opening = ['“', '‘', '（', '《', '「', '『', '【'];
    let bad = edge_violations(&all_lines, |first, _| first.text.trim_start().starts_with(closing));
    assert!(bad.is_empty(), "{} lines begin with closing punctuation:\n{}", bad.len(), bad.join("\n"));
    let bad = edge_violations(&all_lines, |_, last| last.text.trim_end().ends_with(opening));
    assert!(bad.is_empty(), "{} lines end with opening punctuation:\n{}", bad.len(), bad.join("\n"));

    // Runts: a body line holding a single Han character (plus closing
    // punctuation). Lines are judged whole, so a bold lead-in in another
    // font on the same line counts.
    let runts: Vec<String> = all_lines
        .iter()
        .filter(|(_, runs)| runs.iter().any(|r| is_body(r)))
        .filter_map(|((page, _, _), runs)| {
            let text: String = runs.iter().map(|r| r.text.as_str()).collect();
            let text = text.trim();
            let han = text.chars().filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c)).count();
            let other = text
                .chars()
                .filter(|c| !('\u{4e00}'..='\u{9fff}').contains(c) && !"。，、；：！？”’）》".contains(*c))
                .count();
            (han == 1 && other == 0).then(|| format!("page {page}: {text}"))
        })
        .collect();
    assert!(runts.is_empty(), "{} paragraphs end with a single character:\n{}", runts.len(), runts.join("\n"));
}

/// A line: runs sharing a page and a baseline, without a gap as wide as
/// the column gutter between them (full-width lines stay whole, the two
/// columns' lines on one baseline come apart).
type Lines<'a> = BTreeMap<(usize, i64, usize), Vec<&'a Run>>;

/// A gap between runs on a baseline that only a gutter or a cell makes.
const GUTTER_GAP_PT: f64 = 12.0;

/// Groups the runs that pass `keep` into lines.
fn lines_of<'a>(runs: &'a [Run], _page_width: f64, keep: impl Fn(&Run) -> bool) -> Lines<'a> {
    let mut baselines: BTreeMap<(usize, i64), Vec<&'a Run>> = BTreeMap::new();
    for run in runs.iter().filter(|r| keep(r)) {
        baselines.entry((run.page, (run.y * 10.0).round() as i64)).or_default().push(run);
    }
    let mut lines: Lines<'a> = BTreeMap::new();
    for ((page, y), mut on_line) in baselines {
        on_line.sort_by(|a, b| a.x.total_cmp(&b.x));
        let mut piece = 0;
        let mut end = f64::MIN;
        for run in on_line {
            if run.x - end > GUTTER_GAP_PT {
                piece += 1;
            }
            end = run.x + run.width;
            lines.entry((page, y, piece)).or_default().push(run);
        }
    }
    lines
}

/// The lines whose first and last runs (in x order) fail the rule.
fn edge_violations(lines: &Lines<'_>, bad: impl Fn(&Run, &Run) -> bool) -> Vec<String> {
    lines
        .iter()
        .filter_map(|((page, _, _), runs)| {
            let first = runs.iter().min_by(|a, b| a.x.total_cmp(&b.x))?;
            let last = runs.iter().max_by(|a, b| a.x.total_cmp(&b.x))?;
            bad(first, last).then(|| format!("page {page}: {} … {}", first.text, last.text))
        })
        .collect()
}
