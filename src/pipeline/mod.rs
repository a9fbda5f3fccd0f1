//! The pipeline: load → check → resolve → compose → finish.
//!
//! Each step is a type that only the step before it makes ([`LoadedReport`]
//! → [`Checked`] → [`Resolved`] → [`Composed`] → [`Finished`]), so the
//! order cannot be got wrong and nothing is done twice: a command loads the
//! report once, may look at it (the output guard does), and hands it on.
//! A [`Session`] keeps the Typst world (and with it comemo's caches) alive
//! between builds, so `watch` recompiles incrementally; `build` uses one
//! session for one run.

mod compose;
pub mod date;
mod pointers;
mod session;
mod sizing;
mod steps;
mod trials;

use std::path::PathBuf;

pub use session::Session;
pub use steps::{Checked, Composed, Finished, LoadedReport, Rejected, Resolved};

use crate::compile::TypstErrors;
use crate::diag::Problems;
use crate::fonts::FontError;

/// Minimum resolution of print images at their placed size.
pub const PRINT_PPI: f64 = 300.0;

/// Bleed of the print profile on every side, in millimetres.
pub const BLEED_MM: f32 = 3.0;

/// A PDF exported from the composed pages, and how long that took.
pub(crate) type Exported = (Result<Vec<u8>, TypstErrors>, std::time::Duration);

/// Why a build stopped.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The data (or the finished PDF) has errors: located problems.
    #[error("the data has errors")]
    Data(Problems),
    /// Typst reported errors.
    #[error(transparent)]
    Layout(#[from] TypstErrors),
    /// The fonts could not be loaded.
    #[error(transparent)]
    Fonts(#[from] FontError),
    /// The root folder cannot be used.
    #[error("cannot use root {} ({reason})", root.display())]
    Root {
        /// The root folder.
        root: PathBuf,
        /// Why.
        reason: String,
    },
    /// The report's theme folder cannot be read.
    #[error("cannot read theme {} ({reason})", dir.display())]
    Theme {
        /// The theme folder.
        dir: PathBuf,
        /// Why.
        reason: String,
    },
    /// The resolved data is not the JSON it should be.
    #[error("cannot read the resolved data ({0})")]
    ResolvedData(serde_json::Error),
    /// The data with its copyfit settings could not be serialised.
    #[error("cannot write the data ({0})")]
    ComposedData(serde_json::Error),
    /// An output could not be written (the message of [`crate::write::write_atomic`]).
    #[error("{0}")]
    Write(crate::write::WriteError),
}

impl From<Problems> for BuildError {
    fn from(problems: Problems) -> Self {
        BuildError::Data(problems)
    }
}

/// One batch of what a step had to say, in the order it was said.
#[derive(Debug, Clone)]
pub enum Said {
    /// Located problems (warnings and notes on success).
    Problems(Problems),
    /// Typst's diagnostics, rendered in the configured format.
    Typst(String),
}

/// Everything said about a build, in order: data warnings, Typst warnings,
/// layout findings, print findings.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics(pub Vec<Said>);

impl Diagnostics {
    /// Adds located problems (nothing when there are none).
    pub fn problems(&mut self, problems: Problems) {
        if !problems.0.is_empty() {
            self.0.push(Said::Problems(problems));
        }
    }

    /// Adds rendered Typst diagnostics (nothing when empty).
    pub fn typst(&mut self, rendered: String) {
        if !rendered.is_empty() {
            self.0.push(Said::Typst(rendered));
        }
    }

    /// Whether nothing was said.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Gives the layouts `value` as the top-level entry `key` of the layout
/// data (what a remembered plan carries beside it: `pages`, `index-sizing`),
/// or takes the entry out for none.
fn give<T: serde::Serialize>(json: &mut serde_json::Value, key: &str, value: Option<&T>) {
    let Some(map) = json.as_object_mut() else { return };
    match value.and_then(|v| serde_json::to_value(v).ok()) {
        Some(value) => {
            map.insert(key.into(), value);
        }
        None => {
            map.remove(key);
        }
    }
}
