//! The content-stream interpreter: reads every page's content streams (and
//! the forms they draw): which colours paint what, how large, on which
//! page; which colour spaces and transparency are used. On the way it marks
//! small 100 % K text for overprint; [`super::overprint`] writes that
//! rewrite, [`super::resources`] looks names up.

use std::collections::{BTreeSet, HashMap};

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::found::{Cmyk, Scan, Violation};
use super::ops;
use super::overprint::{OVERPRINT_OFF, OVERPRINT_ON, SMALL_TEXT_PT, apply_rewrites, deflated, is_k100};
use super::pages::{PageCache, Remembered, page_key};
use super::resources::Space;
use super::resources::{lookup, nums, page_box, page_resources, raw_lookup, shading_space, space_of};

#[derive(Debug, Clone)]
struct State {
    ctm: [f64; 6],
    fill: (Space, Vec<f64>),
    stroke: (Space, Vec<f64>),
}

/// Scans (and rewrites for overprint) every page of `doc`. Pages are read
/// on all cores ([`crate::parallel`]); what they found is merged in page
/// order, so the result is the same as reading them one by one. With a
/// `cache` (in `watch`), a page whose walk reads what it read before is not
/// walked again ([`super::pages`]).
pub fn scan(doc: &mut Document, pdfx: bool, mut cache: Option<&mut PageCache>) -> Scan {
    let pages: Vec<(u32, ObjectId)> = doc.get_pages().into_iter().collect();
    if let Some(cache) = cache.as_deref_mut() {
        cache.start();
    }
    let known = cache.as_deref();
    let walked = crate::parallel::map(&pages, |&(number, page)| {
        let Some(known) = known else { return (walk_page(doc, number, page, pdfx), None) };
        let key = page_key(doc, page, number, pdfx);
        match known.get(&key) {
            Some(seen) => (PageWalk::remembered(page, seen.clone()), Some((key, true))),
            None => (walk_page(doc, number, page, pdfx), Some((key, false))),
        }
    });
    let mut scan = Scan::default();
    let mut rewrites: HashMap<ObjectId, Vec<u8>> = HashMap::new();
    let mut holders: BTreeSet<ObjectId> = BTreeSet::new();
    let mut page_streams: Vec<(ObjectId, Vec<ObjectId>, lopdf::Stream)> = Vec::new();
    for (walk, key) in walked {
        match (cache.as_deref_mut(), key) {
            (Some(cache), Some((key, true))) => cache.used(&key),
            // A walk that rewrote a form names the form's object: not kept.
            (Some(cache), Some((key, false))) if walk.rewrites.is_empty() => {
                cache.put(key, Remembered { scan: walk.scan.clone(), own: walk.own.clone() });
            }
            _ => {}
        }
        scan.merge(walk.scan);
        rewrites.extend(walk.rewrites);
        holders.extend(walk.holders);
        if let Some(stream) = walk.own {
            holders.insert(walk.page);
            page_streams.push((walk.page, doc.get_page_contents(walk.page), stream));
        }
    }
    apply_rewrites(doc, page_streams, rewrites, holders);
    scan
}

/// What walking one page found: its scan, the forms it rewrote, and its own
/// rewritten content, compressed (when small black text on it was set to
/// overprint).
struct PageWalk {
    page: ObjectId,
    scan: Scan,
    rewrites: HashMap<ObjectId, Vec<u8>>,
    holders: BTreeSet<ObjectId>,
    own: Option<lopdf::Stream>,
}

impl PageWalk {
    /// The walk of a page found again in the cache (it rewrote no form).
    fn remembered(page: ObjectId, seen: Remembered) -> Self {
        Self { page, scan: seen.scan, rewrites: HashMap::new(), holders: BTreeSet::new(), own: seen.own }
    }
}

/// Walks one page's content and the forms it draws.
fn walk_page(doc: &Document, number: u32, page: ObjectId, pdfx: bool) -> PageWalk {
    let mut walk =
        PageWalk { page, scan: Scan::default(), rewrites: HashMap::new(), holders: BTreeSet::new(), own: None };
    let bleed = page_box(doc, page);
    let resources = page_resources(doc, page);
    let data = doc.get_page_content(page);
    let init = State { ctm: IDENTITY, fill: (Space::Gray, vec![0.0]), stroke: (Space::Gray, vec![0.0]) };
    let mut walker = Walker {
        doc,
        page: number,
        bleed,
        scan: &mut walk.scan,
        rewrites: &mut walk.rewrites,
        holders: &mut walk.holders,
        pdfx,
        depth: 0,
    };
    // Compressed here, on the page's own core.
    walk.own = walker.walk(&data, &resources, init).map(|bytes| deflated(Dictionary::new(), &bytes));
    walk
}

const IDENTITY: [f64; 6] = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

struct Walker<'a, 'd> {
    doc: &'d Document,
    page: u32,
    bleed: [f64; 4],
    scan: &'a mut Scan,
    rewrites: &'a mut HashMap<ObjectId, Vec<u8>>,
    holders: &'a mut BTreeSet<ObjectId>,
    pdfx: bool,
    depth: usize,
}

