//! The manifest's `[[editions]]`: one data set, several editions.

use serde::{Deserialize, Serialize};
use toml::Spanned;

/// One `[[editions]]` entry: a language, an output name and where its text
/// comes from (exactly one of `source`, `convert`, `translation`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EditionSpec {
    /// `zh-CN`, `zh-HK`, `zh-TW` or `en`.
    pub language: Spanned<String>,
    /// The PDF's file name, written beside `-o` (default: the output's stem
    /// and the language, `report-zh-HK.pdf`).
    #[serde(default)]
    pub output: Option<Spanned<String>>,
    /// `"data"`: the text as the data files have it (the base edition).
    #[serde(default)]
    pub source: Option<Spanned<String>>,
    /// `"opencc"`: the base text converted to Traditional Chinese.
    #[serde(default)]
    pub convert: Option<Spanned<String>>,
    /// A glossary TOML (relative to the manifest) applied before conversion.
    #[serde(default)]
    pub glossary: Option<Spanned<String>>,
    /// A folder (relative to the manifest) of translation files mirroring
    /// the manifest, the parts and the indexes.
    #[serde(default)]
    pub translation: Option<Spanned<String>>,
}
