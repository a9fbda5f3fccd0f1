//! Figure images: loading, checking, converting and caching.
//!
//! PNG, JPEG, GIF, SVG and PDF go to Typst as they are; other formats the `image`
//! crate reads (BMP, TIFF, WebP, …) are converted to PNG. For the `screen`
//! profile, images above 150 ppi at their placed size are downsampled.
//! Converted images are cached in one folder (`out/.cache/images` under the
//! root), named by the source's content hash and the target width; every
//! cached file starts with the hash of its own bytes and is used only when
//! that hash matches. An image already prepared in this process is not
//! processed again.
//!
//! [`inspect`] is the check `validate` runs for `check` and `build` alike:
//! the whole image is decoded within a memory limit (SVGs are checked by
//! [`crate::svg`]), so a corrupt image fails both the same way.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use image::{ImageError, ImageFormat, ImageReader, Limits};
use typst::foundations::Bytes;

use crate::config::Profile;
use crate::validate::resolve_image;

/// Largest accepted image, in pixels (width × height).
pub const MAX_PIXELS: u64 = 100_000_000;
/// Width assumed for a figure without `width_mm`: the text column, in mm.
pub const DEFAULT_WIDTH_MM: f64 = 170.0;
/// Resolution above which `screen` images are downsampled.
pub const SCREEN_PPI: f64 = 150.0;
/// The image cache folder, relative to the root.
pub const CACHE_DIR: &str = "out/.cache/images";
/// Most memory one image may take to decode, in bytes.
pub const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;
/// Largest image file, in bytes.
pub const MAX_IMAGE_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Results of [`inspect`] by path, size and modification time, so `watch`
/// decodes an unchanged image once.
static INSPECTED: Mutex<Vec<Inspected>> = Mutex::new(Vec::new());

/// One remembered [`inspect`]: path, size, modification time, result.
type Inspected = (PathBuf, u64, std::time::SystemTime, Result<(), String>);

/// Checks that the image at `path` is one csr-press can place: a regular
/// file within the size limit, decodable within [`MAX_PIXELS`] and
/// [`MAX_DECODE_BYTES`], or an SVG within the limits of [`crate::svg`].
pub fn inspect(path: &Path) -> Result<(), String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read ({})", crate::paths::io_reason(&e)))?;
    if !meta.is_file() {
        return Err("is not a regular file (a folder, FIFO or device)".into());
    }
    if meta.len() > MAX_IMAGE_FILE_BYTES {
        return Err(format!(
            "file of {} bytes is larger than the limit of {} MiB; scale it down",
            meta.len(),
            MAX_IMAGE_FILE_BYTES / 1024 / 1024
        ));
    }
    let modified = meta.modified().unwrap_or(std::time::UNIX_EPOCH);
    let key = |e: &Inspected| e.0 == path && e.1 == meta.len() && e.2 == modified;
    if let Some(hit) = INSPECTED.lock().ok().and_then(|c| c.iter().find(|e| key(e)).map(|e| e.3.clone())) {
        return hit;
    }
    let data = std::fs::read(path).map_err(|e| format!("cannot read ({})", crate::paths::io_reason(&e)))?;
    let result = if is_svg(path) { crate::svg::check_svg(&data) } else { decode(&data).map(|_| ()) };
    if let Ok(mut cache) = INSPECTED.lock() {
        cache.retain(|e| e.0 != path);
        cache.push((path.to_path_buf(), meta.len(), modified, result.clone()));
    }
    result
}

/// Whether the file is an SVG (by its extension).
fn is_svg(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("svg"))
}

/// Decodes a raster image within the limits, telling a corrupt file from
/// one that is too big.
fn decode(data: &[u8]) -> Result<(image::DynamicImage, ImageFormat), String> {
    let format = image::guess_format(data)
        .map_err(|_| "unsupported or corrupt image file (use PNG, JPEG or SVG)".to_string())?;
    let (w, h) = ImageReader::with_format(Cursor::new(data), format)
        .into_dimensions()
        .map_err(|e| format!("corrupt image: cannot read the header ({e})"))?;
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(format!("image is {w}×{h} pixels, more than the {MAX_PIXELS} pixel limit; scale it down"));
    }
    let mut reader = ImageReader::with_format(Cursor::new(data), format);
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|e| match e {
        ImageError::Limits(_) => format!(
            "image needs more than the memory limit of {} MiB to decode; scale it down",
            MAX_DECODE_BYTES / 1024 / 1024
        ),
        other => format!("corrupt image ({other})"),
    })?;
    Ok((decoded, format))
}

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
        let data = std::fs::read(&path).map_err(|e| format!("cannot read ({})", crate::paths::io_reason(&e)))?;
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
        if is_svg(path) {
            crate::svg::check_svg(&data)?;
            return Ok((format!("/.csr-press/images/{hash:032x}.svg"), Bytes::new(data)));
        }
        if ext == "pdf" {
            return Ok((format!("/.csr-press/images/{hash:032x}.pdf"), Bytes::new(data)));
        }
        let format = image::guess_format(&data)
            .map_err(|_| "unsupported or corrupt image file (use PNG, JPEG or SVG)".to_string())?;
        let (w, _) = ImageReader::with_format(Cursor::new(&data), format)
            .into_dimensions()
            .map_err(|e| format!("corrupt image: cannot read the header ({e})"))?;
        let ppi = f64::from(w) / (width_mm / 25.4);
        let downsample = profile == Profile::Screen && ppi > SCREEN_PPI;
        let embeddable = matches!(format, ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::Gif);
        if embeddable && !downsample {
            // Decode once so a corrupt body is caught here, not inside Typst.
            decode(&data)?;
            self.processed += 1;
            let ext = format.extensions_str().first().copied().unwrap_or("img");
            return Ok((format!("/.csr-press/images/{hash:032x}.{ext}"), Bytes::new(data)));
        }
        let target_w = if downsample { (width_mm / 25.4 * SCREEN_PPI).round() as u32 } else { w };
        let name = format!("{hash:032x}-{target_w}.png");
        if let Some(cached) = self.dir.as_ref().and_then(|dir| read_cached(&dir.join(&name))) {
            return Ok((format!("/.csr-press/images/{name}"), Bytes::new(cached)));
        }
        let (mut decoded, _) = decode(&data)?;
        let (w, h) = (decoded.width(), decoded.height());
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
            let mut stored = typst::utils::hash128(&png).to_le_bytes().to_vec();
            stored.extend_from_slice(&png);
            let _ = crate::output::write_atomic(&dir.join(&name), &stored);
        }
        Ok((format!("/.csr-press/images/{name}"), Bytes::new(png)))
    }
}

/// Reads a cached file: its first 16 bytes are the hash of the rest, and a
/// file whose hash does not match (truncated, tampered) is not used.
fn read_cached(path: &Path) -> Option<Vec<u8>> {
    let stored = std::fs::read(path).ok()?;
    let (hash, png) = stored.split_at_checked(16)?;
    (hash == typst::utils::hash128(&png).to_le_bytes()).then(|| png.to_vec())
}

/// Reads an image's pixel size without decoding it.
pub fn dimensions(path: &Path) -> Result<(u32, u32), String> {
    ImageReader::open(path)
        .and_then(|r| r.with_guessed_format())
        .map_err(|e| e.to_string())?
        .into_dimensions()
        .map_err(|e| e.to_string())
}
