//! What the print finishing does, resolved from the command line and the
//! manifest's `[print]` section: the PDF/X standard, the printing condition,
//! the output profile and the ink limit.
//!
//! The command line wins over the manifest. Problems point at the manifest
//! field they concern.

use std::path::{Path, PathBuf};

use crate::config::{PrintOptions, Standard};
use crate::diag::{Problem, Problems, Severity};
use crate::source::Report;

/// Total area coverage allowed by default, in percent (coated stock).
pub const DEFAULT_INK_LIMIT: f64 = 300.0;
/// The printing condition used when none is given.
pub const DEFAULT_CONDITION: &str = "FOGRA39";
/// The registry of characterization data that registered names refer to.
pub const ICC_REGISTRY: &str = "http://www.color.org";

/// Printing conditions registered at the ICC characterization data
/// registry: identifier and description. A PDF/X file naming one of these
/// may leave the output profile out.
pub const REGISTERED_CONDITIONS: &[(&str, &str)] = &[
    ("FOGRA39", "Coated FOGRA39 (ISO 12647-2:2004)"),
    ("FOGRA51", "PSO Coated v3 (ISO 12647-2:2013, paper type 1)"),
    ("FOGRA52", "PSO Uncoated v3 (ISO 12647-2:2013, paper type 5)"),
    ("FOGRA29", "Uncoated FOGRA29 (ISO 12647-2:2004)"),
    ("JC200103", "Japan Color 2001 Coated"),
    ("CGATS TR 006", "GRACoL 2006 Coated #1 (CGATS TR 006)"),
    ("CGATS TR 001", "SWOP (CGATS TR 001)"),
];

/// The printer's CMYK output profile.
pub struct OutputProfile {
    /// The ICC file's bytes.
    pub bytes: Vec<u8>,
    /// The parsed profile.
    pub profile: moxcms::ColorProfile,
    /// The profile's own description (`desc` tag).
    pub description: String,
}

/// Everything the finishing stage needs to know.
pub struct PrintSetup {
    /// The standard written.
    pub standard: Standard,
    /// Output condition identifier, e.g. `FOGRA39`.
    pub condition: String,
    /// Readable description of the condition.
    pub condition_info: String,
    /// Whether the condition is a registered name (`RegistryName` is set).
    pub registered: bool,
    /// The output profile, if one was given.
    pub profile: Option<OutputProfile>,
    /// Total area coverage limit in percent.
    pub ink_limit: f64,
    /// Print preflight warnings stop the build.
    pub strict: bool,
}

