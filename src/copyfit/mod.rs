//! Part of stage 4 (compile): copyfitting. When the layout preflight finds
//! a near-empty page at the end of a part, the part's spacing is adjusted
//! within bounds and the pages composed again, until the page is gone or
//! filled, or nothing in range helps (then the finding stays).
//!
//! The adjustments, per part, read by the layouts from the data (`fit`,
//! `run_in`, `balance`, `spread`):
//! - `fit` from −3 to +3: a step of tightening (negative) or loosening
//!   (positive). What a step does to paragraph and block spacing, leading,
//!   table row padding and image slots is the layouts' alone
//!   (`layout/copyfit.typ`, the only layout file that reads `fit`): this
//!   module chooses steps and knows no factor. Tighter is tried first, then
//!   looser.
//! - `balance`: a part whose last page (its only one, or the last of
//!   several) has one column much longer than the other has its text there
//!   shared evenly between the two: the preflight reads the room of each
//!   earlier page and what the last page's columns hold, and the layouts set
//!   the part's columns in a breakable block that tall, whose last region
//!   is the balanced last page (no second layout to measure it). Where that
//!   made the part worse (a block pushed on, a page spilled), the height is
//!   raised (by 40, then 80 pt), then the most even height tried kept or
//!   the balancing taken back.
//! - a part whose columns stop for a table set in place across the page
//!   balances each run of columns before such a table itself
//!   (layout/parts.typ) on the page the run starts on; a run that crosses
//!   a page and stands uneven where it stops (an `unbalanced` finding
//!   located at the table) gets its column block's height the same way as
//!   a part's last page, keyed by the table's data place, measured again
//!   while it stands uneven, raised where it spoilt its page (text over
//!   text: a block that does not split could not go where the height sent
//!   it), a few times at most, then taken back.
//! - `run_in`: a short part starts on the page where the part before it
//!   ends, under an inline heading, instead of on a page of its own. Tried
//!   for a part whose only page would be near-empty (the next part is run
//!   in after it; failing that, the part itself runs in). A run-in part
//!   that starts at a page foot and spills onto a near-empty page (the part
//!   before it, balanced or long, left it a line or two) starts a page of
//!   its own instead, with the next part run in after it, and never runs in
//!   again. A one-page part whose only page stands half blank (a
//!   `half-empty` finding on it: a run-in part ending a page of short
//!   parts' ends with its columns less than two thirds filled, or a part
//!   alone on its page, not run in and not on a page of its own after a
//!   spill, with its columns less than half filled) has the next part run
//!   in there, when the next part's kind can (not a chapter or a feature,
//!   which open on a page of their own), it does not run in yet and it
//!   never spilled. For a part alone on its page this waits until nothing
//!   moves around it (a fit step or a balanced height may still fill its
//!   page; a part elsewhere in the report does not hold it up),
//!   and the half-blank part itself stays where it is (run in after the
//!   part before, it would move that part's page too). The part run in,
//!   and the parts run in after it, have their balanced heights measured
//!   again where they now stand. Should the next part then spill from the
//!   page foot onto a near-empty page, it takes a page of its own as above
//!   and never runs in again, so the rule runs each part in once at most
//!   and the search ends. Where the next part cannot run in, the finding
//!   stays, a note. A part run in that starts at a page top anyway (the
//!   part before ended on the page before: a `run-in-at-top` finding)
//!   lost its band for nothing: it opens as it would alone, and no rule
//!   runs it in again.
//! - `spread`: a part whose last page stands unbalanced where no balanced
//!   height helped (its balancing taken back: a table kept whole, alone in
//!   one column, say) has its tables that cannot split set across the page
//!   (the layouts tell which, `blocks.typ` `whole-table`), once, when
//!   nothing moves around it, and is balanced again.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::inspect::{Finding, FindingClass};

/// The order in which `fit` steps are tried.
pub const STEPS: [i64; 7] = [0, -1, -2, -3, 1, 2, 3];

