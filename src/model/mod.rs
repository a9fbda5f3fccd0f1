//! The report data model: what `data/` may contain.
//!
//! Every struct denies unknown fields, so a typo in a data file is a located
//! error. Blocks and sections keep their byte span in the file
//! ([`Spanned`]) so that checks after parsing can point at the place they
//! concern. The whole model serialises to the JSON the layouts read.

use serde::{Deserialize, Serialize};
use toml::Spanned;

/// The manifest, `data/report.toml`: metadata and the list of part files.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Title page and document metadata.
    pub meta: Meta,
    /// Part files, relative to the manifest, in reading order.
    pub parts: Vec<Spanned<String>>,
    /// Disclosure index files, relative to the manifest.
    #[serde(default)]
    pub indexes: Vec<Spanned<String>>,
    /// Design choices: which theme the report uses.
    #[serde(default)]
    pub design: Option<Design>,
    /// PDF/X standard, printing condition, output profile and ink limit.
    #[serde(default)]
    pub print: Option<Print>,
    /// The editions made from this data (none: one, in `meta.language`).
    #[serde(default)]
    pub editions: Vec<Spanned<EditionSpec>>,
}

/// The manifest's `[design]` table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Design {
    /// The theme folder's name (`themes/NAME/`); default `house`.
    #[serde(default)]
    pub theme: Option<Spanned<String>>,
}

/// Document metadata.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// Full title: organisation, year and report type, as printed.
    pub title: String,
    /// The report's slogan printed on the cover (the TOML and JSON key is
    /// `theme`, not to be confused with the design theme of `[design]`).
    #[serde(rename = "theme")]
    pub slogan: String,
    /// The second slogan line.
    #[serde(default)]
    pub subtitle: Option<String>,
    /// Reporting year.
    pub year: i32,
    /// The reporting organisation's full name.
    pub organisation: String,
    /// Its short name (default: the full name).
    #[serde(default)]
    pub organisation_short: Option<String>,
    /// The kind of report as the cover prints it (default: the title without
    /// the organisation and the year).
    #[serde(default)]
    pub report_type: Option<String>,
    /// The English title.
    #[serde(default)]
    pub title_en: Option<String>,
    /// The logo: an SVG, PDF, PNG or JPEG file, relative to the manifest.
    #[serde(default)]
    pub logo: Option<String>,
    /// Publication date, `YYYY-MM-DD`; also the PDF's creation date.
    pub date: String,
    /// Language tag: `zh-CN`, `zh-HK`, `zh-TW`, `en`, …; sets Typst's `lang` and `region`.
    pub language: String,
    /// PDF keywords.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// The cover's image (a photograph or art, full bleed where the theme
    /// has an image slot): JPEG, PNG, PDF or SVG, relative to the manifest.
    #[serde(default)]
    pub cover_image: Option<String>,
    /// Postal address, printed on the back cover.
    #[serde(default)]
    pub address: Option<String>,
    /// Website, printed on the back cover (`www.example.cn` or `https://…`).
    #[serde(default)]
    pub website: Option<String>,
    /// Telephone, printed on the back cover.
    #[serde(default)]
    pub telephone: Option<String>,
    /// E-mail address, printed on the back cover.
    #[serde(default)]
    pub email: Option<String>,
    /// A URL (`https://…`) the back cover prints as a QR code.
    #[serde(default)]
    pub qr: Option<String>,
}

/// One part of the report: one file under `data/`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Part {
    /// How the part is laid out.
    pub kind: PartKind,
    /// Stable identifier, used for bookmarks and anchors.
    pub id: String,
    /// Heading printed on the part's first page and in the 目录.
    pub title: String,
    /// An optional second heading line.
    #[serde(default)]
    pub subtitle: Option<String>,
    /// The part's accent colours: a name the design theme declares (its
    /// `theme.toml`); default: the theme's `default-accent`. `theme` is
    /// accepted as the old name of this field.
    #[serde(default, alias = "theme")]
    pub accent: Option<Spanned<String>>,
    /// A label other text can reference with `{ref:label}`.
    #[serde(default)]
    pub label: Option<Spanned<String>>,
    /// Disclosure tags (`INDEX:CODE`) the whole part discloses.
    #[serde(default)]
    pub disclosures: Vec<Spanned<String>>,
    /// Chapter opener page; only chapters and features have one.
    #[serde(default)]
    pub opener: Option<Opener>,
    /// A spreadsheet supplying the values of every KPI table in the part
    /// (one sheet per table), relative to the manifest.
    #[serde(default, rename = "kpi_source")]
    pub kpi_workbook: Option<Spanned<String>>,
    /// Blocks before the first section.
    #[serde(default)]
    pub blocks: Vec<Spanned<Block>>,
    /// Sections in order.
    #[serde(default)]
    pub sections: Vec<Spanned<Section>>,
}

/// How a part is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PartKind {
    /// 董事长致辞: a letter with a signature block.
    Letter,
    /// A front-matter part without opener (profile, strategy, …).
    Front,
    /// A themed feature (专题) with an opener.
    Feature,
    /// One of the three main chapters, with an opener.
    Chapter,
    /// 议题管理与绩效报告: management approach and KPI tables.
    Performance,
    /// Back matter: review, outlook, rating, feedback, about.
    Back,
    /// 相关索引: disclosure index tables.
    Index,
}