/// Resolves the command line and the manifest into a setup, or the located
/// problems that prevent one.
pub fn resolve(report: &Report, options: &PrintOptions) -> Result<PrintSetup, Problems> {
    let file = &report.manifest.file;
    let section = report.manifest.data.print.clone().unwrap_or_default();
    let mut problems = Problems::default();
    let at = |needle: &str| file.find(0..file.text.len(), needle);

    let profile = match (&options.icc, &section.profile) {
        (Some(path), _) => {
            read_profile(path).map_err(|e| Problem::file(Severity::Error, path, e.to_string())).map(Some)
        }
        (None, Some(name)) => {
            let path = report.base.join(name.get_ref());
            read_profile(&path).map_err(|e| file.problem(Severity::Error, Some(name.span()), e.to_string())).map(Some)
        }
        (None, None) => Ok(None),
    }
    .unwrap_or_else(|problem| {
        problems.push(problem);
        None
    });
    let has_profile = options.icc.is_some() || section.profile.is_some();

    let standard = match (options.standard, &section.standard) {
        (Some(standard), _) => standard,
        (None, Some(name)) => match name.get_ref().as_str() {
            "x1a" => Standard::X1a,
            "x4" => Standard::X4,
            "none" => Standard::None,
            other => {
                problems.push(file.problem(
                    Severity::Error,
                    Some(name.span()),
                    format!("print.standard: unknown standard `{other}`, expected one of `x1a`, `x4`, `none`"),
                ));
                Standard::X1a
            }
        },
        (None, None) if has_profile => Standard::X4,
        (None, None) => Standard::X1a,
    };
    if standard == Standard::X4 && !has_profile {
        let span = section.standard.as_ref().map(|s| s.span());
        let message = "PDF/X-4 embeds the printer's CMYK profile: give it with `--icc FILE` or `[print] profile`, \
                       or write PDF/X-1a (`--pdfx x1a`)";
        problems.push(file.problem(Severity::Error, span.or_else(|| at("[print]")), message));
    }

    // With a profile and no condition, the profile names the condition (it is not a registered one).
    let condition = match (&section.condition, &profile) {
        (Some(c), _) => c.get_ref().clone(),
        (None, Some(p)) => p.description.clone(),
        (None, None) => DEFAULT_CONDITION.to_owned(),
    };
    let registered = REGISTERED_CONDITIONS.iter().find(|(id, _)| id.eq_ignore_ascii_case(&condition));
    if registered.is_none() && !has_profile && standard != Standard::None {
        let span = section.condition.as_ref().map(|c| c.span());
        let names: Vec<&str> = REGISTERED_CONDITIONS.iter().map(|(id, _)| *id).collect();
        problems.push(file.problem(
            Severity::Error,
            span,
            format!(
                "print.condition `{condition}` is not a registered printing condition, so PDF/X must embed its \
                 profile: give the profile (`--icc FILE` or `[print] profile`) or use one of {}",
                names.join(", ")
            ),
        ));
    }
    let condition_info = section
        .condition_info
        .clone()
        .or_else(|| registered.map(|(_, info)| (*info).to_owned()))
        .or_else(|| profile.as_ref().map(|p| p.description.clone()))
        .unwrap_or_else(|| condition.clone());

    let ink_limit = match &section.ink_limit {
        Some(limit) if !(100.0..=400.0).contains(limit.get_ref()) => {
            problems.push(file.problem(
                Severity::Error,
                Some(limit.span()),
                format!(
                    "print.ink_limit is {}; give a total area coverage between 100 and 400 (percent)",
                    limit.get_ref()
                ),
            ));
            DEFAULT_INK_LIMIT
        }
        Some(limit) => *limit.get_ref(),
        None => DEFAULT_INK_LIMIT,
    };

    if problems.has_errors() {
        return Err(problems);
    }
    Ok(PrintSetup {
        standard,
        condition: registered.map_or(condition, |(id, _)| (*id).to_owned()),
        condition_info,
        registered: registered.is_some(),
        profile,
        ink_limit,
        strict: options.strict,
    })
}

/// Why an output profile cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The file cannot be read.
    #[error("cannot read the output profile {} ({reason})", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The file is no ICC profile moxcms can use.
    #[error("{} is not a usable ICC profile ({source})", path.display())]
    NotIcc {
        /// The file.
        path: PathBuf,
        /// Why.
        source: moxcms::CmsError,
    },
    /// The profile is not a CMYK output profile.
    #[error("{} is a {space:?} {class:?} profile; PDF/X needs the printer's CMYK output profile", path.display())]
    NotCmykOutput {
        /// The file.
        path: PathBuf,
        /// Its colour space.
        space: moxcms::DataColorSpace,
        /// Its class.
        class: moxcms::ProfileClass,
    },
}

/// Reads and checks a CMYK output profile.
fn read_profile(path: &Path) -> Result<OutputProfile, ProfileError> {
    let bytes = crate::paths::read_regular_file(path, crate::paths::MAX_PROFILE_BYTES)
        .map_err(|e| ProfileError::Unreadable { path: path.to_path_buf(), reason: e.to_string() })?;
    let profile = moxcms::ColorProfile::new_from_slice(&bytes)
        .map_err(|source| ProfileError::NotIcc { path: path.to_path_buf(), source })?;
    if profile.color_space != moxcms::DataColorSpace::Cmyk
        || profile.profile_class != moxcms::ProfileClass::OutputDevice
    {
        return Err(ProfileError::NotCmykOutput {
            path: path.to_path_buf(),
            space: profile.color_space,
            class: profile.profile_class,
        });
    }
    let description = match &profile.description {
        Some(moxcms::ProfileText::PlainString(s)) => s.clone(),
        Some(moxcms::ProfileText::Localizable(list)) => list.first().map(|l| l.value.clone()).unwrap_or_default(),
        Some(moxcms::ProfileText::Description(d)) => d.ascii_string.clone(),
        None => String::new(),
    };
    let description = description.trim_matches(char::from(0)).trim().to_owned();
    let description = if description.is_empty() {
        path.file_stem().map_or_else(|| "custom".to_owned(), |s| s.to_string_lossy().into_owned())
    } else {
        description
    };
    Ok(OutputProfile { bytes, profile, description })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_condition_is_registered() {
        assert!(REGISTERED_CONDITIONS.iter().any(|(id, _)| *id == DEFAULT_CONDITION));
    }
}