/// Copyfit settings of every part.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Per part: the index into [`STEPS`] and whether it runs in.
    pub parts: Vec<(usize, bool)>,
    /// Per part whose columns are balanced: the height, in points, of its
    /// column block (the room of its earlier pages and half of its last
    /// page's content), read from the pages where it stood unbalanced.
    pub balanced: Vec<Option<Balance>>,
    /// Per part: how often its balanced height was raised after it made the
    /// part worse.
    #[serde(default)]
    pub raised: Vec<u8>,
    /// Per part: the most even balanced height tried so far and how uneven
    /// its columns stood (height 0: the part unbalanced).
    #[serde(default)]
    pub best: Vec<Option<(f64, f64)>>,
    /// Parts that ran in, spilled onto a near-empty page and start a page
    /// of their own since.
    #[serde(default)]
    pub own_page: Vec<bool>,
    /// Parts whose balancing was tried and taken back.
    pub unbalanceable: Vec<bool>,
    /// Parts for which nothing in range helped.
    pub exhausted: Vec<bool>,
    /// Parts whose tables that cannot split are set across the page: their
    /// last page stood unbalanced where no balanced height helped (a table
    /// kept whole, alone in one column).
    #[serde(default)]
    pub spread: Vec<bool>,
}

/// The heights, in points, of a part's balanced column blocks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Balance {
    /// The last run of columns (the part's last page): the room of its
    /// earlier pages and half of its last page's content.
    pub last: Option<f64>,
    /// Runs that stop for a table set in place and crossed a page uneven,
    /// by the table's data place: the height measured on their pages and
    /// how often they were measured again or raised.
    pub runs: BTreeMap<String, Run>,
}

/// A run of columns that stops for a table set in place (see [`Balance`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// The height of its column block, in points (none: taken back, the
    /// run in plain columns).
    pub height: Option<f64>,
    /// How often it was measured again or raised.
    pub tries: u8,
}

impl Plan {
    /// A plan that changes nothing, for `count` parts.
    pub fn new(count: usize) -> Self {
        Self {
            parts: vec![(0, false); count],
            balanced: vec![None; count],
            raised: vec![0; count],
            best: vec![None; count],
            own_page: vec![false; count],
            unbalanceable: vec![false; count],
            exhausted: vec![false; count],
            spread: vec![false; count],
        }
    }

    /// Writes the plan into the layout JSON (`fit` and `run_in` of each part).
    pub fn apply(&self, json: &mut Value) {
        let Some(parts) = json.get_mut("parts").and_then(Value::as_array_mut) else { return };
        let settings = self.parts.iter().zip(&self.balanced).zip(&self.spread);
        for (part, (((step, run_in), balance), spread)) in parts.iter_mut().zip(settings) {
            if let Value::Object(map) = part {
                map.insert("fit".into(), Value::from(STEPS[*step]));
                map.insert("run_in".into(), Value::from(*run_in));
                map.insert("spread".into(), Value::from(*spread));
                let balance = balance.clone().unwrap_or_default();
                map.insert("balance".into(), balance.last.map_or(Value::Null, Value::from));
                let runs = balance.runs.iter().filter_map(|(at, run)| Some((at.clone(), Value::from(run.height?))));
                map.insert("segments".into(), Value::Object(runs.collect()));
            }
        }
    }

    /// Whether `f` is an `unbalanced` finding on a part whose balancing
    /// copyfit has searched to its end: the part's columns stand as even as
    /// its unbreakable blocks (a figure, a box, a table that does not split)
    /// allow, at the most even height tried, which stands more even than
    /// the part unbalanced did (else the finding stays a warning: balancing
    /// did nothing); or on a run of columns before a table set in place that
    /// was measured again as often as copyfit does.
    pub fn balanced_as_far_as_it_goes(&self, f: &Finding) -> bool {
        let Some(src) = f.src.as_deref().filter(|_| f.class == FindingClass::Unbalanced) else { return false };
        if let Some(p) = crate::inspect::part_of(src) {
            return self.unbalanceable.get(p) == Some(&true) && self.last(p).is_some();
        }
        let part = crate::inspect::data_place(src).map(|(part, _)| part);
        let balance = part.and_then(|p| self.balanced.get(p)).and_then(Option::as_ref);
        balance.and_then(|b| b.runs.get(src)).is_some_and(|run| run.tries >= RUN_TRIES)
    }

