//! Figure image files: where an image named by the data really is, and
//! whether it is one csr-press can place.
//!
//! [`locate_image`] keeps an image path inside the manifest's folder (also
//! through symlinks). [`inspect`] is the check `validate` runs for `check`
//! and `build` alike: the whole image is decoded within a memory limit
//! (SVGs are checked by [`crate::svg`]), so a corrupt image fails both the
//! same way. The image cache of the resolve stage (`images`)
//! decodes with the same limits ([`decode`]).

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use image::{ImageFormat, ImageReader, Limits};

use crate::paths::{PathError, confined, io_reason};
use crate::svg::SvgError;

/// Largest accepted image, in pixels (width × height).
pub const MAX_PIXELS: u64 = 100_000_000;
/// Most memory one image may take to decode, in bytes.
pub const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;
/// Largest image file, in bytes.
pub const MAX_IMAGE_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Why an image path named by the data cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImagePathError {
    /// Nothing exists at the path.
    #[error("image '{0}' not found (paths are relative to the manifest's folder)")]
    NotFound(String),
    /// The manifest's folder cannot be resolved.
    #[error("cannot resolve the manifest folder ({0})")]
    Folder(String),
    /// The path leads outside the manifest's folder.
    #[error("image '{0}' lies outside the manifest's folder; copy it into the data folder")]
    Outside(String),
    /// The path is a folder, FIFO or device.
    #[error("image '{0}' is not a regular file (a folder, FIFO or device)")]
    NotAFile(String),
}

/// Why an image file cannot be placed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImageError {
    /// The file cannot be read.
    #[error("cannot read ({0})")]
    Unreadable(String),
    /// The path is a folder, FIFO or device.
    #[error("is not a regular file (a folder, FIFO or device)")]
    NotAFile,
    /// The file is larger than [`MAX_IMAGE_FILE_BYTES`].
    #[error(
        "file of {0} bytes is larger than the limit of {limit} MiB; scale it down",
        limit = MAX_IMAGE_FILE_BYTES / 1024 / 1024
    )]
    FileTooLarge(u64),
    /// Not an image format csr-press reads.
    #[error("unsupported or corrupt image file (use PNG, JPEG or SVG)")]
    Unsupported,
    /// The header cannot be read.
    #[error("corrupt image: cannot read the header ({0})")]
    BadHeader(String),
    /// More than [`MAX_PIXELS`] pixels.
    #[error("image is {width}×{height} pixels, more than the {MAX_PIXELS} pixel limit; scale it down", MAX_PIXELS = MAX_PIXELS)]
    TooManyPixels {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// Decoding would need more than [`MAX_DECODE_BYTES`].
    #[error(
        "image needs more than the memory limit of {limit} MiB to decode; scale it down",
        limit = MAX_DECODE_BYTES / 1024 / 1024
    )]
    DecodeMemory,
    /// The body cannot be decoded.
    #[error("corrupt image ({0})")]
    Corrupt(String),
    /// An SVG outside the limits of [`crate::svg`].
    #[error(transparent)]
    Svg(#[from] SvgError),
    /// A converted image cannot be encoded as PNG.
    #[error("cannot convert to PNG ({0})")]
    Convert(String),
    /// The path is not usable.
    #[error(transparent)]
    Path(#[from] ImagePathError),
}

/// Resolves an image path against the manifest folder, refusing paths that
/// leave it (also through symlinks) and paths that are not regular files.
pub fn locate_image(base: &Path, image: &str) -> Result<PathBuf, ImagePathError> {
    confined(base, image).map_err(|e| match e {
        PathError::NotFound => ImagePathError::NotFound(image.to_owned()),
        PathError::Folder(reason) => ImagePathError::Folder(reason),
        PathError::Outside => ImagePathError::Outside(image.to_owned()),
        PathError::NotAFile => ImagePathError::NotAFile(image.to_owned()),
    })
}

/// Results of [`inspect`] by path, size and modification time, so `watch`
/// decodes an unchanged image once.
static INSPECTED: Mutex<Vec<Inspected>> = Mutex::new(Vec::new());

/// One remembered [`inspect`]: path, size, modification time, result.
type Inspected = (PathBuf, u64, std::time::SystemTime, Result<(), ImageError>);

/// Checks that the image at `path` is one csr-press can place: a regular
/// file within the size limit, decodable within [`MAX_PIXELS`] and
/// [`MAX_DECODE_BYTES`], or an SVG within the limits of [`crate::svg`].
pub fn inspect(path: &Path) -> Result<(), ImageError> {
    let meta = std::fs::metadata(path).map_err(|e| ImageError::Unreadable(io_reason(&e)))?;
    if !meta.is_file() {
        return Err(ImageError::NotAFile);
    }
    if meta.len() > MAX_IMAGE_FILE_BYTES {
        return Err(ImageError::FileTooLarge(meta.len()));
    }
    let modified = meta.modified().unwrap_or(std::time::UNIX_EPOCH);
    let key = |e: &Inspected| e.0 == path && e.1 == meta.len() && e.2 == modified;
    if let Some(hit) = INSPECTED.lock().ok().and_then(|c| c.iter().find(|e| key(e)).map(|e| e.3.clone())) {
        return hit;
    }
    let data = std::fs::read(path).map_err(|e| ImageError::Unreadable(io_reason(&e)))?;
    let result =
        if is_svg(path) { crate::svg::check_svg(&data).map_err(ImageError::from) } else { decode(&data).map(|_| ()) };
    if let Ok(mut cache) = INSPECTED.lock() {
        cache.retain(|e| e.0 != path);
        cache.push((path.to_path_buf(), meta.len(), modified, result.clone()));
    }
    result
}

/// Whether the file is an SVG (by its extension).
pub fn is_svg(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("svg"))
}

/// The format and pixel size a raster image's header declares.
pub fn header(data: &[u8]) -> Result<(ImageFormat, u32, u32), ImageError> {
    let format = image::guess_format(data).map_err(|_| ImageError::Unsupported)?;
    let (w, h) = ImageReader::with_format(Cursor::new(data), format)
        .into_dimensions()
        .map_err(|e| ImageError::BadHeader(e.to_string()))?;
    Ok((format, w, h))
}

/// Decodes a raster image within the limits, telling a corrupt file from
/// one that is too big.
pub fn decode(data: &[u8]) -> Result<(image::DynamicImage, ImageFormat), ImageError> {
    let (format, w, h) = header(data)?;
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(ImageError::TooManyPixels { width: w, height: h });
    }
    let mut reader = ImageReader::with_format(Cursor::new(data), format);
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => ImageError::DecodeMemory,
        other => ImageError::Corrupt(other.to_string()),
    })?;
    Ok((decoded, format))
}
