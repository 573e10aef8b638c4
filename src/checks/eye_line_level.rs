//! Eyes level: the line through both eye centres is horizontal (head not tilted sideways).

use super::{Context, Finding, Rule};
use crate::analyse::geometry::line_angle;
use crate::profile::InputKind;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EyeLineLevel {
    pub max_roll_deg: f64,
}

impl Rule for EyeLineLevel {
    fn id(&self) -> &'static str {
        "eye_line_level"
    }

    fn judges_turned_photos(&self) -> bool {
        true
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        if let Some(turns) = ctx.analysis.turned {
            let threshold = format!(
                "|angle| <= {} (value: the clockwise turn, in degrees, that puts the photo \
                 upright)",
                self.max_roll_deg
            );
            let degrees = 90.0 * turns as f64;
            // A stored card is turned upright; only a selfie can be taken again.
            let key = match ctx.input {
                InputKind::Finished => "eye_line_level.turned_finished",
                InputKind::Selfie => "eye_line_level.turned",
            };
            return Finding::judge(degrees, false, threshold, key);
        }
        let threshold = format!("|angle| <= {}", self.max_roll_deg);
        let face = match ctx.face_shape() {
            Ok(f) => f,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let (right, left) = Context::eye_centers(face);
        let angle = (line_angle(right, left) as f64).to_degrees();
        // A stored card has no capture guide line and no one in front of the camera: it is
        // cut again, turned level, from the original.
        let key = match ctx.input {
            InputKind::Finished => "eye_line_level.finished",
            InputKind::Selfie => "eye_line_level",
        };
        Finding::judge(angle, angle.abs() <= self.max_roll_deg, threshold, key)
    }
}
