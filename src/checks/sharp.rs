//! Sharp: the face is in focus and not motion-blurred.

use super::context::luminance;
use super::{min_or_nan, Context, Finding, Rule};
use crate::analyse::geometry::{line_angle, midpoint, CropFrame};
use crate::analyse::landmarks::ids;
use crate::profile::InputKind;
use serde::Deserialize;

/// Inter-ocular distance (pixels) at which fine detail is compared; faces are never enlarged to it.
const REFERENCE_IOD: f32 = 40.0;
/// The coarse band's scale, in multiples of the fine band's.
const COARSE_SCALE: f32 = 3.0;
/// Fewest pixels between the eyes at which detail is compared. Below it the fine band's blur
/// (sigma IOD / 40) is well under a pixel and removes little, so a sharp face reads as blurred:
/// Grace Hopper (testdata) scaled down reads 0.35 with 40.5 px between the eyes, 0.29 with 28.5,
/// 0.27 with 24.8, 0.21 (under the 0.23 limit) with 20.8 and 0.12 with 16.9.
const MIN_IOD: f32 = 24.0;
/// Share of the crop, the pixels with the most coarse detail (the edges of eyes, brows, nostrils,
/// lips and hair), that detail is compared on. Flat skin carries little but noise, which reads as
/// fine detail: measured over the whole crop, grain made a blurred face pass.
const EDGE_SHARE: f32 = 0.2;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sharp {
    /// Smallest ratio of fine detail to coarse detail on the face's edges (contrast-independent).
    pub min_detail_ratio: f64,
}

impl Rule for Sharp {
    fn id(&self) -> &'static str {
        "sharp"
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = format!("detail ratio >= {}", self.min_detail_ratio);
        let face = match ctx.face() {
            Ok(f) => f,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let (r, l) = Context::eye_centers(face);
        let analysis_iod = Context::iod(face);
        let mouth = midpoint(
            face.mesh.xy(ids::MOUTH_RIGHT),
            face.mesh.xy(ids::MOUTH_LEFT),
        );
        let center = midpoint(midpoint(r, l), mouth);
        // A small face in a large photo is judged on a larger decode of it (`analyse::detail`):
        // the analysis copy's reduction would read as blur.
        let (image, center, iod) = match &ctx.analysis.detail {
            Some(d) => (
                &d.image,
                d.from_analysis(center),
                analysis_iod * d.per_analysis_pixel,
            ),
            None => (ctx.analysis.image(), center, analysis_iod),
        };
        // `resolution` asks for more pixels; "hold the phone steady" would be no help. (A face
        // with the pixels in the photo but not in the image read, where the larger decode
        // failed, is not called too small.)
        if iod < MIN_IOD {
            let in_photo = analysis_iod * ctx.analysis.decoded.scale;
            let why = if in_photo < MIN_IOD {
                "na.face_too_small"
            } else {
                "na.not_measurable"
            };
            return Finding::not_assessed(threshold, why);
        }
        let side = 2.2 * iod;
        let crop_iod = iod.min(REFERENCE_IOD);
        let frame = CropFrame {
            center,
            side,
            angle: line_angle(r, l),
            size: ((side * crop_iod / iod).round() as u32).max(16),
        };
        // Area samples: point samples of a reduced face alias its pixel noise into fine detail.
        let lum = frame.sample_area(image, |p| luminance(&p));
        let n = frame.size as usize;
        let sigma = crop_iod / REFERENCE_IOD;
        // Per direction, because motion blur removes detail along one direction only.
        let ratio = min_or_nan(
            [Direction::Horizontal, Direction::Vertical]
                .into_iter()
                .map(|d| edge_detail_ratio(&lum, n, sigma, d) as f64),
        );
        // A stored card is not re-taken with a steadier hand: it is cut again from a sharp
        // original (blur in a card often comes from enlarging or recompressing it) or retaken.
        let key = match ctx.input {
            InputKind::Finished => "sharp.finished",
            InputKind::Selfie => "sharp",
        };
        Finding::judge(ratio, ratio >= self.min_detail_ratio, threshold, key)
    }
}

/// Fine detail (what a blur of `sigma` removes) over coarse detail (what one of
/// `COARSE_SCALE` x `sigma` removes), both summed over the `EDGE_SHARE` of pixels with the most
/// coarse detail.
fn edge_detail_ratio(lum: &[f32], n: usize, sigma: f32, direction: Direction) -> f32 {
    let fine = blur(lum, n, sigma, direction);
    let coarse = blur(lum, n, COARSE_SCALE * sigma, direction);
    let mut details: Vec<(f32, f32)> = lum
        .iter()
        .zip(fine.iter().zip(&coarse))
        .map(|(v, (f, c))| ((v - f).abs(), (v - c).abs()))
        .collect();
    let edges = ((details.len() as f32 * EDGE_SHARE).ceil() as usize).clamp(1, details.len());
    details.select_nth_unstable_by(edges - 1, |a, b| b.1.total_cmp(&a.1));
    let (fine_sum, coarse_sum) = details[..edges]
        .iter()
        .fold((0f32, 0f32), |(f, c), d| (f + d.0, c + d.1));
    let count = edges as f32;
    (fine_sum / count) / (coarse_sum / count).max(1e-3)
}

#[derive(Clone, Copy, PartialEq)]
enum Direction {
    Horizontal,
    Vertical,
}

/// One-dimensional Gaussian blur of an n x n image along `direction`, borders clamped.
fn blur(src: &[f32], n: usize, sigma: f32, direction: Direction) -> Vec<f32> {
    let radius = (3.0 * sigma).ceil().max(1.0) as i64;
    let kernel: Vec<f32> = (-radius..=radius)
        .map(|i| (-(i * i) as f32 / (2.0 * sigma * sigma)).exp())
        .collect();
    let total: f32 = kernel.iter().sum();
    let pass = |input: &[f32], horizontal: bool| -> Vec<f32> {
        let mut out = vec![0f32; n * n];
        for y in 0..n {
            for x in 0..n {
                let mut acc = 0f32;
                for (k, w) in kernel.iter().enumerate() {
                    let d = k as i64 - radius;
                    let (xx, yy) = if horizontal {
                        ((x as i64 + d).clamp(0, n as i64 - 1) as usize, y)
                    } else {
                        (x, (y as i64 + d).clamp(0, n as i64 - 1) as usize)
                    };
                    acc += w * input[yy * n + xx];
                }
                out[y * n + x] = acc / total;
            }
        }
        out
    };
    pass(src, direction == Direction::Horizontal)
}