    /// Moves every part that has a near-empty page to its next setting.
    /// `starts[i]` is the first page of part i. Returns whether anything
    /// changed (when not, composing again would give the same pages).
    pub fn advance(&mut self, findings: &[Finding], starts: &[usize], kinds: &[&str]) -> bool {
        let start = self.clone();
        let mut changed = false;
        let part_of = |f: &Finding| f.src.as_deref().and_then(crate::inspect::part_of);
        // Pages of parts whose balancing is mended this round: their other
        // findings wait for the next composition.
        let mut handled: Vec<std::ops::Range<usize>> = Vec::new();
        // Balancing guesses the column height. Each height tried is judged
        // on the pages it gave: spoilt (content crossing, a head parted, a
        // near-empty page, the last page a page further on) or as even as
        // its columns stand; it is raised (40, then 80 pt) until the
        // columns stand even, and when they never do, the most even height
        // tried is kept (or none, when the part stood more even without).
        for (part, &start) in starts.iter().enumerate() {
            let Some(height) = self.last(part) else { continue };
            if self.unbalanceable[part] {
                continue;
            }
            let end = starts.get(part + 1).map_or(usize::MAX, |&next| next.max(start + 1));
            let mine = |f: &&Finding| part_of(f) == Some(part) && f.class == FindingClass::Unbalanced;
            let spoilt = findings.iter().any(|f| match f.class {
                FindingClass::Overlap | FindingClass::Overflow | FindingClass::Stranded | FindingClass::NearEmpty => {
                    (start..end).contains(&f.page)
                }
                _ => mine(&f) && f.extent.is_some_and(|e| e > height + SPILL_PT),
            });
            let uneven = findings.iter().filter(mine).find_map(|f| f.uneven);
            if !spoilt && uneven.is_none() {
                continue;
            }
            handled.push(start..end);
            if let (false, Some(u)) = (spoilt, uneven)
                && self.best[part].is_none_or(|(_, best)| u < best)
            {
                self.best[part] = Some((height, u));
            }
            if self.raised[part] < MAX_RAISES {
                // Doubling: a block that does not break moves a column's
                // end by much.
                let raise = RAISE_PT * f64::from(1u8 << self.raised[part]);
                self.raised[part] += 1;
                self.balance(part).last = Some((height + raise).min(MAX_BALANCED_PT));
            } else {
                // The most even height tried; 0 stands for the part as it was.
                self.balance(part).last = self.best[part].map(|(h, _)| h).filter(|&h| h > 0.0);
                self.unbalanceable[part] = true;
            }
            changed = true;
        }
        for f in findings.iter().filter(|f| f.class == FindingClass::Unbalanced) {
            let part = part_of(f);
            let part = part.filter(|&p| p < self.balanced.len() && self.last(p).is_none() && !self.unbalanceable[p]);
            if let (Some(part), Some(height)) = (part, f.extent) {
                self.balance(part).last = Some(height.min(MAX_BALANCED_PT));
                self.best[part] = f.uneven.map(|u| (0.0, u));
                changed = true;
            }
        }
        changed |= self.advance_runs(findings);
        // A run-in part that ends a page of short parts' ends, half blank:
        // the next part runs in there too.
        changed |= self.fill_half_empty(findings, starts, kinds, false, None);
        let mut pages: Vec<usize> =
            findings.iter().filter(|f| f.class == FindingClass::NearEmpty).map(|f| f.page).collect();
        pages.dedup();
        pages.retain(|page| !handled.iter().any(|r| r.contains(page)));
        for page in pages {
            let Some(part) = starts.iter().rposition(|&s| s <= page) else { continue };
            let single = starts[part] == page && starts.get(part + 1).is_none_or(|&next| next > page);
            // A run-in part that started on the page before and ends on
            // this one, near-empty: it spilled from a page foot. It starts
            // a page of its own, and the next part runs in after it.
            let spilled =
                self.parts[part].1 && starts[part] + 1 == page && starts.get(part + 1).is_none_or(|&next| next > page);
            if spilled {
                self.open_on_own_page(part, kinds);
                changed = true;
                continue;
            }
            let mut target = part;
            if single {
                // A one-page part: run it in after the part before, or
                // pull the next part up onto its page.
                if part > 0 && self.may_run_in(part, kinds) {
                    self.parts[part].1 = true;
                    changed = true;
                    continue;
                }
                let next = part + 1;
                if self.may_run_in(next, kinds) {
                    self.parts[next].1 = true;
                    changed = true;
                    continue;
                }
                // Both tried: make room on the page before by fitting the
                // part that ends there.
                if part > 0 && self.parts[part].1 {
                    target = part - 1;
                }
            }
            if self.exhausted[target] {
                continue;
            }
            // A new step sets the part anew: its balanced height (measured
            // at the old step) is measured again.
            self.measure_again(target);
            let step = &mut self.parts[target].0;
            if *step + 1 < STEPS.len() {
                *step += 1;
            } else {
                self.exhausted[target] = true;
                *step = 0;
            }
            changed = true;
        }
        // The rules below wait until nothing moves where they act: on the
        // part's pages, on the parts that share them and on the parts either
        // side ([`Plan::quiet`]); a part elsewhere still settling its
        // balance does not hold them up. Each acts where the one before it
        // moved nothing.
        // A part alone on its only page, half blank (a fit step, a balanced
        // height or a run-in may still fill or empty its page): the next
        // part runs in there.
        changed |= self.fill_half_empty(findings, starts, kinds, true, Some(&self.quiet(&start)));
        changed |= self.open_run_ins_at_top(findings, kinds, &self.quiet(&start));
        changed | self.spread_stuck_tables(findings, &self.quiet(&start))
    }

