//! PDF/X conformance: the output intent, the identification keys in the
//! Info dictionary and the XMP metadata, the header version, and the checks
//! of what the file holds that the content scan does not see (encryption,
//! fonts, colour spaces of shadings and groups, soft masks, annotations).

use lopdf::{Dictionary, Document, Object, Stream, StringFormat, dictionary};

use super::setup::{ICC_REGISTRY, PrintSetup};
use crate::config::Standard;

/// The value of `GTS_PDFXVersion` (Info and XMP) for a standard.
pub fn version_key(standard: Standard) -> Option<&'static str> {
    match standard {
        Standard::X1a => Some("PDF/X-1a:2003"),
        Standard::X4 => Some("PDF/X-4"),
        Standard::None => None,
    }
}

/// Checks what PDF/X forbids in the file's objects and fixes what can be
/// fixed. Returns (is an error, message) pairs.
pub fn check_objects(doc: &mut Document, standard: Standard) -> Vec<(bool, String)> {
    let mut found = Vec::new();
    let std = standard.name();
    if doc.trailer.get(b"Encrypt").is_ok() {
        found.push((true, format!("{std} allows no encryption, and the PDF is encrypted")));
    }
    let pages: Vec<_> = doc.get_pages().into_iter().collect();
    let mut links = 0;
    for (number, id) in &pages {
        let Ok(page) = doc.get_dictionary_mut(*id) else { continue };
        if page.get(b"TrimBox").is_err() {
            found.push((true, format!("{std} needs a TrimBox on every page; page {number} has none")));
        }
        if let Some(count) = page.get(b"Annots").ok().and_then(|a| a.as_array().ok()).map(Vec::len) {
            // Print has no use for links, and PDF/X allows no annotation on the printed area.
            links += count;
            page.remove(b"Annots");
        }
        match standard {
            // A page group only matters for transparency, which the scan reports.
            Standard::X1a => {
                page.remove(b"Group");
            }
            Standard::X4 => cmyk_group(page),
            Standard::None => {}
        }
    }
    if links > 0 {
        found.push((false, format!("{links} annotation(s) (links) removed: the print PDF has no use for them")));
    }
    let mut unembedded = std::collections::BTreeSet::new();
    let mut rgb_spaces = std::collections::BTreeSet::new();
    for object in doc.objects.values() {
        let dict = match object {
            Object::Dictionary(d) => d,
            Object::Stream(s) => &s.dict,
            _ => continue,
        };
        if dict.has_type(b"FontDescriptor")
            && !["FontFile", "FontFile2", "FontFile3"].iter().any(|k| dict.has(k.as_bytes()))
        {
            let name = dict.get(b"FontName").and_then(Object::as_name).map(String::from_utf8_lossy).unwrap_or_default();
            unembedded.insert(name.into_owned());
        }
        // Named colour spaces of resource dictionaries are judged where the content uses them.
        let is_resources = dict.has(b"Font") || dict.has(b"XObject") || dict.has(b"ExtGState");
        for key in [b"ColorSpace".as_slice(), b"CS"] {
            if let Ok(cs) = dict.get(key)
                && !is_resources
                && let Some(what) = rgb_space(doc, cs, standard)
            {
                rgb_spaces.insert(what);
            }
        }
        if standard == Standard::X1a {
            if dict.get(b"SMask").is_ok_and(|m| m.as_name().ok() != Some(b"None")) {
                rgb_spaces.insert("a soft mask (transparency)".to_owned());
            }
            if dict.get(b"Group").and_then(|g| doc.dereference(g)).is_ok_and(|(_, g)| {
                g.as_dict().is_ok_and(|g| g.get(b"S").and_then(Object::as_name).ok() == Some(b"Transparency"))
            }) {
                rgb_spaces.insert("a transparency group".to_owned());
            }
        }
    }
    for name in unembedded {
        found.push((true, format!("{std} needs every font embedded; font {name} is not")));
    }
    for what in rgb_spaces {
        found.push((true, format!("{std} does not allow {what} (in a shading, pattern, group or image)")));
    }
    found
}

