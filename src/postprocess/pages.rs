//! Pages finished before, remembered in a live session (`watch`).
//!
//! The ink pass ([`super::content`]) decodes, walks, re-encodes and
//! recompresses every page's content stream. In `watch` most pages are the
//! same from one build to the next, so what a page's walk found (its scan
//! and its rewritten stream) is remembered under a key made of everything
//! the walk reads: the page's number and box, its content streams as
//! stored, and the colour spaces, graphics states, XObjects (forms with
//! their content) and shadings its resources name, references followed
//! (object numbers, which move between exports, are not part of the key).
//! A page is found again only when its whole key is equal byte for byte
//! (the hash only picks the bucket), so a remembered page gives the bytes a
//! cold build would. Pages whose walk rewrote a form are not remembered (the
//! rewrite names the form's object). The cache lives in memory only, for
//! one session: nothing of it is written or read across processes. It keeps
//! what the last two builds used, at most [`PageCache::MAX_BYTES`].

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use super::found::Scan;
use super::resources::{page_box, page_resources};

/// What walking one page gave, as remembered.
#[derive(Clone)]
pub(super) struct Remembered {
    /// What the page's content paints.
    pub scan: Scan,
    /// The page's rewritten content, compressed (when it was rewritten).
    pub own: Option<Stream>,
}

struct Entry {
    key: Vec<u8>,
    walk: Remembered,
    /// The build that last used it.
    used: u64,
    /// Its size in memory, roughly.
    size: usize,
}

/// Finished pages of the last builds, by what their walk read.
pub struct PageCache {
    hasher: RandomState,
    entries: HashMap<u64, Entry>,
    build: u64,
    bytes: usize,
    /// Pages found again and pages walked, in the last build.
    pub last: (usize, usize),
}

impl Default for PageCache {
    fn default() -> Self {
        Self::new()
    }
}

impl PageCache {
    /// At most this many bytes of keys, streams and scans are kept.
    pub const MAX_BYTES: usize = 64 << 20;

    /// An empty cache.
    pub fn new() -> Self {
        Self { hasher: RandomState::new(), entries: HashMap::new(), build: 0, bytes: 0, last: (0, 0) }
    }

    /// Starts a build: what the build before the last did not use goes.
    pub(super) fn start(&mut self) {
        self.build += 1;
        self.last = (0, 0);
        let keep = self.build.saturating_sub(2);
        self.entries.retain(|_, e| e.used >= keep);
        self.bytes = self.entries.values().map(|e| e.size).sum();
    }

    /// What a page with this key gave before, if any.
    pub(super) fn get(&self, key: &[u8]) -> Option<&Remembered> {
        self.entries.get(&self.hasher.hash_one(key)).filter(|e| e.key == key).map(|e| &e.walk)
    }

    /// Records that the page with this key was found again.
    pub(super) fn used(&mut self, key: &[u8]) {
        let build = self.build;
        if let Some(e) = self.entries.get_mut(&self.hasher.hash_one(key)).filter(|e| e.key == key) {
            e.used = build;
        }
        self.last.0 += 1;
    }

    /// Remembers what a page gave, within the size bound (the oldest
    /// entries go first).
    pub(super) fn put(&mut self, key: Vec<u8>, walk: Remembered) {
        self.last.1 += 1;
        let size = key.len() + walk.own.as_ref().map_or(0, |s| s.content.len()) + 256 * (walk.scan.colours.len() + 1);
        if size > Self::MAX_BYTES / 4 {
            return;
        }
        while self.bytes + size > Self::MAX_BYTES {
            let Some((&oldest, _)) = self.entries.iter().min_by_key(|(_, e)| e.used) else { break };
            if let Some(gone) = self.entries.remove(&oldest) {
                self.bytes -= gone.size;
            }
        }
        let hash = self.hasher.hash_one(&key);
        if let Some(old) = self.entries.insert(hash, Entry { key, walk, used: self.build, size }) {
            self.bytes -= old.size;
        }
        self.bytes += size;
    }
}

/// The key of a page: everything its walk reads, with references followed.
pub(super) fn page_key(doc: &Document, page: ObjectId, number: u32, pdfx: bool) -> Vec<u8> {
    let mut key = Vec::with_capacity(16 << 10);
    key.extend_from_slice(&number.to_le_bytes());
    key.push(u8::from(pdfx));
    for v in page_box(doc, page) {
        key.extend_from_slice(&v.to_le_bytes());
    }
    let mut seen = HashMap::new();
    for id in doc.get_page_contents(page) {
        match doc.get_object(id) {
            Ok(Object::Stream(stream)) => {
                key.extend_from_slice(b"C");
                stream_key(doc, stream, true, &mut key, &mut seen);
            }
            _ => key.extend_from_slice(b"C?"),
        }
    }
    let resources = page_resources(doc, page);
    for category in [b"ColorSpace".as_slice(), b"ExtGState", b"XObject", b"Shading", b"Pattern"] {
        key.extend_from_slice(category);
        match resources.get(category) {
            Ok(object) => object_key(doc, object, &mut key, &mut seen),
            Err(_) => key.push(b'-'),
        }
    }
    key
}

