//! Sharp: the face is in focus and not motion-blurred.

use super::context::luminance;
use super::{min_or_nan, Context, Finding, Rule};
use crate::analyse::geometry::{line_angle, midpoint, CropFrame};
use crate::analyse::landmarks::ids;
use serde::Deserialize;

/// Inter-ocular distance (pixels) at which fine detail is compared; faces are never enlarged to it.
const REFERENCE_IOD: f32 = 40.0;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sharp {
    /// Smallest ratio of fine detail to coarse detail on the face (contrast-independent).
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
        let iod = Context::iod(face);
        let mouth = midpoint(
            face.mesh.xy(ids::MOUTH_RIGHT),
            face.mesh.xy(ids::MOUTH_LEFT),
        );
        let center = midpoint(midpoint(r, l), mouth);
        let side = 2.2 * iod;
        let crop_iod = iod.min(REFERENCE_IOD);
        let frame = CropFrame {
            center,
            side,
            angle: line_angle(r, l),
            size: ((side * crop_iod / iod).round() as u32).max(16),
        };
        let crop = frame.sample(ctx.analysis.image());
        let n = crop.width() as usize;
        let lum: Vec<f32> = crop.pixels().map(luminance).collect();
        let sigma = crop_iod / REFERENCE_IOD;
        // Per direction, because motion blur removes detail along one direction only.
        let ratio = min_or_nan(
            [Direction::Horizontal, Direction::Vertical]
                .into_iter()
                .map(|d| {
                    let fine = mean_abs_diff(&lum, &blur(&lum, n, sigma, d));
                    let coarse = mean_abs_diff(&lum, &blur(&lum, n, 4.0 * sigma, d));
                    (fine / coarse.max(1e-3)) as f64
                }),
        );
        Finding::judge(ratio, ratio >= self.min_detail_ratio, threshold, "sharp")
    }
}

fn mean_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f32>() / a.len().max(1) as f32
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