    /// Per part: whether nothing moved, against `before`, on its pages, on
    /// the parts that share them (run in after it, or it after them) and
    /// on the part either side of those.
    fn quiet(&self, before: &Plan) -> Vec<bool> {
        let count = self.parts.len();
        let moved: Vec<bool> = (0..count).map(|p| self.one_part(p) != before.one_part(p)).collect();
        let runs_in = |p: usize| before.parts.get(p).is_some_and(|&(_, run_in)| run_in);
        (0..count)
            .map(|p| {
                let first = (0..=p).rev().find(|&q| !runs_in(q)).unwrap_or(0);
                let last = (p + 1..count).find(|&q| !runs_in(q)).map_or(count - 1, |next| next - 1);
                (first.saturating_sub(1)..=(last + 1).min(count - 1)).all(|q| !moved[q])
            })
            .collect()
    }

    /// A part's last page that stands unbalanced where no balanced height
    /// helped (its balancing searched to its end and taken back), once
    /// nothing moves around it: a table that cannot split may stand alone in one
    /// column. The part's tables that cannot split are set across the page
    /// (the layouts know which), once, and its balancing starts again.
    fn spread_stuck_tables(&mut self, findings: &[Finding], quiet: &[bool]) -> bool {
        let mut changed = false;
        for f in findings.iter().filter(|f| f.class == FindingClass::Unbalanced) {
            let part = f.src.as_deref().and_then(crate::inspect::part_of).filter(|&p| quiet.get(p) == Some(&true));
            let Some(part) = part.filter(|&p| self.unbalanceable[p] && self.last(p).is_none() && !self.spread[p])
            else {
                continue;
            };
            self.spread[part] = true;
            self.measure_again(part);
            changed = true;
        }
        changed
    }

    /// A part run in at a page top (the part before ended on the page
    /// before) lost its band for nothing: once nothing moves around it (a
    /// balanced height or a fit step of the part before may still end it
    /// higher), it opens as it would alone, never runs in again, and the
    /// next part runs in after it (as after a part that spilled).
    fn open_run_ins_at_top(&mut self, findings: &[Finding], kinds: &[&str], quiet: &[bool]) -> bool {
        let mut changed = false;
        for f in findings.iter().filter(|f| f.class == FindingClass::RunInAtTop) {
            let part = f.src.as_deref().and_then(crate::inspect::part_of);
            if let Some(part) = part.filter(|&p| quiet.get(p) == Some(&true) && self.parts[p].1) {
                self.open_on_own_page(part, kinds);
                changed = true;
            }
        }
        changed
    }
}

