//! Geometry of a finished photo in shares of its own size, for standards that state no pixel
//! size: ICAO 9303 / ISO 19794-5 (the ICAO portrait quality report's figures) give the head's
//! width as a share of the photo's width, the eye line's height as a share of its height, and
//! the face's centre as a band across the middle. The same rule ids as the card's pixel
//! geometry (`finished.rs`); a profile picks this form by giving shares (`*_share`) instead of
//! pixels.
//!
//! Values are percentages of the photo, rounded to a tenth before they are compared, so the
//! value a report shows is the one judged.
//!
//! What is measured, where the figures' own definitions could not be read:
//! - the head's width is the face's width at ear level (the mesh's contour where the ears join
//!   the face), as the card's `head_width` measures it and as SDKs describe the ICAO figure
//!   ("the distance between the ears");
//! - the eye line is the line through the eye centres: ISO 19794-5 puts it 50-70 % of the
//!   height above the bottom edge, which is the report's face centre 30-50 % from the top;
//! - the face's centre across is midway between the face's sides, as on the card.
//!
//! The head's length (chin to crown, "the top of the head if there were no hair") is not judged:
//! under hair the crown is a guess. `head_in_frame` keeps the hair top and the chin in the
//! frame.

use super::finished::{eye_line_y, face_center_x, finished_face_shape, FINISHED_ONLY};
use super::{ordered, Context, Finding, Rule};
use crate::profile::InputKind;
use serde::Deserialize;

/// A share as the percentage a report shows, to a tenth (never -0).
fn percent(share: f64) -> f64 {
    (share * 1000.0).round() / 10.0 + 0.0
}

/// `lo`-`hi` as percentages, for thresholds and advice.
fn percent_range(lo: f64, hi: f64) -> String {
    format!("{}-{}", percent(lo), percent(hi))
}

/// The photo's width and height in its own pixels, and its pixels per analysis pixel.
fn photo_size(ctx: &Context) -> (f64, f64, f64) {
    let (w, h) = ctx.analysis.decoded.original_size;
    (w as f64, h as f64, ctx.analysis.decoded.scale as f64)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadWidthShare {
    pub min_width_share: f64,
    pub max_width_share: f64,
}

impl Rule for HeadWidthShare {
    fn id(&self) -> &'static str {
        "head_width"
    }

    fn validate(&self) -> Result<(), String> {
        ordered(
            ("min_width_share", self.min_width_share),
            ("max_width_share", self.max_width_share),
        )
    }

    fn default_inputs(&self) -> &'static [InputKind] {
        FINISHED_ONLY
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let (lo, hi) = (percent(self.min_width_share), percent(self.max_width_share));
        let threshold = format!("in [{lo}, {hi}] % of the photo's width");
        let face = match finished_face_shape(ctx) {
            Ok(f) => f,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let (width, _, per_px) = photo_size(ctx);
        let share = percent(Context::face_width(face) as f64 * per_px / width);
        let key = if share < lo {
            "head_width.share.small"
        } else {
            "head_width.share.large"
        };
        Finding::judge(share, (lo..=hi).contains(&share), threshold, key).with_args(vec![
            ("actual", share.to_string()),
            (
                "expected",
                percent_range(self.min_width_share, self.max_width_share),
            ),
        ])
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EyeLineHeightShare {
    /// The eye line's height above the bottom edge, as a share of the photo's height.
    pub min_height_share: f64,
    pub max_height_share: f64,
}

impl Rule for EyeLineHeightShare {
    fn id(&self) -> &'static str {
        "eye_line_height"
    }

    fn validate(&self) -> Result<(), String> {
        ordered(
            ("min_height_share", self.min_height_share),
            ("max_height_share", self.max_height_share),
        )
    }

    fn default_inputs(&self) -> &'static [InputKind] {
        FINISHED_ONLY
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let (lo, hi) = (
            percent(self.min_height_share),
            percent(self.max_height_share),
        );
        let threshold =
            format!("in [{lo}, {hi}] % of the photo's height, measured up from the bottom edge");
        let face = match finished_face_shape(ctx) {
            Ok(f) => f,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let (_, height, per_px) = photo_size(ctx);
        let eye_y = eye_line_y(face) * per_px;
        let share = percent((height - eye_y) / height);
        // Eyes too low: the photo has too much room above the head, so the eyes should sit
        // higher in it, and the other way round.
        let key = if share < lo {
            "eye_line_height.share.low"
        } else {
            "eye_line_height.share.high"
        };
        Finding::judge(share, (lo..=hi).contains(&share), threshold, key).with_args(vec![
            ("actual", share.to_string()),
            (
                "expected",
                percent_range(self.min_height_share, self.max_height_share),
            ),
        ])
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadCenteredShare {
    /// Largest horizontal offset of the face's centre from the photo's centre line, as a share
    /// of the photo's width.
    pub max_offset_share: f64,
}

impl Rule for HeadCenteredShare {
    fn id(&self) -> &'static str {
        "head_centered"
    }

    fn default_inputs(&self) -> &'static [InputKind] {
        FINISHED_ONLY
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let max = percent(self.max_offset_share);
        let threshold = format!("|offset| <= {max} % of the photo's width");
        let face = match finished_face_shape(ctx) {
            Ok(f) => f,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let (width, _, per_px) = photo_size(ctx);
        let center = face_center_x(face) * per_px;
        let offset = percent((center - width / 2.0) / width);
        // Left and right as the photo shows them.
        let key = if offset < 0.0 {
            "head_centered.left.share"
        } else {
            "head_centered.right.share"
        };
        Finding::judge(offset, offset.abs() <= max, threshold, key).with_args(vec![
            ("actual", offset.abs().to_string()),
            ("expected", max.to_string()),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn percent_rounds_a_share_to_a_tenth_of_a_percent() {
        assert_eq!(percent(0.5), 50.0);
        assert_eq!(percent(0.62349), 62.3);
        assert_eq!(percent(0.62351), 62.4);
        assert_eq!(percent(-0.00001), 0.0);
        assert!(percent(-0.00001).is_sign_positive());
    }
}
