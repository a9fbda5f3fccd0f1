//! Reading a built PDF as a reader's tools would, in Rust only: text placed
//! on the page (hayro interprets the content streams and maps each glyph to
//! Unicode through the font's ToUnicode CMap), fonts, page boxes, document
//! info and images (lopdf walks the objects), and rendered pages (hayro).
//! Nothing here runs a program.

use std::collections::BTreeMap;
use std::path::Path;

use hayro::hayro_interpret::font::Glyph;
use hayro::hayro_interpret::hayro_syntax::Pdf;
use hayro::hayro_interpret::{
    BlendMode, ClipPath, Context, Device, GlyphDrawMode, Image, InterpreterCache, InterpreterSettings, Paint,
    PathDrawMode, SoftMask, interpret_page,
};
use hayro::vello_cpu::kurbo::{Affine, BezPath, Point, Rect};
use lopdf::{Dictionary, Document, Object};

/// Opens a PDF with lopdf.
pub fn open(pdf: &Path) -> Document {
    Document::load(pdf).unwrap_or_else(|e| panic!("lopdf cannot open {}: {e}", pdf.display()))
}

/// The number of pages.
pub fn pdf_pages(pdf: &Path) -> usize {
    open(pdf).get_pages().len()
}

// ---------------------------------------------------------------------------
// Text.

/// One glyph as placed on the page: page coordinates in points, y down from
/// the top of the media box, `x0..x1` its advance, `y` its baseline.
#[derive(Clone, Debug)]
struct Placed {
    x0: f64,
    x1: f64,
    y: f64,
    size: f64,
    /// Set on a horizontal baseline running left to right (not rotated
    /// text such as a proof's watermark).
    upright: bool,
    text: String,
}

/// Collects the glyphs hayro draws, in content-stream order.
#[derive(Default)]
struct TextDevice {
    glyphs: Vec<Placed>,
}

