//! Face parsing (BiSeNet, CelebAMask-HQ classes) on an upright crop around the main face.
//!
//! The weights are licensed for non-commercial use only; see models/README.md.

use super::detail::FacePixels;
use super::detect::Detection;
use super::geometry::{distance, line_angle, midpoint, CropFrame};
use super::infer::Model;
use super::landmarks::FaceMesh;
use crate::{Error, Result};
use image::RgbImage;

/// CelebAMask-HQ class ids as output by the model.
pub mod class {
    pub const BACKGROUND: u8 = 0;
    pub const SKIN: u8 = 1;
    pub const LEFT_BROW: u8 = 2;
    pub const RIGHT_BROW: u8 = 3;
    pub const LEFT_EYE: u8 = 4;
    pub const RIGHT_EYE: u8 = 5;
    pub const GLASSES: u8 = 6;
    pub const LEFT_EAR: u8 = 7;
    pub const RIGHT_EAR: u8 = 8;
    pub const EARRING: u8 = 9;
    pub const NOSE: u8 = 10;
    pub const MOUTH: u8 = 11;
    pub const UPPER_LIP: u8 = 12;
    pub const LOWER_LIP: u8 = 13;
    pub const NECK: u8 = 14;
    pub const NECKLACE: u8 = 15;
    pub const CLOTH: u8 = 16;
    pub const HAIR: u8 = 17;
    pub const HAT: u8 = 18;
    pub const COUNT: usize = 19;
}

const MEAN: [f32; 3] = [0.485, 0.456, 0.406];
const STD: [f32; 3] = [0.229, 0.224, 0.225];

/// Per-pixel classes on an upright square crop; `frame` maps crop pixels to the analysis image.
#[derive(Debug, Clone)]
pub struct FaceParsing {
    pub frame: CropFrame,
    /// The crop the model saw, so rules can read colours under each label.
    pub crop: RgbImage,
    pub labels: Vec<u8>,
    /// Crop pixels whose source lies outside the photo (nothing can be seen there).
    pub outside: Vec<bool>,
}

impl FaceParsing {
    pub fn size(&self) -> u32 {
        self.frame.size
    }

    /// Where the mesh's point `id` lies in the crop (crop pixels; may be outside `0..size()`).
    pub fn mesh_point(&self, mesh: &FaceMesh, id: usize) -> [f32; 2] {
        let p = mesh.xy(id);
        self.frame.to_crop(p[0], p[1])
    }

    /// Crop pixels (u, v) inside the photo whose class is one of `classes`.
    pub fn pixels_of<'a>(&'a self, classes: &'a [u8]) -> impl Iterator<Item = (u32, u32)> + 'a {
        let n = self.frame.size;
        (0..n * n)
            .filter(move |&i| {
                !self.outside[i as usize] && classes.contains(&self.labels[i as usize])
            })
            .map(move |i| (i % n, i / n))
    }

