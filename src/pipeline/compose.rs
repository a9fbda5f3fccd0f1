//! The compose step: lays the resolved data out, inspects the pages and
//! copyfits parts that end on a near-empty page, composing again until the
//! plan settles. A plan found before for the same inputs is where the search
//! starts (and, unchanged, ends).

use std::time::Instant;

use typst::foundations::Bytes;

use super::trials::Trials;
use super::{BuildError, Composed, PRINT_PPI, Resolved, Session};
use super::{pointers, sizing};
use crate::changes::Recorded;
use crate::compile::compile;
use crate::copyfit::{self, Plan};
use crate::datacheck::uncovered_chars;
use crate::diag::Severity;
use crate::inspect::{
    Options as InspectOptions, inspect, pointers as read_pointers, problems as inspect_problems,
    sizings as read_sizings,
};
use crate::paths::Cache;
use crate::virtual_files::{DATA_PATH, project_file};

/// The most whole compositions a copyfit search makes: a search that has
/// not settled by then (a report whose blocks keep each other from fitting)
/// stops with its pages as they stand and the preflight's findings, in
/// bounded time. The reports and fixtures settle in well under half of it.
const MAX_COMPOSITIONS: usize = 16;

impl Session {
    /// Lays out and inspects the pages, copyfitting as needed.
    ///
    /// Fails on layout errors, and on preflight findings when the
    /// configuration is strict.
    pub fn compose(&mut self, resolved: Resolved) -> Result<Composed, BuildError> {
        self.compose_with(resolved, false)
    }