impl PartKind {
    /// The kind as the data and the layouts spell it.
    pub fn name(self) -> &'static str {
        match self {
            PartKind::Letter => "letter",
            PartKind::Front => "front",
            PartKind::Feature => "feature",
            PartKind::Chapter => "chapter",
            PartKind::Performance => "performance",
            PartKind::Back => "back",
            PartKind::Index => "index",
        }
    }
}

/// A chapter opener: intro, motto, slogan pairs and a quotation.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Opener {
    /// Introductory paragraphs.
    #[serde(default)]
    pub intro: Vec<String>,
    /// The motto pair, e.g. `["使命指引", "初心如磐"]`.
    #[serde(default)]
    pub motto: Vec<String>,
    /// Slogan pairs, e.g. `[["决战脱贫攻坚", "共创美好生活"], …]`.
    #[serde(default)]
    pub slogans: Vec<Vec<String>>,
    /// The opener's quotation.
    #[serde(default)]
    pub quote: Option<Quote>,
}

/// A quotation and its source.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Quote {
    /// The quoted text.
    pub text: String,
    /// Who said it, where (without the leading dash).
    #[serde(default)]
    pub source: Option<String>,
}

/// A section (level-1 heading) with its blocks and subsections.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// Heading text.
    pub title: String,
    /// A label other text can reference with `{ref:label}`.
    #[serde(default)]
    pub label: Option<Spanned<String>>,
    /// Disclosure tags (`INDEX:CODE`) this section discloses.
    #[serde(default)]
    pub disclosures: Vec<Spanned<String>>,
    /// Blocks before the first subsection.
    #[serde(default)]
    pub blocks: Vec<Spanned<Block>>,
    /// Subsections in order.
    #[serde(default)]
    pub subsections: Vec<Spanned<Subsection>>,
}

/// A subsection (level-2 heading).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Subsection {
    /// Heading text.
    pub title: String,
    /// A label other text can reference with `{ref:label}`.
    #[serde(default)]
    pub label: Option<Spanned<String>>,
    /// Disclosure tags (`INDEX:CODE`) this subsection discloses.
    #[serde(default)]
    pub disclosures: Vec<Spanned<String>>,
    /// The subsection's blocks.
    #[serde(default)]
    pub blocks: Vec<Spanned<Block>>,
}

mod block;
mod chart;
mod edition;
mod identity;
mod index;
mod kpi;
pub mod kpi_value;
pub mod markup;
mod print;
mod theme;

pub use block::{Block, ColumnAlign, Contact, DiagramLevel, Figure, ListItem, OrgNode, Rating, Stat};
pub use chart::{ChartKind, Topic};
pub use edition::EditionSpec;
pub use identity::{Identity, derive_report_type, split_language};
pub use index::{Index, IndexGroup, IndexRow};
pub use kpi::{KpiCheck, KpiRow};
pub use print::{MissingImages, Print};
pub use theme::{Accent, Colour, Labels, PALETTE_ROLES, SpotColour, TYPE_SCALE, ThemeSpec, TypeChoices};

/// A labelled, taggable place: a part, section, subsection or block.
pub struct Place<'a> {
    /// The place's byte span in its file (the whole file for a part).
    pub span: std::ops::Range<usize>,
    /// The label, if any.
    pub label: Option<&'a str>,
    /// The disclosure tags.
    pub disclosures: Vec<&'a str>,
    /// The block, when the place is a block.
    pub block: Option<&'a Block>,
    /// Heading text of a part, section or subsection.
    pub heading: Option<&'a str>,
}

impl Part {
    /// Every place of the part in reading order: the part itself, its
    /// blocks, its sections with their blocks and subsections.
    pub fn places(&self, file_len: usize) -> Vec<Place<'_>> {
        fn spanned_tags(tags: &[Spanned<String>]) -> Vec<&str> {
            tags.iter().map(|t| t.get_ref().as_str()).collect()
        }
        fn blocks<'a>(out: &mut Vec<Place<'a>>, blocks: &'a [Spanned<Block>]) {
            for b in blocks {
                out.push(Place {
                    span: b.span(),
                    label: b.get_ref().label(),
                    disclosures: b.get_ref().disclosures().iter().map(String::as_str).collect(),
                    block: Some(b.get_ref()),
                    heading: None,
                });
            }
        }
        let mut out = vec![Place {
            span: 0..file_len,
            label: self.label.as_ref().map(|l| l.get_ref().as_str()),
            disclosures: spanned_tags(&self.disclosures),
            block: None,
            heading: Some(&self.title),
        }];
        blocks(&mut out, &self.blocks);
        for s in &self.sections {
            let section = s.get_ref();
            out.push(Place {
                span: s.span(),
                label: section.label.as_ref().map(|l| l.get_ref().as_str()),
                disclosures: spanned_tags(&section.disclosures),
                block: None,
                heading: Some(&section.title),
            });
            blocks(&mut out, &section.blocks);
            for sub in &section.subsections {
                let subsection = sub.get_ref();
                out.push(Place {
                    span: sub.span(),
                    label: subsection.label.as_ref().map(|l| l.get_ref().as_str()),
                    disclosures: spanned_tags(&subsection.disclosures),
                    block: None,
                    heading: Some(&subsection.title),
                });
                blocks(&mut out, &subsection.blocks);
            }
        }
        out
    }
}
