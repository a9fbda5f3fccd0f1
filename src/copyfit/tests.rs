//! Unit tests of the copyfit plan: how findings move it (planted findings
//! on made-up page starts, no layout).

use super::{Plan, STEPS};
use crate::inspect::{Finding, FindingClass, layout_sources};

/// A `near-empty` finding on `page`.
fn near_empty(page: usize) -> Finding {
    Finding { page, class: FindingClass::NearEmpty, message: String::new(), src: None, extent: None, uneven: None }
}

/// The file that owns the copyfit factors.
const COPYFIT_TYP: &str = "layout/copyfit.typ";

/// What a fit step does is the layouts' alone: only layout/copyfit.typ reads it.
#[test]
fn only_copyfit_typ_knows_what_a_fit_step_does() {
    // The factors live on the Typst side only: one layout file reads a
    // part's `fit` step, the rest ask it for a scale.
    let sources = layout_sources();
    let readers: Vec<&str> =
        sources.iter().filter(|(_, text)| text.contains("\"fit\"")).map(|(name, _)| name.as_str()).collect();
    assert_eq!(readers, [COPYFIT_TYP], "layout files that read `fit` themselves");
    // Every step Rust chooses is one the layouts document.
    let (_, copyfit_typ) = sources.iter().find(|(name, _)| name == COPYFIT_TYP).expect("layout/copyfit.typ");
    let (low, high) = (STEPS.iter().min().copied(), STEPS.iter().max().copied());
    let range = format!("{}…{}", low.unwrap_or_default(), high.unwrap_or_default()).replace('-', "−");
    assert!(copyfit_typ.contains(&range), "layout/copyfit.typ documents the steps {range}");
}

/// A part's fit steps are tried tighter first, then looser, then given up.
#[test]
fn steps_tighten_first_then_loosen_then_give_up() {
    let mut plan = Plan::new(2);
    let starts = [1, 3];
    let kinds = ["front", "front"];
    let mut seen = Vec::new();
    while plan.advance(&[near_empty(2)], &starts, &kinds) && seen.len() < 10 {
        seen.push(STEPS[plan.parts[0].0]);
    }
    assert_eq!(seen, [-1, -2, -3, 1, 2, 3, 0]);
    assert!(plan.exhausted[0]);
    assert!(!plan.advance(&[near_empty(2)], &starts, &kinds));
}

/// A near-empty one-page part runs in, or pulls the next part up.
#[test]
fn a_one_page_part_runs_in_or_pulls_the_next_one_up() {
    let mut plan = Plan::new(3);
    assert!(plan.advance(&[near_empty(5)], &[1, 5, 6], &["front", "back", "back"]));
    assert_eq!(plan.parts[1], (0, true));
    // Already run in: the next part is pulled up.
    assert!(plan.advance(&[near_empty(5)], &[1, 5, 6], &["front", "back", "back"]));
    assert_eq!(plan.parts[2], (0, true));
    // The first part cannot run in, and a chapter is never pulled up.
    let mut plan = Plan::new(2);
    assert!(plan.advance(&[near_empty(1)], &[1, 2], &["front", "chapter"]));
    assert_eq!(plan.parts, [(1, false), (0, false)]);
}

/// A run-in part that spills from a page foot takes a page of its own.
#[test]
fn a_run_in_part_spilling_from_a_page_foot_takes_a_page_of_its_own() {
    // Part 1 runs in on page 5, at its foot, and ends on page 6, near-empty.
    let mut plan = Plan::new(3);
    plan.parts[1].1 = true;
    let kinds = ["front", "back", "back"];
    assert!(plan.advance(&[near_empty(6)], &[5, 5, 7], &kinds));
    assert_eq!(plan.parts, [(0, false), (0, false), (0, true)]);
    assert!(plan.own_page[1]);
    // Alone on its page, near-empty again: it never runs in again.
    let mut plan = Plan::new(3);
    plan.own_page[1] = true;
    assert!(plan.advance(&[near_empty(6)], &[5, 6, 7], &kinds));
    assert_eq!(plan.parts, [(0, false), (0, false), (0, true)]);
}

/// A finding of `class` on `page`, located at `src`, with `extent` (and,
/// with one, columns 30 % of the type area apart).
fn finding(class: FindingClass, page: usize, src: &str, extent: Option<f64>) -> Finding {
    Finding { page, class, message: String::new(), src: Some(src.into()), extent, uneven: extent.map(|_| 0.3) }
}

