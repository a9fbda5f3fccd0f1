//! `csr-press fonts`: the font families the layouts can use, their styles,
//! and which characters of the data no font covers.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{CommandError, Failure, Outcome};
use crate::args::CommonArgs;
use crate::config::FontLoading;
use crate::datacheck::uncovered_chars;
use crate::fonts::load_fonts;
use crate::pipeline::{Diagnostics, LoadedReport};

/// Runs `fonts`.
pub fn fonts(args: &CommonArgs) -> Result<Outcome, Failure> {
    let (_, infos) = load_fonts(&args.root(), args.system_fonts, FontLoading::default()).map_err(CommandError::from)?;
    let mut families: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for info in &infos {
        let v = &info.variant;
        families
            .entry(info.family.as_str())
            .or_default()
            .push(format!("{:?} {:?} {}", v.style, v.weight.to_number(), v.stretch.to_ratio().get()).replace(" 1", ""));
    }
    let mut summary = String::new();
    for (family, styles) in &families {
        let _ = writeln!(summary, "{family}: {}", styles.join(", "));
    }
    let loaded = match LoadedReport::read(&args.manifest) {
        Ok(loaded) => loaded,
        Err(problems) => {
            let mut diagnostics = Diagnostics::default();
            diagnostics.problems(problems);
            return Err(Failure::Findings { diagnostics, summary });
        }
    };
    let missing = uncovered_chars(loaded.report(), &infos);
    if missing.is_empty() {
        summary.push_str("coverage: every character in the data is covered");
        return Ok(Outcome { summary, ..Outcome::default() });
    }
    for (c, (file, offset)) in &missing {
        let (line, col) = crate::diag::line_col(&file.text, *offset);
        let _ = writeln!(summary, "not covered: '{c}' U+{:04X} at {}:{line}:{col}", *c as u32, file.shown.display());
    }
    Err(Failure::Findings { diagnostics: Diagnostics::default(), summary })
}
