//! Eyes open: neither eye closed, winking or squeezed shut.

use super::{max_or_nan, Context, Finding, Rule};
use crate::analyse::landmarks::blend;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EyesOpen {
    /// Highest blink score (0 open .. 1 closed) of either eye that still counts as open.
    pub max_blink: f64,
    /// An eye whose lid gap is at least this share of its iris's diameter is open whatever
    /// its blink score: the score also rises for narrow, hooded or smiling eyes. A gap of
    /// about half the iris shows the whole pupil, which ICAO asks to see; shut and squeezed
    /// eyes measure under 0.42 (closed ones under 0.2).
    pub min_lid_gap_over_iris: f64,
}

impl Rule for EyesOpen {
    fn id(&self) -> &'static str {
        "eyes_open"
    }

    // A blendshape score, 0 to 1.
    fn share_params(&self) -> &'static [&'static str] {
        &["max_blink"]
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = format!(
            "<= 1: per eye the smaller of blink / {} and {} / lid gap (share of the iris diameter)",
            self.max_blink, self.min_lid_gap_over_iris
        );
        let face = match ctx.face_shape() {
            Ok(f) => f,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let b = &face.blendshapes;
        // The subject's right and left eye, as the mesh orders its eyes.
        let blinks = [b[blend::EYE_BLINK_RIGHT], b[blend::EYE_BLINK_LEFT]].map(f64::from);
        let gaps = face.mesh.lid_gaps_over_iris().map(f64::from);
        let closure = max_or_nan([0, 1].map(|eye| self.closure(blinks[eye], gaps[eye])));
        Finding::judge(closure, closure <= 1.0, threshold, "eyes_open")
    }
}

impl EyesOpen {
    /// Over 1 when the eye is shut: its blink score over the limit and its lid gap under the
    /// open one, the smaller of the two excesses (NaN stays NaN).
    fn closure(&self, blink: f64, gap: f64) -> f64 {
        // Checked on the inputs: f64::max would turn a NaN gap into the floor.
        if blink.is_nan() || gap.is_nan() {
            return f64::NAN;
        }
        let by_score = blink / self.max_blink.max(1e-6);
        let by_gap = self.min_lid_gap_over_iris / gap.max(1e-6);
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
            min_lid_gap_over_iris: 0.45,
        };
        // Blink score and lid gap over the iris measured on evaluation photos: hooded open
        // eyes (LISA good/05), narrow open eyes (Yale subject05 "normal", deepface img21), lids
        // nearly shut over eyes looking down (LISA bad/81), a Yale "sleepy" face.
        assert!(rule.closure(0.373, 0.567) <= 1.0);
        assert!(rule.closure(0.303, 0.504) <= 1.0);
        assert!(rule.closure(0.329, 0.493) <= 1.0);
        assert!(rule.closure(0.455, 0.389) > 1.0);
        assert!(rule.closure(0.65, 0.171) > 1.0);
        // A low score is enough on its own.
        assert!(rule.closure(0.2, 0.05) <= 1.0);
        assert!(rule.closure(f64::NAN, 0.05).is_nan());
    }
}
