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

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;
use typst::foundations::Bytes;
use typst::syntax::FileId;
use typst_layout::PagedDocument;

use crate::copyfit::{Plan, STEPS};
use crate::inspect::{FindingClass, Options as InspectOptions, inspect};
use crate::virtual_files::{DATA_PATH, project_file};
use crate::world::PressWorld;

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
                    while let Some(&(slot, step)) = queue.get(next.fetch_add(1, Ordering::Relaxed)) {
                        let settled = lock(&fits)[slot].is_some_and(|fit| fit < step);
                        let failed = lock(&tried)
                            .iter()
                            .any(|(&(sl, st), outcome)| sl == slot && st < step && outcome.is_none());
                        if settled || failed {
                            continue;
                        }
                        let Some(data) = &data[slot] else { continue };
                        let outcome = self.fits(parts[slot], step, data, plan);
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
    fn fits(&self, part: usize, step: usize, data: &Value, plan: &Plan) -> Option<bool> {
        let mut data = data.clone();
        let sub = Plan {
            parts: vec![(step, false)],
            // A step sets the part anew: balancing is measured after it.
            balanced: vec![None],
            raised: vec![0],
            best: vec![None],
            own_page: vec![false],
            unbalanceable: vec![plan.unbalanceable[part]],
            exhausted: vec![false],
        };
        sub.apply(&mut data);
        let bytes = serde_json::to_vec(&data).ok()?;
        let mut files = self.files.clone();
        files.insert(project_file(DATA_PATH), Bytes::new(bytes));
        let world = self.world.trial(files);
        let document = typst::compile::<PagedDocument>(&world).output.ok()?;
        // The part keeps its own marks (`p{part}:…`): its first page is
        // found under its own index; pages before it (the cover, the 目录)
        // are no part's.
        let inspection = inspect(&document, self.options, part + 1);
        let start = inspection.part_starts[part];
        (start > 0).then(|| !inspection.findings.iter().any(|f| f.class == FindingClass::NearEmpty && f.page >= start))
    }
}

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
