//! Enough face pixels to cut a card photo without upscaling (GA 461: 207 px face width).

use super::{Context, Finding, Rule};
use crate::profile::InputKind;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resolution {
    /// Smallest face width in pixels of the original photo.
    pub min_face_width_px: f64,
    /// The smallest photo that can show a face `min_face_width_px` wide with room round the
    /// head, as multiples of that width (width, height). A smaller photo cannot be fixed by
    /// moving closer: the advice is then to take it at full resolution.
    pub min_photo_per_face_width: [f64; 2],
}

impl Rule for Resolution {
    fn id(&self) -> &'static str {
        "resolution"
    }

    fn validate(&self) -> Result<(), String> {
        // Under 1 the photo would be smaller than the face it must show.
        if self.min_photo_per_face_width.iter().any(|&k| k < 1.0) {
            return Err(format!(
                "min_photo_per_face_width = {:?} must be at least 1 on both sides",
                self.min_photo_per_face_width
            ));
        }
        Ok(())
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
        let (photo_w, photo_h) = ctx.analysis.decoded.original_size;
        let [per_w, per_h] = self.min_photo_per_face_width;
        let photo_too_small = (photo_w as f64) < per_w * self.min_face_width_px
            || (photo_h as f64) < per_h * self.min_face_width_px;
        let key = match ctx.input {
            // A stored photo cannot be taken closer: it needs a new one.
            InputKind::Finished => "resolution.finished",
            // A screenshot or a compressed copy: coming closer would push the head out of
            // the frame (and be told "move further away" by head_in_frame).
            InputKind::Selfie if photo_too_small => "resolution.photo_too_small",
            InputKind::Selfie => "resolution",
        };
        Finding::judge(width, width >= self.min_face_width_px, threshold, key).with_args(vec![
            ("expected", self.min_face_width_px.to_string()),
            ("actual", width.to_string()),
        ])
    }
}
