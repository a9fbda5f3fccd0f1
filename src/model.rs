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
}

/// Document metadata.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// Full title, e.g. `中国移动通信集团有限公司2020可持续发展报告`.
    pub title: String,
    /// The theme line, e.g. `贡献数智新力量`.
    pub theme: String,
    /// The second theme line, e.g. `共创美好新未来`.
    #[serde(default)]
    pub subtitle: Option<String>,
    /// Reporting year.
    pub year: i32,
    /// The reporting organisation.
    pub organisation: String,
    /// Publication date, `YYYY-MM-DD`; also the PDF's creation date.
    pub date: String,
    /// BCP 47 language tag, `zh-CN`.
    pub language: String,
    /// PDF keywords.
    #[serde(default)]
    pub keywords: Vec<String>,
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
    /// An optional second heading line (e.g. `数智基建赋能百业`).
    #[serde(default)]
    pub subtitle: Option<String>,
    /// Colour theme: `smart`, `inclusive`, `green` or `neutral` (default).
    #[serde(default)]
    pub theme: Theme,
    /// A label other text can reference with `{ref:label}`.
    #[serde(default)]
    pub label: Option<Spanned<String>>,
    /// Disclosure tags (`INDEX:CODE`) the whole part discloses.
    #[serde(default)]
    pub disclosures: Vec<Spanned<String>>,
    /// Chapter opener page; only chapters and features have one.
    #[serde(default)]
    pub opener: Option<Opener>,
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

/// A colour theme from the palette in `layout/theme.typ`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    /// 智慧发展.
    Smart,
    /// 包容发展.
    Inclusive,
    /// 绿色发展.
    Green,
    /// Everything else.
    #[default]
    Neutral,
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

