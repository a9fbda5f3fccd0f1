//! What changed since the last build: a small record per output, compared
//! after every successful build.
//!
//! The record (`out/.cache/changes/<output file>-<path hash>.state.json` under the root) holds a
//! hash of every laid-out page (computed from the frame items, without the
//! introspection tags, so it is quick and does not depend on where a page's
//! elements sit in the document's element tree), the printed page of every
//! data label and the page ranges every disclosure tag points at in the
//! indexes. The report lists pages added or removed, pages whose content
//! changed, labels that moved (`案例 5G+智慧港口: p23 → p24`) and index
//! pointers whose pages changed.

use std::collections::{BTreeMap, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use typst::introspection::Introspector;
use typst::layout::{Frame, FrameItem};
use typst_layout::PagedDocument;

use crate::inspect::Pointers;
use crate::model::Block;
use crate::paths::{Cache, Root};
use crate::source::Report;
use crate::write::write_atomic;

/// Why a build could not be recorded.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The record could not be serialised.
    #[error("cannot record the build ({0})")]
    Serialise(serde_json::Error),
    /// The record could not be written (the message of [`write_atomic`]).
    #[error("{0}")]
    Write(crate::write::WriteError),
}

/// What a build laid out, as far as the change report needs it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// A content hash per page, in page order.
    pub pages: Vec<String>,
    /// The printed page number of each page.
    pub numbers: Vec<u64>,
    /// Data label → printed page.
    pub labels: BTreeMap<String, u64>,
    /// Disclosure tag → the page ranges the indexes print (`25-27，62`).
    pub pointers: BTreeMap<String, String>,
}

/// The differences between two builds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes {
    /// Pages (1-based, physical) the new build has and the old had not.
    pub added: Vec<usize>,
    /// Pages the old build had and the new has not.
    pub removed: Vec<usize>,
    /// Pages whose content changed.
    pub changed: Vec<usize>,
    /// Labels whose page moved: display name, old page, new page.
    pub moved: Vec<(String, u64, u64)>,
    /// Index pointers that changed: tag, old pages, new pages.
    pub pointers: Vec<(String, String, String)>,
    /// Why the build could not be recorded, if it could not.
    pub unrecorded: Option<String>,
}

impl State {
    /// Records the pages and labels of a laid-out document, with its
    /// disclosure `pointers` (`inspect::pointers`).
    pub fn of(document: &PagedDocument, labels: &HashMap<String, String>, pointers: &Pointers) -> Self {
        let pages = document.pages();
        let mut state = State {
            pages: page_hashes(pages).into_iter().map(|h| format!("{h:016x}")).collect(),
            numbers: pages.iter().map(|p| p.number).collect(),
            ..State::default()
        };
        let introspector = document.introspector();
        for content in introspector.query_labelled() {
            let Some(label) = content.label() else { continue };
            let name = label.resolve();
            if !labels.contains_key(name.as_str()) {
                continue;
            }
            let page = content.location().and_then(|loc| introspector.page(loc));
            if let Some(page) = page.and_then(|p| pages.get(p.get() - 1)).map(|p| p.number) {
                state.labels.entry(name.as_str().to_owned()).or_insert(page);
            }
        }
        state.pointers = printed(pointers);
        state
    }

    /// Compares an earlier build with this one.
    pub fn compare(&self, old: &State, names: &HashMap<String, String>) -> Changes {
        let common = self.pages.len().min(old.pages.len());
        let mut changes = Changes {
            added: (old.pages.len() + 1..=self.pages.len()).collect(),
            removed: (self.pages.len() + 1..=old.pages.len()).collect(),
            changed: (0..common).filter(|&i| self.pages[i] != old.pages[i]).map(|i| i + 1).collect(),
            ..Changes::default()
        };
        for (label, &page) in &self.labels {
            if let Some(&was) = old.labels.get(label)
                && was != page
            {
                changes.moved.push((names.get(label).cloned().unwrap_or_else(|| label.clone()), was, page));
            }
        }
        changes.moved.sort_by_key(|(_, _, page)| *page);
        for (tag, pages) in &self.pointers {
            let was = old.pointers.get(tag).cloned().unwrap_or_default();
            if &was != pages {
                changes.pointers.push((tag.clone(), was, pages.clone()));
            }
        }
        changes
    }
}

impl Changes {
    /// A report that says why this build could not be recorded.
    pub fn unrecorded(reason: String) -> Self {
        Changes { unrecorded: Some(reason), ..Changes::default() }
    }

