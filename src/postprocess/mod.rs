//! Stage 5: print finishing on the exported PDF.
//!
//! Typst writes plain PDF 1.7 with a TrimBox on pages with bleed. For the
//! print profile this stage, in order: adds a BleedBox on every page (the
//! TrimBox grown by the bleed, inside the MediaBox); converts RGB and grey
//! images to CMYK ([`raster`], [`convert`]); scans the content for the inks
//! it uses, sets small 100 % K text to overprint and checks total ink, rich
//! black and what breaks PDF/X ([`content`], [`overprint`], [`resources`],
//! [`ink`]); and makes the file
//! PDF/X-1a:2003 or PDF/X-4 ([`pdfx`], [`xmp`]) as [`setup`] decides.
//! What cannot be fixed is an error naming what breaks the standard. In
//! `watch`, pages whose content is what it was are not walked again
//! ([`pages`]).

pub mod content;
pub mod convert;
pub mod found;
pub mod ink;
mod ops;
pub mod overprint;
pub mod pages;
pub mod pdfx;
pub mod raster;
pub mod resources;
pub mod setup;
pub mod xmp;

use std::path::Path;
use std::time::{Duration, Instant};

use lopdf::{Document, Object};

use crate::config::{PrintOptions, Standard};
use crate::diag::{Problem, Problems, Severity};
use crate::paths::Root;
use crate::source::Report;

/// One millimetre in PDF points.
pub const MM: f32 = 72.0 / 25.4;

/// What the print finishing is given.
pub struct Job<'a> {
    /// The loaded report (its manifest holds `[print]`).
    pub report: &'a Report,
    /// Print options from the command line.
    pub options: &'a PrintOptions,
    /// The root holding `layout/` (findings point into it).
    pub root: &'a Root,
    /// The PDF being written (findings about the file name it).
    pub output: &'a Path,
    /// Bleed on every side, in millimetres.
    pub bleed_mm: f32,
}

/// The finished PDF and what the finishing found.
pub struct Finished {
    /// The PDF bytes.
    pub pdf: Vec<u8>,
    /// Warnings (errors are returned as the failure instead).
    pub problems: Problems,
    /// Time of each step, for `CSR_PRESS_TIMINGS`.
    pub stages: Vec<(&'static str, Duration)>,
}

/// Finishes an exported PDF for print. Fails with the problems when the
/// setup is wrong, when the PDF breaks its standard, or (with `--strict`)
/// when there are warnings. With `pages` (a live session's cache), pages
/// finished before are taken from it; the bytes are the same.
pub fn finish_print(pdf: &[u8], job: &Job, pages: Option<&mut pages::PageCache>) -> Result<Finished, Problems> {
    let setup = setup::resolve(job.report, job.options)?;
    let fail = |message: String| Problems(vec![Problem::file(Severity::Error, job.output, message)]);
    let mut stages = Vec::new();
    let mut lap = Instant::now();
    let mut doc = Document::load_mem(pdf).map_err(|e| fail(format!("cannot read the exported PDF ({e})")))?;
    add_bleed_boxes(&mut doc, job.bleed_mm).map_err(|e| fail(e.to_string()))?;

    let converter = match &setup.profile {
        Some(profile) => convert::Converter::managed(&profile.profile).map_err(|e| fail(e.to_string()))?,
        None => convert::Converter::Fallback { ink_limit: setup.ink_limit },
    };
    let images = raster::convert_images(&mut doc, &converter, setup.standard, setup.ink_limit);
    let mut problems = Problems::default();
    for warning in images.warnings {
        problems.push(Problem::file(Severity::Warning, job.output, warning));
    }
    stages.push(("load+colour", lap.elapsed()));
    lap = Instant::now();

    if setup.standard == Standard::X1a {
        pdfx::device_spaces(&mut doc);
    }
    let scan = content::scan(&mut doc, setup.standard == Standard::X1a, pages);
    let layouts = ink::Layouts::read(job.root);
    problems.0.extend(ink::judge(&scan, setup.standard, setup.ink_limit, &layouts, job.root.dir()).0);
    stages.push(("ink", lap.elapsed()));
    lap = Instant::now();
    if setup.standard != Standard::None {
        for (error, message) in pdfx::check_objects(&mut doc, setup.standard) {
            let severity = if error { Severity::Error } else { Severity::Warning };
            problems.push(Problem::file(severity, job.output, message));
        }
        if let Err(error) = pdfx::identify(&mut doc, &setup) {
            problems.push(Problem::file(Severity::Error, job.output, error.to_string()));
        }
    }
    if setup.strict {
        for problem in &mut problems.0 {
            problem.severity = Severity::Error;
        }
    }
    if problems.has_errors() {
        return Err(problems);
    }
    doc.prune_objects();
    let mut out = Vec::with_capacity(pdf.len() + 4096);
    doc.save_to(&mut out).map_err(|e| fail(format!("cannot write the PDF ({e})")))?;
    stages.push(("pdf/x+save", lap.elapsed()));
    Ok(Finished { pdf: out, problems, stages })
}

/// A page object that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("bad page object ({0})")]
pub struct BleedError(lopdf::Error);

/// Adds a BleedBox `bleed_mm` outside the TrimBox to every page that has a
/// TrimBox, never reaching past the MediaBox.
pub fn add_bleed_boxes(doc: &mut Document, bleed_mm: f32) -> Result<(), BleedError> {
    let bleed = bleed_mm * MM;
    let pages: Vec<_> = doc.get_pages().into_values().collect();
    for id in pages {
        let page = doc.get_dictionary_mut(id).map_err(BleedError)?;
        let Some(trim) = read_box(page.get(b"TrimBox").ok()) else { continue };
        let media = read_box(page.get(b"MediaBox").ok()).unwrap_or(trim);
        // Rounded towards the inside, so the BleedBox never leaves the MediaBox.
        let bleed_box = [
            ceil((trim[0] - bleed).max(media[0])),
            ceil((trim[1] - bleed).max(media[1])),
            floor((trim[2] + bleed).min(media[2])),
            floor((trim[3] + bleed).min(media[3])),
        ];
        page.set("BleedBox", Object::Array(bleed_box.iter().map(|v| Object::Real(*v)).collect()));
    }
    Ok(())
}

fn ceil(v: f32) -> f32 {
    (v * 1000.0).ceil() / 1000.0
}

fn floor(v: f32) -> f32 {
    (v * 1000.0).floor() / 1000.0
}

/// Reads a PDF rectangle.
pub fn read_box(obj: Option<&Object>) -> Option<[f32; 4]> {
    let arr = obj?.as_array().ok()?;
    if arr.len() != 4 {
        return None;
    }
    let mut out = [0.0; 4];
    for (slot, v) in out.iter_mut().zip(arr) {
        *slot = v.as_float().ok()?;
    }
    Some(out)
}
