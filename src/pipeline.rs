//! The pipeline: load → validate → resolve → compile → post-process → write.
//!
//! A [`Session`] keeps the Typst world (and with it comemo's caches) alive
//! between builds, so `watch` recompiles incrementally; `build` uses one
//! session for one run.

use std::path::Path;
use std::time::{Duration, Instant};

use typst::foundations::Datetime;
use typst_layout::PagedDocument;

use crate::compile::{compile, export_pdf};
use crate::config::Config;
use crate::config::Profile;
use crate::copyfit::{self, Plan};
use crate::diag::{DiagnosticFormat, Problems};
use crate::fonts::load_fonts;
use crate::images::ImageCache;
use crate::inspect::{Options as InspectOptions, inspect, problems as inspect_problems};
use crate::load::load;
use crate::postprocess::{Job, finish_print};
use crate::resolve::resolve;
use crate::source::Report;
use crate::theme::{Theme, check_report};
use crate::validate::validate;
use crate::world::PressWorld;
use crate::world::{DATA_PATH, project_file};
use crate::write::until_merge::write_atomic;
use typst::foundations::Bytes;

/// Minimum resolution of print images at their placed size.
pub const PRINT_PPI: f64 = 300.0;

/// Bleed of the print profile on every side, in millimetres.
pub const BLEED_MM: f32 = 3.0;

/// Why a build failed.
#[derive(Debug)]
pub enum Failure {
    /// The data is wrong: located problems.
    Data(Problems),
    /// Typst reported errors: rendered diagnostics.
    Layout(String),
    /// The world could not be set up, or the output not written.
    Setup(String),
}

impl Failure {
    /// The failure as text for the terminal.
    pub fn render(&self, format: DiagnosticFormat) -> String {
        match self {
            Failure::Data(problems) => problems.render(format),
            Failure::Layout(text) => text.clone(),
            Failure::Setup(text) => format!("error: {text}\n"),
        }
    }
}

/// What a successful build produced.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Number of pages.
    pub pages: usize,
    /// PDF size in bytes.
    pub bytes: usize,
    /// Wall time of the build.
    pub duration: Duration,
    /// Rendered warnings (data and Typst).
    pub warnings: String,
    /// Wall time of each stage, in order.
    pub stages: Vec<(&'static str, Duration)>,
    /// What changed since the last build of this output (`None` on the first).
    pub changes: Option<crate::changes::Changes>,
}

impl Outcome {
    /// The one-line summary printed after a build.
    pub fn summary(&self, output: &Path) -> String {
        let mut line = format!(
            "built {} ({} pages, {:.1} MB) in {} ms",
            output.display(),
            self.pages,
            self.bytes as f64 / 1_048_576.0,
            self.duration.as_millis()
        );
        // CSR_PRESS_TIMINGS=1 adds the time of each stage, for profiling.
        if std::env::var_os("CSR_PRESS_TIMINGS").is_some() {
            let stages: Vec<String> = self.stages.iter().map(|(n, d)| format!("{n} {} ms", d.as_millis())).collect();
            line.push_str(&format!(" [{}]", stages.join(", ")));
        }
        if let Some(changes) = &self.changes {
            line.push('\n');
            line.push_str(changes.render().trim_end());
        }
        line
    }
}

/// A composed report: the pages and everything said about them.
pub struct Composed {
    /// The laid-out pages.
    pub document: PagedDocument,
    /// The data they were made from.
    pub report: Report,
    /// Data warnings.
    pub problems: Problems,
    /// Rendered Typst warnings.
    pub typst_warnings: String,
    /// Layout preflight findings (warnings, or errors when strict).
    pub findings: Problems,
}

/// A live pipeline: the world and the image cache survive between builds.
pub struct Session {
    /// The configuration.
    pub config: Config,
    world: PressWorld,
    images: ImageCache,
    date: Datetime,
    stages: Vec<(&'static str, Duration)>,
    /// The layout data of the last composition, copyfit settings included.
    composed_json: Option<Vec<u8>>,
    /// The copyfit plan of the last composition (in `watch`, where the next
    /// search starts when the inputs are new).
    last_plan: Option<Plan>,
}

impl Session {
    /// Sets up fonts and the world. The document date is read from the
    /// manifest when the first build loads it.
    pub fn new(config: Config) -> Result<Self, Failure> {
        let (fonts, _) = load_fonts(&config.root, config.system_fonts).map_err(Failure::Setup)?;
        let date = Datetime::from_ymd(2000, 1, 1).ok_or_else(|| Failure::Setup("bad default date".into()))?;
        let mut inputs = vec![("profile", config.profile.name().to_owned()), ("marks", config.marks.to_string())];
        // Proofs carry the day they were built; print and screen PDFs stay
        // byte-reproducible because nothing else reads the clock.
        if config.profile == Profile::Proof {
            inputs.push(("build-date", today_utc()));
        }
        let world = PressWorld::new(&config.root, fonts, &inputs, date).map_err(|e| {
            Failure::Setup(format!("cannot use root {} ({})", config.root.display(), crate::paths::io_reason(&e)))
        })?;
        // One cache folder under the root, never beside an arbitrary -o path.
        let cache = Some(config.root.join(crate::images::CACHE_DIR));
        Ok(Self {
            config,
            world,
            images: ImageCache::new(cache),
            date,
            stages: Vec::new(),
            composed_json: None,
            last_plan: None,
        })
    }

