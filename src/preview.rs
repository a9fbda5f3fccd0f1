//! `csr-press preview`: renders pages to PNG in-process (typst-render) and
//! composes a contact sheet of every page for design review.

use std::path::Path;
use std::process::ExitCode;

use image::{ImageBuffer, Rgba, RgbaImage, imageops};
use typst::utils::Scalar;
use typst_layout::PagedDocument;
use typst_render::RenderOptions;

use crate::args::PreviewArgs;
use crate::exit::{EXIT_ERRORS, EXIT_USAGE, fail};
use crate::pipeline::Session;
use crate::write::until_merge::write_atomic;

/// Width of one thumbnail on the contact sheet, in pixels.
pub const THUMB_WIDTH: u32 = 160;
/// Thumbnails per row on the contact sheet.
pub const SHEET_COLUMNS: u32 = 8;

/// Runs `preview`.
pub fn preview(args: &PreviewArgs) -> ExitCode {
    if std::fs::symlink_metadata(&args.output).is_ok_and(|m| !m.is_dir()) {
        eprintln!("error: refusing to write into {}: it is not a folder", args.output.display());
        return ExitCode::from(EXIT_USAGE);
    }
    if let Err(code) = crate::exit::guard(&args.common, &[&args.output.join("contact-sheet.png")], args.force) {
        return code;
    }
    crate::write::install_cleanup();
    let config = args.common.config(args.output.join("unused.pdf"), args.profile, false);
    let format = config.format;
    let (document, report) = match Session::new(config).and_then(|mut s| s.layout()) {
        Ok((document, report, warnings)) => {
            eprint!("{warnings}");
            (document, report)
        }
        Err(failure) => return fail(&failure, format, &args.output),
    };
    let total = document.pages().len();
    let pages = match args.pages.as_deref().map(|spec| parse_pages(spec, total)).transpose() {
        Ok(pages) => pages.unwrap_or_else(|| (1..=total).collect()),
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    // Every preview is recorded, so `--changed` shows what changed since the last one.
    let changed =
        crate::changes::record(&document, &report, &args.common.root(), &args.output.join("contact-sheet.png"));
    let (pages, marked) = match (args.changed, changed) {
        (true, Ok(Some(changes))) => {
            print!("{}", changes.render());
            (changes.pages(), changes.pages())
        }
        (true, Ok(None)) => (pages, Vec::new()),
        (true, Err(message)) => {
            eprintln!("error: {message}");
            return ExitCode::from(EXIT_ERRORS);
        }
        (false, _) => (pages, Vec::new()),
    };
    let files: Vec<_> = pages.iter().map(|n| args.output.join(page_file(*n))).collect();
    if let Err(code) =
        crate::exit::guard(&args.common, &files.iter().map(|f| f.as_path()).collect::<Vec<_>>(), args.force)
    {
        return code;
    }
    match render_pages(&document, &pages, &marked, args.ppi, &args.output) {
        Ok(written) => {
            println!("wrote {written} page images and contact-sheet.png to {}", args.output.display());
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(EXIT_ERRORS)
        }
    }
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
) -> Result<usize, String> {
    let options = RenderOptions { pixel_per_pt: Scalar::new(f64::from(ppi) / 72.0), render_bleed: false };
    for &n in pages {
        let page = &document.pages()[n - 1];
        let png =
            typst_render::render(page, &options).encode_png().map_err(|e| format!("cannot encode page {n} ({e})"))?;
        write_atomic(&dir.join(page_file(n)), &png)?;
    }
    let sheet = contact_sheet(document, marked)?;
    let mut png = Vec::new();
    sheet
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| format!("cannot encode the contact sheet ({e})"))?;
    write_atomic(&dir.join("contact-sheet.png"), &png)?;
    Ok(pages.len())
}

/// The file name of a rendered page.
fn page_file(n: usize) -> String {
    format!("page-{n:03}.png")
}

/// Every page as a thumbnail on one image, in rows of [`SHEET_COLUMNS`];
/// `marked` pages get a red frame.
fn contact_sheet(document: &PagedDocument, marked: &[usize]) -> Result<RgbaImage, String> {
    let pages = document.pages();
    let first = pages.first().ok_or("the document has no pages")?;
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
        let thumb = RgbaImage::from_raw(w, h, pixmap.take()).ok_or("bad thumbnail buffer")?;
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
pub fn parse_pages(spec: &str, total: usize) -> Result<Vec<usize>, String> {
    let mut pages = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        let parse = |s: &str| s.trim().parse::<usize>().map_err(|_| format!("bad page number '{s}' in --pages {spec}"));
        let (a, b) = (parse(a)?, parse(b)?);
        if b < a {
            return Err(format!("page range '{part}' runs backwards in --pages {spec}; write {b}-{a}"));
        }
        if a == 0 || b > total {
            return Err(format!("page range '{part}' is outside the document's pages 1-{total}"));
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
        assert!(parse_pages("3-1", 10).is_err_and(|e| e.contains("runs backwards") && e.contains("write 1-3")));
    }
}
