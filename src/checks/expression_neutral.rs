//! Neutral expression: no smile, laugh, surprise, frown or grimace.

use super::{Context, Finding, Rule};
use crate::analyse::landmarks::blend;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpressionNeutral {
    /// Highest mean smile score.
    pub max_smile: f64,
    /// Highest score of the other expressive movements (jaw drop, raised brows, wide eyes,
    /// stretched or sneering mouth).
    pub max_other: f64,
}

impl Rule for ExpressionNeutral {
    fn id(&self) -> &'static str {
        "expression_neutral"
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = format!(
            "<= 1 (smile / {}, other movement / {})",
            self.max_smile, self.max_other
        );
        let face = match ctx.face() {
            Ok(f) => f,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let b = &face.blendshapes;
        let mean = |a: usize, c: usize| ((b[a] + b[c]) / 2.0) as f64;
        let smile = mean(blend::MOUTH_SMILE_LEFT, blend::MOUTH_SMILE_RIGHT);
        let other = [
            b[blend::JAW_OPEN] as f64,
            b[blend::BROW_INNER_UP] as f64,
            mean(blend::EYE_WIDE_LEFT, blend::EYE_WIDE_RIGHT),
            mean(blend::MOUTH_STRETCH_LEFT, blend::MOUTH_STRETCH_RIGHT),
            mean(blend::NOSE_SNEER_LEFT, blend::NOSE_SNEER_RIGHT),
            mean(blend::MOUTH_UPPER_UP_LEFT, blend::MOUTH_UPPER_UP_RIGHT),
        ]
        .into_iter()
        .fold(0.0, f64::max);
        let ok = smile <= self.max_smile && other <= self.max_other;
        let value = (smile / self.max_smile).max(other / self.max_other);
        Finding::judge(value, ok, threshold, "expression_neutral")
    }
}
