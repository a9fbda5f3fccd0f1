//! Theme files: `themes/NAME/theme.toml`, the part of a design theme that is
//! data (palette, part accents, labels, type choices). The same file is read
//! by the layouts (for the colours) and here (to check it and the parts'
//! accent names).

use std::collections::BTreeMap;

use serde::Deserialize;

/// A theme's `theme.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ThemeSpec {
    /// One line saying what the theme looks like and whom it is for.
    pub description: String,
    /// The accent of parts that name none.
    pub default_accent: String,
    /// Named colours; `brand`, `brand-deep` and `highlight` are required.
    pub palette: BTreeMap<String, Colour>,
    /// Part accents by name, as many as the theme wants.
    pub accents: BTreeMap<String, Accent>,
    /// The fixed wording the components print.
    pub labels: Labels,
    /// Optional type choices: font families, sizes, leading.
    #[serde(default, rename = "type")]
    pub type_choices: TypeChoices,
}

/// A colour as a theme writes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Colour {
    /// `[C, M, Y, K]` in percent.
    Cmyk([f64; 4]),
    /// The name of a palette entry.
    Named(String),
    /// A spot colour with its CMYK fallback.
    Spot(SpotColour),
}

/// A spot colour: `{ spot = "PANTONE 2945 C", cmyk = [C, M, Y, K], tint = 100 }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpotColour {
    /// The colorant's name, as the printer knows it.
    pub spot: String,
    /// The process-colour fallback, in percent.
    pub cmyk: [f64; 4],
    /// The tint in percent (default 100).
    #[serde(default)]
    pub tint: Option<f64>,
}

/// A part accent: three colours.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accent {
    /// Bands, table headers, rules.
    pub main: Colour,
    /// Box backgrounds, alternate table rows.
    pub tint: Colour,
    /// Headings and emphasis on white.
    pub deep: Colour,
}

/// The fixed wording of the components.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Labels {
    /// The tab of a case box (`案例`).
    pub case: String,
    /// The mark of a figure without an image (`▣ 图片 · PHOTO`).
    pub photo: String,
    /// Before table notes (`注`).
    pub note: String,
    /// The indicator column of KPI tables (`指标名称`).
    pub indicator: String,
    /// Added to a repeated KPI header (`（续表）`).
    pub continued: String,
    /// Added to a case box title where the box runs on (`（续）`).
    pub case_continued: String,
    /// The unit column of KPI tables (`单位`).
    pub unit: String,
    /// The contents heading (`目录`).
    pub contents: String,
    /// The second contents heading (`CONTENTS`).
    pub contents_en: String,
    /// The proof watermark (`校样 PROOF`).
    pub proof: String,
    /// Proof slug: the build date (`构建日期`).
    pub build_date: String,
    /// Proof slug: the data revision (`数据版本`).
    pub revision: String,
    /// Proof slug: the page, with `{page}` and `{pages}`.
    pub page_of: String,
    /// Index fallback header: the code column (`编号`).
    pub index_code: String,
    /// Index fallback header: the name column (`指标`).
    pub index_indicator: String,
    /// Index fallback header: the detail column; `{org}` is the short name.
    pub index_detail: String,
    /// Index fallback header: the pages column (`披露页码`).
    pub index_pages: String,
    /// The marker of a bulleted list (`■`).
    pub list_marker: String,
    /// After the note label and its number (`：`).
    pub note_separator: String,
    /// Before a chart's unit (`单位：`).
    pub unit_prefix: String,
    /// The opening mark of a quote box (`“`).
    pub quote_open: String,
    /// Before a quote's source (`——`).
    pub quote_dash: String,
    /// Before a figure's or QR code's caption (`▲ `).
    pub caption_marker: String,
    /// The high end of the materiality matrix's axes (`高`).
    pub matrix_high: String,
    /// After an axis name (` →`).
    pub axis_arrow: String,
    /// Between the layers of a diagram (`▼`).
    pub flow_arrow: String,
    /// Between page ranges in the index (`，`).
    pub page_separator: String,
    /// Where there is no value or page (`—`).
    pub none_mark: String,
    /// The contents' leader dot (`·`).
    pub leader: String,
    /// Between the slogan and the title in the PDF's description (`：`).
    pub title_separator: String,
    /// Between an opener's motto words (`　·　`).
    pub motto_separator: String,
    /// Between the fields of a proof's slug line (` · `).
    pub slug_separator: String,
    /// A chapter's number on its opener, with `{n}` (`{n}`, `第{n}章`).
    pub part_number: String,
    /// Back cover: the address (`地址`).
    pub contact_address: String,
    /// Back cover: the website (`网址`).
    pub contact_website: String,
    /// Back cover: the telephone (`电话`).
    pub contact_telephone: String,
    /// Back cover: the e-mail address (`邮箱`).
    pub contact_email: String,
    /// Back cover: under the QR code (`扫码阅读电子版`).
    pub contact_qr: String,
}

/// Optional type choices of a theme.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeChoices {
    /// Serif families, first choice first.
    #[serde(default)]
    pub serif: Option<Vec<String>>,
    /// Sans-serif families, first choice first.
    #[serde(default)]
    pub sans: Option<Vec<String>>,
    /// Sizes in pt, by the names of the engine's type scale.
    #[serde(default)]
    pub size: BTreeMap<String, f64>,
    /// Line spacing in em.
    #[serde(default)]
    pub leading: Option<f64>,
}

/// The names of the engine's type scale (`layout/base.typ`).
pub const TYPE_SCALE: [&str; 10] = ["folio", "note", "table", "body", "lead", "h3", "h2", "h1", "part", "stat"];

/// Palette entries every theme must declare (the components use them).
pub const PALETTE_ROLES: [&str; 3] = ["brand", "brand-deep", "highlight"];
