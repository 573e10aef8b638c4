//! Glasses: none at all (ID card), or only clear lenses, untinted and without glare (ICAO).

use super::context::crop_mean_luminance;
use super::lens_glare::{glare_score, GlareLimits};
use super::{Context, Finding, Rule};
use crate::analyse::parse::class;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoGlasses {
    /// Frame-and-lens area (IOD^2 units) from which glasses count as worn.
    pub max_glasses_area: f64,
    /// Set (ICAO): glasses are fine when the lenses are clear, that is when the brightness
    /// around each eye is at least this share of the skin's; tinted or dark lenses fall below
    /// it. Unset (ID card): no glasses at all. (The parser labels the whole lens as glasses,
    /// so the eyes behind clear lenses cannot be counted as "eye" pixels.)
    pub min_lens_brightness: Option<f64>,
    /// With `min_lens_brightness`: the lens is read within this distance (IOD units) of each
    /// eye centre.
    pub lens_brightness_radius: Option<f32>,
    /// With `min_lens_brightness`: clear lenses must also be free of reflections. The value
    /// reported is then the glare score (1 = at the limit) once the lenses are found clear.
    pub glare: Option<GlareLimits>,
    /// Smallest share of the face outline the parser must recognise for its map to be read.
    pub min_parsed_face: f64,
}

impl Rule for NoGlasses {
    fn id(&self) -> &'static str {
        "no_glasses"
    }

    // The glare table's luminance limits and its iris colour difference.
    fn level_params(&self) -> &'static [&'static str] {
        &["blown", "catchlight", "max_iris_mismatch"]
    }

    fn validate(&self) -> Result<(), String> {
        if self.min_lens_brightness.is_some() != self.lens_brightness_radius.is_some() {
            return Err("min_lens_brightness and lens_brightness_radius go together".into());
        }
        if self.lens_brightness_radius.is_some_and(|r| r <= 0.0) {
            return Err("lens_brightness_radius must be above 0".into());
        }
        // Glare is judged on clear lenses, which only a profile that allows glasses has.
        match &self.glare {
            Some(_) if self.min_lens_brightness.is_none() => {
                Err("glare needs min_lens_brightness (glasses allowed)".into())
            }
            Some(glare) => glare.validate(),
            None => Ok(()),
        }
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        // Where glasses are allowed the value shown is the glasses' area when none are worn.
        let area_limit = format!("glasses area <= {} IOD^2", self.max_glasses_area);
        let threshold = match (self.min_lens_brightness, &self.glare) {
            (Some(min), Some(glare)) => format!(
                "{area_limit}, or else lens/skin brightness >= {min}, then glare <= 1 (reflection \
                 share / {}, iris colour mismatch / {}) (value: the area without glasses, the \
                 brightness of lenses that fail it, else the glare)",
                glare.max_reflection_share, glare.max_iris_mismatch
            ),
            (Some(min), None) => format!(
                "{area_limit}, or else lens/skin brightness >= {min} (value: the area without \
                 glasses, else the brightness)"
            ),
            (None, _) => area_limit,
        };
        let (face, parsing) = match ctx.face_and_readable_parsing(self.min_parsed_face) {
            Ok(v) => v,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let n = parsing.size() as f32;
        let unit = Context::iod_area_in_crop(face, parsing);
        let glasses = parsing.count(&[class::GLASSES], 0.0, n, 0.0, n) as f64 / unit;
        // Glasses worn under a profile that allows clear lenses: judge the lenses instead.
        let (min_lens_brightness, lens_radius) =
            match (self.min_lens_brightness, self.lens_brightness_radius) {
                (Some(min), Some(radius)) if glasses > self.max_glasses_area => (min, radius),
                _ => {
                    return Finding::judge(
                        glasses,
                        glasses <= self.max_glasses_area,
                        threshold,
                        "no_glasses",
                    )
                }
            };
        let mean = |pixels: &mut dyn Iterator<Item = (u32, u32)>| {
            crop_mean_luminance(parsing, pixels).map(|(mean, _)| mean)
        };
        let Some(skin) = mean(&mut parsing.pixels_of(&[class::SKIN, class::NOSE])) else {
            return Finding::not_assessed(threshold, "na.no_parsing");
        };
        let (right, left) = Context::eye_centers(face);
        let radius = lens_radius * Context::iod(face) * parsing.frame.zoom();
        let darkest = [right, left]
            .into_iter()
            .filter_map(|eye| {
                let center = parsing.frame.to_crop(eye[0], eye[1]);
                let mut around = parsing.pixels_within(center, radius).filter(|&(u, v)| {
                    matches!(
                        parsing.label(u, v),
                        class::GLASSES | class::LEFT_EYE | class::RIGHT_EYE | class::SKIN
                    )
                });
                mean(&mut around)
            })
            .fold(f64::MAX, f64::min);
        if darkest == f64::MAX {
            return Finding::not_assessed(threshold, "na.no_parsing");
        }
        let ratio = darkest / skin.max(1.0);
        let clear = ratio >= min_lens_brightness;
        let Some(glare) = self.glare.as_ref().filter(|_| clear) else {
            return Finding::judge(ratio, clear, threshold, "no_glasses.tinted");
        };
        match glare_score(face, parsing, glare) {
            Some(score) => Finding::judge(score, score <= 1.0, threshold, "no_glasses.glare"),
            None => Finding::not_assessed(threshold, "na.no_parsing"),
        }
    }
}
