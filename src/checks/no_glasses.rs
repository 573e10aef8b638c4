//! Glasses: none at all (ID card), or only clear lenses that leave the eyes visible (ICAO).

use super::{Context, Finding, Rule};
use crate::analyse::parse::class;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoGlasses {
    /// Frame-and-lens area (IOD^2 units) from which glasses count as worn.
    pub max_glasses_area: f64,
    /// ICAO: glasses are fine when both eyes stay visible through clear lenses.
    #[serde(default)]
    pub allow_clear_glasses: bool,
    /// With `allow_clear_glasses`: smallest visible eye area (IOD^2 units) behind the lenses.
    #[serde(default)]
    pub min_visible_eye_area: f64,
}

impl Rule for NoGlasses {
    fn id(&self) -> &'static str {
        "no_glasses"
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = if self.allow_clear_glasses {
            format!(
                "eyes visible >= {} IOD^2 behind glasses",
                self.min_visible_eye_area
            )
        } else {
            format!("glasses area <= {} IOD^2", self.max_glasses_area)
        };
        let (face, parsing) = match ctx.face().and_then(|f| Ok((f, ctx.parsing()?))) {
            Ok(v) => v,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let n = parsing.size() as f32;
        let iod = Context::iod(face) * parsing.frame.zoom();
        let unit = (iod * iod).max(1.0) as f64;
        let glasses = parsing.count(&[class::GLASSES], 0.0, n, 0.0, n) as f64 / unit;
        if !self.allow_clear_glasses || glasses <= self.max_glasses_area {
            return Finding::judge(
                glasses,
                glasses <= self.max_glasses_area,
                threshold,
                "no_glasses",
            );
        }
        let eyes =
            parsing.count(&[class::LEFT_EYE, class::RIGHT_EYE], 0.0, n, 0.0, n) as f64 / unit;
        Finding::judge(
            eyes,
            eyes >= self.min_visible_eye_area,
            threshold,
            "no_glasses.tinted",
        )
    }
}
