//! Editions: one data set, several languages. Runs on a loaded report,
//! before validation: an edition is the report's files with their text
//! converted (Traditional Chinese, [`convert`]) or replaced by translation
//! files that mirror them (English, [`translate`]), parsed again, with every
//! KPI value taken from the loaded (base) report, so no figure is typed
//! twice. The theme's labels follow the edition ([`labels`]), and
//! [`compare`] checks that editions agree.
//!
//! The manifest's `[[editions]]` table says which editions there are; a
//! manifest without one has a single edition in `meta.language`.

use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::diag::{Problems, Severity};
use crate::model::Block;
use crate::source::{Loaded, Report, SourceFile, parse, read_source};

pub mod compare;
pub mod convert;
pub mod labels;
pub mod translate;
pub mod walk;

pub use convert::Variant;

/// An edition's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// Simplified Chinese (mainland).
    ZhCn,
    /// Traditional Chinese, Hong Kong.
    ZhHk,
    /// Traditional Chinese, Taiwan.
    ZhTw,
    /// English.
    En,
}

impl Language {
    /// Every language an edition may have.
    pub const ALL: [Language; 4] = [Language::ZhCn, Language::ZhHk, Language::ZhTw, Language::En];

    /// Reads a tag (`zh-HK`; case does not matter).
    pub fn parse(tag: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.tag().eq_ignore_ascii_case(tag))
    }

    /// The tag, `zh-HK`.
    pub fn tag(self) -> &'static str {
        match self {
            Language::ZhCn => "zh-CN",
            Language::ZhHk => "zh-HK",
            Language::ZhTw => "zh-TW",
            Language::En => "en",
        }
    }
}

/// Where an edition's text comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum TextSource {
    /// The data files as they are.
    Data,
    /// The data converted to Traditional Chinese, after a glossary.
    Convert {
        /// Hong Kong or Taiwan rules.
        variant: Variant,
        /// The glossary file, when there is one.
        glossary: Option<PathBuf>,
    },
    /// Translation files in a folder mirroring the data folder.
    Translation {
        /// The folder.
        folder: PathBuf,
    },
}

/// One edition of a report.
#[derive(Debug, Clone, PartialEq)]
pub struct Edition {
    /// Its language.
    pub language: Language,
    /// The PDF's file name (`[[editions]] output`), when the manifest gives one.
    pub output: Option<String>,
    /// Where its text comes from.
    pub text: TextSource,
}

impl Edition {
    /// The PDF an edition writes, beside `output` (`-o`): its `output`
    /// name, else the output's stem and the language.
    pub fn output_beside(&self, output: &Path) -> PathBuf {
        let dir = output.parent().unwrap_or(Path::new(""));
        match &self.output {
            Some(name) => dir.join(name),
            None => {
                let stem = output.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or("report".into());
                dir.join(format!("{stem}-{}.pdf", self.language.tag()))
            }
        }
    }
}

