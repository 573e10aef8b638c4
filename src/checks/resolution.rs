//! Enough face pixels to cut a card photo without upscaling (GA 461: 207 px face width).

use super::{Context, Finding, Rule};
use crate::profile::InputKind;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resolution {
    /// Smallest face width in pixels of the original photo.
    pub min_face_width_px: f64,
}

impl Rule for Resolution {
    fn id(&self) -> &'static str {
        "resolution"
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = format!("face width >= {} px", self.min_face_width_px);
        let face = match ctx.face() {
            Ok(f) => f,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        // A mesh unsure it saw a face gives no cheek-to-cheek width, and a tiny face is one
        // cause of that. The detector's box is about as wide as the face (median 1.02 times the
        // mesh's width on the evaluation photos), enough to tell the applicant to move closer.
        let width = if face.features_located {
            Context::face_width(face)
        } else {
            face.detection.rect[2]
        };
        // Whole pixels, so that the value reported is the one judged.
        let width = ((width * ctx.analysis.decoded.scale) as f64).round();
        // A stored photo cannot be taken closer: it needs a new one.
        let key = match ctx.input {
            InputKind::Selfie => "resolution",
            InputKind::Finished => "resolution.finished",
        };
        Finding::judge(width, width >= self.min_face_width_px, threshold, key).with_args(vec![
            ("expected", self.min_face_width_px.to_string()),
            ("actual", width.to_string()),
        ])
    }
}
