//! Correct exposure: the face neither too dark nor washed out.

use super::context::luminance;
use super::{ordered, Context, Finding, Rule};
use crate::analyse::parse::class;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExposureOk {
    /// Allowed mean luminance (0..255) of the face: the mesh's outline less eyes, brows, lips,
    /// glasses and hair.
    pub min_mean: f64,
    pub max_mean: f64,
    /// Largest share of those pixels clipped to black or to white.
    pub max_clipped: f64,
    /// Luminance at or below which a pixel counts as clipped to black, and at or above which
    /// to white.
    pub clipped_black: f32,
    pub clipped_white: f32,
    /// With no face found, a whole photo whose mean luminance is outside these limits still
    /// fails: one black or white all over, where saying so is the useful advice. Between them
    /// the rule is not assessed (a dark room round a bright face is no fault).
    pub no_face_min_mean: f64,
    pub no_face_max_mean: f64,
}

impl Rule for ExposureOk {
    fn id(&self) -> &'static str {
        "exposure_ok"
    }

    fn validate(&self) -> Result<(), String> {
        ordered(("min_mean", self.min_mean), ("max_mean", self.max_mean))?;
        ordered(
            ("no_face_min_mean", self.no_face_min_mean),
            ("no_face_max_mean", self.no_face_max_mean),
        )?;
        ordered(
            ("clipped_black", self.clipped_black.into()),
            ("clipped_white", self.clipped_white.into()),
        )
    }

    fn share_params(&self) -> &'static [&'static str] {
        &["max_clipped"]
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = format!(
            "mean in [{}, {}], clipped <= {}",
            self.min_mean, self.max_mean, self.max_clipped
        );
        let (stats, too_few) = match ctx.face() {
            // No face found: a photo that is black or white all over is still an exposure
            // failure, and saying so is the useful advice. (With a face, the whole photo is no
            // stand-in for it: a lit face before a white wall averages near white.)
            Err(key) => {
                let whole = self.stats(ctx.analysis.image().pixels().step_by(3).map(luminance));
                if whole.mean < self.no_face_min_mean || whole.mean > self.no_face_max_mean {
                    (whole, key)
                } else {
                    return Finding::not_assessed(threshold, key);
                }
            }
            // The face as the mesh outlines it, less what the parser positively calls eyes,
            // brows, lips, glasses or hair. Skin alone would not do: the parser stops calling
            // skin "skin" where it is crushed to black or burnt to white, which is exactly
            // what this rule must see.
            Ok(face) => match ctx.parsing() {
                Ok(parsing) => (
                    self.stats(
                        Context::face_oval_pixels(face, parsing, 1)
                            .filter(|&(u, v)| {
                                parsing.in_photo(u, v)
                                    && matches!(
                                        parsing.label(u, v),
                                        class::SKIN | class::NOSE | class::BACKGROUND
                                    )
                            })
                            .map(|(u, v)| luminance(parsing.crop.get_pixel(u, v))),
                    ),
                    "na.no_parsing",
                ),
                Err(key) => return Finding::not_assessed(threshold, key),
            },
        };
        if stats.count < 100 {
            return Finding::not_assessed(threshold, too_few);
        }
        let Stats {
            mean, dark, bright, ..
        } = stats;
        let too_dark = mean < self.min_mean || dark > self.max_clipped;
        let too_bright = mean > self.max_mean || bright > self.max_clipped;
        let key = if too_dark {
            "exposure_ok.too_dark"
        } else {
            "exposure_ok.too_bright"
        };
        Finding::judge(mean, !too_dark && !too_bright, threshold, key)
    }
}

struct Stats {
    count: usize,
    mean: f64,
    /// Shares of pixels clipped to black and to white.
    dark: f64,
    bright: f64,
}

impl ExposureOk {
    fn stats(&self, levels: impl Iterator<Item = f32>) -> Stats {
        let (mut sum, mut count, mut dark, mut bright) = (0f64, 0usize, 0usize, 0usize);
        for l in levels {
            sum += l as f64;
            count += 1;
            dark += usize::from(l <= self.clipped_black);
            bright += usize::from(l >= self.clipped_white);
        }
        let n = count.max(1) as f64;
        Stats {
            count,
            mean: sum / n,
            dark: dark as f64 / n,
            bright: bright as f64 / n,
        }
    }
}
