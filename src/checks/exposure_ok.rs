//! Correct exposure: the face neither too dark nor washed out.

use super::context::luminance;
use super::{Context, Finding, Rule};
use crate::analyse::parse::class;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExposureOk {
    /// Allowed mean skin luminance (0..255).
    pub min_mean: f64,
    pub max_mean: f64,
    /// Largest share of skin pixels clipped to black (<= 5) or white (>= 250).
    pub max_clipped: f64,
}

impl Rule for ExposureOk {
    fn id(&self) -> &'static str {
        "exposure_ok"
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = format!(
            "mean in [{}, {}], clipped <= {}",
            self.min_mean, self.max_mean, self.max_clipped
        );
        let parsing = match ctx.parsing() {
            Ok(p) => p,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let (mut sum, mut n, mut dark, mut bright) = (0f64, 0usize, 0usize, 0usize);
        for (u, v) in parsing.pixels_of(&[class::SKIN, class::NOSE]) {
            let l = luminance(parsing.crop.get_pixel(u, v));
            sum += l as f64;
            n += 1;
            dark += usize::from(l <= 5.0);
            bright += usize::from(l >= 250.0);
        }
        if n < 100 {
            return Finding::not_assessed(threshold, "na.no_parsing");
        }
        let mean = sum / n as f64;
        let (dark, bright) = (dark as f64 / n as f64, bright as f64 / n as f64);
        let too_dark = mean < self.min_mean || dark > self.max_clipped;
        let too_bright = mean > self.max_mean || bright > self.max_clipped;
        let key = if too_dark {
            "exposure_ok.too_dark"
        } else {
            "exposure_ok.too_bright"
        };
        Finding::judge(mean, !too_dark && !too_bright, threshold, key)
    }
}