    /// Loads and validates the data and finds its theme; returns the
    /// report, the theme and the warnings.
    pub fn load(&self) -> Result<(Report, Theme, Problems), Failure> {
        let report = load(&self.config.manifest).map_err(Failure::Data)?;
        let mut problems = validate(&report);
        let theme = check_report(&report, &self.config.root, &mut problems);
        match theme {
            Some(theme) if !problems.has_errors() => Ok((report, theme, problems)),
            _ => Err(Failure::Data(problems)),
        }
    }

    /// Runs the pipeline up to the laid-out document, without writing.
    pub fn layout(&mut self) -> Result<(PagedDocument, Report, String), Failure> {
        let composed = self.compose()?;
        let format = self.config.format;
        let warnings = format!(
            "{}{}{}",
            composed.problems.render(format),
            composed.typst_warnings,
            composed.findings.render(format)
        );
        Ok((composed.document, composed.report, warnings))
    }

    /// Loads, validates, resolves, lays out and inspects the pages.
    ///
    /// Fails on data or layout errors, and on preflight findings when the
    /// configuration is strict.
    pub fn compose(&mut self) -> Result<Composed, Failure> {
        self.stages.clear();
        self.composed_json = None;
        let mut lap = Instant::now();
        let (report, theme, mut problems) = self.load()?;
        self.world.set_theme_dir(&theme.dir).map_err(|e| {
            Failure::Setup(format!("cannot read theme {} ({})", theme.dir.display(), crate::paths::io_reason(&e)))
        })?;
        self.stages.push(("load+validate", lap.elapsed()));
        lap = Instant::now();
        let resolved = resolve(&report, self.config.profile, &mut self.images).map_err(Failure::Data)?;
        self.stages.push(("resolve", lap.elapsed()));
        if resolved.omitted > 0 {
            let file = &report.manifest.file;
            let n = resolved.omitted;
            problems.push(file.problem(
                crate::diag::Severity::Note,
                file.find(0..file.text.len(), "missing_images"),
                format!(
                    "{n} figure{} without an image left out of this PDF ([print] missing_images = \"omit\"); the proof shows where they go",
                    if n == 1 { "" } else { "s" }
                ),
            ));
        }
        lap = Instant::now();
        let date = parse_date(&report.manifest.data.meta.date).ok_or_else(|| {
            let file = &report.manifest.file;
            let span = file.find(0..file.text.len(), &report.manifest.data.meta.date);
            Failure::Data(Problems(vec![file.problem(
                crate::diag::Severity::Error,
                span,
                "meta.date must be a date written YYYY-MM-DD",
            )]))
        })?;
        if date != self.date {
            self.world.set_today(date);
            self.date = date;
        }
        let mut files = resolved.files;
        let mut json: serde_json::Value = serde_json::from_slice(&resolved.json)
            .map_err(|e| Failure::Setup(format!("cannot read the resolved data ({e})")))?;
        let kinds: Vec<&str> = report.parts.iter().map(|p| p.data.kind.name()).collect();
        // A plan found before for exactly these inputs is where the search
        // starts (and, unchanged, ends): one composition instead of several.
        // In the one cache folder under the root, never beside the output.
        let cache = Some(self.config.root.join("out/.cache/copyfit"));
        let key = copyfit::key(
            &resolved.json,
            &[&self.config.root.join("layout"), &theme.dir],
            &self.config.root.join("fonts"),
            &format!("{} {} {}", self.config.profile.name(), self.config.marks, self.config.system_fonts),
        );
        let remembered = cache.as_deref().and_then(|dir| copyfit::recall(dir, &key, report.parts.len()));
        // In a live session (watch), new inputs start from the last plan: an
        // edit seldom changes how the other parts fit, so one composition
        // usually confirms it. What it gave up on stays given up on until a
        // build from the start. Such a plan is not remembered: the cache
        // keeps only searches from the start, the plans a clean build finds.
        let carried = match (&remembered, &self.last_plan) {
            (None, Some(last)) if last.parts.len() == report.parts.len() => Some(last.clone()),
            _ => None,
        };
        let mut plan = remembered.clone().or_else(|| carried.clone()).unwrap_or_else(|| Plan::new(report.parts.len()));
        // Print post-processing converts every RGB image to CMYK (src/postprocess).
        let options = InspectOptions { profile: self.config.profile, min_ppi: PRINT_PPI, images_converted: true };
        // Compose, inspect, and copyfit parts that end on a near-empty page.
        let (compiled, inspection) = loop {
            plan.apply(&mut json);
            let bytes =
                serde_json::to_vec(&json).map_err(|e| Failure::Setup(format!("cannot write the data ({e})")))?;
            files.insert(project_file(DATA_PATH), Bytes::new(bytes.clone()));
            self.composed_json = Some(bytes);
            self.world.set_virtual_files(files.clone());
            let compiled = compile(&self.world, self.config.format).map_err(Failure::Layout)?;
            self.stages.push(("compile", lap.elapsed()));
            lap = Instant::now();
            let inspection = inspect(&compiled.document, options, report.parts.len());
            self.stages.push(("inspect", lap.elapsed()));
            lap = Instant::now();
            if !plan.advance(&inspection.findings, &inspection.part_starts, &kinds) {
                break (compiled, inspection);
            }
        };
        if let Some(dir) = cache.as_deref()
            && carried.is_none()
            && remembered.as_ref() != Some(&plan)
        {
            copyfit::remember(dir, &key, &plan);
        }
        self.last_plan = Some(plan);
        let findings = inspect_problems(&inspection.findings, &report, &report.manifest.file.shown, self.config.strict);
        if findings.has_errors() {
            return Err(Failure::Data(findings));
        }
        Ok(Composed { document: compiled.document, report, problems, typst_warnings: compiled.warnings, findings })
    }