impl<'a> Device<'a> for TextDevice {
    fn set_soft_mask(&mut self, _: Option<SoftMask<'a>>) {}
    fn set_blend_mode(&mut self, _: BlendMode) {}
    fn draw_path(&mut self, _: &BezPath, _: Affine, _: &Paint<'a>, _: &PathDrawMode) {}
    fn push_clip_path(&mut self, _: &ClipPath) {}
    fn push_transparency_group(&mut self, _: f32, _: Option<SoftMask<'a>>, _: BlendMode) {}
    fn draw_glyph(
        &mut self,
        glyph: &Glyph<'a>,
        transform: Affine,
        glyph_transform: Affine,
        _: &Paint<'a>,
        _: &GlyphDrawMode,
    ) {
        let Some(unicode) = glyph.as_unicode() else { return };
        let text = match unicode {
            hayro::hayro_interpret::hayro_cmap::BfString::Char(c) => c.to_string(),
            hayro::hayro_interpret::hayro_cmap::BfString::String(s) => s,
        };
        // Glyph space is 1000 units to the em.
        let advance = match glyph {
            Glyph::Outline(g) => f64::from(g.advance_width().unwrap_or(500.0)),
            Glyph::Type3(_) => 500.0,
        };
        let whole = transform * glyph_transform;
        let origin = whole * Point::new(0.0, 0.0);
        let end = whole * Point::new(advance, 0.0);
        let up = whole * Point::new(0.0, 1000.0);
        let size = ((up.x - origin.x).powi(2) + (up.y - origin.y).powi(2)).sqrt();
        let upright = end.x > origin.x && (end.y - origin.y).abs() < 0.01 * (end.x - origin.x);
        let (x0, x1) = (origin.x.min(end.x), origin.x.max(end.x));
        self.glyphs.push(Placed { x0, x1, y: origin.y, size, upright, text });
    }
    fn draw_image(&mut self, _: Image<'a, '_>, _: Affine) {}
    fn pop_clip_path(&mut self) {}
    fn pop_transparency_group(&mut self) {}
}

/// Glyphs in the order they were drawn: a line break where the baseline
/// changes or the pen moves back, a space at a gap.
fn flow(glyphs: Vec<Placed>) -> String {
    let mut out = String::new();
    let mut last: Option<Placed> = None;
    for g in glyphs {
        if let Some(prev) = &last {
            let size = prev.size.max(g.size).max(1.0);
            if (g.y - prev.y).abs() > 0.5 * size || g.x0 < prev.x0 - 0.1 * size {
                out.push('\n');
            } else if g.x0 - prev.x1 > 0.2 * size {
                out.push(' ');
            }
        }
        out.push_str(&g.text);
        last = Some(g);
    }
    out.push('\n');
    out
}

/// A parsed PDF for text reading and rendering (hayro).
pub struct Reader {
    pdf: Pdf,
}

impl Reader {
    pub fn open(pdf: &Path) -> Self {
        let bytes = std::fs::read(pdf).unwrap_or_else(|e| panic!("read {}: {e}", pdf.display()));
        let pdf = Pdf::new(bytes).unwrap_or_else(|e| panic!("hayro cannot open {}: {e:?}", pdf.display()));
        Reader { pdf }
    }

    pub fn pages(&self) -> usize {
        self.pdf.pages().len()
    }

    /// The media box's width and height of a page (1-based).
    fn size(&self, page: usize) -> (f64, f64) {
        let media = self.pdf.pages()[page - 1].media_box();
        (media.x1 - media.x0, media.y1 - media.y0)
    }

    /// The glyphs of one page (1-based) in content-stream order.
    fn glyphs(&self, page: usize) -> Vec<Placed> {
        let page = &self.pdf.pages()[page - 1];
        let media = page.media_box();
        // PDF user space to top-down page space over the media box.
        let flip = Affine::new([1.0, 0.0, 0.0, -1.0, -media.x0, media.y1]);
        let cache = InterpreterCache::new();
        let mut context = Context::new(
            flip,
            Rect::new(0.0, 0.0, media.x1 - media.x0, media.y1 - media.y0),
            &cache,
            page.xref(),
            InterpreterSettings::default(),
        );
        let mut device = TextDevice::default();
        interpret_page(page, &mut context, &mut device);
        device.glyphs
    }

    /// The glyphs of one page (1-based) in drawing order, as (text, left,
    /// right, baseline, size) in points: the left and right of each glyph's
    /// own advance, so a gap between two is the space set between them.
    pub fn placed(&self, page: usize) -> Vec<(String, f64, f64, f64, f64)> {
        self.glyphs(page).into_iter().map(|g| (g.text, g.x0, g.x1, g.y, g.size)).collect()
    }

    /// The runs of text on one page (1-based), line by line top to bottom:
    /// glyphs on one baseline, split where a gap wider than 0.4 em parts
    /// them (a table's cells; a Han–Latin quarter em does not), as (text,
    /// left, right, baseline) in points.
    pub fn runs(&self, page: usize) -> Vec<Vec<(String, f64, f64, f64)>> {
        let glyphs: Vec<Placed> = self.glyphs(page).into_iter().filter(|g| g.upright).collect();
        baseline_lines(glyphs)
            .into_iter()
            .map(|mut line| {
                line.sort_by(|a, b| a.x0.total_cmp(&b.x0));
                let mut runs: Vec<(String, f64, f64, f64)> = Vec::new();
                for g in line {
                    match runs.last_mut() {
                        Some(run) if g.x0 - run.2 <= 0.4 * g.size.max(1.0) => {
                            run.0.push_str(&g.text);
                            run.2 = g.x1;
                        }
                        _ => runs.push((g.text.clone(), g.x0, g.x1, g.y)),
                    }
                }
                runs
            })
            .collect()
    }

    /// The text of one page in the order it was drawn, a line break where
    /// the baseline changes or the pen moves back, a space at a gap.
    pub fn text(&self, page: usize) -> String {
        flow(self.glyphs(page))
    }

    /// The text of a region of one page as lines read top to bottom, each
    /// line's glyphs left to right. `layout` keeps wide gaps as runs of
    /// spaces (a table's columns stay apart); otherwise a gap is one space.
    /// Rotated text (a proof's watermark) follows, in drawing order, so it
    /// never splits a line.
    fn region_text(&self, page: usize, from_x: f64, to_x: f64, layout: bool) -> String {
        let (glyphs, rotated): (Vec<Placed>, Vec<Placed>) = self
            .glyphs(page)
            .into_iter()
            .filter(|g| {
                let mid = (g.x0 + g.x1) / 2.0;
                mid >= from_x && mid < to_x
            })
            .partition(|g| g.upright);
        let lines = baseline_lines(glyphs);
        let mut out = String::new();
        for mut line in lines {
            line.sort_by(|a, b| a.x0.total_cmp(&b.x0));
            let mut pen: Option<(f64, f64)> = None;
            for g in &line {
                if let Some((x1, size)) = pen {
                    let gap = g.x0 - x1;
                    let em = size.max(g.size).max(1.0);
                    if gap > 0.2 * em {
                        let spaces = if layout { ((gap / (0.5 * em)).round() as usize).max(2) } else { 1 };
                        out.extend(std::iter::repeat_n(' ', spaces));
                    }
                }
                out.push_str(&g.text);
                pen = Some((g.x1, g.size));
            }
            out.push('\n');
        }
        if !rotated.is_empty() {
            out.push_str(&flow(rotated));
        }
        out
    }

    /// The whole page read by lines (see `region_text`).
    pub fn layout_text(&self, page: usize) -> String {
        self.region_text(page, f64::MIN, f64::MAX, true)
    }

    /// A two-column page read as a reader does: the left half, then the
    /// right half, each by lines.
    pub fn text_by_column(&self, page: usize, layout: bool) -> String {
        let half = self.size(page).0 / 2.0;
        let mut text = self.region_text(page, f64::MIN, half, layout);
        text.push_str(&self.region_text(page, half, f64::MAX, layout));
        text
    }

    /// Renders a page (1-based) at `ppi` as grey levels, row by row.
    pub fn render_grey(&self, page: usize, ppi: f32) -> (usize, usize, Vec<u8>) {
        let scale = ppi / 72.0;
        let settings = hayro::RenderSettings {
            x_scale: scale,
            y_scale: scale,
            bg_color: hayro::vello_cpu::color::palette::css::WHITE,
            ..Default::default()
        };
        let cache = hayro::RenderCache::new();
        let pixmap = hayro::render(&self.pdf.pages()[page - 1], &cache, &InterpreterSettings::default(), &settings);
        let (w, h) = (usize::from(pixmap.width()), usize::from(pixmap.height()));
        let grey = pixmap
            .data()
            .iter()
            .map(|p| {
                let luma = (299 * u32::from(p.r) + 587 * u32::from(p.g) + 114 * u32::from(p.b)) / 1000;
                // Premultiplied over white.
                (luma + 255 - u32::from(p.a)).min(255) as u8
            })
            .collect();
        (w, h, grey)
    }
}

/// The text of one page (1-based), or of the whole PDF with `page = 0`
/// (pages separated by a form feed), in drawing order.
pub fn pdf_text(pdf: &Path, page: usize) -> String {
    let reader = Reader::open(pdf);
    if page == 0 { (1..=reader.pages()).map(|p| reader.text(p) + "\u{c}").collect() } else { reader.text(page) }
}

/// The text of one page in reading order for a two-column page: the left
/// half, then the right half. `layout` keeps the physical layout of each
/// line (gaps as runs of spaces, for reading table rows).
pub fn pdf_text_by_column(pdf: &Path, page: usize, layout: bool) -> String {
    Reader::open(pdf).text_by_column(page, layout)
}

/// The QR codes on a page, decoded (rendered at 200 ppi).
pub fn decode_qr(pdf: &Path, page: usize) -> Vec<String> {
    let (w, h, grey) = Reader::open(pdf).render_grey(page, 200.0);
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| grey[y * w + x]);
    image.detect_grids().iter().filter_map(|grid| grid.decode().ok()).map(|(_, text)| text).collect()
}

// ---------------------------------------------------------------------------
// Objects: fonts, boxes, info, images.

/// A font as `pdffonts` lists it.
#[derive(Debug)]
pub struct FontRow {
    /// The base font name, with its subset tag.
    pub name: String,
    /// `Type0`, `TrueType`, `Type1`, `Type3`, …
    pub kind: String,
    pub embedded: bool,
    /// The name carries a six-letter subset tag (`ABCDEF+`).
    pub subset: bool,
    /// A ToUnicode CMap maps the glyphs to text.
    pub unicode: bool,
}

fn name_of(doc: &Document, dict: &Dictionary, key: &[u8]) -> Option<String> {
    let object = dict.get(key).ok()?;
    let object = doc.dereference(object).ok()?.1;
    object.as_name().ok().map(|n| String::from_utf8_lossy(n).into_owned())
}

fn dict_of<'a>(doc: &'a Document, object: &'a Object) -> Option<&'a Dictionary> {
    match doc.dereference(object).ok()?.1 {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

/// Whether a font (or, for Type0, its descendant) has an embedded font file.
fn embedded(doc: &Document, font: &Dictionary) -> bool {
    let descriptor = |f: &Dictionary| {
        f.get(b"FontDescriptor")
            .ok()
            .and_then(|d| dict_of(doc, d))
            .is_some_and(|d| d.has(b"FontFile") || d.has(b"FontFile2") || d.has(b"FontFile3"))
    };
    if name_of(doc, font, b"Subtype").as_deref() == Some("Type0") {
        let descendants = font.get(b"DescendantFonts").ok().and_then(|d| doc.dereference(d).ok()).map(|d| d.1);
        descendants
            .and_then(|d| d.as_array().ok())
            .and_then(|a| a.first())
            .and_then(|d| dict_of(doc, d))
            .is_some_and(descriptor)
    } else {
        // Type 3 glyphs are content streams inside the PDF.
        name_of(doc, font, b"Subtype").as_deref() == Some("Type3") || descriptor(font)
    }
}

/// Every font dictionary of the document (each once), as `pdffonts` lists
/// them.
pub fn pdf_fonts(pdf: &Path) -> Vec<FontRow> {
    let doc = open(pdf);
    let mut rows = Vec::new();
    for object in doc.objects.values() {
        let Ok(font) = object.as_dict() else { continue };
        if !font.has_type(b"Font") {
            continue;
        }
        let kind = name_of(&doc, font, b"Subtype").unwrap_or_default();
        if kind.starts_with("CIDFontType") {
            continue; // listed through its Type0 parent
        }
        let name = name_of(&doc, font, b"BaseFont").unwrap_or_else(|| "[none]".to_owned());
        let subset = name.len() > 7 && name.as_bytes()[6] == b'+' && name[..6].bytes().all(|b| b.is_ascii_uppercase());
        rows.push(FontRow { embedded: embedded(&doc, font), unicode: font.has(b"ToUnicode"), name, kind, subset });
    }
    rows
}

/// A rectangle as `[x0, y0, x1, y1]`.
pub type PdfRect = [f64; 4];

/// The boxes of one page, with the defaults and clipping `pdfinfo -box`
/// applies (CropBox defaults to and is clipped to the MediaBox, the others
/// to the CropBox).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageBoxes {
    pub media: PdfRect,
    pub crop: PdfRect,
    pub bleed: PdfRect,
    pub trim: PdfRect,
    pub art: PdfRect,
}

/// A page attribute, inherited through the page tree.
fn inherited<'a>(doc: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut node = page;
    for _ in 0..32 {
        if let Ok(value) = node.get(key) {
            return doc.dereference(value).ok().map(|v| v.1);
        }
        node = node.get(b"Parent").ok().and_then(|p| dict_of(doc, p))?;
    }
    None
}

fn rect_of(doc: &Document, object: Option<&Object>) -> Option<PdfRect> {
    let values: Vec<f64> = object?
        .as_array()
        .ok()?
        .iter()
        .map(|v| doc.dereference(v).ok().and_then(|v| v.1.as_float().ok()).map(f64::from))
        .collect::<Option<_>>()?;
    let [a, b, c, d] = values[..] else { return None };
    Some([a.min(c), b.min(d), a.max(c), b.max(d)])
}

fn clip(r: PdfRect, to: PdfRect) -> PdfRect {
    [r[0].max(to[0]), r[1].max(to[1]), r[2].min(to[2]), r[3].min(to[3])]
}

/// The boxes of every page, in page order.
pub fn page_boxes(pdf: &Path) -> Vec<PageBoxes> {
    let doc = open(pdf);
    doc.get_pages()
        .values()
        .map(|&id| {
            let page = doc.get_dictionary(id).expect("page dictionary");
            let media = rect_of(&doc, inherited(&doc, page, b"MediaBox")).unwrap_or([0.0, 0.0, 612.0, 792.0]);
            let crop = rect_of(&doc, inherited(&doc, page, b"CropBox")).map_or(media, |c| clip(c, media));
            let other = |key: &[u8]| rect_of(&doc, page.get(key).ok()).map_or(crop, |r| clip(r, crop));
            PageBoxes { media, crop, bleed: other(b"BleedBox"), trim: other(b"TrimBox"), art: other(b"ArtBox") }
        })
        .collect()
}

/// The document information dictionary as text values (`Title`, `Author`, …).
pub fn pdf_info(pdf: &Path) -> BTreeMap<String, String> {
    let doc = open(pdf);
    let Some(info) = doc.trailer.get(b"Info").ok().and_then(|i| dict_of(&doc, i)) else { return BTreeMap::new() };
    info.iter()
        .filter_map(|(key, value)| {
            let value = doc.dereference(value).ok()?.1;
            let text = lopdf::decode_text_string(value)
                .ok()
                .or_else(|| value.as_name().ok().map(|n| String::from_utf8_lossy(n).into_owned()))?;
            Some((String::from_utf8_lossy(key).into_owned(), text))
        })
        .collect()
}

/// An image drawn on a page, as `pdfimages -list` lists it.
#[derive(Debug, Clone)]
pub struct ImageRow {
    pub page: usize,
    /// `image` or `smask`.
    pub kind: &'static str,
    pub width: i64,
    pub height: i64,
    /// `gray`, `rgb`, `cmyk`, `icc`, `index`, `sep`, `devn`, `lab` or `?`.
    pub colour: String,
    /// Colour components.
    pub comp: i64,
}

/// The colour space's `pdfimages` name and component count.
fn colour_space(doc: &Document, space: Option<&Object>) -> (String, i64) {
    let Some(space) = space.and_then(|s| doc.dereference(s).ok()).map(|s| s.1) else { return ("gray".into(), 1) };
    let (family, rest): (&[u8], &[Object]) = match space {
        Object::Name(n) => (n, &[]),
        Object::Array(a) => match a.first().and_then(|f| f.as_name().ok()) {
            Some(f) => (f, &a[1..]),
            None => return ("?".into(), 0),
        },
        _ => return ("?".into(), 0),
    };
    match family {
        b"DeviceGray" | b"CalGray" | b"G" => ("gray".into(), 1),
        b"DeviceRGB" | b"CalRGB" | b"RGB" => ("rgb".into(), 3),
        b"DeviceCMYK" | b"CMYK" => ("cmyk".into(), 4),
        b"Lab" => ("lab".into(), 3),
        b"Indexed" | b"I" => ("index".into(), 1),
        b"Separation" => ("sep".into(), 1),
        b"DeviceN" => {
            let n = rest
                .first()
                .and_then(|c| doc.dereference(c).ok())
                .and_then(|c| c.1.as_array().ok())
                .map_or(0, Vec::len);
            ("devn".into(), n as i64)
        }
        b"ICCBased" => {
            let n = rest
                .first()
                .and_then(|s| dict_of(doc, s))
                .and_then(|d| d.get(b"N").ok())
                .and_then(|n| n.as_i64().ok())
                .unwrap_or(0);
            ("icc".into(), n)
        }
        _ => ("?".into(), 0),
    }
}

/// Walks a content stream's `Do` operators (into forms) and lists images.
fn images_in(
    doc: &Document,
    content: &[u8],
    resources: Option<&Dictionary>,
    page: usize,
    rows: &mut Vec<ImageRow>,
    depth: usize,
) {
    let Ok(content) = lopdf::content::Content::decode(content) else { return };
    let xobjects = resources.and_then(|r| r.get(b"XObject").ok()).and_then(|x| dict_of(doc, x));
    for op in content.operations.iter().filter(|op| op.operator == "Do") {
        let Some(name) = op.operands.first().and_then(|n| n.as_name().ok()) else { continue };
        let Some(object) = xobjects.and_then(|x| x.get(name).ok()).and_then(|o| doc.dereference(o).ok()).map(|o| o.1)
        else {
            continue;
        };
        let Ok(stream) = object.as_stream() else { continue };
        let dict = &stream.dict;
        match name_of(doc, dict, b"Subtype").as_deref() {
            Some("Image") => {
                let number = |d: &Dictionary, k: &[u8]| d.get(k).ok().and_then(|v| v.as_i64().ok()).unwrap_or(0);
                let mask = dict.get(b"ImageMask").ok().and_then(|m| m.as_bool().ok()) == Some(true);
                let (colour, comp) =
                    if mask { ("gray".into(), 1) } else { colour_space(doc, dict.get(b"ColorSpace").ok()) };
                rows.push(ImageRow {
                    page,
                    kind: "image",
                    width: number(dict, b"Width"),
                    height: number(dict, b"Height"),
                    colour,
                    comp,
                });
                if let Some(smask) =
                    dict.get(b"SMask").ok().and_then(|s| doc.dereference(s).ok()).and_then(|s| s.1.as_stream().ok())
                {
                    let d = &smask.dict;
                    rows.push(ImageRow {
                        page,
                        kind: "smask",
                        width: number(d, b"Width"),
                        height: number(d, b"Height"),
                        colour: "gray".into(),
                        comp: 1,
                    });
                }
            }
            Some("Form") if depth < 16 => {
                let inner = dict.get(b"Resources").ok().and_then(|r| dict_of(doc, r)).or(resources);
                let bytes = stream.decompressed_content().unwrap_or_else(|_| stream.content.clone());
                images_in(doc, &bytes, inner, page, rows, depth + 1);
            }
            _ => {}
        }
    }
}

/// Every image drawn, page by page (with its soft mask as a row of its own).
pub fn pdf_images(pdf: &Path) -> Vec<ImageRow> {
    let doc = open(pdf);
    let mut rows = Vec::new();
    for (number, id) in doc.get_pages() {
        let Ok(page) = doc.get_dictionary(id) else { continue };
        let resources = inherited(&doc, page, b"Resources").and_then(|r| r.as_dict().ok());
        let content = doc.get_page_content(id);
        images_in(&doc, &content, resources, number as usize, &mut rows, 0);
    }
    rows
}

/// Glyphs grouped into lines, top to bottom: glyphs whose baselines lie
/// within a third of their size share a line.
fn baseline_lines(mut glyphs: Vec<Placed>) -> Vec<Vec<Placed>> {
    glyphs.sort_by(|a, b| a.y.total_cmp(&b.y));
    let mut lines: Vec<Vec<Placed>> = Vec::new();
    for g in glyphs {
        match lines.last_mut() {
            Some(line) if (g.y - line[0].y).abs() < 0.35 * line[0].size.max(g.size).max(1.0) => line.push(g),
            _ => lines.push(vec![g]),
        }
    }
    lines
}
