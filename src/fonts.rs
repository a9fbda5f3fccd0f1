//! Font loading: the committed fonts in `fonts/`, and the machine's fonts
//! only when asked for (`--system-fonts`), so a PDF never depends on the
//! machine that built it. A font file that is truncated or corrupt is an
//! error naming it, never a silently skipped font (and blank pages).

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
    check_font_files(&dir)?;
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

/// File name extensions of font files.
pub const FONT_EXTENSIONS: &[&str] = &["ttf", "otf", "ttc", "otc"];

/// Checks every font file in `dir`: its table directory must parse and
/// every table must lie inside the file.
fn check_font_files(dir: &Path) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {} ({e})", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let is_font = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| FONT_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()));
        if !is_font || !path.is_file() {
            continue;
        }
        let data = std::fs::read(&path).map_err(|e| format!("cannot read font {} ({e})", path.display()))?;
        if let Err(why) = check_font_data(&data) {
            return Err(format!("font file {} is truncated or corrupt ({why}); replace it", path.display()));
        }
    }
    Ok(())
}

/// Checks the table directory of a font (or of every font in a collection).
pub fn check_font_data(data: &[u8]) -> Result<(), String> {
    let u32_at = |at: usize| -> Result<usize, String> {
        data.get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .ok_or_else(|| "the header is cut off".to_string())
    };
    let offsets: Vec<usize> = if data.starts_with(b"ttcf") {
        let count = u32_at(8)?;
        if count == 0 || count > 1024 {
            return Err(format!("a collection of {count} fonts"));
        }
        (0..count).map(|i| u32_at(12 + 4 * i)).collect::<Result<_, _>>()?
    } else {
        vec![0]
    };
    for start in offsets {
        let tables = data.get(start + 4..start + 6).map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])));
        let tables = tables.ok_or("the table directory is cut off")?;
        if tables == 0 {
            return Err("no tables".into());
        }
        for i in 0..tables {
            let record = start + 12 + 16 * i;
            let (offset, length) = (u32_at(record + 8)?, u32_at(record + 12)?);
            if offset.checked_add(length).is_none_or(|end| end > data.len()) {
                return Err(format!("a table ends at byte {} of a {}-byte file", offset + length, data.len()));
            }
        }
    }
    Ok(())
}
