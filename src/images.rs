//! Figure images: loading, checking, converting and caching.
//!
//! PNG, JPEG, GIF, SVG and PDF go to Typst as they are; other formats the `image`
//! crate reads (BMP, TIFF, WebP, …) are converted to PNG. For the `screen`
//! profile, images above 150 ppi at their placed size are downsampled.
//! Converted images are cached in one folder (`out/.cache/images` under the
//! root), named by the source's content hash and the target width; every
//! cached file starts with a hash of the source's hash, the width and its
//! own bytes, and is used only when that hash matches (a damaged or swapped
//! file is ignored with a note in [`ImageCache::notes`]). An image already prepared in this process is not
//! processed again. The file checks and the decoding limits are those of
//! [`crate::image_check`], which validation runs first.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::ImageFormat;
use typst::foundations::Bytes;

use crate::config::Profile;
use crate::image_check::{ImageError, decode, header, is_svg, locate_image};
use crate::paths::{io_reason, read_regular_file};
use crate::virtual_files::IMAGES_DIR;

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
    /// Notes for the user: cached files that were ignored, and why.
    pub notes: Vec<(PathBuf, String)>,
}

impl ImageCache {
    /// Creates a cache that keeps converted files in `dir` (if given).
    pub fn new(dir: Option<PathBuf>) -> Self {
        Self { dir, memory: HashMap::new(), processed: 0, notes: Vec::new() }
    }

    /// Prepares the image at `image` (relative to `base`) and returns its
    /// virtual path and bytes.
    pub fn prepare(
        &mut self,
        base: &Path,
        image: &str,
        profile: Profile,
        width_mm: Option<f64>,
    ) -> Result<(String, Bytes), ImageError> {
        let path = locate_image(base, image)?;
        let data = std::fs::read(&path).map_err(|e| ImageError::Unreadable(io_reason(&e)))?;
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
    ) -> Result<(String, Bytes), ImageError> {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        if is_svg(path) {
            crate::svg::check_svg(&data)?;
            return Ok((format!("{IMAGES_DIR}/{hash:032x}.svg"), Bytes::new(data)));
        }
        if ext == "pdf" {
            return Ok((format!("{IMAGES_DIR}/{hash:032x}.pdf"), Bytes::new(data)));
        }
        let (format, w, _) = header(&data)?;
        let ppi = f64::from(w) / (width_mm / 25.4);
        let downsample = profile == Profile::Screen && ppi > SCREEN_PPI;
        let embeddable = matches!(format, ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::Gif);
        if embeddable && !downsample {
            // Decode once so a corrupt body is caught here, not inside Typst.
            decode(&data)?;
            self.processed += 1;
            let ext = format.extensions_str().first().copied().unwrap_or("img");
            return Ok((format!("{IMAGES_DIR}/{hash:032x}.{ext}"), Bytes::new(data)));
        }
        let target_w = if downsample { (width_mm / 25.4 * SCREEN_PPI).round() as u32 } else { w };
        let name = format!("{hash:032x}-{target_w}.png");
        if let Some(dir) = &self.dir {
            match read_cached(&dir.join(&name), hash, target_w) {
                Cached::Hit(png) => return Ok((format!("{IMAGES_DIR}/{name}"), Bytes::new(png))),
                Cached::Miss => {}
                Cached::Wrong => self.notes.push((
                    dir.join(&name),
                    format!(
                        "ignored this cached conversion of {}: it is not that image's (damaged or swapped); converted anew",
                        path.display()
                    ),
                )),
            }
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
            .map_err(|e| ImageError::Convert(e.to_string()))?;
        if let Some(dir) = &self.dir {
            // The cache is an optimisation: a failed write only costs time later.
            let mut stored = cache_header(hash, target_w, &png).to_vec();
            stored.extend_from_slice(&png);
            let _ = crate::write::write_atomic(&dir.join(&name), &stored);
        }
        Ok((format!("{IMAGES_DIR}/{name}"), Bytes::new(png)))
    }
}

/// Largest cached file read back, in bytes.
pub const MAX_CACHED_BYTES: u64 = 512 * 1024 * 1024;

/// The header of a cached conversion: the hash of the SOURCE's content, the
/// target width and the converted bytes together, so that a file is used
/// only for the very image and width it was made from (a renamed or
/// swapped file, a truncated one, is not).
fn cache_header(source: u128, target_w: u32, png: &[u8]) -> [u8; 16] {
    typst::utils::hash128(&(source, target_w, png)).to_le_bytes()
}

/// What the cache holds for an image.
enum Cached {
    /// The conversion of this very image.
    Hit(Vec<u8>),
    /// Nothing (no file, not a regular file, too large).
    Miss,
    /// A file that is not this image's conversion.
    Wrong,
}

/// Reads a cached file: its first 16 bytes are [`cache_header`] of the
/// source's hash, the width and the rest; a file whose header does not
/// match is not used.
fn read_cached(path: &Path, source: u128, target_w: u32) -> Cached {
    let Ok(stored) = read_regular_file(path, MAX_CACHED_BYTES) else { return Cached::Miss };
    match stored.split_at_checked(16) {
        Some((header, png)) if header == cache_header(source, target_w, png) => Cached::Hit(png.to_vec()),
        _ => Cached::Wrong,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A BMP (converted to PNG, so cached) of one colour.
    fn bmp(dir: &Path, name: &str, shade: u8) -> String {
        image::RgbImage::from_pixel(4, 4, image::Rgb([shade, 0, 0])).save(dir.join(name)).expect("bmp");
        name.to_owned()
    }

    #[test]
    fn swapped_cache_files_are_ignored_with_a_note() {
        let data = tempfile::tempdir().expect("data");
        let cache = tempfile::tempdir().expect("cache");
        let (a, b) = (bmp(data.path(), "a.bmp", 10), bmp(data.path(), "b.bmp", 200));
        let mut first = ImageCache::new(Some(cache.path().to_path_buf()));
        let (_, bytes_a) = first.prepare(data.path(), &a, Profile::Print, None).expect("a");
        let (_, bytes_b) = first.prepare(data.path(), &b, Profile::Print, None).expect("b");
        let mut files: Vec<PathBuf> =
            std::fs::read_dir(cache.path()).expect("cache").flatten().map(|e| e.path()).collect();
        files.sort();
        assert_eq!(files.len(), 2);
        // Swap the two cached conversions.
        let swap = cache.path().join("swap");
        std::fs::rename(&files[0], &swap).expect("swap");
        std::fs::rename(&files[1], &files[0]).expect("swap");
        std::fs::rename(&swap, &files[1]).expect("swap");
        let mut second = ImageCache::new(Some(cache.path().to_path_buf()));
        assert_eq!(second.prepare(data.path(), &a, Profile::Print, None).expect("a").1, bytes_a);
        assert_eq!(second.prepare(data.path(), &b, Profile::Print, None).expect("b").1, bytes_b);
        assert_eq!(second.notes.len(), 2, "{:?}", second.notes);
        // Rewritten: a third run uses the cache without a note.
        let mut third = ImageCache::new(Some(cache.path().to_path_buf()));
        assert_eq!(third.prepare(data.path(), &a, Profile::Print, None).expect("a").1, bytes_a);
        assert!(third.notes.is_empty() && third.processed == 0);
    }
}