/// The editions the manifest lists (checked), or the one edition of a
/// manifest without `[[editions]]`. Problems are located in the manifest.
pub fn editions(report: &Report) -> Result<Vec<Edition>, Problems> {
    let file = &report.manifest.file;
    let meta_language = &report.manifest.data.meta.language;
    let specs = &report.manifest.data.editions;
    if specs.is_empty() {
        let language = Language::parse(meta_language).unwrap_or(Language::ZhCn);
        return Ok(vec![Edition { language, output: None, text: TextSource::Data }]);
    }
    let mut problems = Problems::default();
    let mut out: Vec<Edition> = Vec::new();
    let mut outputs: Vec<String> = Vec::new();
    let mut err =
        |span: Range<usize>, message: String| problems.push(file.problem(Severity::Error, Some(span), message));
    for spanned in specs {
        let spec = spanned.get_ref();
        let Some(language) = Language::parse(spec.language.get_ref()) else {
            let known: Vec<&str> = Language::ALL.iter().map(|l| l.tag()).collect();
            err(
                spec.language.span(),
                format!(
                    "unknown edition language '{}' (expected one of {})",
                    spec.language.get_ref(),
                    known.join(", ")
                ),
            );
            continue;
        };
        if out.iter().any(|e| e.language == language) {
            err(spec.language.span(), format!("a second edition in {}: list each language once", language.tag()));
            continue;
        }
        if let Some(name) = &spec.output {
            let plain = Path::new(name.get_ref()).file_name().is_some_and(|n| n == name.get_ref().as_str());
            if !plain || !name.get_ref().ends_with(".pdf") {
                err(
                    name.span(),
                    format!("edition output '{}' must be a plain file name ending in .pdf", name.get_ref()),
                );
            } else if outputs.contains(name.get_ref()) {
                err(name.span(), format!("two editions write '{}'", name.get_ref()));
            }
            outputs.push(name.get_ref().clone());
        }
        let given = [spec.source.is_some(), spec.convert.is_some(), spec.translation.is_some()];
        if given.iter().filter(|g| **g).count() != 1 {
            err(
                spanned.span(),
                format!(
                    "edition {} needs exactly one of source = \"data\", convert = \"opencc\" or translation = \"FOLDER/\"",
                    language.tag()
                ),
            );
            continue;
        }
        if spec.glossary.is_some() && spec.convert.is_none() {
            let at = spec.glossary.as_ref().map(|g| g.span()).unwrap_or(spanned.span());
            err(at, "a glossary goes with convert = \"opencc\"".into());
        }
        let text = if let Some(source) = &spec.source {
            if source.get_ref() != "data" {
                err(source.span(), format!("source = '{}': the only source is \"data\"", source.get_ref()));
                continue;
            }
            if !language.tag().eq_ignore_ascii_case(meta_language) {
                err(
                    spec.language.span(),
                    format!("the data's edition must be in meta.language ({meta_language}), not {}", language.tag()),
                );
                continue;
            }
            TextSource::Data
        } else if let Some(convert) = &spec.convert {
            let variant = match language {
                Language::ZhHk => Variant::HongKong,
                Language::ZhTw => Variant::Taiwan,
                _ => {
                    err(
                        convert.span(),
                        format!("convert makes Traditional Chinese (zh-HK, zh-TW), not {}", language.tag()),
                    );
                    continue;
                }
            };
            if convert.get_ref() != "opencc" {
                err(convert.span(), format!("convert = '{}': the only converter is \"opencc\"", convert.get_ref()));
                continue;
            }
            if !meta_language.eq_ignore_ascii_case("zh-CN") {
                err(
                    convert.span(),
                    format!("convert needs Simplified Chinese data (meta.language is {meta_language})"),
                );
                continue;
            }
            let glossary = match &spec.glossary {
                None => None,
                Some(g) => match listed(&report.base, g.get_ref()) {
                    Ok(path) if path.is_file() => Some(path),
                    Ok(_) => {
                        err(
                            g.span(),
                            format!("glossary '{}' does not exist (create it or remove the line)", g.get_ref()),
                        );
                        continue;
                    }
                    Err(m) => {
                        err(g.span(), m);
                        continue;
                    }
                },
            };
            TextSource::Convert { variant, glossary }
        } else {
            let Some(t) = spec.translation.as_ref() else { continue };
            match listed(&report.base, t.get_ref()) {
                Ok(folder) if folder.is_dir() => TextSource::Translation { folder },
                Ok(_) => {
                    err(t.span(), format!("translation folder '{}' does not exist", t.get_ref()));
                    continue;
                }
                Err(m) => {
                    err(t.span(), m);
                    continue;
                }
            }
        };
        out.push(Edition { language, output: spec.output.as_ref().map(|o| o.get_ref().clone()), text });
    }
    if !out.iter().any(|e| e.text == TextSource::Data) && !problems.has_errors() {
        let at = specs.first().map(|s| s.span());
        problems.push(file.problem(
            Severity::Error,
            at,
            format!("no edition has source = \"data\": list the data's own edition ({meta_language})"),
        ));
    }
    if problems.has_errors() { Err(problems) } else { Ok(out) }
}

