//! White background (ID card) or, in the ICAO profile, any light plain colour.

use super::{Context, Finding, Rule};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackgroundWhite {
    /// "white": every channel bright and no tint. "light": a pale colour of any hue.
    pub mode: Mode,
    /// Lowest brightness the darker part of the backdrop may have (20th percentile; for
    /// "white" of the smallest channel, for "light" of HSL lightness, the mean of the largest
    /// and smallest channel).
    pub min_level: f64,
    /// "white" only, and required there: largest colour tint (median of max - min channel).
    pub max_tint: Option<f64>,
    pub min_fraction: f64,
    /// Another face this confident and wide (relative to the applicant's) means the backdrop
    /// is not a plain wall of any colour.
    pub other_face_min_score: f32,
    pub other_face_min_relative_width: f32,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    White,
    Light,
}

impl Rule for BackgroundWhite {
    fn id(&self) -> &'static str {
        "background_white"
    }

    fn validate(&self) -> Result<(), String> {
        match (self.mode, self.max_tint) {
            (Mode::White, None) => Err("mode = \"white\" needs max_tint".into()),
            _ => Ok(()),
        }
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = match self.mode {
            Mode::White => format!(
                "level >= {}, tint <= {}, no other face",
                self.min_level,
                self.max_tint.map_or("?".into(), |t| t.to_string())
            ),
            Mode::Light => format!("lightness >= {}, no other face", self.min_level),
        };
        let others = ctx.other_faces(
            self.other_face_min_score,
            self.other_face_min_relative_width,
        );
        let fail_key = match self.mode {
            Mode::White => "background_white",
            Mode::Light => "background_light",
        };
        let Some(bg) = ctx
            .background()
            .filter(|b| b.fraction() >= self.min_fraction)
        else {
            if others > 0 {
                return Finding::judge(others as f64, false, threshold, fail_key);
            }
            return Finding::not_assessed(threshold, "na.no_background");
        };
        let mut levels = Vec::with_capacity(bg.count);
        let mut tints = Vec::with_capacity(bg.count);
        for (_, _, p) in bg.pixels() {
            let (lo, hi) = (p[0].min(p[1]).min(p[2]), p[0].max(p[1]).max(p[2]));
            levels.push(match self.mode {
                Mode::White => lo as f32,
                // Pale means mixed with white, which lifts the smallest channel: a light-blue
                // studio backdrop (130, 145, 195) is pale while an ID-photo blue
                // (67, 142, 219) of nearly the same luminance is not.
                Mode::Light => (lo as f32 + hi as f32) / 2.0,
            });
            tints.push((hi - lo) as f32);
        }
        if levels.is_empty() {
            return Finding::not_assessed(threshold, "na.no_background");
        }
        // The same order statistics a full sort would give, in linear time.
        let level_at = (levels.len() - 1) / 5;
        let level = *levels.select_nth_unstable_by(level_at, f32::total_cmp).1 as f64;
        let tint_at = (tints.len() - 1) / 2;
        let tint = *tints.select_nth_unstable_by(tint_at, f32::total_cmp).1 as f64;
        let ok = others == 0
            && level >= self.min_level
            && (self.mode == Mode::Light || self.max_tint.is_some_and(|max| tint <= max));
        Finding::judge(level, ok, threshold, fail_key)
    }
}
