//! Remembered plans: the key of everything a plan depends on, and the plan
//! files under `out/.cache/copyfit`, read back only when in range.

use std::path::{Path, PathBuf};

use super::{MAX_BALANCED_PT, Plan, STEPS};

/// A key for everything a plan depends on: the resolved data, every file of
/// the layouts and of the theme, the fonts (names and sizes), the build
/// options and this program's version. Equal keys give equal pages, so a
/// plan found once can be started from again: the search ends where it ended
/// before, and the PDF is the same with or without the remembered plan.
pub fn key(data: &[u8], folders: &[&Path], fonts: &Path, options: &str) -> String {
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    for folder in folders {
        collect(folder, &mut files);
    }
    let mut font_list: Vec<(String, u64)> = std::fs::read_dir(fonts)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_string_lossy().into_owned(), e.metadata().ok()?.len())))
        .collect();
    font_list.sort();
    files.sort();
    let hash = typst::utils::hash128(&(data, files, font_list, options, env!("CARGO_PKG_VERSION")));
    format!("{hash:032x}")
}

/// Every file under `folder` with its bytes, for [`key`].
fn collect(folder: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
    // The one bounded walk: no symlink loops, nothing outside the folder, no
    // FIFOs or devices, at most `MAX_FOLDER_FILES` files.
    match crate::paths::regular_files(folder, crate::paths::MAX_FOLDER_FILES) {
        Ok(paths) => {
            for path in paths {
                if let Ok(bytes) = crate::paths::read_regular_file(&path, crate::source::MAX_FILE_BYTES) {
                    out.push((path, bytes));
                }
            }
        }
        // A folder that cannot be walked gives a key no later build
        // shares: its plan is never remembered as trusted.
        Err(error) => out.push((folder.join(format!("unwalkable-{}", std::process::id())), error.to_string().into())),
    }
}

/// The plan remembered under `key` in `dir`, if any (a damaged file is ignored).
pub fn recall(dir: &Path, key: &str, parts: usize) -> Option<Plan> {
    let plan: Plan = recall_json(dir, &format!("{key}.json"))?;
    let sizes = [
        plan.parts.len(),
        plan.balanced.len(),
        plan.raised.len(),
        plan.best.len(),
        plan.own_page.len(),
        plan.unbalanceable.len(),
        plan.exhausted.len(),
        plan.spread.len(),
    ];
    // A remembered file is never trusted: sizes, steps and heights in range.
    let heights =
        plan.balanced.iter().flatten().flat_map(|b| b.last.into_iter().chain(b.runs.values().filter_map(|r| r.height)));
    let heights_ok = heights.into_iter().all(|h| h.is_finite() && (0.0..=MAX_BALANCED_PT).contains(&h));
    (sizes.iter().all(|&n| n == parts) && plan.parts.iter().all(|(step, _)| *step < STEPS.len()) && heights_ok)
        .then_some(plan)
}

/// Remembers `plan` under `key` in `dir`; a cache that cannot be written is
/// only slower next time.
pub fn remember(dir: &Path, key: &str, plan: &Plan) {
    remember_json(dir, &format!("{key}.json"), plan);
}

/// The value of the cache file `name` in `dir` (a plan, or a file beside
/// it), read as a bounded regular file; none when it is missing or damaged.
/// What is in range is the caller's to check: a cache is never trusted.
pub fn recall_json<T: serde::de::DeserializeOwned>(dir: &Path, name: &str) -> Option<T> {
    let bytes = crate::paths::read_regular_file(&dir.join(name), crate::source::MAX_FILE_BYTES).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Writes `value` to the cache file `name` in `dir`, atomically; a cache
/// that cannot be written is only slower next time.
pub fn remember_json<T: serde::Serialize>(dir: &Path, name: &str, value: &T) {
    if let Ok(json) = serde_json::to_vec(value) {
        let _ = std::fs::create_dir_all(dir);
        let _ = crate::write::write_atomic(&dir.join(name), &json);
    }
}
