//! Resource lookup for the content scan: a page's merged resources and
//! boxes, named resources (colour spaces, graphics states, XObjects,
//! shadings), and what colour space a name or array stands for.

use lopdf::{Dictionary, Document, Object, ObjectId};

/// The colour space of a paint operator.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Space {
    Cmyk,
    Gray,
    Rgb(&'static str),
    /// Separation or DeviceN: spot inks, counted per tint.
    Spot,
    Other(String),
    Pattern,
}

/// The page's BleedBox (or TrimBox, or MediaBox).
pub(super) fn page_box(doc: &Document, page: ObjectId) -> [f64; 4] {
    let dict = doc.get_dictionary(page).ok();
    for key in [b"BleedBox".as_slice(), b"TrimBox", b"MediaBox"] {
        let values = dict.and_then(|d| d.get(key).ok()).and_then(|o| o.as_array().ok()).map(|a| nums(a));
        if let Some(v) = values.filter(|v| v.len() == 4) {
            return [v[0], v[1], v[2], v[3]];
        }
    }
    [f64::MIN, f64::MIN, f64::MAX, f64::MAX]
}

/// The page's resources (inherited ones merged under its own).
pub(super) fn page_resources(doc: &Document, page: ObjectId) -> Dictionary {
    let (direct, inherited) = doc.get_page_resources(page).unwrap_or((None, Vec::new()));
    let mut out = Dictionary::new();
    for id in inherited.iter().rev() {
        if let Ok(d) = doc.get_dictionary(*id) {
            out.extend(d);
        }
    }
    if let Some(d) = direct {
        out.extend(d);
    }
    out
}

/// The entry `name` of the resource category `category` (`ColorSpace`,
/// `XObject`…), as stored (a reference stays a reference).
pub(super) fn raw_lookup<'a>(
    resources: &'a Dictionary,
    category: &[u8],
    name: &Object,
    doc: &'a Document,
) -> Option<&'a Object> {
    let (_, group) = doc.dereference(resources.get(category).ok()?).ok()?;
    group.as_dict().ok()?.get(name.as_name().ok()?).ok()
}

/// The entry `name` of a resource category, references followed.
pub(super) fn lookup<'a>(
    doc: &'a Document,
    resources: &'a Dictionary,
    category: &[u8],
    name: &Object,
) -> Option<&'a Object> {
    let object = raw_lookup(resources, category, name, doc)?;
    doc.dereference(object).ok().map(|(_, o)| o)
}

/// Classifies a colour space operand of `cs`/`CS`.
pub(super) fn space_of(doc: &Document, name: &Object, resources: &Dictionary) -> Space {
    match name.as_name() {
        Ok(b"DeviceCMYK") => return Space::Cmyk,
        Ok(b"DeviceGray") => return Space::Gray,
        Ok(b"DeviceRGB") => return Space::Rgb("DeviceRGB"),
        Ok(b"Pattern") => return Space::Pattern,
        _ => {}
    }
    match lookup(doc, resources, b"ColorSpace", name) {
        Some(object) => classify(doc, object),
        None => Space::Other("an unknown colour space".into()),
    }
}

/// Classifies a colour space object (a name or an array).
pub(super) fn classify(doc: &Document, object: &Object) -> Space {
    let (family, rest) = match object {
        Object::Name(n) => (n.as_slice(), &[][..]),
        Object::Array(a) => (a.first().and_then(|o| o.as_name().ok()).unwrap_or(b""), &a[1..]),
        _ => return Space::Other("a malformed colour space".into()),
    };
    match family {
        b"DeviceCMYK" => Space::Cmyk,
        b"DeviceGray" => Space::Gray,
        b"DeviceRGB" => Space::Rgb("DeviceRGB"),
        b"Separation" | b"DeviceN" => Space::Spot,
        b"Pattern" => Space::Pattern,
        b"ICCBased" => {
            let n = rest
                .first()
                .and_then(|r| doc.dereference(r).ok())
                .and_then(|(_, o)| o.as_stream().ok())
                .and_then(|s| s.dict.get(b"N").and_then(Object::as_i64).ok());
            match n {
                Some(3) => Space::Rgb("ICC-based RGB"),
                Some(1) => Space::Other("ICC-based grey".into()),
                Some(4) => Space::Other("ICC-based CMYK".into()),
                Some(n) => Space::Other(format!("an ICC-based colour space with {n} components")),
                None => Space::Other("a malformed ICC-based colour space".into()),
            }
        }
        b"CalRGB" => Space::Rgb("CalRGB"),
        other => Space::Other(format!("the {} colour space", String::from_utf8_lossy(other))),
    }
}

/// The colour space of a shading named by `sh`.
pub(super) fn shading_space(doc: &Document, name: Option<&Object>, resources: &Dictionary) -> Option<Space> {
    let shading = lookup(doc, resources, b"Shading", name?)?;
    let dict = match shading {
        Object::Dictionary(d) => d,
        Object::Stream(s) => &s.dict,
        _ => return None,
    };
    let (_, cs) = doc.dereference(dict.get(b"ColorSpace").ok()?).ok()?;
    Some(classify(doc, cs))
}

/// The numbers among operands.
pub(super) fn nums(operands: &[Object]) -> Vec<f64> {
    operands.iter().filter_map(|o| o.as_float().ok()).map(f64::from).collect()
}
