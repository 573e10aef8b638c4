//! Plain background: a uniform wall, no texture, objects, people or strong shading.
//!
//! Three measures over the backdrop: fine texture (mean gradient, as OFIQ's background
//! uniformity), smooth shading (range of a quadratic surface fitted to block means: a mild studio
//! vignette passes, a strong gradient does not) and everything the smooth surface cannot explain
//! (objects, scenery, other people: the residual around the fit).

use super::context::{luminance, Background};
use super::{Context, Finding, Rule, OTHER_FACE};
use nalgebra::{SMatrix, SVector};
use serde::Deserialize;

const BLOCK: u32 = 16;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackgroundPlain {
    /// Largest mean luminance gradient (Sobel, grey levels per pixel at <= 512 px).
    pub max_texture: f64,
    /// Largest range of the fitted shading surface (grey levels).
    pub max_shading: f64,
    /// Largest RMS of block means around the fitted surface (grey levels).
    pub max_residual: f64,
    /// Smallest share of the photo that must be backdrop to judge it.
    pub min_fraction: f64,
    /// Another face at least this confident and this wide (relative to the applicant's) is
    /// somebody behind the applicant, whatever the measured plainness.
    pub other_face_min_score: f32,
    pub other_face_min_relative_width: f32,
}

/// Blocks of backdrop that make a smooth change of brightness light on a wall rather than a
/// scene: four per term of the quadratic surface.
const MIN_SHADING_BLOCKS: usize = 24;

impl Rule for BackgroundPlain {
    fn id(&self) -> &'static str {
        "background_plain"
    }

    fn validate(&self) -> Result<(), String> {
        // The measures are judged as shares of these limits: at 0 every photo would read
        // infinite or not a number, and none could be judged.
        for (name, limit) in [
            ("max_texture", self.max_texture),
            ("max_shading", self.max_shading),
            ("max_residual", self.max_residual),
        ] {
            if limit <= 0.0 {
                return Err(format!("{name} = {limit} must be above 0"));
            }
        }
        Ok(())
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = format!(
            "<= 1 (texture / {}, shading / {}, residual / {}) and no other face",
            self.max_texture, self.max_shading, self.max_residual
        );
        let others = ctx.other_faces(
            self.other_face_min_score,
            self.other_face_min_relative_width,
        );
        // With too little backdrop to measure, another face still fails it.
        let unmeasured = |threshold: String| {
            if others > 0 {
                Finding::judge(others as f64, false, threshold, OTHER_FACE)
            } else {
                Finding::not_assessed(threshold, "na.no_background")
            }
        };
        let Some(bg) = ctx
            .background()
            .filter(|b| b.fraction() >= self.min_fraction)
        else {
            return unmeasured(threshold);
        };
        let lum: Vec<f32> = bg.image.pixels().map(luminance).collect();
        let Some(texture) = texture(bg, &lum) else {
            return unmeasured(threshold);
        };
        // Texture alone cannot tell a gradient or an object from a wall: with too few whole
        // blocks of backdrop for the shading fit, only a clear fault is judged.
        let Some(fit) = shading(bg, &lum) else {
            let value = texture / self.max_texture;
            if value > 1.0 || others > 0 {
                let key = if value > 1.0 {
                    "background_plain"
                } else {
                    OTHER_FACE
                };
                return Finding::judge(value, false, threshold, key);
            }
            return Finding::not_assessed(threshold, "na.no_background");
        };
        let (texture, shading, residual) = (
            texture / self.max_texture,
            fit.range / self.max_shading,
            fit.residual / self.max_residual,
        );
        let value = texture.max(shading).max(residual);
        // A smooth change of brightness with no texture and nothing sharp on it is most often
        // light on a wall (a shadow, light from one side), though a room far out of focus reads
        // the same: its advice names both. Judged so only over enough of the backdrop, since
        // through a few blocks the surface can follow anything. A plain wall with another person
        // in front of it needs that person to step out, nothing else.
        let key = if texture > 1.0 || residual > 1.0 {
            "background_plain"
        } else if shading <= 1.0 {
            OTHER_FACE
        } else if fit.blocks >= MIN_SHADING_BLOCKS {
            "background_plain.shading"
        } else {
            "background_plain"
        };
        Finding::judge(value, value <= 1.0 && others == 0, threshold, key)
    }
}

