//! Colour photo: not greyscale, sepia or a black-and-white drawing.

use super::{Context, Finding, Rule};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColorPhoto {
    /// Smallest colour variety: the 95th percentile of brightness-relative chroma away from the
    /// photo's single dominant tint (greyscale and sepia have one tint at most).
    pub min_colorfulness: f64,
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
        let chroma: Vec<(f32, f32)> = image
            .pixels()
            .step_by(7)
            .map(|p| {
                let (r, g, b) = (p[0] as f32, p[1] as f32, p[2] as f32);
                let y = 0.299 * r + 0.587 * g + 0.114 * b;
                // Relative to brightness, so a dark colour photo still shows its colours.
                let k = 128.0 / y.max(32.0);
                ((b - y) * k, (r - y) * k)
            })
            .collect();
        let n = chroma.len().max(1) as f32;
        // Principal direction of the chroma cloud (through the origin: neutral grey).
        let (mut sxx, mut sxy, mut syy) = (0f32, 0f32, 0f32);
        for &(cb, cr) in &chroma {
            sxx += cb * cb;
            sxy += cb * cr;
            syy += cr * cr;
        }
        let (sxx, sxy, syy) = (sxx / n, sxy / n, syy / n);
        let angle = 0.5 * (2.0 * sxy).atan2(sxx - syy);
        let (s, c) = angle.sin_cos();
        let mut off_axis: Vec<f32> = chroma
            .iter()
            .map(|&(cb, cr)| (cr * c - cb * s).abs())
            .collect();
        // The 95th percentile: JPEG chroma noise at edges must not count as colour.
        let at = ((off_axis.len() - 1) as f32 * 0.95) as usize;
        let variety = *off_axis.select_nth_unstable_by(at, f32::total_cmp).1 as f64;
        Finding::judge(
            variety,
            variety >= self.min_colorfulness,
            threshold,
            "color_photo",
        )
    }
}
