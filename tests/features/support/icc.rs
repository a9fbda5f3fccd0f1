//! A small CMYK output-device ICC profile, made here with moxcms (the
//! library's own colour engine), for the PDF/X-4 tests: no profile file
//! from the system is read. Its tables are a plain, made-up printing
//! condition (sRGB through full grey-component replacement, 300 % ink at
//! most); it is a valid profile for a colour engine, not a real press.

use moxcms::{
    ColorProfile, DataColorSpace, LutDataType, LutStore, LutType, LutWarehouse, Matrix3d, ProfileClass, ProfileText,
    RenderingIntent, Xyzd,
};

/// The D50 white (the ICC profile connection space's).
const WHITE: [f64; 3] = [0.9642, 1.0, 0.8249];

/// Linear sRGB (D50-adapted) to XYZ and back (Bradford).
const RGB_TO_XYZ: [[f64; 3]; 3] =
    [[0.4360747, 0.3850649, 0.1430804], [0.2225045, 0.7168786, 0.0606169], [0.0139322, 0.0971045, 0.7141733]];
const XYZ_TO_RGB: [[f64; 3]; 3] =
    [[3.1338561, -1.6168667, -0.4906146], [-0.9787684, 1.9161415, 0.0334540], [0.0719453, -0.2289914, 1.4052427]];

fn times(m: [[f64; 3]; 3], v: [f64; 3]) -> [f64; 3] {
    m.map(|row| row[0] * v[0] + row[1] * v[1] + row[2] * v[2])
}

fn lab_to_xyz([l, a, b]: [f64; 3]) -> [f64; 3] {
    let inverse = |t: f64| if t > 6.0 / 29.0 { t.powi(3) } else { 3.0 * (6.0f64 / 29.0).powi(2) * (t - 4.0 / 29.0) };
    let fy = (l + 16.0) / 116.0;
    let f = [fy + a / 500.0, fy, fy - b / 200.0];
    [0, 1, 2].map(|i| WHITE[i] * inverse(f[i]))
}

fn xyz_to_lab(xyz: [f64; 3]) -> [f64; 3] {
    let f =
        |t: f64| if t > (6.0f64 / 29.0).powi(3) { t.cbrt() } else { t / (3.0 * (6.0f64 / 29.0).powi(2)) + 4.0 / 29.0 };
    let [fx, fy, fz] = [0, 1, 2].map(|i| f(xyz[i] / WHITE[i]));
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

fn encode_gamma(v: f64) -> f64 {
    let v = v.clamp(0.0, 1.0);
    if v <= 0.0031308 { 12.92 * v } else { 1.055 * v.powf(1.0 / 2.4) - 0.055 }
}

fn decode_gamma(v: f64) -> f64 {
    if v <= 0.04045 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
}

/// sRGB (0–1) to CMYK (0–1): full grey-component replacement, 300 % at most.
fn rgb_to_cmyk(rgb: [f64; 3]) -> [f64; 4] {
    let [c, m, y] = rgb.map(|v| 1.0 - v);
    let k = c.min(m).min(y);
    if k >= 1.0 {
        return [0.0, 0.0, 0.0, 1.0];
    }
    let mut cmy = [c, m, y].map(|v| (v - k) / (1.0 - k));
    let total: f64 = cmy.iter().sum::<f64>() + k;
    if total > 3.0 {
        let scale = (3.0 - k) / cmy.iter().sum::<f64>();
        cmy = cmy.map(|v| v * scale);
    }
    [cmy[0], cmy[1], cmy[2], k]
}

/// A 16-bit value of the 0–1 range.
fn unit16(v: f64) -> u16 {
    (v.clamp(0.0, 1.0) * 65535.0).round() as u16
}

/// Lab as the version 4 16-bit encoding stores it (L 0–100, a and b −128–127).
fn lab16([l, a, b]: [f64; 3]) -> [u16; 3] {
    [unit16(l / 100.0), unit16((a + 128.0) / 255.0), unit16((b + 128.0) / 255.0)]
}

/// A `lut16Type` with identity curves and the given grid (first input slowest).
fn lut(inputs: u8, outputs: u8, grid: u8, clut: Vec<u16>) -> LutWarehouse {
    let identity = |n: u8| LutStore::Store16((0..n).flat_map(|_| [0u16, 65535]).collect());
    LutWarehouse::Lut(LutDataType {
        num_input_channels: inputs,
        num_output_channels: outputs,
        num_clut_grid_points: grid,
        matrix: Matrix3d { v: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]] },
        num_input_table_entries: 2,
        num_output_table_entries: 2,
        input_table: identity(inputs),
        clut_table: LutStore::Store16(clut),
        output_table: identity(outputs),
        lut_type: LutType::Lut16,
    })
}

/// The profile's bytes: an output-device (`prtr`) CMYK profile with Lab as
/// its connection space and both directions in perceptual and colorimetric.
pub fn cmyk_profile() -> Vec<u8> {
    // PCS (Lab) to device: a 9-point grid over L, a, b.
    const B2A: usize = 9;
    let step = |i: usize, n: usize| i as f64 / (n - 1) as f64;
    let mut to_device = Vec::with_capacity(B2A.pow(3) * 4);
    for l in 0..B2A {
        for a in 0..B2A {
            for b in 0..B2A {
                let lab = [100.0 * step(l, B2A), 255.0 * step(a, B2A) - 128.0, 255.0 * step(b, B2A) - 128.0];
                let rgb = times(XYZ_TO_RGB, lab_to_xyz(lab)).map(encode_gamma);
                to_device.extend(rgb_to_cmyk(rgb).map(unit16));
            }
        }
    }
    // Device to PCS: a 5-point grid over C, M, Y, K.
    const A2B: usize = 5;
    let mut to_pcs = Vec::with_capacity(A2B.pow(4) * 3);
    for c in 0..A2B {
        for m in 0..A2B {
            for y in 0..A2B {
                for k in 0..A2B {
                    let k = step(k, A2B);
                    let rgb = [c, m, y].map(|v| (1.0 - step(v, A2B)) * (1.0 - k));
                    to_pcs.extend(lab16(xyz_to_lab(times(RGB_TO_XYZ, rgb.map(decode_gamma)))));
                }
            }
        }
    }
    let white = Xyzd { x: WHITE[0], y: WHITE[1], z: WHITE[2] };
    let mut profile = ColorProfile::default();
    profile.profile_class = ProfileClass::OutputDevice;
    profile.color_space = DataColorSpace::Cmyk;
    profile.pcs = DataColorSpace::Lab;
    profile.rendering_intent = RenderingIntent::Perceptual;
    profile.white_point = white;
    profile.media_white_point = Some(white);
    profile.description = Some(ProfileText::PlainString("csr-press test CMYK (made-up printing condition)".into()));
    profile.copyright = Some(ProfileText::PlainString("No copyright, use freely".into()));
    profile.lut_a_to_b_perceptual = Some(lut(4, 3, A2B as u8, to_pcs.clone()));
    profile.lut_a_to_b_colorimetric = Some(lut(4, 3, A2B as u8, to_pcs));
    profile.lut_b_to_a_perceptual = Some(lut(3, 4, B2A as u8, to_device.clone()));
    profile.lut_b_to_a_colorimetric = Some(lut(3, 4, B2A as u8, to_device));
    profile.encode().expect("moxcms encodes the test profile")
}