/// Replaces ICC-based grey and CMYK colour spaces that resources name (how
/// krilla writes `luma()` colours) by DeviceGray and DeviceCMYK: PDF/X-1a
/// allows device colour only, and the output intent characterizes both.
pub fn device_spaces(doc: &mut Document) {
    let mut device = std::collections::HashMap::new();
    for (id, object) in &doc.objects {
        let Ok(stream) = object.as_stream() else { continue };
        match stream.dict.get(b"N").and_then(Object::as_i64) {
            Ok(1) if !stream.dict.has(b"Subtype") => device.insert(*id, b"DeviceGray".to_vec()),
            Ok(4) if !stream.dict.has(b"Subtype") => device.insert(*id, b"DeviceCMYK".to_vec()),
            _ => None,
        };
    }
    // The ICC-based array itself may be an indirect object.
    let arrays: std::collections::HashMap<lopdf::ObjectId, Vec<u8>> =
        doc.objects.iter().filter_map(|(id, o)| Some((*id, device_name(o, &device)?))).collect();
    for object in doc.objects.values_mut() {
        let Object::Dictionary(dict) = object else { continue };
        if let Ok(Object::Dictionary(named)) = dict.get_mut(b"ColorSpace") {
            for (_, value) in named.iter_mut() {
                let name = match &*value {
                    Object::Reference(r) => arrays.get(r).cloned(),
                    other => device_name(other, &device),
                };
                if let Some(name) = name {
                    *value = Object::Name(name);
                }
            }
        }
    }
}

/// The device colour space that replaces `[/ICCBased ref]` when `ref` is a
/// grey or CMYK profile.
fn device_name(value: &Object, device: &std::collections::HashMap<lopdf::ObjectId, Vec<u8>>) -> Option<Vec<u8>> {
    let a = value.as_array().ok()?;
    if a.len() != 2 || a[0].as_name().ok() != Some(b"ICCBased") {
        return None;
    }
    device.get(&a[1].as_reference().ok()?).cloned()
}

/// Sets a page's transparency group to blend in CMYK (PDF/X-4 with a CMYK
/// output intent).
fn cmyk_group(page: &mut Dictionary) {
    if let Ok(Object::Dictionary(group)) = page.get_mut(b"Group")
        && group.has(b"CS")
    {
        group.set("CS", Object::Name(b"DeviceCMYK".to_vec()));
    }
}

/// Describes a colour space value PDF/X forbids, if it is one.
fn rgb_space(doc: &Document, cs: &Object, standard: Standard) -> Option<String> {
    let (_, cs) = doc.dereference(cs).ok()?;
    let family = match cs {
        Object::Name(n) => n.as_slice(),
        Object::Array(a) => a.first()?.as_name().ok()?,
        _ => return None,
    };
    match family {
        b"DeviceRGB" | b"CalRGB" => Some(format!("the {} colour space", String::from_utf8_lossy(family))),
        b"ICCBased" | b"Lab" | b"CalGray" if standard == Standard::X1a => {
            Some(format!("the {} colour space (device colour only)", String::from_utf8_lossy(family)))
        }
        _ => None,
    }
}

/// Why the PDF could not be identified as PDF/X.
#[derive(Debug, thiserror::Error)]
pub enum IdentifyError {
    /// The output profile could not be compressed.
    #[error("cannot compress the output profile ({0})")]
    Compress(lopdf::Error),
    /// The Info dictionary is broken.
    #[error("bad Info dictionary ({0})")]
    Info(lopdf::Error),
    /// The PDF has no title.
    #[error("{} needs a document title, and the PDF has none", .0.name())]
    NoTitle(Standard),
    /// The PDF has no creation date.
    #[error("{} needs a creation date, and the PDF has none", .0.name())]
    NoCreationDate(Standard),
    /// The catalog is broken.
    #[error("bad catalog ({0})")]
    Catalog(lopdf::Error),
}

