//! Flattens a laid-out page into what a designer sees: text runs, shapes
//! and images as boxes on the page (in points, from the trim's top-left
//! corner), in paint order, plus the marks the layouts leave for the
//! preflight (`<csr-…>` metadata, parsed into a [`Mark`] here).

use typst::foundations::{Dict, Value};
use typst::introspection::{MetadataElem, Tag};
use typst::layout::{Abs, Frame, FrameItem, Point, Transform};
use typst::text::TextItem;
use typst::visualize::{Color, CurveItem, Geometry, ImageKind, Paint, ProcessColor};
use typst_layout::Page;

use super::marks::Mark;

/// An axis-aligned box on the page, in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Area {
    /// Left edge.
    pub x0: f64,
    /// Top edge.
    pub y0: f64,
    /// Right edge.
    pub x1: f64,
    /// Bottom edge.
    pub y1: f64,
}

impl Area {
    /// Width in points.
    pub fn width(&self) -> f64 {
        self.x1 - self.x0
    }

    /// Height in points.
    pub fn height(&self) -> f64 {
        self.y1 - self.y0
    }

    /// The area of the overlap with `other` (0 when they do not meet).
    pub fn overlap(&self, other: &Area) -> f64 {
        let w = self.x1.min(other.x1) - self.x0.max(other.x0);
        let h = self.y1.min(other.y1) - self.y0.max(other.y0);
        if w > 0.0 && h > 0.0 { w * h } else { 0.0 }
    }

    /// Whether `other` lies inside this box, give or take `slack` points.
    pub fn contains(&self, other: &Area, slack: f64) -> bool {
        other.x0 >= self.x0 - slack
            && other.x1 <= self.x1 + slack
            && other.y0 >= self.y0 - slack
            && other.y1 <= self.y1 + slack
    }

    /// Whether the point lies inside the box.
    pub fn holds(&self, (x, y): (f64, f64)) -> bool {
        x >= self.x0 && x <= self.x1 && y >= self.y0 && y <= self.y1
    }
}

/// A run of shaped text.
#[derive(Debug, Clone)]
pub struct TextRun {
    /// Paint order on the page.
    pub order: usize,
    /// The glyphs' box (ascender to descender).
    pub area: Area,
    /// Baseline, in points from the top.
    pub baseline: f64,
    /// Font size in points.
    pub size: f64,
    /// The characters.
    pub text: String,
    /// How much wider than the font sets them justification set the run's
    /// Han characters, in em: one value per character that stands between
    /// two others of the run, none of them a Latin letter or digit (Typst
    /// adds a quarter em between Han and Latin, which is not justification).
    pub han_spread: Vec<f32>,
    /// Each glyph's character and the horizontal extent of its natural
    /// advance on the page (where the font alone would set it, without the
    /// spacing Typst adds before or after it), in points.
    pub glyphs: Vec<GlyphBox>,
    /// Whether it is painted in the paper colour (white): it shows only on
    /// something painted under it.
    pub paper: bool,
}

/// A glyph of a [`TextRun`]: its first character and where it stands.
#[derive(Debug, Clone, Copy)]
pub struct GlyphBox {
    /// The first character of its cluster.
    pub c: char,
    /// Left edge of its natural advance.
    pub x0: f64,
    /// Right edge of its natural advance.
    pub x1: f64,
}

/// A filled or stroked shape.
#[derive(Debug, Clone)]
pub struct Graphic {
    /// Paint order on the page.
    pub order: usize,
    /// Bounding box (stroke included).
    pub area: Area,
    /// Whether it has an opaque fill.
    pub opaque: bool,
    /// Points along its outline, for "does it cross this text" tests.
    pub outline: Vec<(f64, f64)>,
    /// Whether it is only stroked (a rule, a circle outline).
    pub stroked_only: bool,
}

/// A placed image.
#[derive(Debug, Clone)]
pub struct Picture {
    /// Paint order on the page.
    pub order: usize,
    /// Where it is placed.
    pub area: Area,
    /// Pixel size, for raster images.
    pub pixels: Option<(u32, u32)>,
    /// Colour model of a raster image: `rgb`, `grey`, `cmyk`.
    pub colour: Option<&'static str>,
}

/// A mark left by the layouts (`layout/marks.typ`), where it stands on a page.
#[derive(Debug, Clone)]
pub struct PlacedMark {
    /// Paint order on the page.
    pub order: usize,
    /// What kind of mark it is.
    pub kind: Mark,
    /// Where it sits.
    pub at: (f64, f64),
    /// The metadata value.
    pub value: Value,
}