/// A unit of content. The `type` field selects the kind.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Block {
    /// A body paragraph, optionally with a bold lead-in.
    Paragraph {
        /// Bold lead-in printed before the text.
        #[serde(default)]
        lead: Option<String>,
        /// The paragraph text; `{ref:label}` prints the page of a label.
        text: String,
        /// A label other text can reference with `{ref:label}`.
        #[serde(default)]
        label: Option<String>,
        /// Disclosure tags.
        #[serde(default)]
        disclosures: Vec<String>,
    },
    /// A bulleted or numbered list.
    List {
        /// An optional heading over the list.
        #[serde(default)]
        title: Option<String>,
        /// Numbered instead of bulleted.
        #[serde(default)]
        ordered: bool,
        /// The items.
        items: Vec<ListItem>,
        /// A label.
        #[serde(default)]
        label: Option<String>,
        /// Disclosure tags.
        #[serde(default)]
        disclosures: Vec<String>,
    },
    /// A case box (案例).
    Case {
        /// The case title.
        title: String,
        /// Body paragraphs.
        #[serde(default)]
        paragraphs: Vec<String>,
        /// List items after the paragraphs.
        #[serde(default)]
        items: Vec<ListItem>,
        /// Stat callouts inside the case.
        #[serde(default)]
        stats: Vec<Stat>,
        /// A testimonial or quotation.
        #[serde(default)]
        quote: Option<Quote>,
        /// Figures (photos in the original).
        #[serde(default)]
        figures: Vec<Figure>,
        /// A label.
        #[serde(default)]
        label: Option<String>,
        /// Disclosure tags.
        #[serde(default)]
        disclosures: Vec<String>,
    },
    /// A row of big-number stat callouts.
    Stats {
        /// An optional heading over the callouts.
        #[serde(default)]
        title: Option<String>,
        /// The callouts.
        items: Vec<Stat>,
        /// A label.
        #[serde(default)]
        label: Option<String>,
        /// Disclosure tags.
        #[serde(default)]
        disclosures: Vec<String>,
    },
    /// A quotation set apart from the text.
    Quote {
        /// The quoted text.
        text: String,
        /// Who said it.
        #[serde(default)]
        source: Option<String>,
        /// A label.
        #[serde(default)]
        label: Option<String>,
        /// Disclosure tags.
        #[serde(default)]
        disclosures: Vec<String>,
    },
    /// A figure: an image file, or a marked placeholder with its caption.
    Figure {
        /// The caption.
        caption: String,
        /// Image file relative to the manifest.
        #[serde(default)]
        image: Option<String>,
        /// Placed width in millimetres (default: the column width).
        #[serde(default)]
        width_mm: Option<f64>,
        /// A label.
        #[serde(default)]
        label: Option<String>,
        /// Disclosure tags.
        #[serde(default)]
        disclosures: Vec<String>,
    },
    /// A 延伸阅读 sidebar.
    Sidebar {
        /// Sidebar heading (e.g. `延伸阅读`).
        title: String,
        /// Paragraphs.
        #[serde(default)]
        paragraphs: Vec<String>,
        /// List items.
        #[serde(default)]
        items: Vec<ListItem>,
        /// A label.
        #[serde(default)]
        label: Option<String>,
        /// Disclosure tags.
        #[serde(default)]
        disclosures: Vec<String>,
    },
    /// A generic table: header plus rows of text cells.
    Table {
        /// Table title.
        #[serde(default)]
        title: Option<String>,
        /// Header cells.
        header: Vec<String>,
        /// Rows; each row has as many cells as the header.
        rows: Vec<Vec<String>>,
        /// Notes printed under the table.
        #[serde(default)]
        notes: Vec<String>,
        /// A label.
        #[serde(default)]
        label: Option<String>,
        /// Disclosure tags.
        #[serde(default)]
        disclosures: Vec<String>,
    },
    /// A KPI table: indicator, unit, one value per year.
    Kpi {
        /// Table title (the topic, e.g. `反腐败`).
        title: String,
        /// The year columns, e.g. `[2018, 2019, 2020]`.
        years: Vec<i32>,
        /// Rows in order; a row with only `group` is a sub-heading.
        rows: Vec<KpiRow>,
        /// Notes, numbered from 1, tied to the rows' `notes` markers.
        #[serde(default)]
        notes: Vec<String>,
        /// Integrity checks run on every build.
        #[serde(default)]
        checks: Vec<KpiCheck>,
        /// A label.
        #[serde(default)]
        label: Option<String>,
        /// Disclosure tags.
        #[serde(default)]
        disclosures: Vec<String>,
    },
    /// A signature block (letter, rating).
    Signature {
        /// Name of the signatory.
        #[serde(default)]
        name: Option<String>,
        /// Titles, one per line.
        #[serde(default)]
        titles: Vec<String>,
        /// A date line.
        #[serde(default)]
        date: Option<String>,
        /// A label.
        #[serde(default)]
        label: Option<String>,
        /// Disclosure tags.
        #[serde(default)]
        disclosures: Vec<String>,
    },
    /// An organisation chart: entities and who owns or controls whom.
    OrgChart {
        /// Chart title.
        #[serde(default)]
        title: Option<String>,
        /// Entities; `parent` names another node's `id`.
        nodes: Vec<OrgNode>,
        /// A label.
        #[serde(default)]
        label: Option<String>,
        /// Disclosure tags.
        #[serde(default)]
        disclosures: Vec<String>,
    },
    /// A layered diagram (the 力量大厦 strategy, the 责任信号 model).
    Diagram {
        /// Diagram title.
        title: String,
        /// Levels from top to bottom.
        levels: Vec<DiagramLevel>,
        /// A label.
        #[serde(default)]
        label: Option<String>,
        /// Disclosure tags.
        #[serde(default)]
        disclosures: Vec<String>,
    },
    /// The star ratings of a rating letter (报告评级).
    Ratings {
        /// Per-dimension ratings, in order; the overall rating last.
        items: Vec<Rating>,
        /// A label.
        #[serde(default)]
        label: Option<String>,
        /// Disclosure tags.
        #[serde(default)]
        disclosures: Vec<String>,
    },
    /// Contact lines (读者反馈): label and value.
    Contacts {
        /// The lines.
        items: Vec<Contact>,
        /// A label.
        #[serde(default)]
        label: Option<String>,
        /// Disclosure tags.
        #[serde(default)]
        disclosures: Vec<String>,
    },
    /// Places a disclosure index table (defined under `data/indexes/`).
    Index {
        /// The index id.
        index: String,
        /// A label.
        #[serde(default)]
        label: Option<String>,
        /// Disclosure tags.
        #[serde(default)]
        disclosures: Vec<String>,
    },
}

