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

    // Blendshape scores and eye-shape ratios run from 0 to 1.
    fn share_params(&self) -> &'static [&'static str] {
        &[
            "smile",
            "jaw_open",
            "brow_raise",
            "eyes_wide",
            "mouth_stretch",
            "nose_sneer",
            "upper_lip_raise",
            "frown",
            "wink",
            "wink_closed_aperture",
            "wink_asymmetry",
        ]
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = "<= 1 (strongest movement / its limit)".to_string();
        let face = match ctx.face_shape() {
            Ok(f) => f,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let b = &face.blendshapes;
        let mean = |a: usize, c: usize| ((b[a] + b[c]) / 2.0) as f64;
        // Each movement with its limit and the advice that undoes it (a frowning applicant
        // told "do not smile" would not know what to change), in the order the advice is
        // chosen: a wink often comes with a smile (no smile on the evaluation set reaches the
        // wink limits), a broad smile also raises the upper lip, and a laugh opens the jaw.
        let movements = [
            (
                ((b[blend::EYE_BLINK_LEFT] - b[blend::EYE_BLINK_RIGHT]).abs()) as f64,
                self.wink,
                Cause::Wink,
            ),
            (
                self.wink_shape(face.mesh.eye_apertures()),
                self.wink_asymmetry,
                Cause::Wink,
            ),
            (
                mean(blend::MOUTH_SMILE_LEFT, blend::MOUTH_SMILE_RIGHT),
                self.smile,
                Cause::Smile,
            ),
            (b[blend::JAW_OPEN] as f64, self.jaw_open, Cause::MouthOpen),
            (
                b[blend::BROW_INNER_UP] as f64,
                self.brow_raise,
                Cause::Brows,
            ),
            (
                mean(blend::EYE_WIDE_LEFT, blend::EYE_WIDE_RIGHT),
                self.eyes_wide,
                Cause::Brows,
            ),
            (
                mean(blend::MOUTH_STRETCH_LEFT, blend::MOUTH_STRETCH_RIGHT),
                self.mouth_stretch,
                Cause::Grimace,
            ),
            (
                mean(blend::NOSE_SNEER_LEFT, blend::NOSE_SNEER_RIGHT),
                self.nose_sneer,
                Cause::Grimace,
            ),
            (
                mean(blend::MOUTH_UPPER_UP_LEFT, blend::MOUTH_UPPER_UP_RIGHT),
                self.upper_lip_raise,
                Cause::Grimace,
            ),
            (
                mean(blend::MOUTH_FROWN_LEFT, blend::MOUTH_FROWN_RIGHT),
                self.frown,
                Cause::Grimace,
            ),
        ];
        let (value, strongest) = strongest(&movements);
        Finding::judge(value, value <= 1.0, threshold, strongest.message_key())
    }
}

/// The strongest movement as a share of its limit (NaN when any score is NaN), and the cause of
/// the first movement over its limit.
fn strongest(movements: &[(f64, f64, Cause)]) -> (f64, Cause) {
    let share = |&(score, limit, _): &(f64, f64, Cause)| score / limit.max(1e-6);
    let value = max_or_nan(movements.iter().map(share));
    let cause = movements
        .iter()
        .find(|m| share(m) > 1.0)
        .map_or(Cause::Smile, |m| m.2);
    (value, cause)
}

/// What the strongest movement says the applicant is doing, for the advice.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Cause {
    Smile,
    MouthOpen,
    Brows,
    Grimace,
    Wink,
}

impl Cause {
    fn message_key(self) -> &'static str {
        match self {
            Cause::Smile => "expression_neutral.smile",
            Cause::MouthOpen => "expression_neutral.mouth_open",
            Cause::Brows => "expression_neutral.brows",
            Cause::Grimace => "expression_neutral.grimace",
            Cause::Wink => "expression_neutral.wink",
        }
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
    fn the_advice_names_the_first_movement_over_its_limit() {
        // A broad smile raises the upper lip further over its limit than the smile itself.
        let smile = [
            (0.88, 0.4, Cause::Smile),
            (0.1, 0.15, Cause::Brows),
            (0.54, 0.2, Cause::Grimace),
        ];
        assert_eq!(strongest(&smile), (2.7, Cause::Smile));
        // Without the smile, the frown is what to undo.
        let (value, cause) = strongest(&[
            (0.2, 0.4, Cause::Smile),
            (0.1, 0.15, Cause::Brows),
            (0.5, 0.25, Cause::Grimace),
        ]);
        assert_eq!((value, cause), (2.0, Cause::Grimace));
        assert_eq!(cause.message_key(), "expression_neutral.grimace");
        let (value, _) = strongest(&[(0.1, 0.4, Cause::Smile), (f64::NAN, 0.2, Cause::Wink)]);
        assert!(value.is_nan());
    }

    #[test]
    fn two_open_or_two_shut_eyes_are_no_wink() {
        let r = rule();
        assert_eq!(r.wink_shape([0.22, 0.33]), 0.0);
        assert!(r.wink_shape([0.05, 0.06]) / r.wink_asymmetry < 1.0);
    }
}
