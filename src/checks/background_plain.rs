//! Plain background: a uniform wall, no texture, objects, people or strong shading.

use super::context::luminance;
use super::{Context, Finding, Rule};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackgroundPlain {
    /// Largest mean luminance gradient (Sobel, grey levels per pixel at <= 512 px) over the backdrop.
    pub max_texture: f64,
    /// Largest spread of backdrop luminance (95th minus 5th percentile, grey levels).
    pub max_spread: f64,
    /// Smallest share of the photo that must be backdrop to judge it.
    pub min_fraction: f64,
}

impl Rule for BackgroundPlain {
    fn id(&self) -> &'static str {
        "background_plain"
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = format!(
            "<= 1 (texture / {}, spread / {})",
            self.max_texture, self.max_spread
        );
        let Some(bg) = ctx
            .background()
            .filter(|b| b.fraction() >= self.min_fraction)
        else {
            return Finding::not_assessed(threshold, "na.no_background");
        };
        let (w, h) = bg.image.dimensions();
        let lum: Vec<f32> = bg.image.pixels().map(luminance).collect();
        let at = |x: u32, y: u32| lum[(y * w + x) as usize];
        let (mut sum, mut n) = (0f64, 0usize);
        let mut levels = Vec::with_capacity(bg.count);
        for (x, y, p) in bg.pixels() {
            levels.push(luminance(p));
            if x == 0 || y == 0 || x + 1 >= w || y + 1 >= h {
                continue;
            }
            // Only where the whole 3x3 window is backdrop, so the person's edge does not count.
            let inside =
                (y - 1..=y + 1).all(|yy| (x - 1..=x + 1).all(|xx| bg.mask[(yy * w + xx) as usize]));
            if !inside {
                continue;
            }
            let gx = (at(x + 1, y - 1) + 2.0 * at(x + 1, y) + at(x + 1, y + 1))
                - (at(x - 1, y - 1) + 2.0 * at(x - 1, y) + at(x - 1, y + 1));
            let gy = (at(x - 1, y + 1) + 2.0 * at(x, y + 1) + at(x + 1, y + 1))
                - (at(x - 1, y - 1) + 2.0 * at(x, y - 1) + at(x + 1, y - 1));
            sum += ((gx * gx + gy * gy).sqrt() / 8.0) as f64;
            n += 1;
        }
        if n == 0 {
            return Finding::not_assessed(threshold, "na.no_background");
        }
        levels.sort_by(f32::total_cmp);
        let pct = |q: f64| levels[((levels.len() - 1) as f64 * q) as usize] as f64;
        let texture = sum / n as f64;
        let spread = pct(0.95) - pct(0.05);
        let value = (texture / self.max_texture).max(spread / self.max_spread);
        Finding::judge(value, value <= 1.0, threshold, "background_plain")
    }
}