    /// [`Session::compose`]; with `export`, a composition expected to be
    /// the last (the first one of a remembered or carried plan) is exported
    /// to PDF beside its preflight, on the other core, and the PDF handed to
    /// the finish step. A composition the plan then moves on from has its
    /// PDF dropped; the PDF of the last one is the same either way.
    pub(super) fn compose_with(&mut self, resolved: Resolved, export: bool) -> Result<Composed, BuildError> {
        let mut lap = Instant::now();
        let Resolved { checked, json: resolved_json, mut files } = resolved;
        let report = checked.report;
        self.world
            .set_theme_dir(&checked.theme.dir)
            .map_err(|e| BuildError::Theme { dir: checked.theme.dir.clone(), reason: crate::paths::io_reason(&e) })?;
        if checked.date != self.date {
            self.world.set_today(checked.date);
            self.date = checked.date;
        }
        let mut json: serde_json::Value = serde_json::from_slice(&resolved_json).map_err(BuildError::ResolvedData)?;
        let kinds: Vec<&str> = report.parts.iter().map(|p| p.data.kind.name()).collect();
        let parts = report.parts.len();
        // In the one cache folder under the root, never beside the output.
        let cache = self.config.root.cache(Cache::Copyfit);
        let key = self.plan_key(&resolved_json, &checked.theme.dir);
        let remembered = copyfit::recall(&cache, &key, parts);
        // In a live session (watch), new inputs start from the last plan: an
        // edit seldom changes how the other parts fit, so one composition
        // usually confirms it. What it gave up on stays given up on until a
        // build from the start. Such a plan is not remembered: the cache
        // keeps only searches from the start, the plans a clean build finds.
        let carried = match (&remembered, &self.last_plan) {
            (None, Some(last)) if last.parts.len() == parts => Some(last.clone()),
            _ => None,
        };
        let mut plan = remembered.clone().or_else(|| carried.clone()).unwrap_or_else(|| Plan::new(parts));
        // Run heights are keyed by data places, which an edit moves: a
        // carried plan's keys move with them (`copyfit/carry.rs`).
        if let (Some(_), Some(last)) = (&carried, &self.last_data) {
            plan.carry_places(last, &json);
        }
        // The index pointers of that plan, for its first composition
        // (`pointers.rs`); a search from the start gives none.
        let recalled = remembered.as_ref().and_then(|_| pointers::recall(&cache, &key));
        let mut given = if carried.is_some() { self.last_pointers.clone() } else { recalled.clone() };
        // The index sizings found with those pointers (`sizing.rs`), for
        // that first composition only: a later one has other pages.
        let recalled_sizing = recalled.as_ref().and_then(|_| sizing::recall(&cache, &key));
        let mut given_sizing = if carried.is_some() { None } else { recalled_sizing.clone() };
        // `CSR_PRESS_SEARCH` (for measuring, [`Measured`]): `known` and
        // `twice` compose a remembered plan the way the least search would.
        let measured = Measured::asked();
        let bound = measured.filter(|m| remembered.is_some() && *m != Measured::Alone);
        let mut remembered_next = None;
        if let Some(bound) = bound {
            given = None;
            given_sizing = None;
            if bound == Measured::Twice {
                remembered_next = Some(std::mem::replace(&mut plan, Plan::new(parts)));
            }
        }
        // Print post-processing converts every RGB image to CMYK (src/postprocess).
        let latin = report.manifest.data.meta.language.to_ascii_lowercase().starts_with("en");
        let families = crate::fonts::families_of(&report.manifest.data.meta.language);
        let options =
            InspectOptions { profile: self.config.profile, min_ppi: PRINT_PPI, images_converted: true, latin };
        // Compose, inspect, and copyfit parts that end on a near-empty page.
        let mut expected_last = export && (remembered.is_some() || carried.is_some()) && bound.is_none();
        let from_start = remembered.is_none() && carried.is_none();
        // With `CSR_PRESS_SEARCH=alone`, a search from the start settles
        // every part that can be alone, in parallel, before the whole report
        // is composed (`Trials::settle`). Its plan is one the whole report
        // leaves unchanged (not always the default's), but on both reports
        // it costs more than the whole report's first
        // composition and the trials it saves (BENCHMARKS.md), so it is not
        // the default.
        if from_start && measured == Some(Measured::Alone) {
            plan.apply(&mut json);
            let trials = Trials { world: &self.world, files: &files, json: &json, kinds: &kinds, options };
            trials.settle(&trials.alone(), &mut plan);
            self.stages.push(("alone", lap.elapsed()));
            lap = Instant::now();
        }
        let (mut compositions, mut capped) = (0, false);
        let (compiled, inspection, exported, found, recorded) = loop {
            compositions += 1;
            plan.apply(&mut json);
            pointers::apply(given.as_ref(), &mut json);
            sizing::apply(given_sizing.take().as_ref(), &mut json);
            let bytes = serde_json::to_vec(&json).map_err(BuildError::ComposedData)?;
            files.insert(project_file(DATA_PATH), Bytes::new(bytes.clone()));
            self.last_json = Some(bytes);
            self.world.set_virtual_files(files.clone());
            // The report's faces load on the other core while Typst
            // evaluates the layouts (loaded, they stay for the session).
            let world = &self.world;
            let compiled = std::thread::scope(|s| {
                s.spawn(|| world.load_families(&families));
                compile(world, self.config.format)
            })?;
            self.stages.push(("compile", lap.elapsed()));
            lap = Instant::now();
            let (inspection, exported, found, recorded) = if std::mem::take(&mut expected_last) {
                let (document, date) = (&compiled.document, checked.date);
                let this = &*self;
                let (inspection, took, pdf, found, recorded) = std::thread::scope(|s| {
                    let pdf = s.spawn(|| this.export(document, &report, date));
                    let inspection = inspect(document, options, parts);
                    let took = lap.elapsed();
                    // The export runs on: the change record reads the same
                    // pages meanwhile, on this core (finish would read them
                    // beside the print finishing, on a core it needs).
                    let found = read_pointers(document);
                    let read = Instant::now();
                    let recorded = (Recorded::read(document, &report, &found), read.elapsed());
                    (inspection, took, pdf.join().unwrap_or_else(|e| std::panic::resume_unwind(e)), found, recorded)
                });
                // The export's own time is its stage (`pdf`), in finish.
                self.stages.push(("inspect", took));
                (inspection, Some(pdf), found, Some(recorded))
            } else {
                let inspection = inspect(&compiled.document, options, parts);
                self.stages.push(("inspect", lap.elapsed()));
                (inspection, None, read_pointers(&compiled.document), None)
            };
            lap = Instant::now();
            let before = plan.clone();
            // Given pointers are never trusted: pages that moved from them
            // are composed again with the pages they moved to (past the
            // bound, with none: the layouts read the marks themselves).
            let stale = given.as_ref().is_some_and(|given| *given != found);
            // The search is bounded: past MAX_COMPOSITIONS the pages stand
            // as they are and the preflight reports what is left.
            if compositions >= MAX_COMPOSITIONS {
                if stale {
                    given = None;
                    continue;
                }
                capped = true;
                break (compiled, inspection, exported, found, recorded);
            }
            // [`Measured::Twice`]: the default plan's composition is looked at,
            // then the remembered plan composed.
            if let Some(next) = remembered_next.take() {
                plan = next;
                drop(compiled);
                continue;
            }
            if !plan.advance(&inspection.findings, &inspection.part_starts, &kinds) {
                if stale {
                    given = Some(found);
                    continue;
                }
                break (compiled, inspection, exported, found, recorded);
            }
            if given.is_some() {
                given = Some(found);
            }
            // A search from the start keeps in comemo's caches only what
            // this composition used, when it moved a fit step or a run-in:
            // what earlier compositions and the trials laid out at the old
            // settings would only add up. A composition that only moved a
            // balanced height keeps them: the search may come back to a
            // height it tried (the most even one). A `watch` session evicts
            // by its own rule: its edits start from the last plan.
            if from_start && plan.parts != before.parts {
                comemo::evict(1);
            }
            // Parts whose fit step moved are searched alone, in parallel,
            // before the whole report is laid out again (`trials.rs`).
            drop(compiled);
            let trials = Trials { world: &self.world, files: &files, json: &json, kinds: &kinds, options };
            let candidates = trials.candidates(&before, &plan);
            if !candidates.is_empty() {
                trials.search(&candidates, &mut plan);
                self.stages.push(("trials", lap.elapsed()));
                lap = Instant::now();
            }
        };
        // A plan the bound stopped is not remembered: started from, it would
        // move on, and a remembered build must give the searched one's PDF.
        if self.config.writes_caches && !capped && carried.is_none() {
            if remembered.as_ref() != Some(&plan) {
                copyfit::remember(&cache, &key, &plan);
            }
            if recalled.as_ref() != Some(&found) {
                pointers::remember(&cache, &key, &found);
            }
            let sized = read_sizings(&compiled.document);
            if recalled_sizing.as_ref() != Some(&sized) {
                sizing::remember(&cache, &key, &sized);
            }
        }
        self.last_pointers = Some(found.clone());
        self.last_data = Some(json);
        let mut findings =
            inspect_problems(&inspection.findings, &report, &report.manifest.file.shown, self.config.strict);
        // A last page balanced as far as its unbreakable blocks allow is a
        // note: only an editor can do more (shorten, or let a block split).
        for (problem, finding) in findings.0.iter_mut().zip(&inspection.findings) {
            if plan.balanced_as_far_as_it_goes(finding) {
                problem.severity = Severity::Note;
                problem.message = problem.message.replace(
                    "; balance the columns [",
                    "; copyfit balanced it as far as its unbreakable blocks allow (a figure, box or table \
                     that does not split): shorten the text or let the block split [",
                );
            }
        }
        self.last_plan = Some(plan);
        // A character no font covers prints as a box: a warning naming it and
        // its first place in the data, an error with `--strict`.
        let missing = if self.config.strict { Severity::Error } else { Severity::Warning };
        let uncovered =
            if self.font_infos.is_empty() { Default::default() } else { uncovered_chars(&report, &self.font_infos) };
        for (c, (file, offset)) in uncovered {
            findings.push(file.problem(
                missing,
                Some(offset..offset + c.len_utf8()),
                format!("character '{c}' (U+{:04X}) is not covered by any font in fonts/: it prints as a box [missing-glyph]", c as u32),
            ));
        }
        if findings.has_errors() {
            return Err(BuildError::Data(findings));
        }
        Ok(Composed {
            document: compiled.document,
            report,
            problems: checked.problems,
            typst_warnings: compiled.warnings,
            findings,
            date: checked.date,
            exported,
            recorded,
            pointers: found,
        })
    }