impl PlacedMark {
    /// A string field of the mark's dictionary.
    pub fn text(&self, key: &str) -> Option<&str> {
        match &self.value {
            Value::Dict(dict) => field(dict, key),
            _ => None,
        }
    }

    /// An integer field of the mark's dictionary.
    pub fn int(&self, key: &str) -> Option<i64> {
        match &self.value {
            Value::Dict(dict) => match dict.get(key) {
                Ok(Value::Int(n)) => Some(*n),
                _ => None,
            },
            _ => None,
        }
    }

    /// A length field of the mark's dictionary, in points.
    pub fn length(&self, key: &str) -> Option<f64> {
        match &self.value {
            Value::Dict(dict) => match dict.get(key) {
                Ok(Value::Length(l)) => Some(l.abs.to_pt()),
                _ => None,
            },
            _ => None,
        }
    }
}

/// A string field of a mark's dictionary.
fn field<'a>(dict: &'a Dict, key: &str) -> Option<&'a str> {
    match dict.get(key) {
        Ok(Value::Str(s)) => Some(s.as_str()),
        _ => None,
    }
}

/// Everything painted on one page.
#[derive(Debug, Default)]
pub struct Sheet {
    /// 1-based physical page number.
    pub number: usize,
    /// Trim width and height in points.
    pub size: (f64, f64),
    /// Text runs in paint order.
    pub texts: Vec<TextRun>,
    /// Shapes in paint order.
    pub graphics: Vec<Graphic>,
    /// Images in paint order.
    pub pictures: Vec<Picture>,
    /// Marks in document order.
    pub marks: Vec<PlacedMark>,
}

impl Sheet {
    /// Marks of one kind.
    pub fn marks(&self, kind: Mark) -> impl Iterator<Item = &PlacedMark> {
        self.marks.iter().filter(move |m| m.kind == kind)
    }
}

/// Flattens one page.
pub fn scan(number: usize, page: &Page) -> Sheet {
    let size = page.frame.size();
    let mut sheet = Sheet { number, size: (size.x.to_pt(), size.y.to_pt()), ..Sheet::default() };
    let mut order = 0;
    walk(&page.frame, Transform::identity(), None, &mut sheet, &mut order);
    // A proof's watermark (under the content, between a `<csr-overlay>`
    // start and end mark) and slug line (after a start mark, over the page)
    // are proof furniture, not the page's content.
    let mut spans = Vec::new();
    let mut open = None;
    for m in sheet.marks(Mark::Overlay) {
        match (&m.value, open) {
            (Value::Str(edge), Some(from)) if edge.as_str() == "end" => {
                spans.push(from..m.order);
                open = None;
            }
            (_, None) => open = Some(m.order),
            _ => {}
        }
    }
    if let Some(from) = open {
        spans.push(from..usize::MAX);
    }
    if !spans.is_empty() {
        let kept = |order: usize| !spans.iter().any(|s| s.contains(&order));
        sheet.texts.retain(|t| kept(t.order));
        sheet.graphics.retain(|g| kept(g.order));
        sheet.pictures.retain(|p| kept(p.order));
    }
    sheet
}