    /// The change report printed after a build.
    pub fn render(&self) -> String {
        if let Some(reason) = &self.unrecorded {
            return format!("changes since the last build: not recorded ({reason})\n");
        }
        let list = |pages: &[usize]| format!("p{}", ranges(pages.iter().map(|&p| p as u64).collect(), ", p"));
        if self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty() && self.pointers.is_empty() {
            return "changes since the last build: none\n".into();
        }
        let mut out = String::from("changes since the last build:\n");
        if !self.added.is_empty() {
            out.push_str(&format!("  pages added: {}\n", list(&self.added)));
        }
        if !self.removed.is_empty() {
            out.push_str(&format!("  pages removed: {}\n", list(&self.removed)));
        }
        if !self.changed.is_empty() {
            out.push_str(&format!("  pages changed: {}\n", list(&self.changed)));
        }
        for (name, was, now) in &self.moved {
            out.push_str(&format!("  moved: {name}: p{was} → p{now}\n"));
        }
        for (tag, was, now) in &self.pointers {
            let show = |s: &String| if s.is_empty() { "—".to_owned() } else { format!("p{s}") };
            out.push_str(&format!("  index: {tag}: {} → {}\n", show(was), show(now)));
        }
        out
    }

    /// Every page to look at again: changed and added.
    pub fn pages(&self) -> Vec<usize> {
        let mut pages: Vec<usize> = self.changed.iter().chain(&self.added).copied().collect();
        pages.sort_unstable();
        pages
    }
}

/// Where the record of the last build of `output` is kept: in the one cache
/// folder under the root (never beside an arbitrary output path), named by
/// the output's file name and a hash of its absolute path.
pub fn state_path(root: &Root, output: &Path) -> PathBuf {
    let name = output.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "report".into());
    let absolute = std::path::absolute(output).unwrap_or_else(|_| output.to_path_buf());
    let hash = typst::utils::hash128(&absolute) as u32;
    root.cache(Cache::Changes).join(format!("{name}-{hash:08x}.state.json"))
}

/// Records this build of `output` and compares it with the last record;
/// `None` on the first build.
pub fn record(
    document: &PagedDocument,
    report: &Report,
    pointers: &Pointers,
    root: &Root,
    output: &Path,
) -> Result<Option<Changes>, RecordError> {
    Recorded::read(document, report, pointers).commit(root, output)
}

/// What a build's pages and labels are, read from the frames but not yet
/// written: read beside the PDF export, committed once the PDF is written
/// (a failed build leaves the last record as it was).
pub struct Recorded {
    names: HashMap<String, String>,
    state: State,
}

impl Recorded {
    /// Reads the pages (their content hashes) and labels; `pointers` are
    /// the index pointers the compose step read from the same pages.
    pub fn read(document: &PagedDocument, report: &Report, pointers: &Pointers) -> Self {
        let names = label_names(report);
        let state = State::of(document, &names, pointers);
        Recorded { names, state }
    }

    /// Writes the record of `output` and compares it with the last one;
    /// `None` on the first build.
    pub fn commit(self, root: &Root, output: &Path) -> Result<Option<Changes>, RecordError> {
        let path = state_path(root, output);
        // Read only as a bounded regular file: a FIFO here would block.
        let old: Option<State> = crate::paths::read_regular_file(&path, crate::source::MAX_FILE_BYTES)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok());
        let json = serde_json::to_vec_pretty(&self.state).map_err(RecordError::Serialise)?;
        write_atomic(&path, &json).map_err(RecordError::Write)?;
        Ok(old.map(|old| self.state.compare(&old, &self.names)))
    }
}

/// How the change report names each data label: `案例 <title>` for a case
/// box, the heading of a part or section, else the label itself.
pub fn label_names(report: &Report) -> HashMap<String, String> {
    let mut names = HashMap::new();
    for part in &report.parts {
        for place in part.data.places(part.file.text.len()) {
            let Some(label) = place.label else { continue };
            let name = match (place.block, place.heading) {
                (Some(Block::Case { title, .. }), _) => format!("案例 {title}"),
                (Some(Block::Kpi { title, .. }), _) => format!("表 {title}"),
                (Some(Block::Chart { title, .. } | Block::Materiality { title, .. }), _) => format!("图 {title}"),
                (_, Some(heading)) => heading.to_owned(),
                _ => label.to_owned(),
            };
            names.insert(label.to_owned(), name);
        }
    }
    names
}

