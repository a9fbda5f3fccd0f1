//! A live pipeline: the world and the image cache survive between builds.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use typst::foundations::{Bytes, Datetime};
use typst::syntax::FileId;
use typst_kit::fonts::FontStore;

use super::date::{default_date, today_utc};
use super::{BLEED_MM, BuildError, Checked, Composed, Finished, LoadedReport, Rejected, Resolved};
use crate::compile::export_pdf;
use crate::config::{Config, Profile};
use crate::copyfit::Plan;
use crate::diag::Severity;
use crate::fonts::{families_for, load_fonts};
use crate::images::ImageCache;
use crate::paths::Cache;
use crate::postprocess::pages::PageCache;
use crate::postprocess::{Job, finish_print};
use crate::resolve::resolve;
use crate::world::PressWorld;
use crate::write::write_atomic;
use typst::text::FontInfo;

/// A live pipeline: the world and the image cache survive between builds.
pub struct Session {
    /// The configuration.
    pub config: Config,
    pub(super) world: PressWorld,
    images: ImageCache,
    pub(super) date: Datetime,
    /// When the build under way started.
    started: Instant,
    pub(super) stages: Vec<(&'static str, Duration)>,
    /// The layout data of the build under way: as resolved, then as last
    /// composed (copyfit settings included).
    pub(super) last_json: Option<Vec<u8>>,
    /// The copyfit plan of the last composition (in `watch`, where the next
    /// search starts when the inputs are new).
    pub(super) last_plan: Option<Plan>,
    /// The index pointers of the last composition (in `watch`, given to
    /// the next composition with the last plan).
    pub(super) last_pointers: Option<crate::inspect::Pointers>,
    /// The layout data of the last composition (in `watch`, where the
    /// last plan's data places are carried to the edited data).
    pub(super) last_data: Option<serde_json::Value>,
    /// What the fonts cover, when this session loaded them: a character of
    /// the data that none covers is reported by the build (it would print
    /// as a box). `check` reports it from its own data checks instead.
    pub(super) font_infos: Vec<FontInfo>,
    /// Pages the print finishing did before (in `watch`, see
    /// [`Session::remember_pages`]).
    pages: Option<PageCache>,
}

impl Session {
    /// Loads the fonts and sets up the world. The document date is read
    /// from the manifest when the first build checks it.
    pub fn new(config: Config) -> Result<Self, BuildError> {
        let (fonts, infos) = load_fonts(&config.root, config.system_fonts, config.font_loading)?;
        Ok(Self { font_infos: infos, ..Self::with_fonts(config, fonts)? })
    }

    /// Sets up the world with fonts already loaded.
    pub fn with_fonts(config: Config, fonts: FontStore) -> Result<Self, BuildError> {
        let mut inputs = vec![("profile", config.profile.name().to_owned()), ("marks", config.marks.to_string())];
        // Proofs carry the day they were built; print and screen PDFs stay
        // byte-reproducible because nothing else reads the clock.
        if config.profile == Profile::Proof {
            inputs.push(("build-date", today_utc()));
        }
        let date = default_date();
        let root = config.root.dir();
        let world = PressWorld::new(root, fonts, &inputs, date)
            .map_err(|e| BuildError::Root { root: root.to_path_buf(), reason: crate::paths::io_reason(&e) })?;
        // One cache folder under the root, never beside an arbitrary -o path.
        let images = ImageCache::new(config.writes_caches.then(|| config.root.cache(Cache::Images)));
        Ok(Self {
            config,
            world,
            images,
            date,
            started: Instant::now(),
            stages: Vec::new(),
            last_json: None,
            last_plan: None,
            last_pointers: None,
            last_data: None,
            font_infos: Vec::new(),
            pages: None,
        })
    }

    /// Remembers the pages the print finishing did, so that the next build
    /// of this session walks only the pages that changed (`watch`). The
    /// PDF is the same as without.
    pub fn remember_pages(&mut self) {
        self.pages.get_or_insert_with(PageCache::new);
    }

    /// Pages found again and pages walked by the last build's print
    /// finishing, when the session remembers pages.
    pub fn pages_kept(&self) -> Option<(usize, usize)> {
        self.pages.as_ref().map(|p| p.last)
    }

    /// Points the session at another output (the next edition's PDF); the
    /// fonts and caches stay.
    pub fn set_output(&mut self, output: PathBuf) {
        self.config.output = output;
    }

