//! Copyfit trials on one part at a time.
//!
//! A part starts on a page of its own, so whether a setting leaves it
//! ending on a near-empty page can be seen by laying out that part alone:
//! the data with only that part (the cover, the 目录 of that one part and
//! the back cover come with it, cheap and memoised after the first trial).
//! Trials of different parts are independent and run on all cores, each in
//! a world of its own that shares the session's fonts, library and comemo's
//! caches. Each trial's pages are dropped once inspected, so a search never
//! holds more than one document per core.
//!
//! What a trial finds is a guess the whole report then confirms: the
//! compose step lays out the whole report once with the settings found and
//! goes on from there as before, so the plan a search ends on is one that the
//! whole report leaves unchanged, and a remembered plan gives the same pages.
//! Parts whose fit depends on the page numbers of others (the indexes) and
//! parts that share a page with a neighbour (run in) are not tried alone.
//!
//! Two searches use them. The default, after a whole composition, tries the
//! fit steps of the parts whose step moved ([`Trials::search`]). With
//! `CSR_PRESS_SEARCH=alone`, a search from the start first settles each
//! part's whole plan alone, round after round ([`Trials::settle`]); its plan
//! is one the whole report leaves unchanged, not always the default's (the
//! index's balanced height is measured after the parts, not beside them),
//! and it costs more on both reports (BENCHMARKS.md).

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;
use typst::foundations::Bytes;
use typst::syntax::FileId;
use typst_layout::PagedDocument;

use crate::copyfit::{Plan, STEPS};
use crate::inspect::{Finding, FindingClass, Options as InspectOptions, inspect};
use crate::world::{PressWorld, TrialWorld};

/// What the trials work on: the session's world, the virtual files and the
/// layout data of the composition that asked for them.
pub(super) struct Trials<'a> {
    /// The session's world (fonts, library, root and theme).
    pub world: &'a PressWorld,
    /// The virtual files (the data file is replaced per trial).
    pub files: &'a HashMap<FileId, Bytes>,
    /// The layout data, plan applied.
    pub json: &'a Value,
    /// The kind of every part.
    pub kinds: &'a [&'a str],
    /// What the preflight checks.
    pub options: InspectOptions,
}

impl Trials<'_> {
    /// The parts worth trying alone after `before` moved to `after`: those
    /// whose fit step changed (or gave up), that neither run in nor have the
    /// next part run in after them, and that are not indexes.
    pub fn candidates(&self, before: &Plan, after: &Plan) -> Vec<usize> {
        (0..after.parts.len())
            .filter(|&p| after.parts[p].0 != before.parts[p].0 || after.exhausted[p] != before.exhausted[p])
            .filter(|&p| !after.parts[p].1 && !after.parts.get(p + 1).is_some_and(|next| next.1))
            .filter(|&p| self.kinds.get(p).is_some_and(|&kind| kind != "index"))
            .collect()
    }

    /// Searches the fit step of each of `parts` alone and writes what it
    /// found into `plan`: the first step, in the order of
    /// [`crate::copyfit::STEPS`], that leaves the part without a near-empty
    /// page, or the part given up (as the search on the whole report gives
    /// up). The trials, every part's remaining steps taken in turn, run on
    /// all cores: a part's later steps are tried beside its earlier ones and
    /// dropped once an earlier one fits, so what is found is what trying the
    /// steps one by one finds. A part whose trial cannot be laid out (it
    /// refers to another part, say) keeps the setting it has.
    pub fn search(&self, parts: &[usize], plan: &mut Plan) {
        let parts: Vec<usize> = parts.iter().copied().filter(|&p| !plan.exhausted[p]).collect();
        let data: Vec<Option<Value>> = parts.iter().map(|&p| reduced(self.json, p)).collect();
        // Every (part, step) to try, nearest steps first, parts in turn.
        let mut queue = Vec::new();
        for offset in 0..STEPS.len() {
            for (slot, &part) in parts.iter().enumerate() {
                let step = plan.parts[part].0 + offset;
                if step < STEPS.len() && data[slot].is_some() {
                    queue.push((slot, step));
                }
            }
        }
        let next = AtomicUsize::new(0);
        // Per part: the lowest step found to fit, and every trial's outcome.
        let fits: Mutex<Vec<Option<usize>>> = Mutex::new(vec![None; parts.len()]);
        let tried: Mutex<HashMap<(usize, usize), Option<bool>>> = Mutex::new(HashMap::new());
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, queue.len().max(1));
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| {
                    // One world a thread: the layouts are parsed once.
                    let mut world = self.world.trial(self.files.clone());
                    while let Some(&(slot, step)) = queue.get(next.fetch_add(1, Ordering::Relaxed)) {
                        let settled = lock(&fits)[slot].is_some_and(|fit| fit < step);
                        let failed = lock(&tried)
                            .iter()
                            .any(|(&(sl, st), outcome)| sl == slot && st < step && outcome.is_none());
                        if settled || failed {
                            continue;
                        }
                        let Some(data) = &data[slot] else { continue };
                        let outcome = self.fits(&mut world, parts[slot], step, data, plan);
                        if outcome == Some(true) {
                            let mut fits = lock(&fits);
                            fits[slot] = Some(fits[slot].map_or(step, |fit| fit.min(step)));
                        }
                        lock(&tried).insert((slot, step), outcome);
                    }
                });
            }
        });
        let tried = tried.into_inner().unwrap_or_else(|e| e.into_inner());
        for (slot, &part) in parts.iter().enumerate() {
            if data[slot].is_none() {
                continue;
            }
            // The steps in order: the first that fits; a failed trial keeps
            // the part as it is; none fits: given up.
            let mut found = Some((0, true));
            for step in plan.parts[part].0..STEPS.len() {
                match tried.get(&(slot, step)).copied().flatten() {
                    Some(true) => {
                        found = Some((step, false));
                        break;
                    }
                    Some(false) => {}
                    None => {
                        found = None;
                        break;
                    }
                }
            }
            if let Some((step, exhausted)) = found {
                if plan.parts[part].0 != step {
                    plan.balanced[part] = None;
                    plan.raised[part] = 0;
                    plan.best[part] = None;
                }
                plan.parts[part].0 = step;
                plan.exhausted[part] = exhausted;
            }
        }
    }

    /// Whether `part` alone (`data`) at fit `step` ends without a
    /// near-empty page; `None` when it cannot be laid out or its pages not
    /// found.
    fn fits(&self, world: &mut TrialWorld, part: usize, step: usize, data: &Value, plan: &Plan) -> Option<bool> {
        // A step sets the part anew: balancing is measured after it.
        let mut sub = Plan::new(1);
        sub.parts[0] = (step, false);
        sub.unbalanceable[0] = plan.unbalanceable[part];
        let (findings, start) = self.round(world, part, data, &sub)?;
        Some(!findings.iter().any(|f| f.class == FindingClass::NearEmpty && f.page >= start))
    }
}

