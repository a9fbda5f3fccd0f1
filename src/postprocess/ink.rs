//! Ink preflight: judges what the content scan found.
//!
//! Warnings: a colour whose total area coverage passes the ink limit; rich
//! black on text, lines or small areas (it blurs when the plates
//! misregister); large areas of plain K (they print as a weak black).
//! Errors: whatever breaks the chosen PDF/X standard (RGB colour,
//! transparency, non-device colour in PDF/X-1a). Each finding points at the
//! `cmyk(…)`, `rgb(…)` or `transparentize(…)` in the layouts when one can be
//! found there.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::found::{Cmyk, Scan, Violation};
use super::raster::describe_pages;
use crate::config::Standard;
use crate::diag::{Problem, Problems, Severity};
use crate::paths::Root;

/// Plain-K areas at least this large (mm²) get the rich-black advice.
pub const LARGE_AREA_MM2: f64 = 4000.0;

/// The layout files, for locating colours: `.typ` files under `layout/`
/// and `themes/` of the root, and the themes' `theme.toml` palettes. They
/// are read when the first finding is located (most builds have none).
pub struct Layouts {
    dirs: [PathBuf; 2],
    files: std::sync::OnceLock<Vec<(PathBuf, String)>>,
}

impl Layouts {
    /// The layout files under `root`, read when first needed.
    pub fn read(root: &Root) -> Self {
        Self { dirs: [root.layout(), root.themes()], files: std::sync::OnceLock::new() }
    }

    fn files(&self) -> &[(PathBuf, String)] {
        self.files.get_or_init(|| {
            let mut files = Vec::new();
            for dir in &self.dirs {
                collect(dir, &mut files);
            }
            files.sort();
            files
        })
    }

    /// A problem at the first place `matches` accepts, or about the layout
    /// folder when there is none.
    fn problem(
        &self,
        severity: Severity,
        root: &Path,
        message: String,
        matches: impl Fn(&str) -> Option<usize>,
    ) -> Problem {
        for (path, text) in self.files() {
            if let Some(at) = matches(text) {
                let shown = path.strip_prefix(root).unwrap_or(path);
                return Problem::at(severity, shown, text, Some(at..at + 1), message);
            }
        }
        Problem::file(severity, Path::new(Root::LAYOUT), message)
    }
}

fn collect(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "typ" || e == "toml")
            && let Ok(text) = std::fs::read_to_string(&path)
        {
            out.push((path, text));
        }
    }
}

/// Turns the scan into problems.
pub fn judge(scan: &Scan, standard: Standard, ink_limit: f64, layouts: &Layouts, root: &Path) -> Problems {
    let mut problems = Problems::default();
    for (colour, usage) in &scan.colours {
        let on = describe_pages(&usage.pages);
        let name = name(colour);
        let total = colour.iter().map(|&v| f64::from(v)).sum::<f64>() / 10.0;
        let find = |text: &str| find_cmyk(text, colour);
        if total > ink_limit + 0.5 {
            problems.push(layouts.problem(
                Severity::Warning,
                root,
                format!(
                    "colour {name} has {total:.0} % total ink, over the {ink_limit:.0} % limit (on {on}); \
                     lower C, M or Y, or raise `[print] ink_limit` if the printer allows it"
                ),
                find,
            ));
        }
        let rich_black = colour[3] >= 900 && colour[..3].iter().any(|&v| v > 50);
        if rich_black && (usage.text || usage.fine) {
            let what = if usage.text { "text" } else { "lines or small shapes" };
            problems.push(layouts.problem(
                Severity::Warning,
                root,
                format!(
                    "rich black {name} colours {what} on {on}; fine detail in rich black blurs when the plates \
                     misregister: use 100 % K (cmyk(0%, 0%, 0%, 100%)) and keep rich black for large areas"
                ),
                find,
            ));
        }
        let plain_black = colour[3] >= 950 && colour[..3].iter().all(|&v| v == 0);
        if plain_black && usage.largest_mm2 >= LARGE_AREA_MM2 {
            problems.push(layouts.problem(
                Severity::Warning,
                root,
                format!(
                    "an area of {:.0} cm² on {on} is plain {name}, which prints as a weak black; use a rich black \
                     such as cmyk(40%, 30%, 30%, 100%) for large areas",
                    usage.largest_mm2 / 100.0
                ),
                find,
            ));
        }
    }
    for (violation, pages) in &scan.violations {
        // PDF/X-4 is made for live transparency.
        if !(standard == Standard::X4 && matches!(violation, Violation::Transparency(_))) {
            problems.push(violation_problem(violation, pages, standard, layouts, root));
        }
    }
    problems
}

/// Finds the offending literal in a layout file's text.
type Locator = fn(&str) -> Option<usize>;

