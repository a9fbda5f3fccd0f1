//! Blocks: the units of content inside parts and sections.

use serde::{Deserialize, Serialize};

use super::{ChartKind, KpiCheck, KpiRow, Quote, Topic};

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
    /// A letter's salutation (`尊敬的各位股东：`): set flush left, without
    /// the first-line indent of the paragraphs under it.
    Salutation {
        /// The salutation.
        text: String,
        /// A label.
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
        /// The last row is a total (合计): a rule above it, set bold.
        #[serde(default)]
        total: bool,
        /// Each column's alignment, one per header cell; without it a column
        /// whose cells are all numbers aligns right, any other left.
        #[serde(default)]
        align: Vec<ColumnAlign>,
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
        /// A spreadsheet (`.xlsx`, `.ods`, `.csv`, relative to the manifest)
        /// that supplies the rows' values; overrides the part's `kpi_source`.
        /// (`source` in the data; "source" alone also names a data file.)
        #[serde(default, rename = "source")]
        workbook: Option<String>,
        /// The worksheet to read (default: the name `kpi export` gives the
        /// table); the TOML key is `sheet`.
        #[serde(default, rename = "sheet")]
        worksheet: Option<String>,
        /// A label.
        #[serde(default)]
        label: Option<String>,
        /// Disclosure tags.
        #[serde(default)]
        disclosures: Vec<String>,
    },
    /// A chart of KPI rows, drawn from the KPI table with label `table`.
    Chart {
        /// Bar, line, stacked bar or share ring.
        kind: ChartKind,
        /// Chart title.
        title: String,
        /// The label of the KPI table whose rows are drawn.
        table: String,
        /// Row ids or indicator names, in drawing order.
        rows: Vec<String>,
        /// The year a share ring shows (default: the table's last year).
        #[serde(default)]
        year: Option<i32>,
        /// A label.
        #[serde(default)]
        label: Option<String>,
        /// Disclosure tags.
        #[serde(default)]
        disclosures: Vec<String>,
    },
    /// A materiality matrix: topics placed by two scores, coloured by group.
    Materiality {
        /// Matrix title.
        title: String,
        /// Horizontal axis title (e.g. `对公司的影响程度`).
        x_axis: String,
        /// Vertical axis title (e.g. `利益相关方关注程度`).
        y_axis: String,
        /// The topics.
        topics: Vec<Topic>,
        /// A label.
        #[serde(default)]
        label: Option<String>,
        /// Disclosure tags.
        #[serde(default)]
        disclosures: Vec<String>,
    },
    /// A QR code for a URL, drawn as vector art in 100 % K.
    Qr {
        /// The encoded URL (or any text).
        url: String,
        /// The caption under the code.
        caption: String,
        /// Printed size of the code without its quiet zone, in millimetres.
        #[serde(default)]
        size_mm: Option<f64>,
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

/// How a plain table's column is aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnAlign {
    /// Flush left (text).
    Left,
    /// Centred.
    Center,
    /// Flush right (numbers).
    Right,
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
            | Block::Salutation { label, disclosures, .. }
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
            | Block::Index { label, disclosures, .. }
            | Block::Chart { label, disclosures, .. }
            | Block::Materiality { label, disclosures, .. }
            | Block::Qr { label, disclosures, .. } => (label, disclosures),
        }
    }

    /// The image paths the block's figures name, as written.
    pub fn images(&self) -> Vec<&str> {
        match self {
            Block::Figure { image, .. } => image.as_deref().into_iter().collect(),
            Block::Case { figures, .. } => figures.iter().filter_map(|f| f.image.as_deref()).collect(),
            _ => Vec::new(),
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
            Block::Figure { caption, .. } | Block::Salutation { text: caption, .. } => out.push(caption),
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
            Block::Chart { title, .. } => out.push(title),
            Block::Materiality { title, x_axis, y_axis, topics, .. } => {
                out.extend([title.as_str(), x_axis.as_str(), y_axis.as_str()]);
                out.extend(topics.iter().map(|t| t.group.as_str()));
            }
            Block::Qr { caption, .. } => out.push(caption),
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
