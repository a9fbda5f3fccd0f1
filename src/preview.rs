//! Page previews: renders pages to PNG in-process (typst-render) and
//! composes a contact sheet of every page for design review (the
//! `preview` command is in [`crate::commands`]).

use std::path::Path;

use image::{ImageBuffer, Rgba, RgbaImage, imageops};
use typst::utils::Scalar;
use typst_layout::PagedDocument;
use typst_render::RenderOptions;

use crate::write::write_atomic;

/// Width of one thumbnail on the contact sheet, in pixels.
pub const THUMB_WIDTH: u32 = 160;
/// Thumbnails per row on the contact sheet.
pub const SHEET_COLUMNS: u32 = 8;

/// Why the preview could not be rendered or written.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A page could not be encoded as PNG.
    #[error("cannot encode page {page} ({reason})")]
    EncodePage {
        /// The 1-based page.
        page: usize,
        /// Why.
        reason: String,
    },
    /// The contact sheet could not be encoded.
    #[error("cannot encode the contact sheet ({0})")]
    EncodeSheet(image::ImageError),
    /// The document has no pages.
    #[error("the document has no pages")]
    NoPages,
    /// A thumbnail's pixels do not fill its size.
    #[error("bad thumbnail buffer")]
    Thumbnail,
    /// A file could not be written (the message of [`write_atomic`]).
    #[error("{0}")]
    Write(crate::write::WriteError),
}

/// Why `--pages` is not a page list of the document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageListError {
    /// Not a number.
    #[error("bad page number '{number}' in --pages {spec}")]
    BadNumber {
        /// The word.
        number: String,
        /// The whole list.
        spec: String,
    },
    /// A range written high to low.
    #[error("page range '{range}' runs backwards in --pages {spec}; write {to}-{from}")]
    Backwards {
        /// The range as written.
        range: String,
        /// The whole list.
        spec: String,
        /// Its first number.
        from: usize,
        /// Its last number.
        to: usize,
    },
    /// A range outside the document.
    #[error("page range '{range}' is outside the document's pages 1-{total}")]
    Outside {
        /// The range as written.
        range: String,
        /// The document's pages.
        total: usize,
    },
}

/// Renders the given 1-based pages as `page-NNN.png` and writes
/// `contact-sheet.png` with every page of the document, the `marked` ones
/// framed in red.
pub fn render_pages(
    document: &PagedDocument,
    pages: &[usize],
    marked: &[usize],
    ppi: f32,
    dir: &Path,
) -> Result<usize, RenderError> {
    let options = RenderOptions { pixel_per_pt: Scalar::new(f64::from(ppi) / 72.0), render_bleed: false };
    for &n in pages {
        let page = &document.pages()[n - 1];
        let png = typst_render::render(page, &options)
            .encode_png()
            .map_err(|e| RenderError::EncodePage { page: n, reason: e.to_string() })?;
        write_atomic(&dir.join(page_file(n)), &png).map_err(RenderError::Write)?;
    }
    let sheet = contact_sheet(document, marked)?;
    let mut png = Vec::new();
    sheet.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).map_err(RenderError::EncodeSheet)?;
    write_atomic(&dir.join(CONTACT_SHEET), &png).map_err(RenderError::Write)?;
    Ok(pages.len())
}

/// The file name of the contact sheet in the preview folder.
pub const CONTACT_SHEET: &str = "contact-sheet.png";

/// The file name of a rendered page.
pub fn page_file(n: usize) -> String {
    format!("page-{n:03}.png")
}

/// Every page as a thumbnail on one image, in rows of [`SHEET_COLUMNS`];
/// `marked` pages get a red frame.
fn contact_sheet(document: &PagedDocument, marked: &[usize]) -> Result<RgbaImage, RenderError> {
    let pages = document.pages();
    let first = pages.first().ok_or(RenderError::NoPages)?;
    let scale = f64::from(THUMB_WIDTH) / first.frame.width().to_pt();
    let options = RenderOptions { pixel_per_pt: Scalar::new(scale), render_bleed: false };
    let thumb_h = (first.frame.height().to_pt() * scale).round() as u32;
    let gap = 8;
    let rows = (pages.len() as u32).div_ceil(SHEET_COLUMNS);
    let width = SHEET_COLUMNS * (THUMB_WIDTH + gap) + gap;
    let height = rows * (thumb_h + gap) + gap;
    let mut sheet: RgbaImage = ImageBuffer::from_pixel(width, height, Rgba([200, 200, 200, 255]));
    for (i, page) in pages.iter().enumerate() {
        let pixmap = typst_render::render(page, &options);
        let (w, h) = (pixmap.width(), pixmap.height());
        // tiny-skia stores premultiplied RGBA; pages are opaque, so the bytes are plain RGBA.
        let thumb = RgbaImage::from_raw(w, h, pixmap.take()).ok_or(RenderError::Thumbnail)?;
        let col = i as u32 % SHEET_COLUMNS;
        let row = i as u32 / SHEET_COLUMNS;
        let (x, y) = (gap + col * (THUMB_WIDTH + gap), gap + row * (thumb_h + gap));
        if marked.contains(&(i + 1)) {
            let frame = ImageBuffer::from_pixel(w + 6, h + 6, Rgba([220, 30, 30, 255]));
            imageops::overlay(&mut sheet, &frame, i64::from(x) - 3, i64::from(y) - 3);
        }
        imageops::overlay(&mut sheet, &thumb, i64::from(x), i64::from(y));
    }
    Ok(sheet)
}

/// Parses a page list such as `1-3,7` against a document of `total` pages.
pub fn parse_pages(spec: &str, total: usize) -> Result<Vec<usize>, PageListError> {
    let mut pages = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        let parse = |s: &str| {
            s.trim()
                .parse::<usize>()
                .map_err(|_| PageListError::BadNumber { number: s.to_owned(), spec: spec.to_owned() })
        };
        let (a, b) = (parse(a)?, parse(b)?);
        if b < a {
            return Err(PageListError::Backwards { range: part.to_owned(), spec: spec.to_owned(), from: a, to: b });
        }
        if a == 0 || b > total {
            return Err(PageListError::Outside { range: part.to_owned(), total });
        }
        pages.extend(a..=b);
    }
    pages.dedup();
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::parse_pages;

    #[test]
    fn page_lists() {
        assert_eq!(parse_pages("1-3,7", 10), Ok(vec![1, 2, 3, 7]));
        assert!(parse_pages("0", 10).is_err());
        assert!(parse_pages("9-12", 10).is_err());
        assert!(parse_pages("x", 10).is_err());
        let backwards = parse_pages("3-1", 10).map_err(|e| e.to_string());
        assert!(backwards.is_err_and(|e| e.contains("runs backwards") && e.contains("write 1-3")));
    }
}
