//! Frontal head: not turned (yaw) or nodded (pitch).

use super::{Context, Finding, Rule};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadFrontal {
    pub max_yaw_deg: f64,
    pub max_pitch_deg: f64,
    /// Pitch the canonical-model fit reports for a level head (the fit is orthographic and the
    /// model's rest pose is not exactly camera-facing).
    pub pitch_offset_deg: f64,
}

impl Rule for HeadFrontal {
    fn id(&self) -> &'static str {
        "head_frontal"
    }

    fn signed_params(&self) -> &'static [&'static str] {
        &["pitch_offset_deg"]
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = format!(
            "|yaw| <= {}, |pitch| <= {}",
            self.max_yaw_deg, self.max_pitch_deg
        );
        let face = match ctx.face() {
            Ok(f) => f,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let yaw = face.pose.yaw as f64;
        let pitch = face.pose.pitch as f64 - self.pitch_offset_deg;
        // Report the worse of the two as a fraction of its own limit, in degrees of that axis,
        // and advise on that one.
        let (value, advice) = if yaw.abs() / self.max_yaw_deg >= pitch.abs() / self.max_pitch_deg {
            (yaw, "head_frontal.turned")
        } else {
            (pitch, pitch_advice(pitch))
        };
        let ok = yaw.abs() <= self.max_yaw_deg && pitch.abs() <= self.max_pitch_deg;
        Finding::judge(value, ok, threshold, advice)
    }
}

/// Positive pitch brings the top of the head towards the camera (a rotation about the model's
/// x axis, which points right, carries its y axis, up, towards z, the camera): a bowed head.
fn pitch_advice(pitch: f64) -> &'static str {
    if pitch > 0.0 {
        "head_frontal.raise_chin"
    } else {
        "head_frontal.lower_chin"
    }
}