impl Walker<'_, '_> {
    /// Walks one content stream; returns the rewritten stream when small
    /// black text was set to overprint.
    fn walk(&mut self, data: &[u8], resources: &Dictionary, init: State) -> Option<Vec<u8>> {
        let (operations, how) = ops::read(data);
        // Where overprint is set or reset: (operation, after it, state).
        let mut inserts: Vec<(usize, bool, &[u8])> = Vec::new();
        let mut stack = vec![init];
        let mut path: Option<[f64; 4]> = None;
        let (mut tm, mut font_size, mut op_on) = (IDENTITY, 0.0, false);
        for (i, op) in operations.into_iter().enumerate() {
            let ops::Op { operator, nums: n, name, image } = op;
            // Built only for the operators that look a name up.
            let name = || name.as_deref().map(|name| Object::Name(name.to_vec()));
            match operator.as_ref() {
                b"q" => {
                    let top = stack.last().cloned();
                    stack.extend(top);
                }
                b"Q" if stack.len() > 1 => {
                    stack.pop();
                }
                _ => {}
            }
            let Some(state) = stack.last_mut() else { break };
            match operator.as_ref() {
                b"cm" if n.len() == 6 => state.ctm = mul(&[n[0], n[1], n[2], n[3], n[4], n[5]], &state.ctm),
                b"k" => state.fill = (Space::Cmyk, n),
                b"K" => state.stroke = (Space::Cmyk, n),
                b"g" => state.fill = (Space::Gray, n),
                b"G" => state.stroke = (Space::Gray, n),
                b"rg" => state.fill = (Space::Rgb("DeviceRGB"), n),
                b"RG" => state.stroke = (Space::Rgb("DeviceRGB"), n),
                b"cs" | b"CS" => {
                    let space = name().map_or(Space::Other("?".into()), |o| space_of(self.doc, &o, resources));
                    let slot = if operator.as_ref() == b"cs" { &mut state.fill } else { &mut state.stroke };
                    *slot = (space, vec![0.0]);
                }
                b"sc" | b"scn" => state.fill.1 = n,
                b"SC" | b"SCN" => state.stroke.1 = n,
                b"gs" => self.check_gs(name().as_ref(), resources),
                b"m" | b"l" if n.len() == 2 => grow(&mut path, &n),
                b"c" if n.len() == 6 => n.chunks(2).for_each(|p| grow(&mut path, p)),
                b"v" | b"y" if n.len() == 4 => n.chunks(2).for_each(|p| grow(&mut path, p)),
                b"re" if n.len() == 4 => {
                    grow(&mut path, &n[0..2]);
                    grow(&mut path, &[n[0] + n[2], n[1] + n[3]]);
                }
                b"f" | b"F" | b"f*" | b"B" | b"B*" | b"b" | b"b*" | b"S" | b"s" => {
                    if let Some(bbox) = path.take() {
                        let device = transform_box(&bbox, &state.ctm);
                        let operator = operator.as_ref();
                        let fills = !matches!(operator, b"S" | b"s");
                        let strokes = !matches!(operator, b"f" | b"F" | b"f*");
                        let state = state.clone();
                        if fills {
                            self.paint(&state.fill, device, false, false);
                        }
                        if strokes {
                            self.paint(&state.stroke, device, false, true);
                        }
                    }
                }
                b"n" => path = None,
                b"BT" => tm = IDENTITY,
                b"Tf" => font_size = n.first().copied().unwrap_or(font_size),
                b"Tm" if n.len() == 6 => tm = [n[0], n[1], n[2], n[3], n[4], n[5]],
                b"Tj" | b"TJ" | b"'" | b"\"" => {
                    let m = mul(&tm, &state.ctm);
                    let size = font_size * (m[0] * m[3] - m[1] * m[2]).abs().sqrt();
                    let at = [m[4], m[5], m[4], m[5]];
                    let state = state.clone();
                    self.paint(&state.fill, at, true, false);
                    let black = is_k100(&state.fill) && size <= SMALL_TEXT_PT;
                    if black != op_on {
                        inserts.push((i, false, if black { OVERPRINT_ON } else { OVERPRINT_OFF }));
                        op_on = black;
                        self.scan.overprinted += usize::from(black);
                    }
                }
                b"ET" if op_on => {
                    inserts.push((i, true, OVERPRINT_OFF));
                    op_on = false;
                }
                b"Do" => self.draw(name().as_ref(), resources, state.clone()),
                b"sh" => {
                    if let Some(space) = shading_space(self.doc, name().as_ref(), resources) {
                        self.paint(&(space, vec![]), self.bleed, false, false);
                    }
                }
                b"BI" => {
                    if let Some(image) = &image {
                        let cs = image.dict.get(b"CS").or_else(|_| image.dict.get(b"ColorSpace")).ok();
                        if let Some(Object::Name(n)) = cs
                            && (n == b"RGB" || n == b"DeviceRGB")
                        {
                            self.violation(Violation::Rgb("an inline RGB image".into()));
                        }
                    }
                }
                _ => {}
            }
        }
        if inserts.is_empty() {
            return None;
        }
        ops::rewrite(data, how, &inserts)
    }