/// A run of columns before a table: measured, raised, then taken back.
#[test]
fn a_run_before_a_table_gets_its_height_then_is_raised_then_taken_back() {
    let kinds = ["front", "performance"];
    let mut plan = Plan::new(2);
    // Uneven where it stops for the table at p1:700: the measured height.
    assert!(plan.advance(&[finding(FindingClass::Unbalanced, 4, "p1:700", Some(300.0))], &[1, 3], &kinds));
    let run = |plan: &Plan| plan.balanced[1].as_ref().and_then(|b| b.runs.get("p1:700").copied());
    assert_eq!(run(&plan).and_then(|r| r.height), Some(300.0));
    // The part's last page is not balanced by it, and the layouts read it.
    assert_eq!(plan.balanced[1].as_ref().and_then(|b| b.last), None);
    let mut json = serde_json::json!({ "parts": [{}, {}] });
    plan.apply(&mut json);
    assert_eq!(json["parts"][1]["segments"]["p1:700"], 300.0);
    // Text over text in the run (a block before the table): raised.
    let spoilt = finding(FindingClass::Overlap, 4, "p1:500", None);
    assert!(plan.advance(std::slice::from_ref(&spoilt), &[1, 3], &kinds));
    assert_eq!(run(&plan).and_then(|r| r.height), Some(340.0));
    while run(&plan).is_some_and(|r| r.height.is_some()) {
        assert!(plan.advance(std::slice::from_ref(&spoilt), &[1, 3], &kinds));
    }
    // Taken back: plain columns, and a finding left on it is a note.
    assert!(plan.balanced_as_far_as_it_goes(&finding(FindingClass::Unbalanced, 4, "p1:700", Some(300.0))));
    assert!(!plan.advance(&[spoilt], &[1, 3], &kinds));
}

/// A run-in part ending a page of short parts' ends, a third blank: the
/// next part runs in there too.
#[test]
fn a_half_blank_page_of_short_parts_runs_the_next_part_in() {
    let kinds = ["front", "back", "back", "chapter"];
    let mut plan = Plan::new(4);
    plan.parts[1].1 = true;
    // Part 1 runs in on page 5 and ends there, a third blank: part 2 runs in.
    let half = finding(FindingClass::HalfEmpty, 5, "p1:0", Some(0.6));
    assert!(plan.advance(std::slice::from_ref(&half), &[2, 5, 6, 7], &kinds));
    assert!(plan.parts[2].1);
    // A chapter never runs in; a page inside a part is no such page.
    let mut plan = Plan::new(4);
    plan.parts[2].1 = true;
    assert!(!plan.advance(&[finding(FindingClass::HalfEmpty, 6, "p2:0", Some(0.6))], &[2, 5, 6, 8], &kinds));
    let mut plan = Plan::new(4);
    plan.parts[1].1 = true;
    assert!(!plan.advance(&[finding(FindingClass::HalfEmpty, 5, "p1:0", None)], &[2, 5, 7, 8], &kinds));
}

/// A part alone on its only page, less than half filled: the next part
/// runs in there; the part itself stays on a page of its own.
#[test]
fn a_half_blank_one_page_part_alone_runs_the_next_part_in() {
    let kinds = ["letter", "front", "back", "index"];
    let starts = [2, 5, 6, 7];
    // Part 1 stands alone on page 5, 39 % filled; part 2 starts page 6.
    let half = finding(FindingClass::HalfEmpty, 5, "p1:0", Some(0.39));
    let mut plan = Plan::new(4);
    // Measured for balancing where it stood on a page of its own.
    plan.balanced[2] = Some(super::Balance { last: Some(500.0), ..Default::default() });
    assert!(plan.advance(std::slice::from_ref(&half), &starts, &kinds));
    assert_eq!(plan.parts, [(0, false), (0, false), (0, true), (0, false)]);
    // It starts elsewhere now: measured again.
    assert_eq!(plan.balanced[2], None);
    // Run in already: nothing more to do, and the search ends.
    assert!(!plan.advance(std::slice::from_ref(&half), &starts, &kinds));
    // While another rule moves the plan (a near-empty page of the part
    // before), the page waits: it may fill or empty.
    let mut plan = Plan::new(4);
    assert!(plan.advance(&[near_empty(4), half.clone()], &starts, &kinds));
    assert_eq!(plan.parts, [(1, false), (0, false), (0, false), (0, false)]);
    // A part that spilled once never runs in again, and a part on a page
    // of its own after a spill had the next part run in by that rule.
    let mut plan = Plan::new(4);
    plan.own_page[2] = true;
    assert!(!plan.advance(std::slice::from_ref(&half), &starts, &kinds));
    let mut plan = Plan::new(4);
    plan.own_page[1] = true;
    assert!(!plan.advance(std::slice::from_ref(&half), &starts, &kinds));
    // A half-blank page inside a longer part (no share filled) is not its
    // only page.
    let mut plan = Plan::new(4);
    let inside = finding(FindingClass::HalfEmpty, 5, "p1:0", None);
    assert!(!plan.advance(&[inside], &[2, 5, 8, 9], &kinds));
}

