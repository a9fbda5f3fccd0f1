//! Bounds on what csr-press cannot check up front (issue 24): theme code
//! that never ends, and remembered plans that ask for the impossible.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::readers::Case;
use crate::support::{copy_dir, repo};

#[test]
fn a_runaway_loop_in_theme_code_is_stopped_by_the_time_limit() {
    // 10¹⁰ iterations in the theme's cover: Typst cannot be stopped from
    // inside, so the command as a whole is bounded (`--time-limit`).
    let c = Case::new();
    copy_dir(&repo().join("themes/house"), &c.path("themes/house"));
    let cover = std::fs::read_to_string(c.path("themes/house/theme.typ")).unwrap();
    let spin = "#let spin = { let n = 0; for i in range(100000) { for j in range(100000) { n += 1 } }; n }\n";
    std::fs::write(c.path("themes/house/theme.typ"), format!("{spin}{cover}")).unwrap();
    let started = Instant::now();
    let out = c.path("out/report.pdf");
    c.run(&["build", c.path("report.toml").to_str().unwrap(), "-o", out.to_str().unwrap(), "--time-limit", "3"])
        .expect(1, &["stopped after 3 s (--time-limit)", "loop"]);
    assert!(started.elapsed() < Duration::from_secs(30), "ended soon after the limit: {:?}", started.elapsed());
    assert!(!out.exists(), "no PDF was written");
}

/// A report built once from an empty plan cache, for a test that plants
/// damage into what that build remembered and builds again.
struct Remembered {
    root: tempfile::TempDir,
    case: Case,
    pdf: PathBuf,
    /// The PDF of the first build (a fresh search).
    fresh: Vec<u8>,
}

impl Remembered {
    fn build() -> Self {
        let root = crate::support::case::root_copy();
        let case = Case::new();
        let pdf = case.path("out/report.pdf");
        let remembered = Remembered { root, case, pdf, fresh: Vec::new() };
        remembered.rebuild();
        Remembered { fresh: std::fs::read(&remembered.pdf).unwrap(), ..remembered }
    }

    fn rebuild(&self) {
        let manifest = self.case.path("report.toml");
        let args = ["build", manifest.to_str().unwrap(), "-o", self.pdf.to_str().unwrap()];
        self.case.run_in(self.root.path(), &args).expect(0, &[]);
    }

    /// The remembered files whose names `wanted` takes.
    fn cache_files(&self, wanted: impl Fn(&str) -> bool) -> Vec<PathBuf> {
        let plans = self.root.path().join("out/.cache/copyfit");
        let files = std::fs::read_dir(plans).unwrap().map(|e| e.unwrap().path());
        files.filter(|p| wanted(&p.to_string_lossy())).collect()
    }

    /// Builds again and asserts the PDF is the fresh search's.
    fn assert_rebuilds_fresh(&self, what: &str) {
        self.rebuild();
        assert!(std::fs::read(&self.pdf).unwrap() == self.fresh, "{what} changed the PDF");
    }
}

#[test]
fn a_remembered_plan_out_of_range_is_ignored() {
    // A copyfit plan asking for a column 1e300 pt tall (the layout once
    // tried to allocate for it): range-checked on reading, ignored, and the
    // PDF is the one a fresh search gives.
    let built = Remembered::build();
    let mut planted = 0;
    // Beside each plan, the index pages and sizings it was composed with
    // (speed.rs checks those; the sizings below).
    for path in built.cache_files(|name| !name.ends_with(".pages.json") && !name.ends_with(".sizing.json")) {
        let mut plan: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        for height in plan["balanced"].as_array_mut().unwrap() {
            *height = serde_json::json!(1e300);
            planted += 1;
        }
        std::fs::write(&path, plan.to_string()).unwrap();
    }
    assert!(planted > 0, "no remembered plan to plant into");
    built.assert_rebuilds_fresh("the planted plan");
}

#[test]
fn a_remembered_index_sizing_out_of_range_or_damaged_is_ignored() {
    // An index sizing remembered beside the plan asking for a page column
    // 1e300 pt wide, then one that is no JSON: each is range-checked or
    // refused on reading, ignored, and the PDF is the one a fresh search
    // gives.
    let built = Remembered::build();
    let sizings = built.cache_files(|name| name.ends_with(".sizing.json"));
    assert!(!sizings.is_empty(), "no remembered index sizing to plant into");
    for path in &sizings {
        let mut sizing: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        for index in sizing.as_object_mut().unwrap().values_mut() {
            index["col"] = serde_json::json!(1e300);
        }
        std::fs::write(path, sizing.to_string()).unwrap();
    }
    built.assert_rebuilds_fresh("the planted sizing");
    for path in &sizings {
        std::fs::write(path, b"{\"GRI\": [").unwrap();
    }
    built.assert_rebuilds_fresh("the damaged sizing");
}
