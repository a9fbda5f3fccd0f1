//! `csr-press kpi export`: writes the report's KPI tables to a workbook.

use super::{CommandError, Failure, Outcome, UsageError, guard};
use crate::args::KpiExportArgs;
use crate::export::{reads, workbook};
use crate::load::Missing;
use crate::load::load_with;
use crate::pipeline::BuildError;
use crate::write::write_atomic;

/// Runs `kpi export`.
pub fn export(args: &KpiExportArgs) -> Result<Outcome, Failure> {
    let report = load_with(&args.common.manifest, Missing::Skip).map_err(|problems| Failure::NotWritten {
        verb: "export",
        output: args.output.clone(),
        cause: BuildError::Data(problems),
    })?;
    if let Some(input) = reads(&report, &args.output) {
        return Err(UsageError::ReadsSpreadsheet { output: args.output.clone(), input }.into());
    }
    // The workbook never replaces an input of the report (its manifest, a
    // part, an image, the theme, …), a folder or a device.
    guard(&args.common, Some(&report), None, &[&args.output], false)?;
    if let Some(id) = args.part.as_deref().filter(|id| !report.parts.iter().any(|p| p.data.id == *id)) {
        return Err(UsageError::NoSuchPart(id.to_owned()).into());
    }
    let (bytes, tables) = workbook(&report, args.part.as_deref()).map_err(CommandError::from)?;
    write_atomic(&args.output, &bytes).map_err(CommandError::Write)?;
    let s = if tables == 1 { "" } else { "s" };
    Ok(Outcome { summary: format!("wrote {tables} KPI table{s} to {}", args.output.display()), ..Outcome::default() })
}
