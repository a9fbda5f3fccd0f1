//! The overprint rewrite: small 100 % K text is set to overprint by `gs`
//! operators around it (the content scan in [`super::content`] decides
//! where), and the rewritten streams and the two graphics states are put
//! into the document.

use std::collections::{BTreeSet, HashMap};

use lopdf::content::Operation;
use lopdf::{Dictionary, Document, Object, ObjectId};

use super::resources::Space;
use super::resources::page_resources;

/// Text at or below this size (points) overprints when it is 100 % K.
pub const SMALL_TEXT_PT: f64 = 24.0;

/// Names of the two graphics states the overprint rewrite adds.
pub const OVERPRINT_ON: &[u8] = b"CsrPressOP";

/// See [`OVERPRINT_ON`].
pub const OVERPRINT_OFF: &[u8] = b"CsrPressKO";

/// A Flate-compressed stream (fast level: content streams are rewritten on
/// every build, and the level barely changes their size).
pub fn deflated(mut dict: Dictionary, bytes: &[u8]) -> lopdf::Stream {
    use std::io::Write as _;
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    match encoder.write_all(bytes).and_then(|()| encoder.finish()) {
        Ok(data) => {
            dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
            lopdf::Stream::new(dict, data).with_compression(false)
        }
        Err(_) => {
            dict.remove(b"Filter");
            lopdf::Stream::new(dict, bytes.to_vec())
        }
    }
}

/// Whether a fill is exactly 100 % K.
pub(super) fn is_k100(colour: &(Space, Vec<f64>)) -> bool {
    colour.0 == Space::Cmyk && colour.1.len() == 4 && colour.1[..3].iter().all(|v| *v < 0.001) && colour.1[3] > 0.999
}

/// A `gs` operator setting the named graphics state.
pub(super) fn gs(name: &[u8]) -> Operation {
    Operation::new("gs", vec![Object::Name(name.to_vec())])
}

/// Adds the two overprint graphics states to the resources of `holder` (a
/// page or a form XObject).
fn add_overprint_states(doc: &mut Document, holder: ObjectId) {
    let on = doc.add_object(lopdf::dictionary! { "Type" => "ExtGState", "OP" => true, "op" => true, "OPM" => 1 });
    let off = doc.add_object(lopdf::dictionary! { "Type" => "ExtGState", "OP" => false, "op" => false });
    let resources = match doc.get_object(holder) {
        Ok(Object::Dictionary(d)) => d.get(b"Resources").ok().cloned(),
        Ok(Object::Stream(s)) => s.dict.get(b"Resources").ok().cloned(),
        _ => None,
    };
    let mut resources = match resources {
        Some(Object::Reference(id)) => doc.get_dictionary(id).cloned().unwrap_or_default(),
        Some(Object::Dictionary(d)) => d,
        // A page without its own resources inherits them: take the merged set.
        _ => page_resources(doc, holder),
    };
    let mut states = match resources.get(b"ExtGState") {
        Ok(Object::Reference(id)) => doc.get_dictionary(*id).cloned().unwrap_or_default(),
        Ok(Object::Dictionary(d)) => d.clone(),
        _ => Dictionary::new(),
    };
    states.set(OVERPRINT_ON, Object::Reference(on));
    states.set(OVERPRINT_OFF, Object::Reference(off));
    resources.set("ExtGState", Object::Dictionary(states));
    // The holder gets its own copy: a shared resource dictionary stays as it was for others.
    match doc.get_object_mut(holder) {
        Ok(Object::Dictionary(d)) => d.set("Resources", Object::Dictionary(resources)),
        Ok(Object::Stream(s)) => s.dict.set("Resources", Object::Dictionary(resources)),
        _ => {}
    }
}

/// Puts the rewritten streams into the document: a page's own content
/// (`page_streams`: the page, the streams it had and its new, compressed
/// stream) becomes one new stream, a rewritten form keeps its object; every
/// holder of rewritten content gets the two overprint graphics states.
pub(super) fn apply_rewrites(
    doc: &mut Document,
    page_streams: Vec<(ObjectId, Vec<ObjectId>, lopdf::Stream)>,
    rewrites: HashMap<ObjectId, Vec<u8>>,
    holders: BTreeSet<ObjectId>,
) {
    for (page, streams, stream) in page_streams {
        let id = doc.add_object(stream);
        if let Ok(dict) = doc.get_dictionary_mut(page) {
            dict.set("Contents", Object::Reference(id));
        }
        for old in streams {
            doc.objects.remove(&old);
        }
    }
    for (id, bytes) in rewrites {
        if let Ok(stream) = doc.get_object_mut(id).and_then(Object::as_stream_mut) {
            let mut dict = stream.dict.clone();
            dict.remove(b"DecodeParms");
            *stream = deflated(dict, &bytes);
        }
    }
    for holder in holders {
        add_overprint_states(doc, holder);
    }
}