    /// Step 1: reads the configured report ([`LoadedReport::read`]), made
    /// into the configured edition when there is one.
    pub fn load(&self) -> Result<LoadedReport, BuildError> {
        self.edition_of(LoadedReport::read(&self.config.manifest)?)
    }

    /// The loaded report made into the configured edition (unchanged when
    /// none is configured).
    pub fn edition_of(&self, loaded: LoadedReport) -> Result<LoadedReport, BuildError> {
        let Some(tag) = &self.config.edition else { return Ok(loaded) };
        let editions = loaded.editions()?;
        let edition = crate::edition::select(loaded.report(), &editions, tag)?;
        Ok(loaded.edition(&edition)?)
    }

    /// Step 2 ([`LoadedReport::check`]). Starts a build: the stage timings and the data of the last build
    /// are forgotten.
    pub fn check(&mut self, loaded: LoadedReport) -> Result<Checked, Rejected> {
        self.started = loaded.started;
        self.stages.clear();
        self.stages.push(("load", loaded.took));
        self.last_json = None;
        let lap = Instant::now();
        let checked = loaded.check(&self.config.root)?;
        self.stages.push(("validate", lap.elapsed()));
        Ok(checked)
    }

    /// Step 3: turns the checked data into what the layouts read.
    pub fn resolve(&mut self, mut checked: Checked) -> Result<Resolved, BuildError> {
        let lap = Instant::now();
        let resolved = resolve(&checked.report, self.config.profile, &mut self.images)?;
        self.stages.push(("resolve", lap.elapsed()));
        if resolved.omitted > 0 {
            let file = &checked.report.manifest.file;
            let n = resolved.omitted;
            checked.problems.push(file.problem(
                Severity::Note,
                file.find(0..file.text.len(), "missing_images"),
                format!(
                    "{n} figure{} without an image left out of this PDF ([print] missing_images = \"omit\"); the proof shows where they go",
                    if n == 1 { "" } else { "s" }
                ),
            ));
        }
        // Cache entries that were found wrong and prepared anew.
        checked.problems.0.extend(resolved.notes.0);
        let (json, files) = self.edition_files(&checked, resolved.json, resolved.files)?;
        self.last_json = Some(json.clone());
        Ok(Resolved { checked, json, files })
    }

    /// The edition's part of the data: the font families its language sets
    /// text in (checked against the fonts) go into the JSON, and the theme
    /// file with the edition's labels joins the virtual files.
    fn edition_files(
        &self,
        checked: &Checked,
        json: Vec<u8>,
        mut files: HashMap<FileId, Bytes>,
    ) -> Result<(Vec<u8>, HashMap<FileId, Bytes>), BuildError> {
        let language = &checked.report.manifest.data.meta.language;
        let book = typst::World::book(&self.world);
        let names: Vec<&str> = book.families().map(|(name, _)| name).collect();
        let families = families_for(language, names.iter().copied(), &self.config.root.fonts())?;
        let mut value: serde_json::Value = serde_json::from_slice(&json).map_err(BuildError::ResolvedData)?;
        value["fonts"] = serde_json::to_value(&families).map_err(BuildError::ResolvedData)?;
        let json = serde_json::to_vec(&value).map_err(BuildError::ResolvedData)?;
        if let Some(labels) = &checked.labels
            && let Some(theme) = labels.theme_toml(&checked.theme.dir)?
        {
            let path = format!("/{}{}", crate::world::THEME_MOUNT, crate::edition::labels::THEME_FILE);
            files.insert(crate::virtual_files::project_file(&path), Bytes::new(theme.into_bytes()));
        }
        Ok((json, files))
    }

    // Step 4, `compose`, is in `compose.rs`.