    /// The key of a remembered copyfit plan: the data, the layouts, the
    /// theme, the fonts and the options that change how pages fill.
    fn plan_key(&self, json: &[u8], theme: &std::path::Path) -> String {
        let config = &self.config;
        copyfit::key(
            json,
            &[&config.root.layout(), theme],
            &config.root.fonts(),
            &format!("{} {} {}", config.profile.name(), config.marks, config.system_fonts),
        )
    }
}

/// What `CSR_PRESS_SEARCH` asks a build to do, for measuring (README
/// "Benchmarks"; a remembered plan gives the searched PDF with any of them,
/// `tests/features/speed.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Measured {
    /// `alone`: a search from the start settles the parts alone first.
    Alone,
    /// `known`, on a build whose plan is remembered: that plan composed
    /// once, as a search that found it without laying the report out
    /// would. Like `twice`, without the pages and index sizings remembered
    /// beside the plan (a search from the start has none), and not
    /// exporting beside the preflight (a search cannot know which
    /// composition is its last). BENCHMARKS.md, session 13.
    Known,
    /// `twice`, on a build whose plan is remembered: the default plan
    /// composed and inspected, then the remembered one, as a search that
    /// looks at the pages once and then knows the whole plan would.
    Twice,
}

impl Measured {
    /// What `CSR_PRESS_SEARCH` asks for, if anything.
    fn asked() -> Option<Self> {
        match std::env::var_os("CSR_PRESS_SEARCH")?.to_str()? {
            "alone" => Some(Self::Alone),
            "known" => Some(Self::Known),
            "twice" => Some(Self::Twice),
            _ => None,
        }
    }
}
