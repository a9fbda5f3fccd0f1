//! Colour conversion of image pixels to CMYK.
//!
//! With the printer's output profile the conversion is colour-managed
//! (moxcms, perceptual intent): from the image's own ICC profile when it
//! has one, otherwise from sRGB; grey pixels go through as neutral sRGB.
//!
//! Without a profile csr-press uses a **fallback** that is *not*
//! colour-managed, and says so in a warning: RGB is complemented to CMY,
//! the grey component is replaced by black in full (K = min(C, M, Y), then
//! C, M, Y = (C′ − K) / (1 − K)), and C, M and Y are scaled down where the
//! total would pass the ink limit. Grey pixels become black ink only. Brand
//! colours in photos will shift; give the printer's profile to avoid that.

use std::sync::Arc;

use moxcms::{ColorProfile, Layout, Transform8BitExecutor, TransformOptions};

/// Converts 8-bit RGB or grey samples to 8-bit CMYK.
pub enum Converter {
    /// Colour-managed through the output profile.
    Managed {
        /// sRGB → output profile.
        rgb: Arc<Transform8BitExecutor>,
        /// The output profile, for images that carry their own profile.
        output: Box<ColorProfile>,
    },
    /// The documented naive formula, limited to `ink_limit` percent.
    Fallback {
        /// Total area coverage limit in percent.
        ink_limit: f64,
    },
}

/// Why colours could not be converted.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    /// The output profile has no RGB → CMYK transform.
    #[error("the output profile cannot take RGB colours ({0})")]
    Profile(moxcms::CmsError),
    /// The transform failed on the samples.
    #[error("colour conversion failed ({0})")]
    Transform(moxcms::CmsError),
}

impl Converter {
    /// A colour-managed converter into `output`.
    pub fn managed(output: &ColorProfile) -> Result<Self, ConvertError> {
        let options = TransformOptions::default();
        let rgb = ColorProfile::new_srgb()
            .create_transform_8bit(Layout::Rgb, output, Layout::Rgba, options)
            .map_err(ConvertError::Profile)?;
        Ok(Converter::Managed { rgb, output: Box::new(output.clone()) })
    }

    /// Whether conversions are colour-managed.
    pub fn is_managed(&self) -> bool {
        matches!(self, Converter::Managed { .. })
    }

    /// Converts samples with `channels` components (1 grey, 3 RGB), tagged
    /// with the ICC profile `source` if any, to CMYK.
    pub fn to_cmyk(&self, samples: &[u8], channels: usize, source: Option<&[u8]>) -> Result<Vec<u8>, ConvertError> {
        let pixels = samples.len() / channels;
        let mut out = vec![0u8; pixels * 4];
        match self {
            Converter::Managed { rgb, output } => {
                // moxcms has no grey → CMYK path: grey goes in as neutral RGB.
                let expanded: Vec<u8>;
                let samples = if channels == 1 {
                    expanded = samples.iter().flat_map(|&v| [v, v, v]).collect();
                    &expanded[..]
                } else {
                    &samples[..pixels * 3]
                };
                let own = source
                    .filter(|_| channels == 3)
                    .and_then(|icc| ColorProfile::new_from_slice(icc).ok())
                    .and_then(|p| {
                        p.create_transform_8bit(Layout::Rgb, output, Layout::Rgba, TransformOptions::default()).ok()
                    });
                let transform = own.unwrap_or_else(|| rgb.clone());
                transform.transform(samples, &mut out).map_err(ConvertError::Transform)?;
            }
            Converter::Fallback { ink_limit } => {
                for (px, cmyk) in samples.chunks_exact(channels).zip(out.chunks_exact_mut(4)) {
                    let value = if channels == 1 {
                        [0.0, 0.0, 0.0, 1.0 - f64::from(px[0]) / 255.0]
                    } else {
                        naive_cmyk([px[0], px[1], px[2]], *ink_limit)
                    };
                    for (slot, v) in cmyk.iter_mut().zip(value) {
                        *slot = (v * 255.0).round().clamp(0.0, 255.0) as u8;
                    }
                }
            }
        }
        Ok(out)
    }
}

/// The fallback formula for one RGB pixel: full grey-component replacement,
/// then C, M, Y scaled so that C+M+Y+K stays within `ink_limit` percent.
pub fn naive_cmyk(rgb: [u8; 3], ink_limit: f64) -> [f64; 4] {
    let [c, m, y] = rgb.map(|v| 1.0 - f64::from(v) / 255.0);
    let k = c.min(m).min(y);
    if k >= 1.0 {
        return [0.0, 0.0, 0.0, 1.0];
    }
    let mut cmy = [c, m, y].map(|v| (v - k) / (1.0 - k));
    let total = cmy.iter().sum::<f64>() + k;
    let limit = ink_limit / 100.0;
    if total > limit {
        let scale = (limit - k).max(0.0) / cmy.iter().sum::<f64>();
        cmy = cmy.map(|v| v * scale);
    }
    [cmy[0], cmy[1], cmy[2], k]
}

/// The highest total area coverage of CMYK samples, in percent.
pub fn max_coverage(cmyk: &[u8]) -> f64 {
    let max = cmyk.chunks_exact(4).map(|p| p.iter().map(|&v| u32::from(v)).sum::<u32>()).max().unwrap_or(0);
    f64::from(max) / 255.0 * 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fallback_maps_black_to_k_only_and_white_to_no_ink() {
        assert_eq!(naive_cmyk([0, 0, 0], 300.0), [0.0, 0.0, 0.0, 1.0]);
        assert_eq!(naive_cmyk([255, 255, 255], 300.0), [0.0, 0.0, 0.0, 0.0]);
        let red = naive_cmyk([255, 0, 0], 300.0);
        assert!(red[0] < 1e-9 && (red[1] - 1.0).abs() < 1e-9 && (red[2] - 1.0).abs() < 1e-9);
    }

    #[test]
    fn fallback_respects_the_ink_limit() {
        let limit = 240.0;
        for rgb in [[0, 0, 10], [10, 0, 0], [0, 5, 40], [20, 20, 0]] {
            let total: f64 = naive_cmyk(rgb, limit).iter().sum::<f64>() * 100.0;
            assert!(total <= limit + 1e-6, "{rgb:?} → {total}");
        }
        let out = Converter::Fallback { ink_limit: limit }
            .to_cmyk(&[0, 0, 10, 128, 128, 128], 3, None)
            .expect("fallback converts");
        assert!(max_coverage(&out) <= limit + 1.0);
    }
}
