//! Generated inputs for benchmarks and tests: phone-style uploads made from a public-domain
//! portrait, so nothing with unclear rights enters the project.

use crate::analyse::geometry::midpoint;
use crate::analyse::landmarks::{ids, FaceMesh};
use image::{ImageEncoder, Rgb, RgbImage};

/// Inserts an EXIF APP1 segment carrying `orientation` right after the JPEG's SOI marker.
pub fn with_exif_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&exif_orientation(orientation));
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// EXIF (a TIFF header and one IFD) that carries only `orientation`, as a PNG eXIf chunk holds it.
pub fn exif_orientation(orientation: u16) -> Vec<u8> {
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&1u16.to_be_bytes()); // one IFD entry
    tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_be_bytes());
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]); // padding + no next IFD
    tiff
}

pub fn encode_jpeg(image: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .write_image(
            image,
            image.width(),
            image.height(),
            image::ExtendedColorType::Rgb8,
        )
        .expect("encoding to memory cannot fail for a valid RGB image");
    out
}

/// A 12 MP-style phone upload: the portrait placed on a light wall canvas of `width` x `height`
/// (upright), with sensor-like noise so the JPEG has a phone's entropy (about 2.5-5 MB), stored
/// as landscape pixels with EXIF orientation 6 when `rotated` (as phones held upright do).
pub fn phone_upload(
    portrait: &RgbImage,
    width: u32,
    height: u32,
    rotated: bool,
    seed: u64,
) -> Vec<u8> {
    let scale = (height as f32 * 0.55 / portrait.height() as f32)
        .min(width as f32 * 0.7 / portrait.width() as f32);
    let (pw, ph) = (
        (portrait.width() as f32 * scale) as u32,
        (portrait.height() as f32 * scale) as u32,
    );
    let person = image::imageops::resize(portrait, pw, ph, image::imageops::FilterType::Triangle);
    let (ox, oy) = ((width - pw) / 2, height - ph);
    let mut rng = seed.max(1);
    let mut noise = move || {
        let v = xorshift64_star(&mut rng);
        ((v >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 14.0
    };
    let canvas = RgbImage::from_fn(width, height, |x, y| {
        let base = if x >= ox && x < ox + pw && y >= oy {
            *person.get_pixel(x - ox, y - oy)
        } else {
            let shade = 236.0 - 20.0 * (y as f32 / height as f32);
            image::Rgb([shade as u8, shade as u8, (shade - 4.0) as u8])
        };
        let n = noise();
        image::Rgb(base.0.map(|c| (c as f32 + n).clamp(0.0, 255.0) as u8))
    });
    if rotated {
        // Stored pixels are the upright picture turned 90° counter-clockwise; orientation 6
        // tells viewers to turn it back clockwise.
        let stored = image::imageops::rotate270(&canvas);
        with_exif_orientation(&encode_jpeg(&stored, 92), 6)
    } else {
        encode_jpeg(&canvas, 92)
    }
}

/// `image` with every channel value times `gain`, rounded and clipped to white: a photo under-
/// or overexposed by that factor.
pub fn scale_levels(mut image: RgbImage, gain: f32) -> RgbImage {
    for value in image.iter_mut() {
        *value = (f32::from(*value) * gain).round().clamp(0.0, 255.0) as u8;
    }
    image
}

/// `image` with Gaussian noise of `sigma` levels added to every channel of every pixel, like a
/// sensor's grain; seeded, so runs compare.
pub fn add_gaussian_noise(mut image: RgbImage, sigma: f32, seed: u64) -> RgbImage {
    if sigma <= 0.0 {
        return image;
    }
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut uniform = move || {
        // In (0, 1), so that the logarithm below stays finite.
        ((xorshift64_star(&mut state) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    for value in image.iter_mut() {
        // Box-Muller.
        let gaussian = (-2.0 * uniform().ln()).sqrt() * (std::f64::consts::TAU * uniform()).cos();
        *value = (*value as f64 + sigma as f64 * gaussian)
            .round()
            .clamp(0.0, 255.0) as u8;
    }
    image
}

/// Where a painted face mask goes on a face, in the image's pixels.
pub struct FaceMaskPlace {
    /// Top of the eyes (the midpoint of the two upper lids).
    eyes: [f32; 2],
    nose_tip: [f32; 2],
    chin: [f32; 2],
    /// The face's outline at ear level, on the image's left and right.
    cheeks: [[f32; 2]; 2],
}

impl FaceMaskPlace {
    /// From the face's mesh (analysis pixels) and the analysis copy's scale to the image.
    pub fn from_mesh(mesh: &FaceMesh, scale: f32) -> Self {
        let at = |id: usize| mesh.xy(id).map(|v| v * scale);
        FaceMaskPlace {
            eyes: midpoint(at(ids::RIGHT_EYE_TOP), at(ids::LEFT_EYE_TOP)),
            nose_tip: at(ids::NOSE_TIP),
            chin: at(ids::CHIN),
            cheeks: [at(ids::FACE_RIGHT_EDGE), at(ids::FACE_LEFT_EDGE)],
        }
    }
}

/// `image` with a pleated face mask of `colour` from halfway down the nose to below the chin,
/// cheek to cheek, its bottom rounded under the chin and darker towards its sides, as a surgical
/// mask is (for an upright face).
pub fn with_face_mask(image: &RgbImage, place: &FaceMaskPlace, colour: [f32; 3]) -> RgbImage {
    let [r, l] = place.cheeks;
    let cx = (r[0] + l[0]) / 2.0;
    let half_width = (l[0] - r[0]).abs() / 2.0 * 0.95;
    let top = place.eyes[1] + 0.5 * (place.nose_tip[1] - place.eyes[1]);
    let waist = place.nose_tip[1];
    let bottom = place.chin[1] + 0.05 * (place.chin[1] - top);
    let mut out = image.clone();
    for (x, y, pixel) in out.enumerate_pixels_mut() {
        let (x, y) = (x as f32, y as f32);
        let across = (x - cx) / half_width;
        let inside = y >= top
            && across.abs() <= 1.0
            && (y <= waist || across.powi(2) + ((y - waist) / (bottom - waist)).powi(2) <= 1.0);
        if !inside {
            continue;
        }
        let pleat = ((y - top) / (bottom - top) * 4.0).fract();
        let shade = (1.0 - 0.2 * across.powi(2)) * if pleat < 0.08 { 0.8 } else { 1.0 };
        *pixel = Rgb(colour.map(|c| (c * shade).round().clamp(0.0, 255.0) as u8));
    }
    out
}

/// One step of xorshift64*: deterministic, dependency-free pseudo-random bits, so generated
/// photos are the same on every run. `state` must not be 0.
fn xorshift64_star(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_F491_4F6C_DD1D)
}