impl Plan {
    /// The settings of part `part`, as the plan of a one-part report.
    pub fn one_part(&self, part: usize) -> Plan {
        Plan {
            parts: vec![self.parts[part]],
            balanced: vec![self.balanced[part].clone()],
            raised: vec![self.raised[part]],
            best: vec![self.best[part]],
            own_page: vec![self.own_page[part]],
            unbalanceable: vec![self.unbalanceable[part]],
            exhausted: vec![self.exhausted[part]],
            spread: vec![self.spread[part]],
        }
    }

    /// Sets part `part` to the settings of the one-part plan `one`.
    pub fn set_part(&mut self, part: usize, one: &Plan) {
        self.parts[part] = one.parts[0];
        self.balanced[part] = one.balanced[0].clone();
        self.raised[part] = one.raised[0];
        self.best[part] = one.best[0];
        self.own_page[part] = one.own_page[0];
        self.unbalanceable[part] = one.unbalanceable[0];
        self.exhausted[part] = one.exhausted[0];
        self.spread[part] = one.spread[0];
    }

    /// Runs the next part in on the only page of a one-page part that
    /// stands half blank (a `half-empty` finding on a part's only page,
    /// which carries the share filled as its `extent`): with `alone`, a
    /// part alone on its page that neither runs in nor took a page of its
    /// own after spilling; without, a run-in part that ends a page of short
    /// parts' ends. The next part runs in when its kind can, it does not
    /// run in yet and it never spilled from a page foot (a part that
    /// spills, run in, takes a page of its own and never runs in again:
    /// each part is run in by this rule once at most, and the search
    /// ends); it and the parts run in after it are measured again for
    /// balancing. A page the next part cannot fill (a chapter opener
    /// follows) keeps its finding, a note. With `quiet`, only parts it
    /// marks quiet ([`Plan::quiet`]) are acted on. Returns whether anything
    /// changed.
    fn fill_half_empty(
        &mut self,
        findings: &[Finding],
        starts: &[usize],
        kinds: &[&str],
        alone: bool,
        quiet: Option<&[bool]>,
    ) -> bool {
        let mut changed = false;
        for f in findings.iter().filter(|f| f.class == FindingClass::HalfEmpty && f.extent.is_some()) {
            let quiet = |p: usize| quiet.map_or(p < self.parts.len(), |quiet| quiet.get(p) == Some(&true));
            let Some(part) = f.src.as_deref().and_then(crate::inspect::part_of).filter(|&p| quiet(p)) else {
                continue;
            };
            // The finding is on the part's only page: the page it starts on.
            if starts.get(part) != Some(&f.page) || self.parts[part].1 == alone || (alone && self.own_page[part]) {
                continue;
            }
            let next = part + 1;
            // A signed letter ends its page: nothing runs in under it.
            let letter = kinds[part] == "letter";
            if !letter && self.may_run_in(next, kinds) {
                // It and the parts run in after it start elsewhere on the
                // page now: their balanced heights are measured again.
                let moved = self.parts[next + 1..].iter().take_while(|(_, run_in)| *run_in).count();
                (next..=next + moved).for_each(|p| self.measure_again(p));
                self.parts[next].1 = true;
                changed = true;
            }
        }
        changed
    }

    /// Whether part `part` may run in after the part before it: there is
    /// such a part, its kind can (not a chapter or a feature), it does not
    /// run in yet, and it never opened on a page of its own after running
    /// in went wrong (a spill, a page top).
    fn may_run_in(&self, part: usize, kinds: &[&str]) -> bool {
        part < self.parts.len() && !self.parts[part].1 && !self.own_page[part] && can_run_in(kinds[part])
    }

    /// Part `part`, run in where it went wrong, opens on a page of its own
    /// for good, and the next part runs in after it when it may.
    fn open_on_own_page(&mut self, part: usize, kinds: &[&str]) {
        self.parts[part].1 = false;
        self.own_page[part] = true;
        if self.may_run_in(part + 1, kinds) {
            self.parts[part + 1].1 = true;
        }
    }

    /// Forgets part `part`'s balanced heights (its last page's and its runs
    /// before tables), and how they were raised: its columns are measured
    /// again where they now stand.
    fn measure_again(&mut self, part: usize) {
        self.balanced[part] = None;
        self.raised[part] = 0;
        self.best[part] = None;
        self.unbalanceable[part] = false;
    }

    /// The height of part `part`'s last run of columns, if balanced.
    fn last(&self, part: usize) -> Option<f64> {
        self.balanced[part].as_ref().and_then(|b| b.last)
    }