/// A list item with an optional bold lead-in.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ListItem {
    /// Bold lead-in.
    #[serde(default)]
    pub lead: Option<String>,
    /// Item text.
    pub text: String,
}

/// A stat callout: a big number with unit and label.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Stat {
    /// What is counted.
    pub label: String,
    /// The number as printed (`1,811`, `25.1`).
    pub value: String,
    /// The unit (`亿元`, `万人`, `%`).
    #[serde(default)]
    pub unit: String,
    /// The period, e.g. `2020 年` or `截至 2020 年底`.
    #[serde(default)]
    pub period: Option<String>,
}

/// A figure inside a case box.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Figure {
    /// The caption.
    pub caption: String,
    /// Image file relative to the manifest.
    #[serde(default)]
    pub image: Option<String>,
}

/// One row of a KPI table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KpiRow {
    /// A sub-heading row: only this field is set.
    #[serde(default)]
    pub group: Option<String>,
    /// Indicator name.
    #[serde(default)]
    pub indicator: Option<String>,
    /// Unit, printed in its own column.
    #[serde(default)]
    pub unit: String,
    /// One value per year, as printed: `7,716`, `/`, `>15`, `1,400+`.
    #[serde(default)]
    pub values: Vec<String>,
    /// Footnote markers: numbers of the table's notes.
    #[serde(default)]
    pub notes: Vec<u32>,
    /// Identifier for integrity checks.
    #[serde(default)]
    pub id: Option<String>,
}

/// An integrity check: the `parts` rows add up to `total` (a row id) or
/// to `equals` (a constant such as 100), per year, within `tolerance`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KpiCheck {
    /// Row ids that are summed.
    pub parts: Vec<String>,
    /// Row id of the total.
    #[serde(default)]
    pub total: Option<String>,
    /// A constant total (e.g. 100 for percentages).
    #[serde(default)]
    pub equals: Option<f64>,
    /// Allowed absolute difference.
    #[serde(default)]
    pub tolerance: f64,
}

/// An organisation chart entity.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OrgNode {
    /// Identifier referenced by `parent`.
    pub id: String,
    /// Name printed in the box.
    pub name: String,
    /// The owning or controlling entity's `id`.
    #[serde(default)]
    pub parent: Option<String>,
    /// How it relates to its parent (e.g. `全资拥有`, `控股`).
    #[serde(default)]
    pub relation: Option<String>,
}

/// A level of a layered diagram.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DiagramLevel {
    /// Level name.
    pub name: String,
    /// The items on this level.
    #[serde(default)]
    pub items: Vec<String>,
}

/// A star rating of one dimension.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rating {
    /// Dimension, e.g. `过程性`.
    pub dimension: String,
    /// Filled stars.
    pub stars: u8,
    /// Out of (default 5).
    #[serde(default = "five")]
    pub of: u8,
    /// The assessment text.
    pub text: String,
}

fn five() -> u8 {
    5
}

/// A contact line.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// What it is (`电子邮件`).
    pub label: String,
    /// The address or number.
    pub value: String,
}

/// A disclosure index file under `data/indexes/`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Index {
    /// Short id used as the prefix of disclosure tags (`CASS4`).
    pub id: String,
    /// The standard's title.
    pub title: String,
    /// Column headings, e.g. `["指标编号及名称", "披露页码"]`.
    #[serde(default)]
    pub columns: Vec<String>,
    /// Row groups.
    pub groups: Vec<IndexGroup>,
}

/// A group of index rows under a heading.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IndexGroup {
    /// Group heading (may be empty).
    #[serde(default)]
    pub title: String,
    /// Rows.
    pub rows: Vec<IndexRow>,
}

/// One index row: a code and a name; the pages are computed.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IndexRow {
    /// The indicator code (`M2.13`, `A1.1`, `SDG 1`).
    pub code: String,
    /// The indicator name.
    pub name: String,
    /// Extra text column (e.g. the SDG table's 中国移动实践).
    #[serde(default)]
    pub detail: Option<String>,
    /// Printed instead of pages: `-`, `不适用`, `无相关实践`, ….
    #[serde(default)]
    pub status: Option<String>,
}

impl Block {
    /// The block's label, if it has one.
    pub fn label(&self) -> Option<&str> {
        self.anchor().0.as_deref()
    }