/// A path the manifest names, relative to its folder and inside it.
fn listed(base: &Path, name: &str) -> Result<PathBuf, String> {
    let relative = Path::new(name);
    if relative.is_absolute() || relative.components().any(|c| !matches!(c, std::path::Component::Normal(_))) {
        return Err(format!("'{name}' must be a plain relative path inside the manifest's folder"));
    }
    Ok(base.join(relative))
}

/// Finds the edition in `language` among `editions`; the error names the
/// ones there are.
pub fn select(report: &Report, editions: &[Edition], tag: &str) -> Result<Edition, Problems> {
    if let Some(found) = Language::parse(tag).and_then(|l| editions.iter().find(|e| e.language == l)) {
        return Ok(found.clone());
    }
    let have: Vec<&str> = editions.iter().map(|e| e.language.tag()).collect();
    let file = &report.manifest.file;
    let mut problems = Problems::default();
    problems.push(file.problem(
        Severity::Error,
        None,
        format!("the manifest has no edition '{tag}' (its editions: {}; add one under [[editions]])", have.join(", ")),
    ));
    Err(problems)
}

/// A report made into one edition.
#[derive(Debug)]
pub struct Edited {
    /// The report, its text in the edition's language.
    pub report: Report,
    /// How the theme's labels follow the edition.
    pub labels: labels::LabelText,
    /// Warnings (unused glossary entries).
    pub problems: Problems,
}

/// Makes `report` (as loaded, KPI values imported) into `edition`.
pub fn apply(report: &Report, edition: &Edition) -> Result<Edited, Problems> {
    match &edition.text {
        TextSource::Data => {
            Ok(Edited { report: report.clone(), labels: labels::LabelText::AsIs, problems: Problems::default() })
        }
        TextSource::Convert { variant, glossary } => {
            let glossary = match glossary {
                Some(path) => Some(read_source(path).map_err(|p| Problems(vec![p]))?),
                None => None,
            };
            let mut converter = convert::Converter::new(*variant, glossary.clone())?;
            let mut problems = Problems::default();
            let edited =
                rebuild(report, edition.language, &mut problems, |file, _| Ok(convert_text(file, &mut converter)))?;
            let labels = labels::LabelText::Convert { variant: *variant, glossary };
            problems.0.extend(converter.unused().0);
            Ok(Edited { report: edited, labels, problems })
        }
        TextSource::Translation { folder } => {
            let mut problems = Problems::default();
            let mut merger = translate::Merger::new(report, folder);
            let edited =
                rebuild(report, edition.language, &mut problems, |file, relative| merger.merge(file, relative))?;
            Ok(Edited { report: edited, labels: labels::LabelText::Translate { language: edition.language }, problems })
        }
    }
}

/// Converts the text strings of one file.
fn convert_text(file: &SourceFile, converter: &mut convert::Converter) -> String {
    let Ok(tree) = crate::locate::syntax_errors(&file.text) else { return file.text.clone() };
    let mut edits = Vec::new();
    for leaf in walk::leaves(&tree) {
        if leaf.role != walk::Role::Fixed {
            let converted = converter.convert(&leaf.value);
            if converted != leaf.value {
                edits.push((leaf.span, walk::toml_string(&converted)));
            }
        }
    }
    walk::splice(&file.text, &edits)
}

