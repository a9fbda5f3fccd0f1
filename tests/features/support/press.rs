//! The one place the tests reach into the `csr_press` library: every path
//! of its API that a test uses is named here (and nowhere else), so that a
//! module moved or a type renamed is a fix to this file only. What a user
//! sees is tested through the binary; these are for what only the library
//! shows (laid-out frames, the data model, the state file's place).

use std::path::{Path, PathBuf};

use super::{repo, squash};

pub use csr_press::source::Report;

/// The laid-out pages (Typst's paged document).
pub type Document = typst_layout::PagedDocument;

/// Loads a report's manifest and parts.
pub fn load(manifest: &Path) -> Report {
    csr_press::load::load(manifest).unwrap_or_else(|e| panic!("{} does not load: {e:?}", manifest.display()))
}

/// Lays out the full report in-process (print profile, repository fonts).
pub fn full_report_document() -> Document {
    use csr_press::diag::DiagnosticFormat;
    let config = csr_press::config::Config {
        manifest: repo().join("data/report.toml"),
        root: csr_press::paths::Root::new(repo()),
        output: repo().join("out/unused.pdf"),
        profile: csr_press::config::Profile::Print,
        marks: false,
        system_fonts: false,
        format: DiagnosticFormat::Short,
        strict: false,
        print: Default::default(),
        edition: None,
        writes_caches: true,
        font_loading: Default::default(),
    };
    let mut session = csr_press::pipeline::Session::new(config).unwrap_or_else(|f| panic!("{f}"));
    session.layout().unwrap_or_else(|f| panic!("{f}")).document
}

/// Compiles `layout/report.typ` of the repository as the stock Typst CLI
/// would (`--root . --font-path fonts --ignore-system-fonts --input
/// data=/<json> --input theme=/themes/house`), in-process; the page count
/// or the rendered errors.
pub fn compile_plain(json_under_root: &str) -> Result<usize, String> {
    use csr_press::diag::DiagnosticFormat;
    let (fonts, _) = csr_press::fonts::load_fonts(&csr_press::paths::Root::new(repo()), false, Default::default())
        .map_err(|e| format!("{e:?}"))?;
    let today = typst::foundations::Datetime::from_ymd(2021, 5, 21).expect("a date");
    let inputs = [("data", format!("/{json_under_root}")), ("theme", "/themes/house".to_owned())];
    let world = csr_press::world::PressWorld::new(&repo(), fonts, &inputs, today).map_err(|e| format!("{e:?}"))?;
    csr_press::compile::compile(&world, DiagnosticFormat::Short)
        .map(|c| c.document.pages().len())
        .map_err(|e| format!("{e:?}"))
}

/// Where `build` keeps its record of the last build of `pdf`.
pub fn state_path(root: &Path, pdf: &Path) -> PathBuf {
    csr_press::changes::state_path(&csr_press::paths::Root::new(root), pdf)
}

/// The accents of a report's chapters (those that set one).
pub fn chapter_accents(report: &Report) -> Vec<String> {
    report
        .parts
        .iter()
        .filter(|p| p.data.kind == csr_press::model::PartKind::Chapter)
        .filter_map(|p| p.data.accent.as_ref().map(|a| a.get_ref().to_string()))
        .collect()
}

/// The index part's tables: each section's title and the index it prints
/// (the index ids in the section's order).
pub fn index_tables(report: &Report) -> (Vec<String>, Vec<String>) {
    let index_part = report.parts.iter().find(|p| p.data.id == "index").expect("index part");
    let titles = index_part.data.sections.iter().map(|s| s.get_ref().title.clone()).collect();
    let ids = index_part
        .data
        .sections
        .iter()
        .flat_map(|s| {
            s.get_ref().blocks.iter().filter_map(|b| match b.get_ref() {
                csr_press::model::Block::Index { index, .. } => Some(index.clone()),
                _ => None,
            })
        })
        .collect();
    (titles, ids)
}

/// Where each disclosure tag is carried: `(tag, needle)`, the needle being
/// the first six characters of the place's heading or first text (places
/// whose needle has fewer than four Han characters are left out).
pub fn tag_carriers(report: &Report) -> Vec<(String, String)> {
    let mut carriers = Vec::new();
    for part in &report.parts {
        for place in part.data.places(part.file.text.len()) {
            let text = place
                .heading
                .map(str::to_owned)
                .or_else(|| place.block.and_then(|b| b.texts().first().map(|s| s.to_string())));
            let Some(text) = text else { continue };
            let needle: String = squash(&text).chars().take(6).collect();
            if needle.chars().filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c)).count() < 4 {
                continue;
            }
            for tag in place.disclosures {
                carriers.push((tag.to_owned(), needle.clone()));
            }
        }
    }
    carriers
}

/// The plain text of each page of a laid-out document, in frame order.
pub fn page_texts(doc: &Document) -> Vec<String> {
    fn walk(frame: &typst::layout::Frame, out: &mut String) {
        for (_, item) in frame.items() {
            match item {
                typst::layout::FrameItem::Group(g) => walk(&g.frame, out),
                typst::layout::FrameItem::Text(t) => out.push_str(&t.text),
                _ => {}
            }
        }
    }
    doc.pages()
        .iter()
        .map(|p| {
            let mut s = String::new();
            walk(&p.frame, &mut s);
            s
        })
        .collect()
}