/// Writes the output intent, the version, the Info keys and the XMP.
pub fn identify(doc: &mut Document, setup: &PrintSetup) -> Result<(), IdentifyError> {
    let Some(version) = version_key(setup.standard) else { return Ok(()) };
    doc.version = if setup.standard == Standard::X1a { "1.4" } else { "1.6" }.to_owned();

    let mut intent = dictionary! {
        "Type" => "OutputIntent",
        "S" => "GTS_PDFX",
        "OutputConditionIdentifier" => text(&setup.condition),
        "OutputCondition" => text(&setup.condition_info),
        "Info" => text(&setup.condition_info),
    };
    if setup.registered {
        intent.set("RegistryName", text(ICC_REGISTRY));
    }
    if let Some(profile) = &setup.profile {
        let mut icc = Stream::new(dictionary! { "N" => 4 }, profile.bytes.clone());
        icc.compress().map_err(IdentifyError::Compress)?;
        intent.set("DestOutputProfile", Object::Reference(doc.add_object(icc)));
    }
    let intent = doc.add_object(intent);

    let info_id = match doc.trailer.get(b"Info").and_then(Object::as_reference) {
        Ok(id) => id,
        Err(_) => {
            let id = doc.add_object(Dictionary::new());
            doc.trailer.set("Info", Object::Reference(id));
            id
        }
    };
    let info = doc.get_dictionary_mut(info_id).map_err(IdentifyError::Info)?;
    if info.get(b"Title").is_err() {
        return Err(IdentifyError::NoTitle(setup.standard));
    }
    let created = info.get(b"CreationDate").and_then(Object::as_str).map(<[u8]>::to_vec).ok();
    let created = created.ok_or(IdentifyError::NoCreationDate(setup.standard))?;
    if info.get(b"ModDate").is_err() {
        info.set("ModDate", Object::String(created.clone(), StringFormat::Literal));
    }
    info.set("GTS_PDFXVersion", text(version));
    info.set("Trapped", Object::Name(b"False".to_vec()));
    info.set("Producer", text(&format!("csr-press {}", env!("CARGO_PKG_VERSION"))));
    let info = info.clone();

    if doc.trailer.get(b"ID").is_err() {
        let hash = format!("{:032x}", typst::utils::hash128(&format!("{info:?}")));
        let id = Object::String(hash.into_bytes(), StringFormat::Hexadecimal);
        doc.trailer.set("ID", Object::Array(vec![id.clone(), id]));
    }
    let ids = document_ids(doc);
    let xmp = super::xmp::packet(&info, version, &doc.version, &ids);
    let metadata =
        doc.add_object(Stream::new(dictionary! { "Type" => "Metadata", "Subtype" => "XML" }, xmp.into_bytes()));
    let old = doc.catalog().ok().and_then(|c| c.get(b"Metadata").and_then(Object::as_reference).ok());
    if let Some(old) = old {
        doc.objects.remove(&old);
    }
    let catalog = doc.catalog_mut().map_err(IdentifyError::Catalog)?;
    catalog.set("OutputIntents", Object::Array(vec![Object::Reference(intent)]));
    catalog.set("Metadata", Object::Reference(metadata));
    Ok(())
}

/// The two parts of the trailer ID as hex text (XMP document and instance id).
fn document_ids(doc: &Document) -> [String; 2] {
    let parts = doc.trailer.get(b"ID").and_then(Object::as_array).cloned().unwrap_or_default();
    let hex = |o: Option<&Object>| {
        o.and_then(|o| o.as_str().ok()).map(|b| b.iter().map(|x| format!("{x:02x}")).collect()).unwrap_or_default()
    };
    [hex(parts.first()), hex(parts.get(1))]
}

/// A PDF text string (UTF-16BE when not ASCII).
fn text(value: &str) -> Object {
    lopdf::text_string(value)
}
