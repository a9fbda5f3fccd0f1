//! Font loading: the committed fonts in `fonts/`, and the machine's fonts
//! only when asked for (`--system-fonts`), so a PDF never depends on the
//! machine that built it.

use std::path::Path;

use typst::text::FontInfo;
use typst_kit::fonts::{self, FontStore};

/// The folder, relative to the root, that holds the report's fonts.
pub const FONT_DIR: &str = "fonts";

/// Loads the fonts under `root/fonts` (and the system's, if `system`).
///
/// Fails with a message when the folder is missing, unreadable or holds no
/// font.
pub fn load_fonts(root: &Path, system: bool) -> Result<(FontStore, Vec<FontInfo>), String> {
    let dir = root.join(FONT_DIR);
    std::fs::read_dir(&dir).map_err(|e| {
        format!(
            "cannot read the font folder {} ({}); run from the folder holding fonts/ or pass --root",
            dir.display(),
            crate::load::io_reason(&e)
        )
    })?;
    let mut found: Vec<_> = fonts::scan(&dir).collect();
    if found.is_empty() {
        return Err(format!("no fonts found in {} (it needs the Noto Serif/Sans SC files)", dir.display()));
    }
    // Scan order depends on the file system; sort so font indices, and with
    // them the PDF, are the same on every machine.
    found.sort_by(|a, b| (&a.0.path, a.0.index).cmp(&(&b.0.path, b.0.index)));
    let mut infos: Vec<FontInfo> = found.iter().map(|(_, info)| info.clone()).collect();
    let mut store = FontStore::new();
    store.extend(found);
    if system {
        let sys: Vec<_> = fonts::system().collect();
        infos.extend(sys.iter().map(|(_, info)| info.clone()));
        store.extend(sys);
    }
    Ok((store, infos))
}
