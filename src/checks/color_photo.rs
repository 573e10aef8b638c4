//! Colour photo: not greyscale, sepia or a black-and-white drawing.

use super::{percentile, Context, Finding, Rule};
use crate::analyse::landmarks::ids;
use crate::analyse::Face;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColorPhoto {
    /// Smallest colour variety: the 95th percentile of brightness-relative chroma away from the
    /// photo's single dominant tint (greyscale and sepia have one tint at most), scaled down by
    /// the share of that chroma that is grain rather than colour shared with the neighbours.
    pub min_colorfulness: f64,
    /// Colour is judged on the face and what lies within this many face widths of it, as a
    /// card photo would show it: how much wall a selfie takes in must not change the verdict.
    pub window_face_widths: f32,
}

impl Rule for ColorPhoto {
    fn id(&self) -> &'static str {
        "color_photo"
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = format!("colour variety >= {}", self.min_colorfulness);
        if ctx.analysis.decoded.greyscale_source {
            return Finding::judge(0.0, false, threshold, "color_photo");
        }
        let image = ctx.analysis.image();
        // Without a face the whole frame is judged, and a plain wall of any colour, a sheet of
        // paper or a lens cap has as little colour variety as a black-and-white photo: the
        // advice then only says what to do if the photo is black and white.
        let ([x0, y0, x1, y1], key) = match ctx.face() {
            Ok(face) => (self.window(face, image.dimensions()), "color_photo"),
            Err(_) => ([0, 0, image.width(), image.height()], "color_photo.no_face"),
        };
        let (width, height) = ((x1 - x0) as usize, (y1 - y0) as usize);
        // Every 7th pixel of the window in reading order, without visiting the other six, with
        // its right-hand neighbour (itself at the photo's right edge).
        let chroma_at = |x: u32, y: u32| {
            let p = image.get_pixel(x, y);
            let (r, g, b) = (p[0] as f32, p[1] as f32, p[2] as f32);
            let luma = 0.299 * r + 0.587 * g + 0.114 * b;
            // Relative to brightness, so a dark colour photo still shows its colours.
            let k = 128.0 / luma.max(32.0);
            ((b - luma) * k, (r - luma) * k)
        };
        let samples: Vec<[(f32, f32); 2]> = (0..width * height)
            .step_by(7)
            .map(|i| {
                let (x, y) = (x0 + (i % width) as u32, y0 + (i / width) as u32);
                [
                    chroma_at(x, y),
                    chroma_at((x + 1).min(image.width() - 1), y),
                ]
            })
            .collect();
        let n = samples.len().max(1) as f32;
        // Principal direction of the chroma cloud (through the origin: neutral grey).
        let (mut sxx, mut sxy, mut syy) = (0f32, 0f32, 0f32);
        for &[(cb, cr), _] in &samples {
            sxx += cb * cb;
            sxy += cb * cr;
            syy += cr * cr;
        }
        let (sxx, sxy, syy) = (sxx / n, sxy / n, syy / n);
        let angle = 0.5 * (2.0 * sxy).atan2(sxx - syy);
        let (s, c) = angle.sin_cos();
        let off_axis = |(cb, cr): (f32, f32)| cr * c - cb * s;
        let pairs: Vec<[f32; 2]> = samples
            .iter()
            .map(|&[p, q]| [off_axis(p), off_axis(q)])
            .collect();
        // The 95th percentile: JPEG chroma noise at edges must not count as colour.
        let mut sizes: Vec<f32> = pairs.iter().map(|[a, _]| a.abs()).collect();
        let spread = percentile(&mut sizes, 0.95);
        // The share is of power, the spread an amplitude.
        let variety = spread * coherent_share(&pairs).sqrt();
        Finding::judge(variety, variety >= self.min_colorfulness, threshold, key)
    }
}

impl ColorPhoto {
    /// The face's box (cheek to cheek, forehead top to chin) widened on every side by
    /// `window_face_widths`, within the image: [x0, y0, x1, y1), never empty.
    fn window(&self, face: &Face, (w, h): (u32, u32)) -> [u32; 4] {
        let margin = self.window_face_widths * Context::face_width(face);
        let points = [
            ids::FACE_RIGHT_EDGE,
            ids::FACE_LEFT_EDGE,
            ids::FOREHEAD_TOP,
            ids::CHIN,
        ]
        .map(|id| face.mesh.xy(id));
        let (xs, ys) = (points.map(|p| p[0]), points.map(|p| p[1]));
        let low = |v: [f32; 4]| (v.into_iter().fold(f32::MAX, f32::min) - margin).max(0.0) as u32;
        let high = |v: [f32; 4], limit: u32| {
            ((v.into_iter().fold(f32::MIN, f32::max) + margin).max(0.0) as u32).min(limit)
        };
        let [x0, y0, x1, y1] = [low(xs), low(ys), high(xs, w), high(ys, h)];
        // A mesh wholly beyond the frame leaves no window: then the whole image is all there is.
        if x0 < x1 && y0 < y1 {
            [x0, y0, x1, y1]
        } else {
            [0, 0, w, h]
        }
    }
}

/// The share of the off-axis chroma's power that neighbouring pixels have in common. A photo's
/// colours extend over their neighbours, or alternate with them in a fine pattern; grain in each
/// channel (a scanned print, a noisy sensor) changes from one pixel to the next independently,
/// and would otherwise read as colour on a greyscale photo. 1 for colour without grain, 0 for
/// grain alone.
fn coherent_share(pairs: &[[f32; 2]]) -> f64 {
    let (mut power, mut shared) = (0f64, 0f64);
    for &[a, b] in pairs {
        let (a, b) = (a as f64, b as f64);
        power += (a * a + b * b) / 2.0;
        shared += a * b;
    }
    if power <= 0.0 {
        return 0.0;
    }
    (shared.abs() / power).min(1.0)
}