/// Adds everything in `frame` (placed by `ts`, inside `clip`) to `sheet`,
/// numbering items in paint order.
fn walk(frame: &Frame, ts: Transform, clip: Option<Area>, sheet: &mut Sheet, order: &mut usize) {
    for (pos, item) in frame.items() {
        *order += 1;
        let at = ts.pre_concat(Transform::translate(pos.x, pos.y));
        match item {
            FrameItem::Group(group) => {
                let inner = at.pre_concat(group.transform);
                let clip = match &group.clip {
                    Some(curve) => {
                        let r = curve.bbox(None);
                        let own = transformed(inner, r.min, r.max);
                        Some(clip.map_or(own, |c| intersect(c, own)))
                    }
                    None => clip,
                };
                walk(&group.frame, inner, clip, sheet, order);
            }
            FrameItem::Text(text) => {
                let size = text.size;
                // Justification widens a line's last glyph too, past the
                // column's edge: the run ends where that glyph's ink does.
                let trailing = text.glyphs.last().and_then(|g| Some(g.x_advance - text.font.x_advance(g.id)?));
                let width = text.width() - trailing.filter(|t| t.get() > 0.0).map_or(Abs::zero(), |t| t.at(size));
                let metrics = text.font.metrics();
                let ascent = metrics.ascender.at(size);
                let descent = metrics.descender.at(size);
                let area = transformed(at, Point::new(Abs::zero(), -ascent), Point::new(width, -descent));
                if clipped_away(clip, &area) {
                    continue;
                }
                let area = clip.map_or(area, |c| intersect(c, area));
                let baseline = point(at, Point::zero()).1;
                sheet.texts.push(TextRun {
                    order: *order,
                    area,
                    baseline,
                    size: size.to_pt(),
                    text: text.text.chars().filter(|&c| !is_joiner(c)).collect(),
                    han_spread: han_spread(text),
                    glyphs: glyph_boxes(text, point(at, Point::zero()).0),
                    paper: is_paper(&text.fill),
                });
            }
            FrameItem::Shape(shape, _) => {
                let rect = shape.bbox(true);
                let area = transformed(at, rect.min, rect.max);
                if clipped_away(clip, &area) {
                    continue;
                }
                let area = clip.map_or(area, |c| intersect(c, area));
                let opaque = shape.fill.as_ref().is_some_and(is_opaque);
                let stroked_only = shape.fill.is_none() && shape.stroke.is_some();
                let mut outline = outline(&shape.geometry, at);
                if let Some(c) = clip {
                    outline.retain(|p| c.holds(*p));
                }
                sheet.graphics.push(Graphic { order: *order, area, opaque, outline, stroked_only });
            }
            FrameItem::Image(image, size, _) => {
                let area = transformed(at, Point::zero(), Point::new(size.x, size.y));
                if clipped_away(clip, &area) {
                    continue;
                }
                let (pixels, colour) = match image.kind() {
                    ImageKind::Raster(raster) => (Some((raster.width(), raster.height())), Some(colour_of(raster))),
                    _ => (None, None),
                };
                sheet.pictures.push(Picture { order: *order, area, pixels, colour });
            }
            FrameItem::Tag(Tag::Start(content, _)) => {
                let Some(label) = content.label() else { continue };
                let name = label.resolve();
                let Some((kind, _)) = Mark::parse(name.as_str()) else { continue };
                let Some(meta) = content.to_packed::<MetadataElem>() else { continue };
                sheet.marks.push(PlacedMark {
                    order: *order,
                    kind,
                    at: point(at, Point::zero()),
                    value: meta.value.clone(),
                });
            }
            FrameItem::Tag(_) | FrameItem::Link(..) => {}
        }
    }
}

/// What justification added to the advance of a run's Han characters (see
/// [`TextRun::han_spread`]).
fn han_spread(text: &TextItem) -> Vec<f32> {
    let first = |g: &typst::text::Glyph| text.text.get(g.range()).and_then(|s| s.chars().next());
    let chars: Vec<Option<char>> = text.glyphs.iter().map(first).collect();
    let latin = |c: char| c.is_ascii_alphanumeric();
    let mut out = Vec::new();
    for (i, glyph) in text.glyphs.iter().enumerate().skip(1) {
        // A glyph without text (a ligature's tail) counts as Latin: left out.
        let (Some(&before), Some(&next)) = (chars.get(i - 1), chars.get(i + 1)) else { continue };
        if chars[i].is_some_and(is_ideograph)
            && !before.is_none_or(latin)
            && !next.is_none_or(latin)
            && let Some(natural) = text.font.x_advance(glyph.id)
        {
            out.push((glyph.x_advance - natural).get() as f32);
        }
    }
    out
}

/// Where each glyph of `text` stands, its run starting at `x` on the page.
fn glyph_boxes(text: &TextItem, x: f64) -> Vec<GlyphBox> {
    let size = text.size.to_pt();
    let mut pen = x;
    let mut out = Vec::with_capacity(text.glyphs.len());
    for glyph in &text.glyphs {
        let c = text.text.get(glyph.range()).and_then(|s| s.chars().next());
        if let (Some(c), Some(natural)) = (c, text.font.x_advance(glyph.id)) {
            let x0 = pen + glyph.x_offset.get() * size;
            out.push(GlyphBox { c, x0, x1: x0 + natural.get() * size });
        }
        pen += glyph.x_advance.get() * size;
    }
    out
}

