//! Image XObjects to CMYK: every RGB or grey image in the exported PDF is
//! decoded, converted (see [`super::convert`]) and written back as a
//! lossless (Flate) `DeviceCMYK` image. CMYK JPEGs keep their data; an ICC
//! profile they carry is dropped for PDF/X-1a, which allows device colour
//! only. For PDF/X-1a, soft masks are flattened onto paper white.

use std::collections::{BTreeSet, HashMap};

use lopdf::{Document, Object, ObjectId, Stream};

use super::convert::{ConvertError, Converter, max_coverage};
use crate::config::Standard;

/// Largest decoded image the stage accepts, in bytes.
const MAX_DECODED: usize = 1 << 30;

/// What became of the images.
#[derive(Debug, Default)]
pub struct Report {
    /// Images converted to CMYK.
    pub converted: usize,
    /// Warnings, as text (the caller locates them).
    pub warnings: Vec<String>,
}

/// The colour space family of an image.
enum Family {
    /// 1, 3 or 4 device components, with an ICC profile if tagged.
    Components(usize, Option<Vec<u8>>),
    /// Anything else (Indexed, Lab, Separation, …): left alone.
    Other,
}

/// Converts every image XObject of `doc` to CMYK.
pub fn convert_images(doc: &mut Document, converter: &Converter, standard: Standard, ink_limit: f64) -> Report {
    let pages = image_pages(doc);
    let masks: BTreeSet<ObjectId> = doc
        .objects
        .values()
        .filter_map(|o| o.as_stream().ok())
        .filter_map(|s| s.dict.get(b"SMask").and_then(Object::as_reference).ok())
        .collect();
    let ids: Vec<ObjectId> = doc
        .objects
        .iter()
        .filter(|(id, o)| {
            !masks.contains(id)
                && o.as_stream().is_ok_and(|s| s.dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Image"))
        })
        .map(|(id, _)| *id)
        .collect();
    let mut report = Report::default();
    // Colour images converted without a profile; grey ones go to black
    // alone, which needs no colour management.
    let mut fallback_colour = 0;
    for id in ids {
        let on = pages.get(&id).map_or_else(|| "an unused image".to_owned(), describe_pages);
        match convert_one(doc, id, converter, standard) {
            Ok(Some((coverage, channels))) => {
                report.converted += 1;
                if !converter.is_managed() && channels > 1 {
                    fallback_colour += 1;
                }
                if coverage > ink_limit + 1.0 {
                    report.warnings.push(format!(
                        "image on {on} reaches {coverage:.0} % total ink after conversion, over the {ink_limit:.0} % \
                         limit; use the printer's profile or set `[print] ink_limit`"
                    ));
                }
            }
            Ok(None) => {}
            Err(message) => report.warnings.push(format!("image on {on}: {message}")),
        }
        if let Some(note) = flatten_note(doc, id, standard) {
            report.warnings.push(format!("image on {on}: {note}"));
        }
    }
    if fallback_colour > 0 {
        report.warnings.push(format!(
            "{fallback_colour} colour image(s) converted to CMYK WITHOUT an output profile (fallback formula: full \
             black replacement, ink limited to {ink_limit:.0} %); give the printer's CMYK profile with `--icc FILE` \
             or `[print] profile` for a colour-managed conversion"
        ));
    }
    if standard == Standard::X1a {
        remove_soft_masks(doc);
    }
    report
}

/// Why an image was left as it is.
#[derive(Debug, thiserror::Error)]
pub enum ImageSkipped {
    /// The image object cannot be read or changed.
    #[error("{0}")]
    Object(lopdf::Error),
    /// Its colour space is not one this stage converts.
    #[error("its colour space is not RGB, grey or CMYK; it is left as it is")]
    ColourSpace,
    /// Its samples are not 8-bit.
    #[error("{0}-bit samples are not supported; it is left as it is")]
    Bits(i64),
    /// It has no width or height.
    #[error("it has no size")]
    NoSize,
    /// Its width or height is negative.
    #[error("it has a negative size")]
    NegativeSize,
    /// Its data cannot be decompressed.
    #[error("cannot decode it ({0})")]
    Decode(lopdf::Error),
    /// Its JPEG data cannot be decoded.
    #[error("cannot decode its JPEG data ({0})")]
    Jpeg(image::ImageError),
    /// Its data is shorter than its size.
    #[error("its data is shorter than its size; it is left as it is")]
    Short,
    /// The colour conversion failed.
    #[error(transparent)]
    Convert(#[from] ConvertError),
}

/// Converts one image; returns its highest ink coverage and its number of
/// colour channels when it was converted, `None` when it was already CMYK or
/// is left alone.
fn convert_one(
    doc: &mut Document,
    id: ObjectId,
    converter: &Converter,
    standard: Standard,
) -> Result<Option<(f64, usize)>, ImageSkipped> {
    let stream = doc.get_object(id).and_then(Object::as_stream).map_err(ImageSkipped::Object)?;
    let family = family(doc, stream.dict.get(b"ColorSpace").ok());
    let bits = stream.dict.get(b"BitsPerComponent").and_then(Object::as_i64).unwrap_or(8);
    let filters: Vec<Vec<u8>> =
        stream.filters().map(|f| f.into_iter().map(<[u8]>::to_vec).collect()).unwrap_or_default();
    let dct = filters.iter().any(|f| f == b"DCTDecode");
    let (channels, icc) = match family {
        Family::Components(4, _) => {
            if standard == Standard::X1a {
                let dict =
                    &mut doc.get_object_mut(id).and_then(Object::as_stream_mut).map_err(ImageSkipped::Object)?.dict;
                dict.set("ColorSpace", Object::Name(b"DeviceCMYK".to_vec()));
            }
            return Ok(None);
        }
        Family::Components(n, icc) => (n, icc),
        Family::Other => return Err(ImageSkipped::ColourSpace),
    };
    if bits != 8 {
        return Err(ImageSkipped::Bits(bits));
    }
    let width = dim(stream, b"Width")?;
    let height = dim(stream, b"Height")?;
    let mut samples = if dct {
        decode_jpeg(&stream.content, channels)?
    } else {
        stream.decompressed_content_with_limit(MAX_DECODED).map_err(ImageSkipped::Decode)?
    };
    if samples.len() < width * height * channels {
        return Err(ImageSkipped::Short);
    }
    samples.truncate(width * height * channels);
    if standard == Standard::X1a
        && let Some(alpha) = soft_mask(doc, stream, width * height)
    {
        flatten(&mut samples, channels, &alpha);
    }
    let cmyk = converter.to_cmyk(&samples, channels, icc.as_deref())?;
    let coverage = max_coverage(&cmyk);
    let stream = doc.get_object_mut(id).and_then(Object::as_stream_mut).map_err(ImageSkipped::Object)?;
    let mut dict = stream.dict.clone();
    for key in [b"Filter".as_slice(), b"DecodeParms", b"Decode", b"Length", b"Interpolate"] {
        dict.remove(key);
    }
    dict.set("ColorSpace", Object::Name(b"DeviceCMYK".to_vec()));
    dict.set("BitsPerComponent", 8);
    *stream = super::overprint::deflated(dict, &cmyk);
    Ok(Some((coverage, channels)))
}

/// Reads a positive integer size entry.
fn dim(stream: &Stream, key: &[u8]) -> Result<usize, ImageSkipped> {
    let v = stream.dict.get(key).and_then(Object::as_i64).map_err(|_| ImageSkipped::NoSize)?;
    usize::try_from(v).map_err(|_| ImageSkipped::NegativeSize)
}

/// The colour space family of an image's `ColorSpace` entry.
fn family(doc: &Document, cs: Option<&Object>) -> Family {
    let Some(cs) = cs else { return Family::Other };
    let Ok((_, cs)) = doc.dereference(cs) else { return Family::Other };
    match cs {
        Object::Name(n) if n == b"DeviceRGB" => Family::Components(3, None),
        Object::Name(n) if n == b"DeviceGray" => Family::Components(1, None),
        Object::Name(n) if n == b"DeviceCMYK" => Family::Components(4, None),
        Object::Array(a) if a.first().and_then(|o| o.as_name().ok()) == Some(b"ICCBased") => {
            let Some(Ok((_, Object::Stream(icc)))) = a.get(1).map(|o| doc.dereference(o)) else {
                return Family::Other;
            };
            let n = icc.dict.get(b"N").and_then(Object::as_i64).unwrap_or(0);
            let bytes = icc.decompressed_content().ok();
            match n {
                1 | 3 | 4 => Family::Components(n as usize, bytes),
                _ => Family::Other,
            }
        }
        _ => Family::Other,
    }
}

/// Decodes a JPEG to 8-bit grey or RGB samples.
fn decode_jpeg(data: &[u8], channels: usize) -> Result<Vec<u8>, ImageSkipped> {
    let image = image::load_from_memory_with_format(data, image::ImageFormat::Jpeg).map_err(ImageSkipped::Jpeg)?;
    Ok(if channels == 1 { image.into_luma8().into_raw() } else { image.into_rgb8().into_raw() })
}

/// The alpha samples of an image's soft mask, if it has one of the right size.
fn soft_mask(doc: &Document, stream: &Stream, pixels: usize) -> Option<Vec<u8>> {
    let mask = doc.get_object(stream.dict.get(b"SMask").ok()?.as_reference().ok()?).ok()?.as_stream().ok()?;
    let data = mask.decompressed_content_with_limit(MAX_DECODED).ok()?;
    (data.len() >= pixels).then(|| data[..pixels].to_vec())
}

/// Composites samples over paper white with `alpha`.
fn flatten(samples: &mut [u8], channels: usize, alpha: &[u8]) {
    for (px, &a) in samples.chunks_exact_mut(channels).zip(alpha) {
        for v in px {
            *v = ((u32::from(*v) * u32::from(a) + 255 * (255 - u32::from(a)) + 127) / 255) as u8;
        }
    }
}

/// A warning for an image whose transparency PDF/X-1a flattens onto white.
fn flatten_note(doc: &Document, id: ObjectId, standard: Standard) -> Option<String> {
    if standard != Standard::X1a {
        return None;
    }
    let stream = doc.get_object(id).ok()?.as_stream().ok()?;
    let pixels = dim(stream, b"Width").ok()? * dim(stream, b"Height").ok()?;
    let alpha = soft_mask(doc, stream, pixels)?;
    alpha.iter().any(|&a| a < 255).then(|| {
        "its transparency was flattened onto paper white (PDF/X-1a allows no transparency); over a coloured \
         background it will show a white box: use an opaque image or PDF/X-4"
            .to_owned()
    })
}

/// Removes every `SMask` of image XObjects (after flattening).
fn remove_soft_masks(doc: &mut Document) {
    for object in doc.objects.values_mut() {
        if let Ok(stream) = object.as_stream_mut()
            && stream.dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Image")
        {
            stream.dict.remove(b"SMask");
            stream.dict.remove(b"Interpolate");
        }
    }
}

/// The pages (1-based) each image XObject is drawn on, through forms.
pub fn image_pages(doc: &Document) -> HashMap<ObjectId, BTreeSet<u32>> {
    let mut out: HashMap<ObjectId, BTreeSet<u32>> = HashMap::new();
    for (number, page) in doc.get_pages() {
        let mut stack: Vec<ObjectId> = Vec::new();
        let mut seen = BTreeSet::new();
        let (direct, refs) = doc.get_page_resources(page).unwrap_or((None, Vec::new()));
        let mut dicts: Vec<&lopdf::Dictionary> = direct.into_iter().collect();
        dicts.extend(refs.iter().filter_map(|r| doc.get_dictionary(*r).ok()));
        for resources in dicts {
            push_xobjects(doc, resources, &mut stack);
        }
        while let Some(id) = stack.pop() {
            if !seen.insert(id) {
                continue;
            }
            let Ok(stream) = doc.get_object(id).and_then(Object::as_stream) else { continue };
            match stream.dict.get(b"Subtype").and_then(Object::as_name) {
                Ok(b"Image") => {
                    out.entry(id).or_default().insert(number);
                }
                Ok(b"Form") => {
                    if let Ok((_, Object::Dictionary(res))) =
                        stream.dict.get(b"Resources").and_then(|r| doc.dereference(r))
                    {
                        push_xobjects(doc, res, &mut stack);
                    }
                }
                _ => {}
            }
        }
    }
    out
}

fn push_xobjects(doc: &Document, resources: &lopdf::Dictionary, stack: &mut Vec<ObjectId>) {
    if let Ok((_, Object::Dictionary(xobjects))) = resources.get(b"XObject").and_then(|x| doc.dereference(x)) {
        stack.extend(xobjects.iter().filter_map(|(_, v)| v.as_reference().ok()));
    }
}

/// `page 3` or `pages 3, 7`.
pub fn describe_pages(pages: &BTreeSet<u32>) -> String {
    let list: Vec<String> = pages.iter().map(u32::to_string).collect();
    format!("page{} {}", if list.len() == 1 { "" } else { "s" }, list.join(", "))
}
