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
        let threshold = self.threshold();
        let face = match ctx.face_shape() {
            Ok(f) => f,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let yaw = face.pose.yaw as f64;
        let pitch = face.pose.pitch as f64 - self.pitch_offset_deg;
        // A pose that is not a number fails every comparison, which would read as turned.
        if !(yaw.is_finite() && pitch.is_finite()) {
            return Finding::not_assessed(threshold, "na.not_measurable");
        }
        // Report the worse of the two as a fraction of its own limit, in degrees of that axis.
        let value = if yaw.abs() / self.max_yaw_deg >= pitch.abs() / self.max_pitch_deg {
            yaw
        } else {
            pitch
        };
        let ok = yaw.abs() <= self.max_yaw_deg && pitch.abs() <= self.max_pitch_deg;
        Finding::judge(value, ok, threshold, self.advice(yaw, pitch))
    }
}

impl HeadFrontal {
    /// The value is one of two angles, so the threshold says which: without that, a pitch of
    /// -11.6 reads as a yaw over its limit of 11. It also shows the offset, which links the
    /// value to the pitch in the report's `face.pose`.
    fn threshold(&self) -> String {
        let pitch = match self.pitch_offset_deg {
            o if o > 0.0 => format!("pitch - {o}"),
            o if o < 0.0 => format!("pitch + {}", -o),
            _ => "pitch".to_string(),
        };
        format!(
            "|yaw| <= {}, |{pitch}| <= {} (value: the angle nearer its limit)",
            self.max_yaw_deg, self.max_pitch_deg
        )
    }

    /// Advice on every axis over its limit, so that someone both turned and nodded is not
    /// sent back to fix one and then told about the other.
    fn advice(&self, yaw: f64, pitch: f64) -> &'static str {
        let turned = yaw.abs() > self.max_yaw_deg;
        if pitch.abs() > self.max_pitch_deg {
            pitch_advice(pitch, turned)
        } else {
            "head_frontal.turned"
        }
    }
}

/// Positive pitch brings the top of the head towards the camera (a rotation about the model's
/// x axis, which points right, carries its y axis, up, towards z, the camera): a bowed head.
/// A head that is also turned is told both.
fn pitch_advice(pitch: f64, turned: bool) -> &'static str {
    match (pitch > 0.0, turned) {
        (true, false) => "head_frontal.raise_chin",
        (false, false) => "head_frontal.lower_chin",
        (true, true) => "head_frontal.turned_raise_chin",
        (false, true) => "head_frontal.turned_lower_chin",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advice_covers_every_axis_over_its_limit() {
        let rule = HeadFrontal {
            max_yaw_deg: 11.0,
            max_pitch_deg: 14.0,
            pitch_offset_deg: 4.0,
        };
        for (yaw, pitch, key) in [
            (20.0, 0.0, "head_frontal.turned"),
            (-20.0, 10.0, "head_frontal.turned"),
            (5.0, 20.0, "head_frontal.raise_chin"),
            (10.0, -20.0, "head_frontal.lower_chin"),
            (20.0, 20.0, "head_frontal.turned_raise_chin"),
            (-15.0, -25.0, "head_frontal.turned_lower_chin"),
        ] {
            assert_eq!(rule.advice(yaw, pitch), key, "yaw {yaw}, pitch {pitch}");
        }
    }

    #[test]
    fn threshold_shows_the_pitch_offset() {
        let rule = |pitch_offset_deg| HeadFrontal {
            max_yaw_deg: 11.0,
            max_pitch_deg: 14.0,
            pitch_offset_deg,
        };
        let limits = |offset: f64| {
            let text = rule(offset).threshold();
            text[..text.find(" (").unwrap()].to_string()
        };
        assert_eq!(limits(4.0), "|yaw| <= 11, |pitch - 4| <= 14");
        assert_eq!(limits(-2.5), "|yaw| <= 11, |pitch + 2.5| <= 14");
        assert_eq!(limits(0.0), "|yaw| <= 11, |pitch| <= 14");
    }
}