/// A joiner or zero-width space: the layouts put them in text to allow or
/// forbid a line break (`layout/tokens.typ`); they have no glyph and are
/// no part of what a reader sees.
fn is_joiner(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// A CJK ideograph (not punctuation, whose width justification also changes).
fn is_ideograph(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// A point of a frame, on the page, in points.
fn point(ts: Transform, p: Point) -> (f64, f64) {
    let p = p.transform(ts);
    (p.x.to_pt(), p.y.to_pt())
}

/// The page box of the frame box from `min` to `max` under `ts`.
fn transformed(ts: Transform, min: Point, max: Point) -> Area {
    let corners =
        [point(ts, min), point(ts, Point::new(max.x, min.y)), point(ts, max), point(ts, Point::new(min.x, max.y))];
    let xs = corners.map(|c| c.0);
    let ys = corners.map(|c| c.1);
    let fold = |v: [f64; 4], f: fn(f64, f64) -> f64| v.into_iter().reduce(f).unwrap_or(0.0);
    Area { x0: fold(xs, f64::min), y0: fold(ys, f64::min), x1: fold(xs, f64::max), y1: fold(ys, f64::max) }
}

/// The box two boxes share (inside out, x1 < x0 or y1 < y0, where they do
/// not meet).
fn intersect(a: Area, b: Area) -> Area {
    Area { x0: a.x0.max(b.x0), y0: a.y0.max(b.y0), x1: a.x1.min(b.x1), y1: a.y1.min(b.y1) }
}

/// Whether a clip hides the item completely (clipped-away items are not
/// painted, so a designer never sees them).
fn clipped_away(clip: Option<Area>, area: &Area) -> bool {
    clip.is_some_and(|c| c.overlap(area) <= 0.0 && (area.width() > 0.0 || area.height() > 0.0))
}

/// Whether a paint is the paper's colour: white (or as near as ink gets).
fn is_paper(paint: &Paint) -> bool {
    match paint {
        Paint::Solid(color) => paper_by_inks(color).unwrap_or_else(|| paper_by_rgb(color)),
        _ => false,
    }
}

/// Whether a colour converted to RGB is paper: each channel at 98 % or more.
fn paper_by_rgb(color: &Color) -> bool {
    let rgb = color.to_rgb();
    rgb.red.min(rgb.green).min(rgb.blue) >= 0.98
}

/// Whether a CMYK colour is paper, where its inks alone settle it: no ink
/// is paper, and [`PAPER_INK`] or more of any one ink (in the 8-bit steps
/// Typst converts CMYK by) is not, as the ICC conversion says
/// (`tests::inks_settle_paper_as_the_icc_conversion_does`). `None` for
/// other colours and the few tints between. Typst converts CMYK to RGB
/// through an ICC profile whose table it builds at its first use, about
/// 150 million instructions (2 % of a build) for a question the inks
/// answer.
fn paper_by_inks(color: &Color) -> Option<bool> {
    let Color::Process(ProcessColor::Cmyk(cmyk)) = color else { return None };
    let inks = [cmyk.c, cmyk.m, cmyk.y, cmyk.k].map(|v| (v * 255.0).round().clamp(0.0, 255.0) as u8);
    let most = inks.into_iter().max().unwrap_or(0);
    if most == 0 {
        Some(true)
    } else if most >= PAPER_INK {
        Some(false)
    } else {
        None
    }
}

/// The least of any one ink, in 8-bit steps, that is never paper (6/255:
/// 5/255 of magenta, yellow or black alone still converts to 98 % white).
const PAPER_INK: u8 = 6;

/// Whether a paint covers what lies under it.
fn is_opaque(paint: &Paint) -> bool {
    match paint {
        Paint::Solid(color) => color.alpha().is_none_or(|a| a >= 0.99),
        _ => true,
    }
}

/// Points along a shape's outline, in page coordinates.
fn outline(geometry: &Geometry, ts: Transform) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    match geometry {
        Geometry::Line(to) => {
            for i in 0..=16 {
                let t = f64::from(i) / 16.0;
                out.push(point(ts, Point::new(to.x * t, to.y * t)));
            }
        }
        Geometry::Rect(size) => {
            let (w, h) = (size.x, size.y);
            for i in 0..=16 {
                let t = f64::from(i) / 16.0;
                out.push(point(ts, Point::new(w * t, Abs::zero())));
                out.push(point(ts, Point::new(w * t, h)));
                out.push(point(ts, Point::new(Abs::zero(), h * t)));
                out.push(point(ts, Point::new(w, h * t)));
            }
        }
        Geometry::Curve(curve) => {
            let mut current = Point::zero();
            let mut start = Point::zero();
            for item in curve.0.iter() {
                match *item {
                    CurveItem::Move(p) => {
                        current = p;
                        start = p;
                    }
                    CurveItem::Line(p) => {
                        sample_line(&mut out, ts, current, p);
                        current = p;
                    }
                    CurveItem::Cubic(c1, c2, p) => {
                        for i in 0..=24 {
                            let t = f64::from(i) / 24.0;
                            let u = 1.0 - t;
                            let mix = |a: Abs, b: Abs, c: Abs, d: Abs| {
                                a * (u * u * u) + b * (3.0 * u * u * t) + c * (3.0 * u * t * t) + d * (t * t * t)
                            };
                            let q = Point::new(mix(current.x, c1.x, c2.x, p.x), mix(current.y, c1.y, c2.y, p.y));
                            out.push(point(ts, q));
                        }
                        current = p;
                    }
                    CurveItem::Close => {
                        sample_line(&mut out, ts, current, start);
                        current = start;
                    }
                }
            }
        }
    }
    out
}

/// Points along the segment from `a` to `b`, in page coordinates.
fn sample_line(out: &mut Vec<(f64, f64)>, ts: Transform, a: Point, b: Point) {
    for i in 0..=16 {
        let t = f64::from(i) / 16.0;
        out.push(point(ts, Point::new(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t)));
    }
}

/// The colour model of a raster image as it will be embedded.
fn colour_of(raster: &typst::visualize::RasterImage) -> &'static str {
    use typst::visualize::{ExchangeFormat, RasterFormat};
    if raster.format() == RasterFormat::Exchange(ExchangeFormat::Jpg)
        && let Some(components) = jpeg_components(raster.data())
    {
        return match components {
            1 => "grey",
            4 => "cmyk",
            _ => "rgb",
        };
    }
    if raster.dynamic().color().has_color() { "rgb" } else { "grey" }
}

