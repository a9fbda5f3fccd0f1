//! Font loading: the committed fonts in `fonts/`, and the machine's fonts
//! only when asked for (`--system-fonts`), so a PDF never depends on the
//! machine that built it. A font file that is truncated or corrupt is an
//! error naming it, never a silently skipped font (and blank pages).

use std::path::{Path, PathBuf};

use typst::text::FontInfo;
use typst_kit::fonts::{self, FontStore};

use crate::config::FontLoading;
use crate::paths::Root;

mod mapped;

/// Why the fonts could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum FontError {
    /// The font folder is missing or unreadable.
    #[error("cannot read the font folder {} ({reason}); run from the folder holding fonts/ or pass --root", dir.display())]
    Unreadable {
        /// The font folder.
        dir: PathBuf,
        /// Why.
        reason: String,
    },
    /// The font folder holds no font.
    #[error("no fonts found in {} (it needs the Noto Serif/Sans SC files)", dir.display())]
    Empty {
        /// The font folder.
        dir: PathBuf,
    },
    /// The edition's language needs a family the fonts do not have (boxed:
    /// errors travel up by value).
    #[error("the {} edition sets its text in {}, which is not in {} (add {}; see fonts/README.md)", .0.language, .0.family, .0.dir.display(), .0.files)]
    MissingFamily(Box<MissingFamily>),
    /// A font file is damaged.
    #[error("font file {} is truncated or corrupt ({defect}); replace it", path.display())]
    Corrupt {
        /// The font file.
        path: PathBuf,
        /// What is wrong with it.
        defect: FontDefect,
    },
}

/// What is wrong with a damaged font file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FontDefect {
    /// The file cannot be opened or measured.
    #[error("cannot read it: {0}")]
    Unreadable(String),
    /// A read ran past the end of the file.
    #[error("cut off")]
    CutOff,
    /// The file header is cut off.
    #[error("the header is cut off")]
    HeaderCutOff,
    /// A collection claims an implausible number of fonts.
    #[error("a collection of {0} fonts")]
    Collection(usize),
    /// A table directory is cut off.
    #[error("the table directory is cut off")]
    DirectoryCutOff,
    /// A font without tables.
    #[error("no tables")]
    NoTables,
    /// A table lies (partly) past the end of the file.
    #[error("a table ends at byte {end} of a {size}-byte file")]
    TablePastEnd {
        /// Where the table ends.
        end: usize,
        /// The file's size.
        size: usize,
    },
}

/// Loads the fonts under the root's `fonts/` (and the system's, if `system`),
/// brought into memory as `loading` says when first needed.
///
/// Fails when the folder is missing, unreadable, holds no font or a
/// damaged one.
pub fn load_fonts(root: &Root, system: bool, loading: FontLoading) -> Result<(FontStore, Vec<FontInfo>), FontError> {
    let dir = root.fonts();
    std::fs::read_dir(&dir)
        .map_err(|e| FontError::Unreadable { dir: dir.clone(), reason: crate::paths::io_reason(&e) })?;
    check_font_files(&dir)?;
    let mut found: Vec<_> = fonts::scan(&dir).collect();
    if found.is_empty() {
        return Err(FontError::Empty { dir });
    }
    // Scan order depends on the file system; sort so font indices, and with
    // them the PDF, are the same on every machine.
    found.sort_by(|a, b| (&a.0.path, a.0.index).cmp(&(&b.0.path, b.0.index)));
    let mut infos: Vec<FontInfo> = found.iter().map(|(_, info)| info.clone()).collect();
    let mut store = FontStore::new();
    match loading {
        FontLoading::Mapped => {
            store.extend(found.into_iter().map(|(path, info)| (mapped::MappedFont::from(path), info)))
        }
        FontLoading::Read => store.extend(found),
    }
    if system {
        let sys: Vec<_> = fonts::system().collect();
        infos.extend(sys.iter().map(|(_, info)| info.clone()));
        store.extend(sys);
    }
    Ok((store, infos))
}

/// File name extensions of font files.
pub const FONT_EXTENSIONS: &[&str] = &["ttf", "otf", "ttc", "otc"];

/// Checks every font file in `dir`: its table directory must parse and
/// every table must lie inside the file. Only the directories are read (a
/// few kilobytes of each font, not the whole files).
fn check_font_files(dir: &Path) -> Result<(), FontError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| FontError::Unreadable { dir: dir.to_path_buf(), reason: crate::paths::io_reason(&e) })?;
    for entry in entries.flatten() {
        let path = entry.path();
        let is_font = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| FONT_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()));
        if !is_font || !path.is_file() {
            continue;
        }
        if let Err(defect) = check_font_file(&path) {
            return Err(FontError::Corrupt { path, defect });
        }
    }
    Ok(())
}

/// Checks one font file, reading its directories only.
fn check_font_file(path: &Path) -> Result<(), FontDefect> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path).map_err(|e| FontDefect::Unreadable(e.to_string()))?;
    let size = file.metadata().map_err(|e| FontDefect::Unreadable(e.to_string()))?.len();
    let mut read_at = |at: usize, len: usize| -> Result<Vec<u8>, FontDefect> {
        let mut buf = vec![0; len];
        file.seek(SeekFrom::Start(at as u64))
            .and_then(|_| file.read_exact(&mut buf))
            .map_err(|_| FontDefect::CutOff)?;
        Ok(buf)
    };
    check_font_directories(&mut read_at, usize::try_from(size).unwrap_or(usize::MAX))
}

