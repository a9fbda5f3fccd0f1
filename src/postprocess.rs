//! Stage 5: print finishing on the exported PDF.
//!
//! Typst writes a TrimBox on pages with bleed; print shops also want the
//! BleedBox. This stage adds a BleedBox on every page: the TrimBox grown by
//! the bleed on every side (clipped to the MediaBox).

use lopdf::{Document, Object};

/// One millimetre in PDF points.
pub const MM: f32 = 72.0 / 25.4;

/// Adds a BleedBox `bleed_mm` outside the TrimBox to every page that has a
/// TrimBox, and returns the new PDF bytes.
pub fn add_bleed_box(pdf: &[u8], bleed_mm: f32) -> Result<Vec<u8>, String> {
    let mut doc = Document::load_mem(pdf).map_err(|e| format!("cannot read the exported PDF ({e})"))?;
    let bleed = bleed_mm * MM;
    let pages: Vec<_> = doc.get_pages().into_values().collect();
    for id in pages {
        let page = doc.get_dictionary_mut(id).map_err(|e| format!("bad page object ({e})"))?;
        let Some(trim) = read_box(page.get(b"TrimBox").ok()) else { continue };
        let media = read_box(page.get(b"MediaBox").ok()).unwrap_or(trim);
        let bleed_box = [
            (trim[0] - bleed).max(media[0]),
            (trim[1] - bleed).max(media[1]),
            (trim[2] + bleed).min(media[2]),
            (trim[3] + bleed).min(media[3]),
        ];
        page.set("BleedBox", Object::Array(bleed_box.iter().map(|v| Object::Real(round(*v))).collect()));
    }
    let mut out = Vec::with_capacity(pdf.len() + 4096);
    doc.save_to(&mut out).map_err(|e| format!("cannot write the PDF ({e})"))?;
    Ok(out)
}

fn round(v: f32) -> f32 {
    (v * 1000.0).round() / 1000.0
}

fn read_box(obj: Option<&Object>) -> Option<[f32; 4]> {
    let arr = obj?.as_array().ok()?;
    if arr.len() != 4 {
        return None;
    }
    let mut out = [0.0; 4];
    for (slot, v) in out.iter_mut().zip(arr) {
        *slot = v.as_float().ok()?;
    }
    Some(out)
}
