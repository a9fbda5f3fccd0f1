//! Font files mapped into memory rather than read: a one-shot build reads
//! each CJK face (15–25 MB) whole only to hash it and subset a few thousand
//! of its glyphs; a mapping serves the same bytes without copying them.

use std::path::PathBuf;

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
        Font::new(Bytes::new(map(&file)?), self.index)
    }
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

    #[test]
    fn a_missing_file_maps_to_no_face() {
        assert!(MappedFont { path: "/no/such/font.otf".into(), index: 0 }.load().is_none());
    }
}
