//! Stage 3: the Typst world the layouts compile in.
//!
//! Layouts are read from the root folder (the one holding `layout/`); the
//! chosen theme folder is served at `/theme/`; the report data and prepared
//! images are served as virtual files, so data reaches Typst as values and
//! never as markup. No file outside the root and the theme folder can be
//! read (symlinks included), there are no packages, fonts come from `fonts/`
//! only, and the document date comes from the data.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Dict, Duration, IntoValue};
use typst::syntax::{FileId, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;

use crate::virtual_files::{DATA_PATH, project_file};
use typst::{Library, LibraryExt, World};
use typst_kit::diagnostics::DiagnosticWorld;
use typst_kit::files::{FileLoader, FileStore};
use typst_kit::fonts::FontStore;

/// The layout entry point, relative to the root.
pub const MAIN_PATH: &str = "/layout/report.typ";
/// Where the chosen theme folder appears inside the world.
pub const THEME_MOUNT: &str = "theme/";

/// Serves project files from the root, the theme folder at `/theme/`, and
/// virtual files from memory.
pub struct RootLoader {
    root: PathBuf,
    theme: Option<PathBuf>,
    virtual_files: HashMap<FileId, Bytes>,
}

/// The largest file a layout or theme may read (a Typst source, an image).
const MAX_SOURCE_BYTES: u64 = 64 * 1024 * 1024;

/// Reads `vpath` below `base`, refusing anything that leaves `base`.
fn read_below(base: &Path, vpath: &VirtualPath) -> FileResult<Bytes> {
    let path = vpath.realize(base).map_err(|_| FileError::AccessDenied)?;
    // `realize` keeps `..` out; canonicalising keeps symlinks from leaving the base.
    let real = path.canonicalize().map_err(|e| FileError::from_io(e, &path))?;
    if !real.starts_with(base) {
        return Err(FileError::AccessDenied);
    }
    if real.is_dir() {
        return Err(FileError::IsDirectory);
    }
    // A FIFO or device imported by a theme would block or never end.
    crate::paths::read_regular_file(&real, MAX_SOURCE_BYTES)
        .map(Bytes::new)
        .map_err(|e| FileError::Other(Some(e.to_string().into())))
}

impl FileLoader for RootLoader {
    fn load(&self, id: FileId) -> FileResult<Bytes> {
        if let Some(bytes) = self.virtual_files.get(&id) {
            return Ok(bytes.clone());
        }
        if !matches!(id.root(), VirtualRoot::Project) {
            return Err(FileError::Other(Some("packages are not available in csr-press".into())));
        }
        if let (Some(theme), Some(rest)) = (&self.theme, id.vpath().get_without_slash().strip_prefix(THEME_MOUNT)) {
            let vpath = VirtualPath::new(rest).map_err(|_| FileError::AccessDenied)?;
            return read_below(theme, &vpath);
        }
        read_below(&self.root, id.vpath())
    }
}

/// The world: library, fonts, files and the fixed document date.
pub struct PressWorld {
    library: LazyHash<Library>,
    fonts: FontStore,
    files: FileStore<RootLoader>,
    main: FileId,
    today: Datetime,
}

impl PressWorld {
    /// Creates a world rooted at `root`, with the given fonts and `sys.inputs`.
    pub fn new(root: &Path, fonts: FontStore, inputs: &[(&str, String)], today: Datetime) -> std::io::Result<Self> {
        let root = root.canonicalize()?;
        let mut dict = Dict::new();
        for (key, value) in inputs {
            dict.insert((*key).into(), value.as_str().into_value());
        }
        let library = Library::builder().with_inputs(dict).build();
        Ok(Self {
            library: LazyHash::new(library),
            fonts,
            files: FileStore::new(RootLoader { root, theme: None, virtual_files: HashMap::new() }),
            main: project_file(MAIN_PATH),
            today,
        })
    }

    /// Replaces the virtual files (data JSON and images) and marks every
    /// file stale, so the next compilation rereads what changed.
    pub fn set_virtual_files(&mut self, files: HashMap<FileId, Bytes>) {
        self.files.loader_mut().virtual_files = files;
        self.files.reset();
    }

    /// Serves `dir` (the report's theme folder) at `/theme/`.
    pub fn set_theme_dir(&mut self, dir: &Path) -> std::io::Result<()> {
        let dir = dir.canonicalize()?;
        let loader = self.files.loader_mut();
        if loader.theme.as_ref() != Some(&dir) {
            loader.theme = Some(dir);
            self.files.reset();
        }
        Ok(())
    }

    /// Loads the regular and bold upright faces of `families` now, on the
    /// calling thread: a compilation started beside it finds them loaded,
    /// where it would otherwise load each (a CJK face takes 15–25 ms) on
    /// the core of the page run that first needs it. Only those two: a
    /// family with every weight installed (`--system-fonts`) is not read
    /// whole.
    pub fn load_families(&self, families: &[&str]) {
        use typst::text::{FontStretch, FontStyle, FontVariant, FontWeight};
        for family in families {
            for weight in [FontWeight::REGULAR, FontWeight::BOLD] {
                let variant = FontVariant::new(FontStyle::Normal, weight, FontStretch::NORMAL);
                if let Some(index) = self.fonts.book().select(&family.to_lowercase(), variant) {
                    self.fonts.font(index);
                }
            }
        }
    }

    /// Sets the date `datetime.today()` returns (the report's date).
    pub fn set_today(&mut self, today: Datetime) {
        self.today = today;
    }

    /// A world that shares this one's library, fonts and date but serves
    /// `files` as its virtual files: a copyfit trial on reduced data, run
    /// beside others on another thread (comemo's caches are shared, so what
    /// the trials have in common is laid out once).
    pub fn trial(&self, files: HashMap<FileId, Bytes>) -> TrialWorld<'_> {
        let loader = self.files.loader();
        let loader = RootLoader { root: loader.root.clone(), theme: loader.theme.clone(), virtual_files: files };
        TrialWorld { base: self, files: FileStore::new(loader) }
    }
}

/// A world for one copyfit trial ([`PressWorld::trial`]).
pub struct TrialWorld<'a> {
    base: &'a PressWorld,
    files: FileStore<RootLoader>,
}

impl TrialWorld<'_> {
    /// Serves `bytes` as the report data for the next trial and marks every
    /// file stale: the layouts parsed for the last trial are kept (and
    /// edited in place when they changed), so a thread's next trial does not
    /// parse them again.
    pub fn set_data(&mut self, bytes: Bytes) {
        self.files.loader_mut().virtual_files.insert(project_file(DATA_PATH), bytes);
        self.files.reset();
    }
}

impl World for TrialWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.base.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.base.fonts.book()
    }

    fn main(&self) -> FileId {
        self.base.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        self.files.source(id)
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files.file(id)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.base.fonts.font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(self.base.today)
    }
}

impl World for PressWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        self.files.source(id)
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files.file(id)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}

impl DiagnosticWorld for PressWorld {
    fn name(&self, id: FileId) -> String {
        let vpath = id.vpath();
        if id == project_file(DATA_PATH) {
            return "<report data>".into();
        }
        vpath.get_without_slash().to_owned()
    }
}