/// Writes an object into the key: references followed (once each: a second
/// visit writes when the first was, in the order of first visits), fonts left out (the walk never
/// reads them), stream content only for forms (the walk reads no other).
fn object_key(doc: &Document, object: &Object, key: &mut Vec<u8>, seen: &mut HashMap<ObjectId, u64>) {
    match object {
        Object::Reference(id) => {
            if let Some(first) = seen.get(id) {
                key.extend_from_slice(b"R");
                key.extend_from_slice(&first.to_le_bytes());
                return;
            }
            seen.insert(*id, seen.len() as u64);
            match doc.get_object(*id) {
                Ok(target) => object_key(doc, target, key, seen),
                Err(_) => key.extend_from_slice(b"R?"),
            }
        }
        Object::Dictionary(dict) => dict_key(doc, dict, key, seen),
        Object::Stream(stream) => {
            let form = stream.dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Form".as_slice());
            stream_key(doc, stream, form, key, seen);
        }
        Object::Array(items) => {
            key.extend_from_slice(b"[");
            key.extend_from_slice(&(items.len() as u64).to_le_bytes());
            for item in items {
                object_key(doc, item, key, seen);
            }
        }
        Object::Null => key.push(b'N'),
        Object::Boolean(b) => key.extend_from_slice(if *b { b"T" } else { b"F" }),
        Object::Integer(i) => {
            key.push(b'I');
            key.extend_from_slice(&i.to_le_bytes());
        }
        Object::Real(r) => {
            key.push(b'D');
            key.extend_from_slice(&r.to_bits().to_le_bytes());
        }
        Object::Name(name) => {
            key.push(b'/');
            key.extend_from_slice(&(name.len() as u64).to_le_bytes());
            key.extend_from_slice(name);
        }
        Object::String(text, format) => {
            key.push(if matches!(format, lopdf::StringFormat::Literal) { b'(' } else { b'<' });
            key.extend_from_slice(&(text.len() as u64).to_le_bytes());
            key.extend_from_slice(text);
        }
    }
}

fn dict_key(doc: &Document, dict: &Dictionary, key: &mut Vec<u8>, seen: &mut HashMap<ObjectId, u64>) {
    key.extend_from_slice(b"<");
    key.extend_from_slice(&(dict.len() as u64).to_le_bytes());
    for (name, value) in dict.iter() {
        key.extend_from_slice(&(name.len() as u64).to_le_bytes());
        key.extend_from_slice(name);
        if name.as_slice() == b"Font" {
            key.push(b'F');
        } else {
            object_key(doc, value, key, seen);
        }
    }
}

fn stream_key(doc: &Document, stream: &Stream, content: bool, key: &mut Vec<u8>, seen: &mut HashMap<ObjectId, u64>) {
    key.extend_from_slice(b"S");
    dict_key(doc, &stream.dict, key, seen);
    if content {
        key.extend_from_slice(&(stream.content.len() as u64).to_le_bytes());
        key.extend_from_slice(&stream.content);
    }
}

#[cfg(test)]
mod tests {
    use lopdf::{Document, Object, ObjectId, Stream, dictionary};

    use super::{PageCache, Remembered, page_key};

    /// A page drawing with colour space `space`, its objects numbered after
    /// `shift` others.
    fn page(shift: usize, space: &str) -> (Document, ObjectId) {
        let mut doc = Document::with_version("1.7");
        for _ in 0..shift {
            doc.add_object(Object::Null);
        }
        let cs = doc.add_object(Object::Array(vec![Object::Name(space.as_bytes().to_vec())]));
        let font = doc.add_object(dictionary! { "Type" => "Font", "Subtype" => "Type0" });
        let content = doc.add_object(Stream::new(dictionary! {}, b"/C0 cs 1 sc BT /F1 9 Tf (a) Tj ET".to_vec()));
        let resources = dictionary! { "ColorSpace" => dictionary! { "C0" => cs, "C1" => cs }, "Font" => dictionary! { "F1" => font } };
        let mediabox: Vec<Object> = vec![0.into(), 0.into(), 100.into(), 100.into()];
        let page = doc.add_object(
            dictionary! { "Type" => "Page", "MediaBox" => mediabox, "Contents" => content, "Resources" => resources },
        );
        (doc, page)
    }

    #[test]
    fn a_page_key_holds_what_the_walk_reads_and_no_object_numbers() {
        let key = |(doc, id): (Document, ObjectId), number| page_key(&doc, id, number, true);
        assert_eq!(key(page(0, "DeviceCMYK"), 1), key(page(7, "DeviceCMYK"), 1));
        assert_ne!(key(page(0, "DeviceCMYK"), 1), key(page(0, "DeviceGray"), 1));
        assert_ne!(key(page(0, "DeviceCMYK"), 1), key(page(0, "DeviceCMYK"), 2));
    }

    #[test]
    fn the_cache_keeps_what_the_last_two_builds_used() {
        let mut cache = PageCache::new();
        let walk = Remembered { scan: Default::default(), own: None };
        cache.start();
        cache.put(b"one".to_vec(), walk.clone());
        cache.put(b"two".to_vec(), walk.clone());
        cache.start();
        assert!(cache.get(b"one").is_some() && cache.get(b"three").is_none());
        cache.used(b"one");
        cache.start();
        assert!(cache.get(b"one").is_some() && cache.get(b"two").is_some());
        cache.start();
        assert!(cache.get(b"one").is_some() && cache.get(b"two").is_none());
    }
}
