//! The steps of a build as types. Each is made only by the step before it
//! (their fields are private to the pipeline), so a composition always
//! comes from checked data, and checked data from a loaded report.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use typst::foundations::{Bytes, Datetime};
use typst::syntax::FileId;
use typst_layout::PagedDocument;

use super::Diagnostics;
use super::date::parse_date;
use crate::changes::Changes;
use crate::diag::{Problems, Severity};
use crate::edition::labels::LabelText;
use crate::edition::{Edition, TextSource};
use crate::paths::Root;
use crate::source::Report;
use crate::theme::Theme;
use crate::theme::check_report;
use crate::validate::validate;

/// A report read from disk, not yet checked.
#[derive(Debug, Clone)]
pub struct LoadedReport {
    pub(super) report: Report,
    /// When reading it started (a build's time counts from here).
    pub(super) started: Instant,
    /// How long reading it took.
    pub(super) took: Duration,
    /// How the theme's labels follow the edition (`None`: as they are).
    pub(super) labels: Option<LabelText>,
    /// What making the edition found (warnings).
    pub(super) warnings: Problems,
}

impl LoadedReport {
    /// Step 1: reads the report of `manifest` (and the spreadsheets it
    /// names). Fails with the problems found.
    pub fn read(manifest: &Path) -> Result<Self, Problems> {
        let started = Instant::now();
        let report = crate::load::load(manifest)?;
        Ok(LoadedReport { report, started, took: started.elapsed(), labels: None, warnings: Problems::default() })
    }

    /// Step 1b: makes the report into `edition` (its text converted or
    /// translated, its KPI values the loaded ones). Fails with the problems
    /// found in the editions' files.
    pub fn edition(self, edition: &Edition) -> Result<Self, Problems> {
        if edition.text == TextSource::Data {
            return Ok(self);
        }
        let lap = Instant::now();
        let edited = crate::edition::apply(&self.report, edition)?;
        // The edition's build time counts from here: with --all-editions
        // each PDF reports its own time, not the run's.
        Ok(LoadedReport {
            report: edited.report,
            started: lap,
            took: lap.elapsed(),
            labels: Some(edited.labels),
            warnings: edited.problems,
        })
    }

    /// The report's editions (one, when the manifest lists none).
    pub fn editions(&self) -> Result<Vec<Edition>, Problems> {
        crate::edition::editions(&self.report)
    }

    /// The report as read.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// Step 2: validates the report, finds its theme and checks the report
    /// against it, and reads its date. Fails with everything found when
    /// anything is an error.
    pub fn check(self, root: &Root) -> Result<Checked, Rejected> {
        let report = self.report;
        let mut problems = validate(&report);
        problems.0.extend(self.warnings.0);
        let labels = self.labels;
        let theme = check_report(&report, root.dir(), &mut problems);
        let Some(theme) = theme.filter(|_| !problems.has_errors()) else {
            return Err(Rejected { report: Box::new(report), problems });
        };
        let Some(date) = parse_date(&report.manifest.data.meta.date) else {
            let file = &report.manifest.file;
            let span = file.find(0..file.text.len(), &report.manifest.data.meta.date);
            problems.push(file.problem(Severity::Error, span, "meta.date must be a date written YYYY-MM-DD"));
            return Err(Rejected { report: Box::new(report), problems });
        };
        Ok(Checked { report, theme, date, problems, labels })
    }
}

/// A report that passed validation and the theme check.
#[derive(Debug)]
pub struct Checked {
    pub(super) report: Report,
    pub(super) theme: Theme,
    pub(super) date: Datetime,
    /// Warnings found so far (commands may add their own checks' findings).
    pub problems: Problems,
    /// How the theme's labels follow the edition.
    pub(super) labels: Option<LabelText>,
}

impl Checked {
    /// The checked report.
    pub fn report(&self) -> &Report {
        &self.report
    }
}

/// A report that failed validation or the theme check: the report and
/// everything found (errors among them).
#[derive(Debug)]
pub struct Rejected {
    /// The report as read (boxed: a rejection is passed up as an error).
    pub report: Box<Report>,
    /// What was found.
    pub problems: Problems,
}

/// Checked data turned into what the layouts read.
pub struct Resolved {
    pub(super) checked: Checked,
    /// The layout data as JSON.
    pub(super) json: Vec<u8>,
    /// The virtual files (data and prepared images).
    pub(super) files: HashMap<FileId, Bytes>,
}

/// A composed report: the pages and everything said about them.
pub struct Composed {
    /// The laid-out pages.
    pub document: PagedDocument,
    /// The data they were made from.
    pub report: Report,
    /// Data warnings and notes.
    pub problems: Problems,
    /// Rendered Typst warnings.
    pub typst_warnings: String,
    /// Layout preflight findings (warnings, or errors when strict).
    pub findings: Problems,
    /// The pages each disclosure tag spans on these pages (read once, by
    /// the compose step; the change record takes them from here).
    pub pointers: crate::inspect::Pointers,
    /// The report's date, the PDF's (private: only the compose step makes
    /// a `Composed`, so `finish` always writes pages of checked data).
    pub(super) date: Datetime,
    /// The PDF exported beside the last preflight, when the composition
    /// was expected to be the last (see `Session::compose_with`).
    pub(super) exported: Option<super::Exported>,
    /// The change record read beside that export, and how long it took.
    pub(super) recorded: Option<(crate::changes::Recorded, std::time::Duration)>,
}

impl Composed {
    /// Everything said, in order: data, Typst, layout findings.
    pub fn diagnostics(&self) -> Diagnostics {
        let mut said = Diagnostics::default();
        said.problems(self.problems.clone());
        said.typst(self.typst_warnings.clone());
        said.problems(self.findings.clone());
        said
    }
}

/// A finished build: the PDF is written.
#[derive(Debug, Clone)]
pub struct Finished {
    /// Number of pages.
    pub pages: usize,
    /// PDF size in bytes.
    pub bytes: usize,
    /// Wall time of the build.
    pub duration: Duration,
    /// Everything said about the build (warnings and notes).
    pub diagnostics: Diagnostics,
    /// Wall time of each stage, in order.
    pub stages: Vec<(&'static str, Duration)>,
    /// What changed since the last build of this output (`None` on the first).
    pub changes: Option<Changes>,
    /// Pages the print finishing took from the session's cache and pages
    /// it walked (`watch`, print profile).
    pub pages_kept: Option<(usize, usize)>,
}

impl Finished {
    /// The one-line summary printed after a build (plus the change report).
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
            if let Some((kept, walked)) = self.pages_kept {
                line.push_str(&format!(" [ink: {kept} pages kept, {walked} walked]"));
            }
        }
        if let Some(changes) = &self.changes {
            line.push('\n');
            line.push_str(changes.render().trim_end());
        }
        line
    }
}