    /// Part `part`'s balanced heights, to set.
    fn balance(&mut self, part: usize) -> &mut Balance {
        self.balanced[part].get_or_insert_with(Balance::default)
    }

    /// Gives each run of columns that stands uneven where it stops for a
    /// table (an `unbalanced` finding located at the table's data place,
    /// not at a part) the height measured on its pages; one that stands
    /// uneven again is measured again, one that spoilt its page (text over
    /// text, past its column or the bleed) is raised, [`RUN_TRIES`] times
    /// at most; then it is taken back.
    /// Returns whether anything changed.
    fn advance_runs(&mut self, findings: &[Finding]) -> bool {
        // Text over text, past its column or the bleed, in a run (the run
        // of the first table at or after its data place in its part: text
        // located at the table may stand over the run before it): a block
        // that does not split could not go where the run's height sent it.
        // The run is raised (40, then 80 pt), then taken back to plain
        // columns.
        let mut raised: Vec<String> = Vec::new();
        let spoilt = findings
            .iter()
            .filter(|f| matches!(f.class, FindingClass::Overlap | FindingClass::Overflow | FindingClass::Bleed));
        for (part, offset) in spoilt.filter_map(|f| f.src.as_deref().and_then(crate::inspect::data_place)) {
            let Some(Some(balance)) = self.balanced.get_mut(part) else { continue };
            let next =
                balance.runs.iter_mut().filter_map(|(at, run)| Some((crate::inspect::data_place(at)?.1, at, run)));
            let Some((_, at, run)) = next.filter(|(o, ..)| *o >= offset).min_by_key(|(o, ..)| *o) else { continue };
            let Some(height) = run.height.filter(|_| !raised.contains(at)) else { continue };
            *run = if run.tries < RUN_TRIES {
                let raise = RAISE_PT * f64::from(1u8 << run.tries);
                Run { height: Some((height + raise).min(MAX_BALANCED_PT)), tries: run.tries + 1 }
            } else {
                Run { height: None, tries: run.tries }
            };
            raised.push(at.clone());
        }
        let mut changed = !raised.is_empty();
        for f in findings.iter().filter(|f| f.class == FindingClass::Unbalanced) {
            let fresh = |s: &&str| crate::inspect::part_of(s).is_none() && !raised.iter().any(|r| r == s);
            let Some(at) = f.src.as_deref().filter(fresh) else { continue };
            let (Some((part, _)), Some(height)) = (crate::inspect::data_place(at), f.extent) else { continue };
            if part >= self.balanced.len() {
                continue;
            }
            let fresh = Run { height: Some(height.min(MAX_BALANCED_PT)), tries: 0 };
            let runs = &mut self.balance(part).runs;
            match runs.get_mut(at) {
                None => {
                    runs.insert(at.to_owned(), fresh);
                }
                Some(run) if run.tries < RUN_TRIES => *run = Run { tries: run.tries + 1, ..fresh },
                Some(_) => continue,
            }
            changed = true;
        }
        changed
    }
}

/// The tallest column block a plan may ask for, in points (a hundred A3
/// pages; a height past that was never measured).
const MAX_BALANCED_PT: f64 = 120_000.0;

/// How much a balanced height is first raised when it made the part worse,
/// in points (about two lines of body text; each raise doubles it), and how
/// often. Each raise is a composition of the whole report; a third (160 pt,
/// some eight lines past the measured height) set no report or fixture more
/// evenly than the two before it, so it is not tried.
const RAISE_PT: f64 = 40.0;
const MAX_RAISES: u8 = 2;

/// How often a run of columns before a table set in place is measured
/// again or raised (each is a composition of the whole report).
const RUN_TRIES: u8 = 2;

/// How much taller than the height asked for a balanced part's block must
/// measure for its last page to be a page further on (a spill), in points.
const SPILL_PT: f64 = 100.0;

/// Parts with an opener page never run in.
fn can_run_in(kind: &str) -> bool {
    !matches!(kind, "chapter" | "feature")
}

mod cache;
mod carry;
#[cfg(test)]
mod tests;

pub use cache::{key, recall, recall_json, remember, remember_json};