/// Index pointers as the indexes print them: tag → `25-27，62`.
pub fn printed(pointers: &Pointers) -> BTreeMap<String, String> {
    pointers.iter().map(|(tag, pages)| (tag.clone(), ranges(pages.clone(), "，"))).collect()
}

/// Pages as runs joined by `sep`: `25-27，62` as the indexes print them.
fn ranges(mut pages: Vec<u64>, sep: &str) -> String {
    pages.sort_unstable();
    pages.dedup();
    let mut runs: Vec<(u64, u64)> = Vec::new();
    for p in pages {
        match runs.last_mut() {
            Some(run) if run.1 + 1 == p => run.1 = p,
            _ => runs.push((p, p)),
        }
    }
    let runs: Vec<String> =
        runs.iter().map(|&(a, b)| if a == b { a.to_string() } else { format!("{a}-{b}") }).collect();
    runs.join(sep)
}

/// [`frame_hash`] of each page. From the process's second record on
/// (`watch`), remembered per frame: an unchanged page keeps its frame, whose
/// own (cached) hash finds the content hash without walking the page again.
/// The process's first record (a one-shot build's only one) walks the pages
/// once: keying them too would hash every frame a second time (1.3 % of a
/// build's instructions) with nothing yet to find.
fn page_hashes(pages: &[typst_layout::Page]) -> Vec<u64> {
    static SEEN: std::sync::Mutex<Option<HashMap<u128, u64>>> = std::sync::Mutex::new(None);
    let mut seen = SEEN.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let Some(seen) = seen.as_mut() else {
        *seen = Some(HashMap::new());
        return pages.iter().map(|p| frame_hash(&p.frame)).collect();
    };
    if seen.len() > 10_000 {
        seen.clear();
    }
    pages.iter().map(|p| *seen.entry(typst::utils::hash128(&p.frame)).or_insert_with(|| frame_hash(&p.frame))).collect()
}

/// A hash of what a frame shows: every item with its position, groups
/// recursively, introspection tags and source spans left out.
pub fn frame_hash(frame: &Frame) -> u64 {
    fn walk(frame: &Frame, state: &mut DefaultHasher) {
        frame.size().hash(state);
        for (point, item) in frame.items() {
            match item {
                FrameItem::Tag(_) => continue,
                FrameItem::Group(group) => {
                    point.hash(state);
                    group.transform.hash(state);
                    group.clip.hash(state);
                    walk(&group.frame, state);
                }
                // Source spans are left out: editing a layout file moves
                // them without changing what a page shows.
                FrameItem::Text(text) => {
                    point.hash(state);
                    (&text.font, text.size, &text.fill, &text.stroke, text.text.as_str()).hash(state);
                    for g in &text.glyphs {
                        (g.id, g.x_advance, g.x_offset, g.y_advance, g.y_offset).hash(state);
                    }
                }
                FrameItem::Shape(shape, _) => (point, shape).hash(state),
                FrameItem::Image(image, size, _) => (point, image, size).hash(state),
                FrameItem::Link(dest, size) => (point, dest, size).hash(state),
            }
        }
    }
    let mut state = DefaultHasher::new();
    walk(frame, &mut state);
    state.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_print_as_ranges() {
        assert_eq!(ranges(vec![27, 25, 26, 62], "，"), "25-27，62");
        assert_eq!(ranges(vec![3], "，"), "3");
    }

    #[test]
    fn comparison_names_moved_labels_and_pointers() {
        let old = State {
            pages: vec!["a".into(), "b".into(), "c".into()],
            numbers: vec![1, 2, 3],
            labels: [("port".to_owned(), 2)].into(),
            pointers: [("CASS4:A1".to_owned(), "2".to_owned())].into(),
        };
        let new = State {
            pages: vec!["a".into(), "x".into(), "c".into(), "d".into()],
            numbers: vec![1, 2, 3, 4],
            labels: [("port".to_owned(), 3)].into(),
            pointers: [("CASS4:A1".to_owned(), "3".to_owned())].into(),
        };
        let names = [("port".to_owned(), "案例 5G+智慧港口".to_owned())].into();
        let changes = new.compare(&old, &names);
        assert_eq!(changes.added, vec![4]);
        assert_eq!(changes.changed, vec![2]);
        let text = changes.render();
        assert!(text.contains("案例 5G+智慧港口: p2 → p3"), "{text}");
        assert!(text.contains("CASS4:A1: p2 → p3"), "{text}");
    }
}
