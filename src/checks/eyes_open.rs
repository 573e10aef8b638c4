//! Eyes open: neither eye closed, winking or squeezed shut.

use super::{max_or_nan, Context, Finding, Rule};
use crate::analyse::landmarks::blend;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EyesOpen {
    /// Highest blink score (0 open .. 1 closed) of either eye that still counts as open.
    pub max_blink: f64,
    /// An eye whose lid gap is at least this share of its width is open whatever its blink
    /// score: the score also rises for narrow, hooded or smiling eyes, while shut and squeezed
    /// eyes measure under 0.25 (closed ones under 0.12).
    pub min_open_aperture: f64,
}

impl Rule for EyesOpen {
    fn id(&self) -> &'static str {
        "eyes_open"
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = format!(
            "<= 1: per eye the smaller of blink / {} and {} / lid gap (share of the eye width)",
            self.max_blink, self.min_open_aperture
        );
        let face = match ctx.face_shape() {
            Ok(f) => f,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let b = &face.blendshapes;
        // The subject's right and left eye, as the mesh's apertures are ordered.
        let blinks = [b[blend::EYE_BLINK_RIGHT], b[blend::EYE_BLINK_LEFT]].map(f64::from);
        let apertures = face.mesh.eye_apertures().map(f64::from);
        let closure = max_or_nan([0, 1].map(|eye| self.closure(blinks[eye], apertures[eye])));
        Finding::judge(closure, closure <= 1.0, threshold, "eyes_open")
    }
}

impl EyesOpen {
    /// Over 1 when the eye is shut: its blink score over the limit and its lid gap under the
    /// open one, the smaller of the two excesses (NaN stays NaN).
    fn closure(&self, blink: f64, aperture: f64) -> f64 {
        // Checked on the inputs: f64::max would turn a NaN gap into the floor.
        if blink.is_nan() || aperture.is_nan() {
            return f64::NAN;
        }
        let by_score = blink / self.max_blink.max(1e-6);
        let by_gap = self.min_open_aperture / aperture.max(1e-6);
        by_score.min(by_gap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wide_lid_gap_outweighs_a_high_blink_score() {
        let rule = EyesOpen {
            max_blink: 0.3,
            min_open_aperture: 0.25,
        };
        // Blink score and lid gap measured on evaluation photos: hooded open eyes (LISA
        // good/05), lids nearly shut over eyes looking down (bad/81), a Yale "sleepy" face.
        assert!(rule.closure(0.36, 0.267) <= 1.0);
        assert!(rule.closure(0.33, 0.207) > 1.0);
        assert!(rule.closure(0.42, 0.109) > 1.0);
        // A low score is enough on its own.
        assert!(rule.closure(0.2, 0.05) <= 1.0);
        assert!(rule.closure(f64::NAN, 0.05).is_nan());
    }
}
