//! Enough face pixels to cut a card photo without upscaling: GA 461 sets the card's face width
//! (207 px), ICAO 9303 the distance between the eye centres (90 px).

use super::{Context, Finding, Rule};
use crate::analyse::geometry::distance;
use crate::analyse::Face;
use crate::profile::InputKind;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resolution {
    /// Smallest cheek-to-cheek face width, in pixels of the original photo...
    #[serde(default)]
    pub min_face_width_px: Option<f64>,
    /// ...or smallest distance between the eye centres, in pixels of the original photo and
    /// divided by the cosine of the yaw as ISO/IEC 29794-5 measures it. A profile sets one of
    /// the two: the one its standard states, since the eyes are 0.37-0.48 of the face width
    /// apart (10th-90th percentile on the evaluation photos) and neither stands in for the other.
    #[serde(default)]
    pub min_eye_distance_px: Option<f64>,
    /// The smallest photo (width, height in pixels) that can show such a face with room round
    /// the head. A smaller photo cannot be fixed by moving closer: the advice is then to take
    /// it at full resolution.
    pub min_photo_px: [u32; 2],
}

/// What a profile holds the face's size to.
#[derive(Clone, Copy)]
enum Span {
    FaceWidth,
    EyeDistance,
}

impl Resolution {
    fn limit(&self) -> Option<(Span, f64)> {
        match (self.min_face_width_px, self.min_eye_distance_px) {
            (Some(px), None) => Some((Span::FaceWidth, px)),
            (None, Some(px)) => Some((Span::EyeDistance, px)),
            _ => None,
        }
    }
}

impl Span {
    fn threshold(self, min_px: f64) -> String {
        match self {
            Span::FaceWidth => format!("face width >= {min_px} px"),
            Span::EyeDistance => format!("eye distance / cos(yaw) >= {min_px} px"),
        }
    }

    /// The span in analysis pixels. A mesh unsure it saw a face gives neither its cheeks nor a
    /// yaw to trust, and a tiny face is one cause of that: the detector's box is about as wide
    /// as the face (median 1.02 times the mesh's width on the evaluation photos) and its eye
    /// points are near the eye centres, enough to tell the applicant to move closer (but not
    /// to pass a face: see `evaluate`).
    fn measure(self, face: &Face) -> f32 {
        match (self, face.features_located) {
            (Span::FaceWidth, true) => Context::face_width(face),
            (Span::FaceWidth, false) => face.detection.rect[2],
            (Span::EyeDistance, true) => {
                let cos_yaw = face.pose.yaw.to_radians().cos();
                // Past 60 degrees the correction would be a guess (and head_frontal fails).
                Context::iod(face) / if cos_yaw > 0.5 { cos_yaw } else { 1.0 }
            }
            (Span::EyeDistance, false) => {
                distance(face.detection.points[0], face.detection.points[1])
            }
        }
    }

    fn finished_key(self) -> &'static str {
        match self {
            Span::FaceWidth => "resolution.finished",
            Span::EyeDistance => "resolution.finished_eye_distance",
        }
    }
}

impl Rule for Resolution {
    fn id(&self) -> &'static str {
        "resolution"
    }

    fn validate(&self) -> Result<(), String> {
        if self.limit().is_none() {
            return Err("set one of min_face_width_px and min_eye_distance_px".to_string());
        }
        if self.min_photo_px.contains(&0) {
            return Err(format!(
                "min_photo_px = {:?} must be above 0 on both sides",
                self.min_photo_px
            ));
        }
        Ok(())
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let Some((span, min_px)) = self.limit() else {
            unreachable!("validate() admits one limit")
        };
        let threshold = span.threshold(min_px);
        let face = match ctx.face() {
            Ok(f) => f,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        // Whole pixels, so that the value reported is the one judged.
        let measured = ((span.measure(face) * ctx.analysis.decoded.scale) as f64).round();
        // The detector's stand-in measures are near enough to tell a face to come closer, not
        // to vouch for one: a box 2 % wider than the face would pass a face 2 % short.
        if !face.features_located && measured >= min_px {
            return Finding::not_assessed(threshold, "na.features_unclear");
        }
        let (photo_w, photo_h) = ctx.analysis.decoded.original_size;
        let [min_w, min_h] = self.min_photo_px;
        let photo_too_small = photo_w < min_w || photo_h < min_h;
        let key = match ctx.input {
            // A stored photo cannot be taken closer: it needs a new one.
            InputKind::Finished => span.finished_key(),
            // A screenshot or a compressed copy: coming closer would push the head out of
            // the frame (and be told "move further away" by head_in_frame).
            InputKind::Selfie if photo_too_small => "resolution.photo_too_small",
            InputKind::Selfie => "resolution",
        };
        Finding::judge(measured, measured >= min_px, threshold, key).with_args(vec![
            ("expected", min_px.to_string()),
            ("actual", measured.to_string()),
        ])
    }
}