/// Checks the table directories of a font file of `size` bytes, read
/// through `read_at(offset, length)`: every table must lie inside the file.
fn check_font_directories(
    read_at: &mut dyn FnMut(usize, usize) -> Result<Vec<u8>, FontDefect>,
    size: usize,
) -> Result<(), FontDefect> {
    let be32 = |b: &[u8], at: usize| u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]) as usize;
    let head = read_at(0, 12).map_err(|_| FontDefect::HeaderCutOff)?;
    let offsets: Vec<usize> = if head.starts_with(b"ttcf") {
        let count = be32(&head, 8);
        if count == 0 || count > 1024 {
            return Err(FontDefect::Collection(count));
        }
        let list = read_at(12, 4 * count).map_err(|_| FontDefect::HeaderCutOff)?;
        (0..count).map(|i| be32(&list, 4 * i)).collect()
    } else {
        vec![0]
    };
    for start in offsets {
        let header = read_at(start, 12).map_err(|_| FontDefect::DirectoryCutOff)?;
        let tables = usize::from(u16::from_be_bytes([header[4], header[5]]));
        if tables == 0 {
            return Err(FontDefect::NoTables);
        }
        let records = read_at(start + 12, 16 * tables).map_err(|_| FontDefect::DirectoryCutOff)?;
        for i in 0..tables {
            let (offset, length) = (be32(&records, 16 * i + 8), be32(&records, 16 * i + 12));
            if offset.checked_add(length).is_none_or(|end| end > size) {
                return Err(FontDefect::TablePastEnd { end: offset.saturating_add(length), size });
            }
        }
    }
    Ok(())
}

/// A family an edition needs that the fonts do not have.
#[derive(Debug)]
pub struct MissingFamily {
    /// The language tag.
    pub language: String,
    /// The family Typst looks for.
    pub family: String,
    /// The files to add.
    pub files: String,
    /// The font folder.
    pub dir: PathBuf,
}

/// The font families an edition's language sets its text in: the CJK
/// family with that region's glyph forms, and for English a Latin serif and
/// sans with the Simplified Chinese faces as fallback.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Families {
    /// Body text, first family first.
    pub serif: Vec<&'static str>,
    /// Headings, tables, captions.
    pub sans: Vec<&'static str>,
}

/// One family a language needs and the files that hold it.
struct Needed {
    family: &'static str,
    files: &'static str,
}

/// The two families (serif, sans) text in `language` is set in.
pub fn families_of(language: &str) -> [&'static str; 2] {
    needed(language).map(|n| n.family)
}

fn needed(language: &str) -> [Needed; 2] {
    let cjk = |serif, serif_files, sans, sans_files| {
        [Needed { family: serif, files: serif_files }, Needed { family: sans, files: sans_files }]
    };
    match language.to_ascii_lowercase().as_str() {
        "zh-hk" => cjk(
            "Noto Serif CJK HK",
            "NotoSerifHK-Regular.otf and NotoSerifHK-Bold.otf",
            "Noto Sans CJK HK",
            "NotoSansHK-Regular.otf and NotoSansHK-Bold.otf",
        ),
        "zh-tw" => cjk(
            "Noto Serif CJK TC",
            "NotoSerifTC-Regular.otf and NotoSerifTC-Bold.otf",
            "Noto Sans CJK TC",
            "NotoSansTC-Regular.otf and NotoSansTC-Bold.otf",
        ),
        l if l == "en" || l.starts_with("en-") => cjk(
            "Noto Serif",
            "NotoSerif-Regular.ttf, NotoSerif-Bold.ttf and NotoSerif-Italic.ttf",
            "Noto Sans",
            "NotoSans-Regular.ttf and NotoSans-Bold.ttf",
        ),
        _ => cjk(
            "Noto Serif CJK SC",
            "NotoSerifSC-Regular.otf and NotoSerifSC-Bold.otf",
            "Noto Sans CJK SC",
            "NotoSansSC-Regular.otf and NotoSansSC-Bold.otf",
        ),
    }
}

/// The families for `language` (a tag such as `zh-HK`), checked against
/// the families the fonts have: a missing one is an error naming the files
/// to add to `dir`.
pub fn families_for<'a>(
    language: &str,
    have: impl IntoIterator<Item = &'a str> + Clone,
    dir: &Path,
) -> Result<Families, FontError> {
    let [serif, sans] = needed(language);
    // The SC faces are the baseline: a font folder without them is reported
    // by the font checks (`fonts`, `check`), and Typst falls back as it always
    // did; another language's families must be there.
    let baseline = serif.family == "Noto Serif CJK SC";
    for n in [&serif, &sans].into_iter().filter(|_| !baseline) {
        if !have.clone().into_iter().any(|f| f.eq_ignore_ascii_case(n.family)) {
            return Err(FontError::MissingFamily(Box::new(MissingFamily {
                language: language.to_owned(),
                family: n.family.to_owned(),
                files: n.files.to_owned(),
                dir: dir.to_path_buf(),
            })));
        }
    }
    let fallback = |f: &'static str, cjk: &'static str| if f == cjk { vec![f] } else { vec![f, cjk] };
    Ok(Families { serif: fallback(serif.family, "Noto Serif CJK SC"), sans: fallback(sans.family, "Noto Sans CJK SC") })
}
