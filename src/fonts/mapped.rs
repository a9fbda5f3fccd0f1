//! Font files mapped into memory rather than read: a one-shot build reads
//! each CJK face (15–25 MB) whole only to hash it and subset a few thousand
//! of its glyphs; a mapping serves the same bytes without copying them.

use std::path::PathBuf;
use std::sync::Arc;

use typst::foundations::Bytes;
use typst::text::Font;
use typst_kit::fonts::{FontPath, FontSource};

/// A face in a font file, mapped when first needed.
pub(super) struct MappedFont {
    /// The font file.
    path: PathBuf,
    /// The face's index in the file (a collection holds several).
    index: u32,
}

impl From<FontPath> for MappedFont {
    fn from(found: FontPath) -> Self {
        Self { path: found.path, index: found.index }
    }
}

impl FontSource for MappedFont {
    fn load(&self) -> Option<Font> {
        let file = std::fs::File::open(&self.path).ok()?;
        let mapped = Arc::new(map(&file)?);
        let font = Font::new(Bytes::new(Shared(Arc::clone(&mapped))), self.index)?;
        // Typst hashes a face's bytes whole, once (the hash stays with
        // them), which brings every page of the file into this process's
        // resident memory; what it reads later (the shaping tables, the
        // glyphs a subset takes) is a small part of a CJK face. Hashed here,
        // the pages are released again and read back as needed.
        typst::utils::hash128(&font);
        release(&mapped);
        Some(font)
    }
}

/// A mapping the face's bytes share with [`MappedFont::load`].
struct Shared(Arc<memmap2::Mmap>);

impl AsRef<[u8]> for Shared {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// Drops the resident pages of `mapped` (they stay in the page cache).
#[allow(unsafe_code)]
fn release(mapped: &memmap2::Mmap) {
    // SAFETY: the mapping is read-only and private (`map`): no page of it
    // was ever written, so dropping its pages loses nothing, and the next
    // read of one faults it back in from the file, the same bytes.
    // Failing to release them leaves them resident, which is only memory.
    let _ = unsafe { mapped.unchecked_advise(memmap2::UncheckedAdvice::DontNeed) };
}

/// `file` mapped read-only and private.
#[allow(unsafe_code)]
fn map(file: &std::fs::File) -> Option<memmap2::Mmap> {
    // SAFETY: the mapping is read-only and private, so nothing this process
    // does can change it. Another process truncating the file while it is
    // mapped would end this one with SIGBUS on the next glyph read; the
    // fonts are the project's committed files, checked before use
    // (`check_font_files`), and a build lasts seconds (`watch`, which runs
    // for hours, reads them instead: `FontLoading::Read`). The same holds
    // for fontdb, which maps the same files to scan them.
    unsafe { memmap2::Mmap::map(file) }.ok()
}

#[cfg(test)]
mod tests {
    use typst_kit::fonts::{FontPath, FontSource};

    use super::MappedFont;

    #[test]
    fn a_mapped_face_is_the_face_read_whole() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts/NotoSerif-Regular.ttf");
        let read = FontPath { path: path.clone(), index: 0 }.load().expect("the face reads");
        let mapped = MappedFont { path, index: 0 }.load().expect("the face maps");
        assert_eq!(mapped.data().as_slice(), read.data().as_slice());
        assert_eq!(typst::utils::hash128(&mapped), typst::utils::hash128(&read));
        assert_eq!(mapped.info(), read.info());
    }

    /// Once loaded (and hashed), a mapped face's pages are not resident in
    /// this process: what the build reads later comes back from the file.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_loaded_face_leaves_its_pages_to_the_page_cache() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts/NotoSansSC-Regular.otf");
        let size = std::fs::metadata(&path).expect("the font is there").len();
        let face = MappedFont { path: path.clone(), index: 0 }.load().expect("the face maps");
        let resident = resident_kib(&path);
        assert!(resident * 1024 < size / 4, "{resident} KiB of {size} bytes resident");
        // Read again, the bytes are the file's.
        assert_eq!(face.data().as_slice(), std::fs::read(&path).expect("the font reads"));
    }

    /// The resident KiB of this process's mappings of `path`.
    #[cfg(target_os = "linux")]
    fn resident_kib(path: &std::path::Path) -> u64 {
        let smaps = std::fs::read_to_string("/proc/self/smaps").expect("smaps reads");
        let mut ours = false;
        let mut total = 0;
        for line in smaps.lines() {
            if line.split_whitespace().next().is_some_and(|first| first.contains('-') && !first.ends_with(':')) {
                ours = line.ends_with(&*path.to_string_lossy());
            } else if ours && let Some(rss) = line.strip_prefix("Rss:") {
                total += rss.trim().trim_end_matches("kB").trim().parse::<u64>().unwrap_or(0);
            }
        }
        total
    }

    #[test]
    fn a_missing_file_maps_to_no_face() {
        assert!(MappedFont { path: "/no/such/font.otf".into(), index: 0 }.load().is_none());
    }
}