    /// Builds, then writes the data to `emit` (`--emit-data`) when given:
    /// after the build, so that it is this build's data as composed (with
    /// its copyfit settings), and written even when the build failed.
    pub fn build_emitting(&mut self, emit: Option<&Path>) -> Result<Outcome, Failure> {
        let built = self.build();
        let emitted = emit.map_or(Ok(()), |path| emit_data(self, path));
        let outcome = built?;
        emitted.map(|()| outcome)
    }

    /// Builds the PDF and writes it atomically to the configured output.
    pub fn build(&mut self) -> Result<Outcome, Failure> {
        let start = Instant::now();
        let (document, report, mut warnings) = self.layout()?;
        let meta = &report.manifest.data.meta;
        let mut lap = Instant::now();
        let mut pdf = export_pdf(
            &self.world,
            &document,
            &meta.title,
            self.date,
            self.config.profile == Profile::Screen,
            self.config.format,
        )
        .map_err(Failure::Layout)?;
        self.stages.push(("pdf", lap.elapsed()));
        lap = Instant::now();
        if self.config.profile == Profile::Print {
            let c = &self.config;
            let job = Job { report: &report, options: &c.print, root: &c.root, output: &c.output, bleed_mm: BLEED_MM };
            let finished = finish_print(&pdf, &job).map_err(Failure::Data)?;
            pdf = finished.pdf;
            warnings.push_str(&finished.problems.render(c.format));
            self.stages.extend(finished.stages);
            lap = Instant::now();
        }
        write_atomic(&self.config.output, &pdf).map_err(Failure::Setup)?;
        self.stages.push(("write", lap.elapsed()));
        lap = Instant::now();
        let changes = crate::changes::record(&document, &report, &self.config.root, &self.config.output)
            .unwrap_or_else(|e| Some(crate::changes::Changes::unrecorded(e)));
        self.stages.push(("changes", lap.elapsed()));
        Ok(Outcome {
            pages: document.pages().len(),
            bytes: pdf.len(),
            duration: start.elapsed(),
            warnings,
            stages: self.stages.clone(),
            changes,
        })
    }

    /// Drops memoised results older than `max_age` compilations.
    pub fn evict(&self, max_age: usize) {
        comemo::evict(max_age);
    }
}

/// Writes the JSON the layouts read, for using them with the Typst CLI.
///
/// After a composition this is the data as composed, copyfit settings
/// included, so plain Typst lays out the same pages; before one (or when
/// composing failed) it is the data as resolved.
pub fn emit_data(session: &mut Session, path: &Path) -> Result<(), Failure> {
    if let Some(json) = &session.composed_json {
        return write_atomic(path, json).map_err(Failure::Setup);
    }
    let (report, _, _) = session.load()?;
    let resolved = resolve(&report, session.config.profile, &mut session.images).map_err(Failure::Data)?;
    write_atomic(path, &resolved.json).map_err(Failure::Setup)
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today_utc() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<Datetime> {
    let mut it = text.splitn(3, '-');
    let year = it.next()?.parse().ok()?;
    let month = it.next()?.parse().ok()?;
    let day = it.next()?.parse().ok()?;
    Datetime::from_ymd(year, month, day)
}

#[cfg(test)]
mod tests {
    use super::{parse_date, today_utc};

    #[test]
    fn today_is_a_valid_date() {
        let today = today_utc();
        assert!(parse_date(&today).is_some(), "{today}");
        assert!(today.as_str() > "2024-01-01");
    }
}