    /// Step 5: exports the PDF, finishes it for print (print profile),
    /// writes it atomically to the configured output and records what
    /// changed since the last build.
    pub fn finish(&mut self, composed: Composed) -> Result<Finished, BuildError> {
        let mut diagnostics = composed.diagnostics();
        let Composed { document, report, date, exported, recorded, pointers, .. } = composed;
        // The change record reads the frames, the export and the finishing
        // the PDF: the record, unless the compose step read it beside its
        // export, runs on a thread of its own beside them.
        let (pdf, changes) = match recorded {
            Some(recorded) => (self.export_and_finish(&document, &report, date, exported, &mut diagnostics), recorded),
            None => std::thread::scope(|s| {
                let (document, report, pointers) = (&document, &report, &pointers);
                let record = s.spawn(move || {
                    let lap = Instant::now();
                    (crate::changes::Recorded::read(document, report, pointers), lap.elapsed())
                });
                let pdf = self.export_and_finish(document, report, date, exported, &mut diagnostics);
                (pdf, record.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            }),
        };
        let pdf = pdf?;
        let (recorded, took) = changes;
        let lap = Instant::now();
        let changes = recorded
            .commit(&self.config.root, &self.config.output)
            .unwrap_or_else(|e| Some(crate::changes::Changes::unrecorded(e.to_string())));
        self.stages.push(("changes", took + lap.elapsed()));
        Ok(Finished {
            pages: document.pages().len(),
            bytes: pdf.len(),
            duration: self.started.elapsed(),
            diagnostics,
            stages: self.stages.clone(),
            changes,
            pages_kept: self.pages_kept().filter(|_| self.config.profile == Profile::Print),
        })
    }

    /// Exports the PDF (unless the compose step did), finishes it for print
    /// (print profile) and writes it.
    fn export_and_finish(
        &mut self,
        document: &typst_layout::PagedDocument,
        report: &crate::source::Report,
        date: Datetime,
        exported: Option<super::Exported>,
        diagnostics: &mut super::Diagnostics,
    ) -> Result<Vec<u8>, BuildError> {
        let (pdf, took) = exported.unwrap_or_else(|| self.export(document, report, date));
        let mut pdf = pdf?;
        self.stages.push(("pdf", took));
        let mut lap = Instant::now();
        if self.config.profile == Profile::Print {
            let c = &self.config;
            let job = Job { report, options: &c.print, root: &c.root, output: &c.output, bleed_mm: BLEED_MM };
            let finished = finish_print(&pdf, &job, self.pages.as_mut())?;
            pdf = finished.pdf;
            diagnostics.problems(finished.problems);
            self.stages.extend(finished.stages);
            lap = Instant::now();
        }
        write_atomic(&self.config.output, &pdf).map_err(BuildError::Write)?;
        self.stages.push(("write", lap.elapsed()));
        Ok(pdf)
    }

    /// The PDF of composed pages, and how long the export took.
    pub(super) fn export(
        &self,
        document: &typst_layout::PagedDocument,
        report: &crate::source::Report,
        date: Datetime,
    ) -> super::Exported {
        let lap = Instant::now();
        let screen = self.config.profile == Profile::Screen;
        let title = &report.manifest.data.meta.title;
        (export_pdf(&self.world, document, title, date, screen, self.config.format), lap.elapsed())
    }

    /// Steps 2 to 5 on a loaded report.
    pub fn build(&mut self, loaded: LoadedReport) -> Result<Finished, BuildError> {
        let checked = self.check(loaded)?;
        let resolved = self.resolve(checked)?;
        let composed = self.compose_with(resolved, true)?;
        self.finish(composed)
    }

    /// Builds, then writes the data to `emit` (`--emit-data`) when given:
    /// after the build, so that it is this build's data as composed (with
    /// its copyfit settings), and written even when the build failed.
    pub fn build_emitting(&mut self, loaded: LoadedReport, emit: Option<&Path>) -> Result<Finished, BuildError> {
        let built = self.build(loaded);
        let emitted = emit.map_or(Ok(()), |path| self.write_data(path));
        let finished = built?;
        emitted.map(|()| finished)
    }

    /// Steps 2 to 4 on a loaded report: the laid-out pages, without
    /// writing anything.
    pub fn compose_report(&mut self, loaded: LoadedReport) -> Result<Composed, BuildError> {
        let checked = self.check(loaded)?;
        let resolved = self.resolve(checked)?;
        self.compose(resolved)
    }

    /// Steps 1 to 4 on the configured report: the laid-out pages, without
    /// writing anything.
    pub fn layout(&mut self) -> Result<Composed, BuildError> {
        let loaded = self.load()?;
        self.compose_report(loaded)
    }

    /// Writes the JSON the layouts read, for using them with the Typst CLI.
    ///
    /// After a composition this is the data as composed, copyfit settings
    /// included, so plain Typst lays out the same pages; when composing
    /// failed it is the data as resolved. Before the data was resolved
    /// there is nothing to write.
    pub fn write_data(&self, path: &Path) -> Result<(), BuildError> {
        match &self.last_json {
            Some(json) => write_atomic(path, json).map_err(BuildError::Write),
            None => Ok(()),
        }
    }

    /// Drops memoised results older than `max_age` compilations.
    pub fn evict(&self, max_age: usize) {
        comemo::evict(max_age);
    }
}

impl From<Rejected> for BuildError {
    fn from(rejected: Rejected) -> Self {
        BuildError::Data(rejected.problems)
    }
}
