//! Mouth closed: lips together, no teeth, not speaking.

use super::{Context, Finding, Rule};
use crate::analyse::geometry::distance;
use crate::analyse::landmarks::{blend, ids};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MouthClosed {
    /// Largest gap between the inner lips, as a fraction of the inter-ocular distance.
    pub max_lip_gap: f64,
    /// Largest jaw-open blendshape score.
    pub max_jaw_open: f64,
}

impl Rule for MouthClosed {
    fn id(&self) -> &'static str {
        "mouth_closed"
    }

    // A blendshape score, 0 to 1.
    fn share_params(&self) -> &'static [&'static str] {
        &["max_jaw_open"]
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = format!(
            "lip gap <= {} IOD, jaw open <= {} (value: the lip gap, or the jaw's score when only \
             it fails)",
            self.max_lip_gap, self.max_jaw_open
        );
        let face = match ctx.face_shape() {
            Ok(f) => f,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let gap = distance(
            face.mesh.xy(ids::UPPER_LIP_INNER),
            face.mesh.xy(ids::LOWER_LIP_INNER),
        ) as f64
            / Context::iod(face).max(1.0) as f64;
        let jaw = face.blendshapes[blend::JAW_OPEN] as f64;
        let (gap_ok, jaw_ok) = (gap <= self.max_lip_gap, jaw <= self.max_jaw_open);
        // A dropped jaw behind closed lips would otherwise fail with a lip gap under its limit.
        let value = if gap_ok && !jaw_ok { jaw } else { gap };
        Finding::judge(value, gap_ok && jaw_ok, threshold, "mouth_closed")
    }
}
