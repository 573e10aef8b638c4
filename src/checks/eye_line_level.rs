//! Eyes level: the line through both eye centres is horizontal (head not tilted sideways).

use super::{Context, Finding, Rule};
use crate::analyse::geometry::line_angle;
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

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = format!("|angle| <= {}", self.max_roll_deg);
        let face = match ctx.face() {
            Ok(f) => f,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let (right, left) = Context::eye_centers(face);
        let angle = (line_angle(right, left) as f64).to_degrees();
        Finding::judge(
            angle,
            angle.abs() <= self.max_roll_deg,
            threshold,
            "eye_line_level",
        )
    }
}