/// The number of colour components a JPEG's frame header declares.
fn jpeg_components(data: &[u8]) -> Option<u8> {
    let mut i = 2;
    while i + 9 < data.len() {
        if data[i] != 0xFF {
            return None;
        }
        let marker = data[i + 1];
        let len = usize::from(u16::from_be_bytes([data[i + 2], data[i + 3]]));
        // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
        if (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            return data.get(i + 9).copied();
        }
        i += 2 + len;
    }
    None
}

#[cfg(test)]
mod tests {
    use typst::visualize::{Cmyk, Color, Paint, ProcessColor};

    use super::{PAPER_INK, is_paper, paper_by_inks, paper_by_rgb as paper_by_icc};

    fn cmyk(inks: [u8; 4]) -> Color {
        let [c, m, y, k] = inks.map(|v| f32::from(v) / 255.0);
        Color::Process(ProcessColor::Cmyk(Cmyk { c, m, y, k }))
    }

    #[test]
    fn inks_settle_paper_as_the_icc_conversion_does() {
        // Every ink alone, at every step, and a grid of mixtures.
        let mut colours = Vec::new();
        for channel in 0..4 {
            for v in 0..=255u8 {
                let mut inks = [0; 4];
                inks[channel] = v;
                colours.push(inks);
            }
        }
        let steps = [0, 1, 3, 5, PAPER_INK, 9, 20, 60, 128, 200, 255];
        for c in steps {
            for m in steps {
                for y in steps {
                    for k in steps {
                        colours.push([c, m, y, k]);
                    }
                }
            }
        }
        let mut settled = 0;
        for inks in colours {
            let colour = cmyk(inks);
            if let Some(paper) = paper_by_inks(&colour) {
                assert_eq!(paper, paper_by_icc(&colour), "{inks:?}");
                settled += 1;
            }
            assert_eq!(is_paper(&Paint::Solid(colour.clone())), paper_by_icc(&colour), "{inks:?}");
        }
        assert!(settled > 10_000, "{settled}");
    }

    #[test]
    fn other_colours_are_left_to_the_conversion() {
        assert_eq!(paper_by_inks(&Color::WHITE), None);
        assert!(is_paper(&Paint::Solid(Color::WHITE)));
        assert!(!is_paper(&Paint::Solid(Color::BLACK)));
        // A tint between: 3/255 of cyan is paper, by the conversion.
        assert_eq!(paper_by_inks(&cmyk([3, 0, 0, 0])), None);
        assert!(is_paper(&Paint::Solid(cmyk([3, 0, 0, 0]))));
    }
}
