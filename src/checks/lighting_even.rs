//! Even lighting: no strong side light or half-face shadow.

use super::context::luminance;
use super::{Context, Finding, Rule};
use crate::analyse::landmarks::ids;
use crate::analyse::parse::class;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LightingEven {
    /// Smallest ratio of the darker to the brighter face half (mean skin luminance).
    pub min_ratio: f64,
}

impl Rule for LightingEven {
    fn id(&self) -> &'static str {
        "lighting_even"
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = format!("darker/brighter half >= {}", self.min_ratio);
        let (face, parsing) = match ctx.face().and_then(|f| Ok((f, ctx.parsing()?))) {
            Ok(v) => v,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let nose = face.mesh.xy(ids::NOSE_TIP);
        let mid = parsing.frame.to_crop(nose[0], nose[1])[0];
        let mut halves = [(0f64, 0usize); 2];
        for (u, v) in parsing.pixels_of(&[class::SKIN, class::NOSE]) {
            let side = usize::from(u as f32 >= mid);
            halves[side].0 += luminance(parsing.crop.get_pixel(u, v)) as f64;
            halves[side].1 += 1;
        }
        if halves.iter().any(|h| h.1 < 50) {
            return Finding::not_assessed(threshold, "na.no_parsing");
        }
        let [a, b] = halves.map(|(s, n)| s / n as f64);
        let ratio = a.min(b) / a.max(b).max(1.0);
        Finding::judge(ratio, ratio >= self.min_ratio, threshold, "lighting_even")
    }
}