    /// The block's disclosure tags.
    pub fn disclosures(&self) -> &[String] {
        self.anchor().1
    }

    fn anchor(&self) -> (&Option<String>, &[String]) {
        match self {
            Block::Paragraph { label, disclosures, .. }
            | Block::List { label, disclosures, .. }
            | Block::Case { label, disclosures, .. }
            | Block::Stats { label, disclosures, .. }
            | Block::Quote { label, disclosures, .. }
            | Block::Figure { label, disclosures, .. }
            | Block::Sidebar { label, disclosures, .. }
            | Block::Table { label, disclosures, .. }
            | Block::Kpi { label, disclosures, .. }
            | Block::Signature { label, disclosures, .. }
            | Block::OrgChart { label, disclosures, .. }
            | Block::Diagram { label, disclosures, .. }
            | Block::Ratings { label, disclosures, .. }
            | Block::Contacts { label, disclosures, .. }
            | Block::Index { label, disclosures, .. } => (label, disclosures),
        }
    }

    /// Every piece of printed text in the block, in order.
    pub fn texts(&self) -> Vec<&str> {
        fn items<'a>(out: &mut Vec<&'a str>, items: &'a [ListItem]) {
            for item in items {
                out.extend(item.lead.as_deref());
                out.push(&item.text);
            }
        }
        let mut out: Vec<&str> = Vec::new();
        match self {
            Block::Paragraph { lead, text, .. } => {
                out.extend(lead.as_deref());
                out.push(text);
            }
            Block::List { title, items: list, .. } => {
                out.extend(title.as_deref());
                items(&mut out, list);
            }
            Block::Case { title, paragraphs, items: list, stats, quote, figures, .. } => {
                out.push(title);
                out.extend(paragraphs.iter().map(String::as_str));
                items(&mut out, list);
                out.extend(stats.iter().flat_map(Stat::texts));
                if let Some(q) = quote {
                    out.push(&q.text);
                    out.extend(q.source.as_deref());
                }
                out.extend(figures.iter().map(|f| f.caption.as_str()));
            }
            Block::Stats { title, items, .. } => {
                out.extend(title.as_deref());
                out.extend(items.iter().flat_map(Stat::texts));
            }
            Block::Quote { text, source, .. } => {
                out.push(text);
                out.extend(source.as_deref());
            }
            Block::Figure { caption, .. } => out.push(caption),
            Block::Sidebar { title, paragraphs, items: list, .. } => {
                out.push(title);
                out.extend(paragraphs.iter().map(String::as_str));
                items(&mut out, list);
            }
            Block::Table { title, header, rows, notes, .. } => {
                out.extend(title.as_deref());
                out.extend(header.iter().map(String::as_str));
                out.extend(rows.iter().flatten().map(String::as_str));
                out.extend(notes.iter().map(String::as_str));
            }
            Block::Kpi { title, rows, notes, .. } => {
                out.push(title);
                for row in rows {
                    out.extend(row.group.as_deref());
                    out.extend(row.indicator.as_deref());
                    out.push(&row.unit);
                    out.extend(row.values.iter().map(String::as_str));
                }
                out.extend(notes.iter().map(String::as_str));
            }
            Block::Signature { name, titles, date, .. } => {
                out.extend(name.as_deref());
                out.extend(titles.iter().map(String::as_str));
                out.extend(date.as_deref());
            }
            Block::OrgChart { title, nodes, .. } => {
                out.extend(title.as_deref());
                for node in nodes {
                    out.push(&node.name);
                    out.extend(node.relation.as_deref());
                }
            }
            Block::Diagram { title, levels, .. } => {
                out.push(title);
                for level in levels {
                    out.push(&level.name);
                    out.extend(level.items.iter().map(String::as_str));
                }
            }
            Block::Ratings { items, .. } => {
                for r in items {
                    out.push(&r.dimension);
                    out.push(&r.text);
                }
            }
            Block::Contacts { items, .. } => {
                for c in items {
                    out.push(&c.label);
                    out.push(&c.value);
                }
            }
            Block::Index { .. } => {}
        }
        out
    }
}

impl Stat {
    fn texts(&self) -> impl Iterator<Item = &str> {
        [self.value.as_str(), self.unit.as_str(), self.label.as_str()].into_iter().chain(self.period.as_deref())
    }
}

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