    /// Records a paint with `colour` over the device-space box `device`.
    fn paint(&mut self, colour: &(Space, Vec<f64>), device: [f64; 4], text: bool, stroke: bool) {
        let outside = device[2] < self.bleed[0]
            || device[0] > self.bleed[2]
            || device[3] < self.bleed[1]
            || device[1] > self.bleed[3];
        match &colour.0 {
            Space::Rgb(name) => {
                let values: Vec<String> = colour.1.iter().map(|v| format!("{:.0}", v * 255.0)).collect();
                let what = if colour.1.is_empty() {
                    format!("an RGB gradient ({name})")
                } else {
                    format!("{name} {} rgb({})", if text { "text" } else { "fill" }, values.join(", "))
                };
                self.violation(Violation::Rgb(what));
            }
            Space::Other(name) if self.pdfx => self.violation(Violation::NonDevice(name.clone())),
            Space::Cmyk if colour.1.len() == 4 && !outside => {
                let key: Cmyk = std::array::from_fn(|i| (colour.1[i].clamp(0.0, 1.0) * 1000.0).round() as u16);
                let usage = self.scan.colours.entry(key).or_default();
                usage.pages.insert(self.page);
                let area = (device[2] - device[0]) * (device[3] - device[1]) * (25.4 / 72.0f64).powi(2);
                usage.text |= text;
                usage.fine |= stroke || (!text && area < 100.0);
                if !text && !stroke {
                    usage.largest_mm2 = usage.largest_mm2.max(area);
                }
            }
            _ => {}
        }
    }

    fn violation(&mut self, violation: Violation) {
        self.scan.violations.entry(violation).or_default().insert(self.page);
    }

    /// Checks a graphics state for transparency.
    fn check_gs(&mut self, name: Option<&Object>, resources: &Dictionary) {
        let Some(dict) = name.and_then(|n| lookup(self.doc, resources, b"ExtGState", n)).and_then(|o| o.as_dict().ok())
        else {
            return;
        };
        for (key, what) in [(b"ca".as_slice(), "fill opacity"), (b"CA", "stroke opacity")] {
            if let Ok(alpha) = dict.get(key).and_then(Object::as_float)
                && alpha < 1.0
            {
                self.violation(Violation::Transparency(format!("{what} {:.0} %", alpha * 100.0)));
            }
        }
        if dict.get(b"SMask").is_ok_and(|m| m.as_name().ok() != Some(b"None")) {
            self.violation(Violation::Transparency("a soft mask".into()));
        }
        if let Ok(Object::Name(mode)) = dict.get(b"BM")
            && mode != b"Normal"
            && mode != b"Compatible"
        {
            self.violation(Violation::Transparency(format!("blend mode {}", String::from_utf8_lossy(mode))));
        }
    }

    /// Follows a `Do` into a form XObject.
    fn draw(&mut self, name: Option<&Object>, resources: &Dictionary, mut state: State) {
        let Some(Object::Reference(id)) = name.and_then(|n| raw_lookup(resources, b"XObject", n, self.doc)) else {
            return;
        };
        let Ok(stream) = self.doc.get_object(*id).and_then(Object::as_stream) else { return };
        if stream.dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Form") || self.depth > 16 {
            return;
        }
        if stream.dict.get(b"Group").is_ok() {
            self.violation(Violation::Transparency("a transparency group".into()));
        }
        let matrix = nums(stream.dict.get(b"Matrix").and_then(Object::as_array).map(Vec::as_slice).unwrap_or(&[]));
        if matrix.len() == 6 {
            state.ctm = mul(&[matrix[0], matrix[1], matrix[2], matrix[3], matrix[4], matrix[5]], &state.ctm);
        }
        let own = match stream.dict.get(b"Resources").and_then(|r| self.doc.dereference(r)) {
            Ok((_, Object::Dictionary(d))) => d.clone(),
            _ => resources.clone(),
        };
        let data = stream.decompressed_content().unwrap_or_else(|_| stream.content.clone());
        self.depth += 1;
        let rewritten = self.walk(&data, &own, state);
        self.depth -= 1;
        if let Some(bytes) = rewritten {
            self.rewrites.insert(*id, bytes);
            self.holders.insert(*id);
        }
    }
}

/// `a × b` for PDF matrices `[a b c d e f]`.
fn mul(a: &[f64; 6], b: &[f64; 6]) -> [f64; 6] {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}

fn grow(bbox: &mut Option<[f64; 4]>, p: &[f64]) {
    let b = bbox.get_or_insert([p[0], p[1], p[0], p[1]]);
    *b = [b[0].min(p[0]), b[1].min(p[1]), b[2].max(p[0]), b[3].max(p[1])];
}

fn transform_box(b: &[f64; 4], m: &[f64; 6]) -> [f64; 4] {
    let mut out = None;
    for (x, y) in [(b[0], b[1]), (b[2], b[1]), (b[0], b[3]), (b[2], b[3])] {
        grow(&mut out, &[m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]]);
    }
    out.unwrap_or(*b)
}
