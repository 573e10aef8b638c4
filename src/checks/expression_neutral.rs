//! Neutral expression: no smile, laugh, surprise, wink, frown, sneer or grimace.

use super::{max_or_nan, Context, Finding, Rule};
use crate::analyse::landmarks::blend;
use serde::Deserialize;

/// Largest allowed score (0..1) of each facial movement; limits sit above what relaxed neutral
/// faces show.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpressionNeutral {
    pub smile: f64,
    pub jaw_open: f64,
    pub brow_raise: f64,
    pub eyes_wide: f64,
    pub mouth_stretch: f64,
    pub nose_sneer: f64,
    pub upper_lip_raise: f64,
    pub frown: f64,
    /// Difference between the two eyes' blink scores.
    pub wink: f64,
    /// A wink seen in the eye shapes, for faces where the blink scores are unsure (low
    /// resolution, greyscale): one eye's lid gap / eye width below this...
    pub wink_closed_aperture: f64,
    /// ...while the other eye is open wider by at least this share, `1 - narrow / wide`.
    pub wink_asymmetry: f64,
}

impl ExpressionNeutral {
    /// `1 - narrow / wide` of the two eyes' apertures, counted only when the narrow eye is shut.
    fn wink_shape(&self, apertures: [f32; 2]) -> f64 {
        let narrow = apertures[0].min(apertures[1]) as f64;
        let wide = apertures[0].max(apertures[1]) as f64;
        if narrow >= self.wink_closed_aperture || wide <= 0.0 {
            return 0.0;
        }
        1.0 - narrow / wide
    }
}

impl Rule for ExpressionNeutral {
    fn id(&self) -> &'static str {
        "expression_neutral"
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = "<= 1 (strongest movement / its limit)".to_string();
        let face = match ctx.face() {
            Ok(f) => f,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let b = &face.blendshapes;
        let mean = |a: usize, c: usize| ((b[a] + b[c]) / 2.0) as f64;
        let movements = [
            (
                mean(blend::MOUTH_SMILE_LEFT, blend::MOUTH_SMILE_RIGHT),
                self.smile,
            ),
            (b[blend::JAW_OPEN] as f64, self.jaw_open),
            (b[blend::BROW_INNER_UP] as f64, self.brow_raise),
            (
                mean(blend::EYE_WIDE_LEFT, blend::EYE_WIDE_RIGHT),
                self.eyes_wide,
            ),
            (
                mean(blend::MOUTH_STRETCH_LEFT, blend::MOUTH_STRETCH_RIGHT),
                self.mouth_stretch,
            ),
            (
                mean(blend::NOSE_SNEER_LEFT, blend::NOSE_SNEER_RIGHT),
                self.nose_sneer,
            ),
            (
                mean(blend::MOUTH_UPPER_UP_LEFT, blend::MOUTH_UPPER_UP_RIGHT),
                self.upper_lip_raise,
            ),
            (
                mean(blend::MOUTH_FROWN_LEFT, blend::MOUTH_FROWN_RIGHT),
                self.frown,
            ),
            (
                ((b[blend::EYE_BLINK_LEFT] - b[blend::EYE_BLINK_RIGHT]).abs()) as f64,
                self.wink,
            ),
            (
                self.wink_shape(face.mesh.eye_apertures()),
                self.wink_asymmetry,
            ),
        ];
        let value = max_or_nan(
            movements
                .iter()
                .map(|(score, limit)| score / limit.max(1e-6)),
        );
        Finding::judge(value, value <= 1.0, threshold, "expression_neutral")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> ExpressionNeutral {
        let profile: toml::Table = include_str!("../../profiles/cn-id-card.toml")
            .parse()
            .expect("built-in profile");
        profile["rules"]["expression_neutral"]
            .clone()
            .try_into()
            .expect("expression_neutral parameters")
    }

    #[test]
    fn one_shut_eye_beside_an_open_one_is_a_wink() {
        let r = rule();
        assert!(r.wink_shape([0.08, 0.30]) / r.wink_asymmetry > 1.0);
        assert!(r.wink_shape([0.30, 0.07]) / r.wink_asymmetry > 1.0);
    }

    #[test]
    fn two_open_or_two_shut_eyes_are_no_wink() {
        let r = rule();
        assert_eq!(r.wink_shape([0.22, 0.33]), 0.0);
        assert!(r.wink_shape([0.05, 0.06]) / r.wink_asymmetry < 1.0);
    }
}