/// A chapter (or a feature) after a half-blank one-page part keeps its
/// opener page: nothing runs in, and the finding stays.
#[test]
fn a_chapter_after_a_half_blank_one_page_part_is_not_run_in() {
    let half = finding(FindingClass::HalfEmpty, 11, "p1:0", Some(0.47));
    for kind in ["chapter", "feature"] {
        let mut plan = Plan::new(3);
        assert!(!plan.advance(std::slice::from_ref(&half), &[2, 11, 12], &["letter", "front", kind]));
        assert_eq!(plan, Plan::new(3));
    }
}

/// A part run in at a page top (the part before ended on the page before)
/// opens as it would alone, and no rule runs it in again.
#[test]
fn a_part_run_in_at_a_page_top_opens_on_its_own_and_stays_so() {
    let kinds = ["front", "back", "index", "back"];
    let mut plan = Plan::new(4);
    plan.parts[2].1 = true;
    let top = finding(FindingClass::RunInAtTop, 7, "p2:0", None);
    assert!(plan.advance(std::slice::from_ref(&top), &[2, 5, 7, 9], &kinds));
    assert!(!plan.parts[2].1);
    assert!(plan.own_page[2]);
    // Part 1, alone on page 5, near-empty: it may not pull part 2 up again.
    let near = finding(FindingClass::NearEmpty, 5, "p1:0", None);
    plan.advance(std::slice::from_ref(&near), &[2, 5, 6, 8], &kinds);
    assert!(!plan.parts[2].1, "a part that opened on its own ran in again");
}

/// A signed letter ends its page: a half-blank letter page has nothing run
/// in under it (the note stays, for an editor).
#[test]
fn nothing_runs_in_under_a_half_blank_letter() {
    let kinds = ["letter", "front", "chapter"];
    let mut plan = Plan::new(3);
    let half = finding(FindingClass::HalfEmpty, 3, "p0:0", Some(0.45));
    assert!(!plan.advance(std::slice::from_ref(&half), &[3, 4, 5], &kinds));
    assert!(!plan.parts[1].1);
}

/// A part's last page unbalanced where no balanced height helped (its
/// balancing taken back): once nothing else moves, its tables that cannot
/// split are spread across the page, once, and it is balanced again.
#[test]
fn a_last_page_no_height_balances_has_its_whole_tables_spread_once() {
    let kinds = ["front", "back"];
    let mut plan = Plan::new(2);
    plan.unbalanceable[1] = true;
    let uneven = finding(FindingClass::Unbalanced, 6, "p1:0", None);
    assert!(plan.advance(std::slice::from_ref(&uneven), &[2, 5], &kinds));
    assert!(plan.spread[1]);
    assert!(!plan.unbalanceable[1], "its balancing starts again");
    // Spread once: given up again, it stays as it is.
    plan.unbalanceable[1] = true;
    assert!(!plan.advance(std::slice::from_ref(&uneven), &[2, 5], &kinds));
    // A part balanced as far as its blocks allow (a height kept) is a note:
    // nothing to spread.
    let mut plan = Plan::new(2);
    plan.unbalanceable[1] = true;
    plan.balanced[1] = Some(super::Balance { last: Some(400.0), ..Default::default() });
    assert!(!plan.advance(std::slice::from_ref(&uneven), &[2, 5], &kinds));
    assert!(!plan.spread[1]);
}

/// The rules that wait for their page to stand still wait only for their
/// own neighbourhood: a part balancing far off does not hold them up.
#[test]
fn a_half_blank_page_waits_for_its_neighbours_only() {
    let kinds = ["letter", "front", "back", "front", "front", "front"];
    let starts = [2, 5, 6, 7, 9, 11];
    let half = finding(FindingClass::HalfEmpty, 5, "p1:0", Some(0.39));
    // Part 5, far off, has a near-empty page and moves this round.
    let mut plan = Plan::new(6);
    assert!(plan.advance(&[half.clone(), near_empty(12)], &starts, &kinds));
    assert_eq!(plan.parts[5], (1, false), "the far part moved");
    assert!(plan.parts[2].1, "the next part ran in under the half-blank page all the same");
    // Part 3 next door to part 2 moves: part 2 may move with it, so part
    // 1's page waits (part 2 is its neighbour, part 3 is not).
    let mut plan = Plan::new(6);
    assert!(plan.advance(&[half.clone(), near_empty(7)], &starts, &kinds));
    assert!(plan.parts[2].1, "part 3 is not a neighbour of part 1");
    let mut plan = Plan::new(6);
    let uneven = finding(FindingClass::Unbalanced, 6, "p2:0", Some(300.0));
    assert!(plan.advance(&[half, uneven], &starts, &kinds));
    assert!(plan.balanced[2].is_some(), "part 2 is balanced");
    assert!(!plan.parts[2].1, "part 2 moved: the page waits");
}