    /// Crop pixels (u, v) inside the photo within `radius` of `center` (crop pixels), row by
    /// row: a disc's worth of work rather than the whole crop's.
    pub fn pixels_within(
        &self,
        center: [f32; 2],
        radius: f32,
    ) -> impl Iterator<Item = (u32, u32)> + '_ {
        let last = (self.frame.size as f32 - 1.0).max(0.0);
        let range =
            |c: f32| (c - radius).clamp(0.0, last) as u32..=(c + radius).clamp(0.0, last) as u32;
        let (us, vs) = (range(center[0]), range(center[1]));
        vs.flat_map(move |v| us.clone().map(move |u| (u, v)))
            .filter(move |&(u, v)| {
                let (du, dv) = (u as f32 - center[0], v as f32 - center[1]);
                du * du + dv * dv <= radius * radius && self.in_photo(u, v)
            })
    }

    /// Whether crop pixel (u, v) shows the photo rather than the padding beyond its edges.
    pub fn in_photo(&self, u: u32, v: u32) -> bool {
        !self.outside[(v * self.frame.size + u) as usize]
    }

    pub fn label(&self, u: u32, v: u32) -> u8 {
        self.labels[(v * self.frame.size + u) as usize]
    }

    /// Number of pixels of `classes` inside the crop rectangle [u0,u1) x [v0,v1) (crop pixels),
    /// counting only what lies inside the photo: the black padding beyond its edges is often
    /// mistaken for hair or a hat.
    pub fn count(&self, classes: &[u8], u0: f32, u1: f32, v0: f32, v1: f32) -> usize {
        self.count_where(u0, u1, v0, v1, |label| classes.contains(&label))
    }

    /// Number of pixels inside the crop rectangle that lie inside the photo.
    pub fn count_inside(&self, u0: f32, u1: f32, v0: f32, v1: f32) -> usize {
        self.count_where(u0, u1, v0, v1, |_| true)
    }

    /// Share of the crop rectangle that lies inside the photo (0 for an empty rectangle).
    pub fn share_inside(&self, u0: f32, u1: f32, v0: f32, v1: f32) -> f64 {
        let (us, vs) = self.clamp_rect(u0, u1, v0, v1);
        let area = us.len() * vs.len();
        if area == 0 {
            return 0.0;
        }
        self.count_inside(u0, u1, v0, v1) as f64 / area as f64
    }

    fn clamp_rect(
        &self,
        u0: f32,
        u1: f32,
        v0: f32,
        v1: f32,
    ) -> (std::ops::Range<u32>, std::ops::Range<u32>) {
        let n = self.frame.size as f32;
        let clamp = |a: f32| a.clamp(0.0, n) as u32;
        (clamp(u0)..clamp(u1), clamp(v0)..clamp(v1))
    }

    fn count_where(&self, u0: f32, u1: f32, v0: f32, v1: f32, keep: impl Fn(u8) -> bool) -> usize {
        let (us, vs) = self.clamp_rect(u0, u1, v0, v1);
        let mut total = 0;
        for v in vs {
            for u in us.clone() {
                let i = (v * self.frame.size + u) as usize;
                if !self.outside[i] && keep(self.labels[i]) {
                    total += 1;
                }
            }
        }
        total
    }
}

/// An upright crop with the eyes at 40 % of its height, wide enough for ears and hair
/// (CelebAMask-HQ faces fill about half the crop width).
pub fn parsing_frame(d: &Detection, size: u32) -> CropFrame {
    let (r_eye, l_eye) = (d.points[0], d.points[1]);
    let eyes = midpoint(r_eye, l_eye);
    let angle = line_angle(r_eye, l_eye);
    let side = (4.2 * distance(r_eye, l_eye)).max(2.2 * d.rect[2]);
    let shift = 0.1 * side;
    let (s, c) = angle.sin_cos();
    CropFrame {
        center: [eyes[0] - s * shift, eyes[1] + c * shift],
        side,
        angle,
        size,
    }
}

/// Per-pixel class of planar logits [class][pixel], walking each class plane in order so the
/// reads stay sequential.
fn argmax_classes(logits: &[f32], plane: usize) -> Vec<u8> {
    let mut best = logits[..plane].to_vec();
    let mut labels = vec![0u8; plane];
    for (c, scores) in logits.chunks_exact(plane).enumerate().skip(1) {
        for ((label, top), &v) in labels.iter_mut().zip(best.iter_mut()).zip(scores) {
            if v > *top {
                *top = v;
                *label = c as u8;
            }
        }
    }
    labels
}

/// The parser's input for a crop: ImageNet-normalised RGB planes, NCHW.
pub fn input(crop: &RgbImage) -> Vec<f32> {
    let plane = (crop.width() * crop.height()) as usize;
    let mut input = vec![0f32; 3 * plane];
    for (i, p) in crop.pixels().enumerate() {
        for c in 0..3 {
            input[c * plane + i] = (p[c] as f32 / 255.0 - MEAN[c]) / STD[c];
        }
    }
    input
}

pub fn parse(model: &Model, pixels: FacePixels, frame: CropFrame) -> Result<FaceParsing> {
    let crop = pixels.sample(&frame);
    let n = frame.size as usize;
    let plane = n * n;
    let input = input(&crop);
    let labels = model
        .run_with("input", &[1, 3, n, n], &input, &["logits"], |out| {
            (out[0].data.len() == class::COUNT * plane).then(|| argmax_classes(out[0].data, plane))
        })?
        .ok_or_else(|| Error::Model("face parsing: logits of an unexpected size".into()))?;
    let outside = frame.outside_mask(pixels.analysis.width(), pixels.analysis.height());
    Ok(FaceParsing {
        frame,
        crop,
        labels,
        outside,
    })
}
