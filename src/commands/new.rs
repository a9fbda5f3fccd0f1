//! `csr-press new DIR`: scaffolds a report and says what to run next.

use super::{Failure, Outcome, UsageError};
use crate::args::NewArgs;
use crate::scaffold::{next_steps, scaffold};

/// Writes the scaffold into the new folder.
pub fn new_report(args: &NewArgs) -> Result<Outcome, Failure> {
    scaffold(&args.dir).map_err(UsageError::from)?;
    Ok(Outcome { summary: next_steps(&args.dir, args.root.as_deref()), ..Outcome::default() })
}
