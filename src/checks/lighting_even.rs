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
        let (face, parsing) = match ctx.face_and_parsing() {
            Ok(v) => v,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let nose = face.mesh.xy(ids::NOSE_TIP);
        let mid = parsing.frame.to_crop(nose[0], nose[1])[0];
        // Mirrored pairs across the nose line, both skin, so each side covers the same part of
        // the face even when hair or a slight turn hides more of one cheek.
        let skin = |c: u8| c == class::SKIN || c == class::NOSE;
        let n = parsing.size() as f32;
        let (mut sums, mut pairs) = ([0f64; 2], 0usize);
        for (u, v) in parsing.pixels_of(&[class::SKIN, class::NOSE]) {
            let mirrored = 2.0 * mid - u as f32;
            if (u as f32) >= mid || mirrored < 0.0 || mirrored >= n {
                continue;
            }
            let m = mirrored as u32;
            if !skin(parsing.label(m, v)) || parsing.outside[(v * parsing.size() + m) as usize] {
                continue;
            }
            sums[0] += luminance(parsing.crop.get_pixel(u, v)) as f64;
            sums[1] += luminance(parsing.crop.get_pixel(m, v)) as f64;
            pairs += 1;
        }
        if pairs < 50 {
            return Finding::not_assessed(threshold, "na.no_parsing");
        }
        let ratio = sums[0].min(sums[1]) / sums[0].max(sums[1]).max(1.0);
        Finding::judge(ratio, ratio >= self.min_ratio, threshold, "lighting_even")
    }
}