fn violation_problem(
    violation: &Violation,
    pages: &BTreeSet<u32>,
    standard: Standard,
    layouts: &Layouts,
    root: &Path,
) -> Problem {
    let on = describe_pages(pages);
    let std = standard.name();
    let (breaks, what, advice, find): (bool, String, &str, Locator) = match violation {
        Violation::Rgb(what) => (
            standard == Standard::X1a || (standard == Standard::X4 && !what.starts_with("ICC")),
            format!("RGB colour ({what})"),
            "write the colour as cmyk(…) in the layouts",
            |text| ["rgb(", "color."].iter().filter_map(|n| text.find(n)).min(),
        ),
        Violation::Transparency(what) => (
            standard == Standard::X1a,
            format!("transparency ({what})"),
            "remove the transparency (transparentize, an alpha in rgb()/luma(), opacity) from the layouts, or \
             write PDF/X-4 with the printer's profile (`--pdfx x4 --icc FILE`)",
            find_alpha,
        ),
        Violation::NonDevice(what) => (
            standard == Standard::X1a,
            format!("non-device colour ({what})"),
            "write the colour as cmyk(…) in the layouts",
            |text| ["oklab(", "oklch(", "color."].iter().filter_map(|n| text.find(n)).min(),
        ),
    };
    let (severity, message) = if breaks {
        (Severity::Error, format!("{std} does not allow {what} on {on}; {advice}"))
    } else {
        (
            Severity::Warning,
            format!("the print PDF has {what} on {on}; the printer will convert it their own way: {advice}"),
        )
    };
    layouts.problem(severity, root, message, find)
}

/// The offset of a colour literal with an alpha component: `rgb(…)` with
/// four arguments, `luma(…)` with two, or `transparentize(`.
fn find_alpha(text: &str) -> Option<usize> {
    let mut best = text.find("transparentize(");
    for (call, args) in [("rgb(", 4), ("luma(", 2)] {
        let mut from = 0;
        while let Some(i) = text[from..].find(call) {
            let start = from + i;
            from = start + call.len();
            let Some(end) = text[from..].find(')') else { break };
            let inner = &text[from..from + end];
            let alpha = if inner.trim_start().starts_with('"') {
                inner.trim().trim_matches('"').trim_start_matches('#').len() == 8
            } else {
                inner.split(',').count() == args
            };
            if alpha {
                best = Some(best.map_or(start, |b| b.min(start)));
                break;
            }
        }
    }
    best
}

/// `C100 M70 Y0 K35`.
pub fn name(colour: &Cmyk) -> String {
    let [c, m, y, k] = colour.map(|v| (f64::from(v) / 10.0).round());
    format!("C{c} M{m} Y{y} K{k}")
}

/// The byte offset of a `cmyk(c%, m%, y%, k%)` literal in `text`, or of a
/// theme.toml `[c, m, y, k]` array, that writes `colour` (to ½ %).
fn find_cmyk(text: &str, colour: &Cmyk) -> Option<usize> {
    let near = |values: &[f64]| {
        values.len() == 4 && values.iter().zip(colour).all(|(v, c)| (v * 10.0 - f64::from(*c)).abs() <= 5.0)
    };
    let mut from = 0;
    while let Some(i) = text[from..].find('[') {
        let start = from + i;
        from = start + 1;
        let Some(end) = text[from..].find(']') else { break };
        let values: Vec<f64> = text[from..from + end].split(',').filter_map(|v| v.trim().parse().ok()).collect();
        if near(&values) {
            return Some(start);
        }
    }
    let mut from = 0;
    while let Some(i) = text[from..].find("cmyk(") {
        let start = from + i;
        from = start + 5;
        let Some(end) = text[from..].find(')') else { break };
        let values: Vec<f64> =
            text[from..from + end].split(',').filter_map(|v| v.trim().strip_suffix('%')?.trim().parse().ok()).collect();
        if near(&values) {
            return Some(start);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_literal_of_a_colour() {
        let text = "#let a = cmyk(0%, 0%, 0%, 100%)\n#let brand = cmyk(90%, 40%, 0%, 5%)\n";
        assert_eq!(find_cmyk(text, &[900, 401, 0, 50]), text.find("cmyk(90%"));
        assert_eq!(find_cmyk(text, &[900, 500, 0, 50]), None);
        assert_eq!(name(&[900, 401, 0, 50]), "C90 M40 Y0 K5");
        let toml = "deep = [75, 20, 100, 35]\n";
        assert_eq!(find_cmyk(toml, &[750, 200, 1000, 350]), Some(7));
    }

    #[test]
    fn finds_colours_with_alpha() {
        let text = "#let a = rgb(1, 2, 3)\n#let b = luma(90%, 60%)\n";
        assert_eq!(find_alpha(text), text.find("luma("));
        assert_eq!(find_alpha("rgb(\"#ff000080\")"), Some(0));
        assert_eq!(find_alpha("rgb(\"#ff0000\")"), None);
    }
}