impl Trials<'_> {
    /// The parts whose whole plan can be searched alone before the whole
    /// report is composed: every part but the indexes (their tables print
    /// the page numbers of all the others). At the start of a search no
    /// part runs in.
    pub fn alone(&self) -> Vec<usize> {
        (0..self.kinds.len()).filter(|&p| self.kinds[p] != "index").collect()
    }

    /// Settles the whole copyfit plan of each of `parts` alone, on all
    /// cores, and writes it into `plan`: its fit step, the balanced height
    /// of its last page measured and confirmed (raised, or taken back), as
    /// the search on the whole report does it, each round one layout of
    /// the part alone ([`Plan::advance`] on the part's own findings). A part
    /// stops where the whole report must decide: a one-page part that ends
    /// near-empty may run in after the part before it or pull the next one
    /// up onto its page, so the three keep the settings they have, as does
    /// a part that cannot be laid out alone (it refers to another part). The
    /// whole report then confirms the plan (and moves on from it when it
    /// disagrees), so a part's pages alone never decide a plan by
    /// themselves. Longer parts go first, so that both cores stay busy to
    /// the end.
    pub fn settle(&self, parts: &[usize], plan: &mut Plan) {
        let weight = |part: usize| self.json["parts"][part].to_string().len();
        let mut parts: Vec<usize> = parts.iter().copied().filter(|&p| !plan.exhausted[p]).collect();
        parts.sort_by_key(|&part| std::cmp::Reverse(weight(part)));
        let data: HashMap<usize, Value> = parts.iter().filter_map(|&p| Some((p, reduced(self.json, p)?))).collect();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, parts.len().max(1));
        // One world a thread: the layouts are parsed once.
        let mut worlds: Vec<TrialWorld> = (0..threads).map(|_| self.world.trial(self.files.clone())).collect();
        // First every part once: a one-page part found near-empty takes its
        // neighbours out of the search before they are searched on.
        let mut first: Vec<(usize, Plan)> = parts.iter().map(|&p| (p, plan.one_part(p))).collect();
        // The first layout loads what every trial shares (fonts, the
        // layouts evaluated, the cover): one thread does it, the others
        // then find it in comemo's caches instead of doing it beside it.
        let rest = first.split_off(first.len().min(1));
        let mut found = self.rounds_each(&mut worlds[..1], &data, first, 1);
        found.extend(self.rounds_each(&mut worlds, &data, rest, 1));
        let shared = |found: &[(usize, Alone)]| -> Vec<usize> {
            found
                .iter()
                .filter(|(_, alone)| matches!(alone, Alone::OnePage))
                .flat_map(|&(part, _)| part.saturating_sub(1)..=part + 1)
                .collect()
        };
        let mut out = shared(&found);
        found.retain(|(part, _)| !out.contains(part));
        let going: Vec<(usize, Plan)> = found
            .iter()
            .filter_map(|(part, alone)| match alone {
                Alone::Going(one) => Some((*part, one.clone())),
                _ => None,
            })
            .collect();
        found.retain(|(_, alone)| !matches!(alone, Alone::Going(_)));
        found.extend(self.rounds_each(&mut worlds, &data, going, MAX_ROUNDS - 1));
        // A part that comes to end on a one-page part's near-empty page
        // after a step keeps its setting, and so do its neighbours.
        out.extend(shared(&found));
        for (part, alone) in found {
            if let Alone::Settled(one) | Alone::Going(one) = alone
                && !out.contains(&part)
            {
                plan.set_part(part, &one);
            }
        }
    }

    /// Up to `rounds` rounds of each part's search alone, from the plans
    /// given, parts taken in order by the threads (one world each).
    fn rounds_each(
        &self,
        worlds: &mut [TrialWorld],
        data: &HashMap<usize, Value>,
        jobs: Vec<(usize, Plan)>,
        rounds: usize,
    ) -> Vec<(usize, Alone)> {
        let next = AtomicUsize::new(0);
        let found: Mutex<Vec<(usize, Alone)>> = Mutex::new(Vec::new());
        std::thread::scope(|s| {
            for world in worlds.iter_mut() {
                let (next, found, jobs) = (&next, &found, &jobs);
                s.spawn(move || {
                    while let Some((part, one)) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
                        let alone = match data.get(part) {
                            Some(data) => self.rounds(world, *part, data, one.clone(), rounds),
                            None => Alone::Unsettled,
                        };
                        lock(found).push((*part, alone));
                    }
                });
            }
        });
        found.into_inner().unwrap_or_else(|e| e.into_inner())
    }

    /// Up to `rounds` rounds of the search of `part` alone (`data`), from
    /// its one-part plan `one` ([`Trials::settle`]).
    fn rounds(&self, world: &mut TrialWorld, part: usize, data: &Value, mut one: Plan, rounds: usize) -> Alone {
        let kinds = [self.kinds[part]];
        for _ in 0..rounds {
            let Some(found) = self.round(world, part, data, &one) else { return Alone::Unsettled };
            let (findings, start) = found;
            // A one-page part ending near-empty: whether it runs in is the
            // whole report's to decide.
            if findings.iter().any(|f| f.class == FindingClass::NearEmpty && f.page == start) {
                return Alone::OnePage;
            }
            if !one.advance(&findings, &[start], &kinds) {
                return Alone::Settled(one);
            }
            if one.parts[0].1 || one.own_page[0] {
                return Alone::OnePage;
            }
        }
        Alone::Going(one)
    }

    /// One layout of `part` alone with the one-part plan `one`: the part's
    /// own findings (its place renamed to the one part's) and its first
    /// page; `None` when it cannot be laid out or its pages not found.
    fn round(&self, world: &mut TrialWorld, part: usize, data: &Value, one: &Plan) -> Option<(Vec<Finding>, usize)> {
        let mut data = data.clone();
        one.apply(&mut data);
        world.set_data(Bytes::new(serde_json::to_vec(&data).ok()?));
        let document = typst::compile::<PagedDocument>(&*world).output.ok()?;
        let inspection = inspect(&document, self.options, part + 1);
        // The last page is the back cover, no part's.
        let last = document.pages().len();
        drop(document);
        let start = inspection.part_starts[part];
        let own = format!("p{part}:0");
        let findings = inspection
            .findings
            .into_iter()
            .filter(|f| (start..last).contains(&f.page))
            .map(|mut f| {
                if f.src.as_deref() == Some(own.as_str()) {
                    f.src = Some("p0:0".into());
                }
                f
            })
            .collect();
        (start > 0).then_some((findings, start))
    }
}

/// What a part's search alone ended on.
enum Alone {
    /// Its plan so far: the search goes on.
    Going(Plan),
    /// Its plan, as a one-part plan: the whole report confirms it.
    Settled(Plan),
    /// It ends on a one-page part's near-empty page: whether it runs in is
    /// the whole report's to decide.
    OnePage,
    /// It cannot be laid out alone.
    Unsettled,
}

/// How many layouts a part's search alone takes at most: every fit step,
/// and for each a balanced height measured, raised three times and taken
/// back, is more than any part needs; the whole report goes on from there.
const MAX_ROUNDS: usize = 16;

/// The layout data with only part `part` in it.
fn reduced(json: &Value, part: usize) -> Option<Value> {
    let map = json.as_object()?;
    let one = map.get("parts")?.as_array()?.get(part)?.clone();
    let mut out = serde_json::Map::with_capacity(map.len());
    for (key, value) in map {
        let value = if key == "parts" { Value::Array(vec![one.clone()]) } else { value.clone() };
        out.insert(key.clone(), value);
    }
    Some(Value::Object(out))
}

/// The value behind a mutex, poisoned or not (a trial that panicked has
/// already passed its panic on through the scope).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