/// Mean Sobel magnitude where the whole 3x3 window is backdrop (the person's edge is excluded).
fn texture(bg: &Background, lum: &[f32]) -> Option<f64> {
    let (w, h) = bg.image.dimensions();
    let (w, h) = (w as usize, h as usize);
    if w < 3 || h < 3 {
        return None;
    }
    let (mut sum, mut n) = (0f64, 0usize);
    for y in 1..h - 1 {
        let rows = [(y - 1) * w, y * w, (y + 1) * w];
        let row_inside = |x: usize| rows.iter().all(|&r| bg.mask[r + x]);
        // Whether the 3-pixel column at x-1, x and x+1 lies in the backdrop, slid along.
        let (mut left, mut mid) = (row_inside(0), row_inside(1));
        for x in 1..w - 1 {
            let right = row_inside(x + 1);
            if left && mid && right {
                let at = |r: usize, dx: usize| lum[rows[r] + x + dx - 1];
                let gx =
                    (at(0, 2) + 2.0 * at(1, 2) + at(2, 2)) - (at(0, 0) + 2.0 * at(1, 0) + at(2, 0));
                let gy =
                    (at(2, 0) + 2.0 * at(2, 1) + at(2, 2)) - (at(0, 0) + 2.0 * at(0, 1) + at(0, 2));
                sum += ((gx * gx + gy * gy).sqrt() / 8.0) as f64;
                n += 1;
            }
            (left, mid) = (mid, right);
        }
    }
    (n > 0).then(|| sum / n as f64)
}

/// A least-squares quadratic surface through the means of blocks that are (almost) all backdrop.
struct ShadingFit {
    /// The surface's range over the blocks (grey levels).
    range: f64,
    /// RMS of the block means around it.
    residual: f64,
    blocks: usize,
}

/// The shading fit, or `None` with too few blocks.
fn shading(bg: &Background, lum: &[f32]) -> Option<ShadingFit> {
    let (w, h) = bg.image.dimensions();
    let mut blocks = Vec::new();
    for by in 0..h / BLOCK {
        for bx in 0..w / BLOCK {
            let (mut sum, mut n) = (0f64, 0u32);
            for y in by * BLOCK..(by + 1) * BLOCK {
                for x in bx * BLOCK..(bx + 1) * BLOCK {
                    let i = (y * w + x) as usize;
                    if bg.mask[i] {
                        sum += lum[i] as f64;
                        n += 1;
                    }
                }
            }
            if n * 10 >= BLOCK * BLOCK * 9 {
                let cx = ((bx as f64 + 0.5) * BLOCK as f64) / w as f64;
                let cy = ((by as f64 + 0.5) * BLOCK as f64) / h as f64;
                blocks.push((cx, cy, sum / n as f64));
            }
        }
    }
    if blocks.len() < 8 {
        return None;
    }
    let terms = |x: f64, y: f64| SVector::<f64, 6>::from([1.0, x, y, x * x, x * y, y * y]);
    let mut ata = SMatrix::<f64, 6, 6>::zeros();
    let mut atb = SVector::<f64, 6>::zeros();
    for &(x, y, z) in &blocks {
        let t = terms(x, y);
        ata += t * t.transpose();
        atb += t * z;
    }
    // A little ridge keeps the fit stable when the blocks lie along a line or in one corner.
    ata += SMatrix::<f64, 6, 6>::identity() * 1e-3;
    let coeffs = ata.cholesky()?.solve(&atb);
    let fitted: Vec<f64> = blocks
        .iter()
        .map(|&(x, y, _)| terms(x, y).dot(&coeffs))
        .collect();
    let (lo, hi) = fitted
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let rss: f64 = blocks
        .iter()
        .zip(&fitted)
        .map(|(b, f)| (b.2 - f).powi(2))
        .sum();
    Some(ShadingFit {
        range: hi - lo,
        residual: (rss / blocks.len() as f64).sqrt(),
        blocks: blocks.len(),
    })
}