/// The report with every file's text made by `edit` (given the file and
/// its path relative to the manifest's folder), parsed again; the manifest
/// names the edition's language and every KPI value is the base report's.
fn rebuild(
    report: &Report,
    language: Language,
    problems: &mut Problems,
    mut edit: impl FnMut(&SourceFile, &Path) -> Result<String, Problems>,
) -> Result<Report, Problems> {
    let mut again = |file: &SourceFile, problems: &mut Problems| -> Option<SourceFile> {
        let relative = file.path.strip_prefix(&report.base).unwrap_or(&file.path).to_path_buf();
        match edit(file, &relative) {
            Ok(text) => Some(SourceFile { text, ..file.clone() }),
            Err(found) => {
                problems.0.extend(found.0);
                None
            }
        }
    };
    let manifest = again(&report.manifest.file, problems).map(|f| with_language(f, language));
    let parts: Vec<Option<SourceFile>> = report.parts.iter().map(|p| again(&p.file, problems)).collect();
    let indexes: Vec<Option<SourceFile>> = report.indexes.iter().map(|i| again(&i.file, problems)).collect();
    if problems.has_errors() {
        return Err(std::mem::take(problems));
    }
    let mut found = Problems::default();
    let manifest = reparse::<crate::model::Manifest>(manifest, &mut found);
    let mut parts: Vec<Loaded<crate::model::Part>> = parts.into_iter().filter_map(|f| reparse(f, &mut found)).collect();
    let indexes = indexes.into_iter().filter_map(|f| reparse(f, &mut found)).collect();
    let Some(manifest) = manifest.filter(|_| !found.has_errors()) else {
        return Err(found);
    };
    for (edited, base) in parts.iter_mut().zip(&report.parts) {
        keep_values(&mut edited.data, &base.data, language);
    }
    Ok(Report { base: report.base.clone(), manifest, parts, indexes })
}

/// Parses an edited file again.
fn reparse<T: serde::de::DeserializeOwned>(file: Option<SourceFile>, problems: &mut Problems) -> Option<Loaded<T>> {
    file.and_then(|f| parse(f).map_err(|p| problems.0.extend(p)).ok())
}

/// The manifest's text with `meta.language` set to the edition's.
fn with_language(file: SourceFile, language: Language) -> SourceFile {
    let Ok(tree) = crate::locate::syntax_errors(&file.text) else { return file };
    let at = walk::leaves(&tree).into_iter().find(|l| l.place.to_string() == "meta.language").map(|l| l.span);
    match at {
        Some(span) => {
            let text = walk::splice(&file.text, &[(span, walk::toml_string(language.tag()))]);
            SourceFile { text, ..file }
        }
        None => file,
    }
}

/// Every block of a part, in order.
pub fn blocks(part: &crate::model::Part) -> Vec<&Block> {
    let mut out: Vec<&Block> = part.blocks.iter().map(|b| b.get_ref()).collect();
    for section in &part.sections {
        let section = section.get_ref();
        out.extend(section.blocks.iter().map(|b| b.get_ref()));
        for sub in &section.subsections {
            out.extend(sub.get_ref().blocks.iter().map(|b| b.get_ref()));
        }
    }
    out
}

/// Takes every KPI row's values from the base part (imported from a
/// spreadsheet or typed once): an edition never has figures of its own.
/// Only the word `约` before a figure is the edition's own
/// ([`crate::model::kpi_value::approximately`]).
fn keep_values(edited: &mut crate::model::Part, base: &crate::model::Part, language: Language) {
    let word = match language {
        Language::ZhCn => "约",
        Language::ZhHk | Language::ZhTw => "約",
        Language::En => "~",
    };
    let base_rows: Vec<Vec<Vec<String>>> = blocks(base)
        .into_iter()
        .filter_map(|b| match b {
            Block::Kpi { rows, .. } => Some(rows.iter().map(|r| r.values.clone()).collect()),
            _ => None,
        })
        .collect();
    let mut base_rows = base_rows.into_iter();
    let mut each = |block: &mut Block| {
        if let Block::Kpi { rows, .. } = block
            && let Some(values) = base_rows.next()
        {
            for (row, v) in rows.iter_mut().zip(values) {
                row.values = v.iter().map(|value| crate::model::kpi_value::approximately(value, word)).collect();
            }
        }
    };
    for b in &mut edited.blocks {
        each(b.get_mut());
    }
    for section in &mut edited.sections {
        let section = section.get_mut();
        for b in &mut section.blocks {
            each(b.get_mut());
        }
        for sub in &mut section.subsections {
            for b in &mut sub.get_mut().blocks {
                each(b.get_mut());
            }
        }
    }
}
