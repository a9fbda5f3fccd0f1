//! Image rules: resolution at the placed size (read from the frames, so a
//! column figure and a full-width figure are each judged at their own
//! width), RGB images in print, and image slots that have no image.

use super::scan::Sheet;
use super::{Finding, FindingClass, Mark, Options, found};
use crate::config::Profile;

/// Checks every image and image slot on a page.
pub fn check(sheet: &Sheet, options: Options, out: &mut Vec<(usize, Finding)>) {
    for p in &sheet.pictures {
        let Some((px_w, px_h)) = p.pixels else { continue };
        let (w_in, h_in) = (p.area.width() / 72.0, p.area.height() / 72.0);
        if w_in <= 0.0 || h_in <= 0.0 {
            continue;
        }
        let ppi = (f64::from(px_w) / w_in).min(f64::from(px_h) / h_in);
        if options.profile == Profile::Print && ppi < options.min_ppi {
            out.push(found(
                sheet,
                p.order,
                FindingClass::ImagePpi,
                format!(
                    "an image is {ppi:.0} ppi at its placed size ({:.0} × {:.0} mm); print needs {:.0} ppi: \
                     supply {} × {} pixels or place it smaller",
                    p.area.width() / 72.0 * 25.4,
                    p.area.height() / 72.0 * 25.4,
                    options.min_ppi,
                    (w_in * options.min_ppi).ceil(),
                    (h_in * options.min_ppi).ceil(),
                ),
            ));
        }
        if options.profile == Profile::Print && !options.images_converted && p.colour == Some("rgb") {
            out.push(found(
                sheet,
                p.order,
                FindingClass::ImageColour,
                "an RGB image in the print profile; convert it to CMYK for the press".to_owned(),
            ));
        }
    }
    if options.profile == Profile::Print {
        for slot in sheet.marks(Mark::Slot) {
            let caption = slot.text("text").unwrap_or("");
            let (_, finding) = found(
                sheet,
                slot.order,
                FindingClass::ImageMissing,
                format!("image slot '{caption}' has no image; it prints as a placeholder: give the figure an `image`"),
            );
            out.push((slot.order, Finding { src: slot.text("src").map(str::to_owned), ..finding }));
        }
    }
}
