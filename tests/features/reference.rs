//! Reference-image tests: chosen pages of the full report, rendered at low
//! resolution, must match the committed PNGs in `tests/ref/` within a
//! tolerance. After an intended design change, update them with
//!
//!     CSR_PRESS_UPDATE_REFS=1 cargo test --test features reference
//!
//! and look at the new PNGs before committing them.

use std::path::PathBuf;

use crate::support::press::{full_report_document, page_texts};
use crate::support::*;
use typst::utils::Scalar;
use typst_render::RenderOptions;

/// Resolution of the reference renders.
const PPI: f64 = 24.0;
/// Largest mean difference per channel (0–255) a page may show.
const MEAN_TOLERANCE: f64 = 2.0;
/// Largest share of pixels that may differ by more than 64 in any channel.
const PIXEL_TOLERANCE: f64 = 0.01;

#[test]
fn chosen_pages_match_their_references() {
    let doc = full_report_document();
    let texts: Vec<String> = page_texts(&doc).iter().map(|t| squash(t)).collect();
    let find = |what: &str, needles: &[&str]| -> usize {
        texts
            .iter()
            .position(|t| needles.iter().all(|n| t.contains(n)))
            .unwrap_or_else(|| panic!("no page for the {what} reference ({needles:?})"))
    };
    let pages = [
        ("cover", 0),
        ("chapter-opener", find("chapter opener", &["智慧发展", "使命指引"])),
        ("case-box", find("case box", &["案例", "5G上珠峰"])),
        ("kpi-table", find("KPI table", &["指标名称", "员工总数"])),
        ("rating-letter", find("rating letter", &["报告评级", "过程性"])),
        ("index", find("index", &["指标编号及名称", "P1.2"])),
    ];
    let update = std::env::var_os("CSR_PRESS_UPDATE_REFS").is_some();
    let dir = repo().join("tests/ref");
    let options = RenderOptions { pixel_per_pt: Scalar::new(PPI / 72.0), render_bleed: false };
    let mut failures = Vec::new();
    for (name, index) in pages {
        let png = typst_render::render(&doc.pages()[index], &options).encode_png().expect("encode");
        let path: PathBuf = dir.join(format!("{name}.png"));
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &png).unwrap();
            continue;
        }
        let reference = image::open(&path)
            .unwrap_or_else(|e| panic!("{} ({e}); create it with CSR_PRESS_UPDATE_REFS=1", path.display()))
            .to_rgb8();
        let actual = image::load_from_memory(&png).unwrap().to_rgb8();
        if reference.dimensions() != actual.dimensions() {
            failures.push(format!("{name}: size {:?} vs reference {:?}", actual.dimensions(), reference.dimensions()));
            continue;
        }
        let (mut sum, mut far) = (0u64, 0usize);
        for (a, b) in actual.pixels().zip(reference.pixels()) {
            let d: Vec<u8> = a.0.iter().zip(b.0.iter()).map(|(x, y)| x.abs_diff(*y)).collect();
            sum += d.iter().map(|&v| u64::from(v)).sum::<u64>();
            far += usize::from(d.iter().any(|&v| v > 64));
        }
        let n = (actual.width() * actual.height()) as f64;
        let mean = sum as f64 / (n * 3.0);
        let share = far as f64 / n;
        println!("{name} (page {}): mean difference {mean:.3}, {:.3} % pixels far off", index + 1, share * 100.0);
        if mean > MEAN_TOLERANCE || share > PIXEL_TOLERANCE {
            let actual_path = std::env::temp_dir().join(format!("csr-press-{name}-actual.png"));
            std::fs::write(&actual_path, &png).unwrap();
            failures.push(format!(
                "{name}: mean {mean:.3} / far {:.3} % (actual written to {})",
                share * 100.0,
                actual_path.display()
            ));
        }
    }
    assert!(failures.is_empty(), "pages differ from their references:\n{}", failures.join("\n"));
}
