//! The theme's labels in the edition's language. The layouts read the
//! labels from the theme's `theme.toml` (`[labels]`); an edition serves its
//! own copy of that file: converted for Traditional Chinese, and for English
//! with every Chinese label replaced from the theme's `labels.en.toml`
//! (`case = "Case study"`, one line a label). A label in Chinese with no
//! English value is a located error naming both files.

use std::path::{Path, PathBuf};

use super::Language;
use super::convert::{Converter, Variant};
use super::walk::{Role, Step, leaves, splice, toml_string};
use crate::diag::{Problems, Severity};
use crate::source::{SourceFile, read_source};

/// The theme file the layouts read.
pub const THEME_FILE: &str = "theme.toml";

/// How the theme's labels follow an edition.
#[derive(Debug, Clone)]
pub enum LabelText {
    /// As the theme has them.
    AsIs,
    /// Converted like the text (with the same glossary).
    Convert {
        /// Hong Kong or Taiwan.
        variant: Variant,
        /// The edition's glossary.
        glossary: Option<SourceFile>,
    },
    /// Replaced from `labels.LANG.toml` beside `theme.toml`.
    Translate {
        /// The edition's language.
        language: Language,
    },
}

/// The translated labels' file of a theme: `labels.en.toml`.
pub fn labels_file(theme_dir: &Path, language: Language) -> PathBuf {
    theme_dir.join(format!("labels.{}.toml", language.tag()))
}

impl LabelText {
    /// The edition's `theme.toml` for the theme in `theme_dir`, or `None`
    /// when the theme's own file serves.
    pub fn theme_toml(&self, theme_dir: &Path) -> Result<Option<String>, Problems> {
        if matches!(self, LabelText::AsIs) {
            return Ok(None);
        }
        let theme = read_source(&theme_dir.join(THEME_FILE)).map_err(|p| Problems(vec![p]))?;
        let Ok(tree) = crate::locate::syntax_errors(&theme.text) else { return Ok(None) };
        let labels: Vec<_> = leaves(&tree)
            .into_iter()
            .filter(|l| l.role == Role::Text && l.place.0.first() == Some(&Step::Key("labels".into())))
            .collect();
        let mut edits = Vec::new();
        match self {
            LabelText::AsIs => {}
            LabelText::Convert { variant, glossary } => {
                let mut converter = Converter::new(*variant, glossary.clone())?;
                for leaf in labels {
                    edits.push((leaf.span, toml_string(&converter.convert(&leaf.value))));
                }
            }
            LabelText::Translate { language } => {
                let path = labels_file(theme_dir, *language);
                let mut problems = Problems::default();
                let english = if path.exists() {
                    let file = read_source(&path).map_err(|p| Problems(vec![p]))?;
                    let tree = crate::locate::syntax_errors(&file.text).map_err(|errors| {
                        Problems(errors.into_iter().map(|e| file.problem(Severity::Error, e.span, e.message)).collect())
                    })?;
                    leaves(&tree).into_iter().map(|l| (l.place.to_string(), l.value)).collect()
                } else {
                    Vec::new()
                };
                let shown = crate::paths::shown_path(&path);
                for leaf in labels {
                    let key = leaf.place.to_string();
                    let key = key.strip_prefix("labels.").unwrap_or(&key).to_owned();
                    match english.iter().find(|(k, _)| *k == key) {
                        Some((_, value)) => edits.push((leaf.span, toml_string(value))),
                        None => problems.push(theme.problem(
                            Severity::Error,
                            Some(leaf.span),
                            format!(
                                "label '{key}' has no {} value in {} (add `{key} = \"…\"`)",
                                language.tag(),
                                shown.display()
                            ),
                        )),
                    }
                }
                if problems.has_errors() {
                    return Err(problems);
                }
            }
        }
        Ok(Some(splice(&theme.text, &edits)))
    }
}
