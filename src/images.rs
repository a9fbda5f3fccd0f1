//! Figure images: loading, checking, converting and caching.
//!
//! PNG, JPEG, GIF, SVG and PDF go to Typst as they are; other formats the `image`
//! crate reads (BMP, TIFF, WebP, …) are converted to PNG. For the `screen`
//! profile, images above 150 ppi at their placed size are downsampled.
//! Converted images are cached by content hash in a folder under `out/`, and
//! an image already prepared in this process is not processed again.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::{ImageFormat, ImageReader};
use typst::foundations::Bytes;

use crate::resolve::Profile;
use crate::validate::resolve_image;

/// Largest accepted image, in pixels (width × height).
pub const MAX_PIXELS: u64 = 100_000_000;
/// Width assumed for a figure without `width_mm`: the text column, in mm.
pub const DEFAULT_WIDTH_MM: f64 = 170.0;
/// Resolution above which `screen` images are downsampled.
pub const SCREEN_PPI: f64 = 150.0;

/// Prepared images, by content hash and target.
pub struct ImageCache {
    dir: Option<PathBuf>,
    memory: HashMap<(u128, Profile, u64), (String, Bytes)>,
    /// How many images were decoded or converted (for tests and the summary).
    pub processed: usize,
}

impl ImageCache {
    /// Creates a cache that keeps converted files in `dir` (if given).
    pub fn new(dir: Option<PathBuf>) -> Self {
        Self { dir, memory: HashMap::new(), processed: 0 }
    }

    /// Prepares the image at `image` (relative to `base`) and returns its
    /// virtual path and bytes.
    pub fn prepare(
        &mut self,
        base: &Path,
        image: &str,
        profile: Profile,
        width_mm: Option<f64>,
    ) -> Result<(String, Bytes), String> {
        let path = resolve_image(base, image)?;
        let data = std::fs::read(&path).map_err(|e| format!("cannot read ({})", crate::load::io_reason(&e)))?;
        let hash = typst::utils::hash128(&data);
        let width_mm = width_mm.unwrap_or(DEFAULT_WIDTH_MM);
        let key = (hash, profile, width_mm.to_bits());
        if let Some(hit) = self.memory.get(&key) {
            return Ok(hit.clone());
        }
        let prepared = self.convert(&path, data, hash, profile, width_mm)?;
        self.memory.insert(key, prepared.clone());
        Ok(prepared)
    }

    fn convert(
        &mut self,
        path: &Path,
        data: Vec<u8>,
        hash: u128,
        profile: Profile,
        width_mm: f64,
    ) -> Result<(String, Bytes), String> {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        if ext == "svg" || ext == "pdf" {
            return Ok((format!("/.csr-press/images/{hash:032x}.{ext}"), Bytes::new(data)));
        }
        let format = image::guess_format(&data)
            .map_err(|_| "unsupported or corrupt image file (use PNG, JPEG or SVG)".to_string())?;
        let (w, h) = ImageReader::with_format(Cursor::new(&data), format)
            .into_dimensions()
            .map_err(|e| format!("cannot read the image header ({e})"))?;
        if u64::from(w) * u64::from(h) > MAX_PIXELS {
            return Err(format!("image is {w}×{h} pixels, more than the {MAX_PIXELS} pixel limit; scale it down"));
        }
        let ppi = f64::from(w) / (width_mm / 25.4);
        let downsample = profile == Profile::Screen && ppi > SCREEN_PPI;
        let embeddable = matches!(format, ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::Gif);
        if embeddable && !downsample {
            // Decode once so a corrupt body is caught here, not inside Typst.
            image::load_from_memory_with_format(&data, format).map_err(|e| format!("corrupt image ({e})"))?;
            self.processed += 1;
            let ext = format.extensions_str().first().copied().unwrap_or("img");
            return Ok((format!("/.csr-press/images/{hash:032x}.{ext}"), Bytes::new(data)));
        }
        let target_w = if downsample { (width_mm / 25.4 * SCREEN_PPI).round() as u32 } else { w };
        let name = format!("{hash:032x}-{target_w}.png");
        if let Some(dir) = &self.dir
            && let Ok(cached) = std::fs::read(dir.join(&name))
        {
            return Ok((format!("/.csr-press/images/{name}"), Bytes::new(cached)));
        }
        let mut decoded =
            image::load_from_memory_with_format(&data, format).map_err(|e| format!("corrupt image ({e})"))?;
        self.processed += 1;
        if downsample {
            let target_h = (f64::from(h) * f64::from(target_w) / f64::from(w)).round().max(1.0) as u32;
            decoded = decoded.resize_exact(target_w, target_h, image::imageops::FilterType::Lanczos3);
        }
        let mut png = Vec::new();
        decoded
            .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
            .map_err(|e| format!("cannot convert to PNG ({e})"))?;
        if let Some(dir) = &self.dir {
            // The cache is an optimisation: a failed write only costs time later.
            let _ = crate::output::write_atomic(&dir.join(&name), &png);
        }
        Ok((format!("/.csr-press/images/{name}"), Bytes::new(png)))
    }
}

/// Reads an image's pixel size without decoding it.
pub fn dimensions(path: &Path) -> Result<(u32, u32), String> {
    ImageReader::open(path)
        .and_then(|r| r.with_guessed_format())
        .map_err(|e| e.to_string())?
        .into_dimensions()
        .map_err(|e| e.to_string())
}
