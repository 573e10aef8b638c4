//! Geometry of a finished card photo (GA 461: 358x441 px, face 207±14 px wide, head top 7-21 px
//! below the top edge, eye line at least 207 px above the bottom, centred). Measured in the
//! original photo's pixels and rounded to whole ones before they are compared: the standard
//! counts whole pixels, and the value a report shows is then the one judged (never 207 failing
//! ">= 207").
//!
//! GA 461 puts the eye line before the top margin: very tall hair may be cut. A head top with
//! too little room is allowed when the eye line leaves none: a crop that gave the head top its
//! room would bring the eye line under its minimum height.

use super::context::HeadTop;
use super::{ordered, range, Context, Finding, Rule};
use crate::analyse::landmarks::ids;
use crate::analyse::Face;
use crate::profile::InputKind;
use serde::Deserialize;

fn not_finished(ctx: &Context) -> bool {
    ctx.input != InputKind::Finished
}

/// The face of a finished photo, or why a geometry rule cannot judge it.
fn finished_face<'a>(ctx: &Context<'a>) -> Result<&'a Face, &'static str> {
    let face = ctx.face()?;
    if not_finished(ctx) {
        return Err("na.not_finished");
    }
    Ok(face)
}

/// As `finished_face`, for the rules that measure the mesh's own points to the pixel.
fn finished_face_shape<'a>(ctx: &Context<'a>) -> Result<&'a Face, &'static str> {
    finished_face(ctx)?;
    ctx.face_shape()
}

/// A selfie has no card geometry to measure.
const FINISHED_ONLY: &[InputKind] = &[InputKind::Finished];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhotoSize {
    pub width: u32,
    pub height: u32,
}

impl Rule for PhotoSize {
    fn id(&self) -> &'static str {
        "photo_size"
    }

    fn default_inputs(&self) -> &'static [InputKind] {
        FINISHED_ONLY
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let expected = format!("{}x{}", self.width, self.height);
        if not_finished(ctx) {
            return Finding::not_assessed(expected, "na.not_finished");
        }
        let (w, h) = ctx.analysis.decoded.original_size;
        let ok = (w, h) == (self.width, self.height);
        let threshold = format!("{expected} (value: the width, or the height when only it is off)");
        let value = if w == self.width && h != self.height {
            h
        } else {
            w
        };
        // The card's shape at another size (a scan, a 2x export) only needs resizing.
        let same_shape = (u64::from(w) * u64::from(self.height))
            .abs_diff(u64::from(h) * u64::from(self.width))
            <= u64::from(self.width.max(self.height)) / 2;
        let key = if same_shape {
            "photo_size.resize"
        } else {
            "photo_size"
        };
        Finding::judge(value as f64, ok, threshold, key)
            .with_args(vec![("expected", expected), ("actual", format!("{w}x{h}"))])
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadWidth {
    pub target_px: f64,
    pub tolerance_px: f64,
}

impl Rule for HeadWidth {
    fn id(&self) -> &'static str {
        "head_width"
    }

    fn default_inputs(&self) -> &'static [InputKind] {
        FINISHED_ONLY
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let (lo, hi) = (
            self.target_px - self.tolerance_px,
            self.target_px + self.tolerance_px,
        );
        let threshold = range(lo, hi);
        let face = match finished_face_shape(ctx) {
            Ok(f) => f,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let width = ((Context::face_width(face) * ctx.analysis.decoded.scale) as f64).round();
        Finding::judge(width, (lo..=hi).contains(&width), threshold, "head_width").with_args(vec![
            ("actual", width.to_string()),
            (
                "expected",
                format!("{}±{}", self.target_px, self.tolerance_px),
            ),
        ])
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadTopMargin {
    pub min_px: f64,
    pub max_px: f64,
    /// The eye line's least height above the bottom edge (`eye_line_height`'s `min_px`), when
    /// it comes first: a head top closer to the top edge than `min_px`, or cut, then passes
    /// where the eye line has no room to give.
    #[serde(default)]
    pub eye_line_first_px: Option<f64>,
}

impl Rule for HeadTopMargin {
    fn id(&self) -> &'static str {
        "head_top_margin"
    }

    fn validate(&self) -> Result<(), String> {
        ordered(("min_px", self.min_px), ("max_px", self.max_px))
    }

    fn default_inputs(&self) -> &'static [InputKind] {
        FINISHED_ONLY
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let mut threshold = range(self.min_px, self.max_px);
        if let Some(eye_min) = self.eye_line_first_px {
            threshold += &format!(", or less where the eye line (>= {eye_min} px) leaves no room");
        }
        let face = match finished_face(ctx) {
            Ok(f) => f,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let top = match ctx.head_top(face) {
            Some(HeadTop::At(y)) => ((y * ctx.analysis.decoded.scale) as f64).round(),
            Some(HeadTop::CutByFrame) => 0.0,
            None => return Finding::not_assessed(threshold, "na.not_measurable"),
        };
        let hair_may_be_cut = top < self.min_px
            && self
                .eye_line_first_px
                .is_some_and(|eye_min| eye_line_leaves_no_room(ctx, self.min_px - top, eye_min));
        // A head that reaches the top row, to the pixel, is cut by it.
        let fail_key = if top < 1.0 {
            "head_top_margin.cut"
        } else if top < self.min_px {
            "head_top_margin.too_close"
        } else {
            "head_top_margin"
        };
        Finding::judge(
            top,
            hair_may_be_cut || (self.min_px..=self.max_px).contains(&top),
            threshold,
            fail_key,
        )
        .with_args(vec![
            ("actual", top.to_string()),
            ("expected", format!("{}-{}", self.min_px, self.max_px)),
        ])
    }
}

/// Whether a crop moved `shortfall_px` up the photo, to give the head top that much more room,
/// would leave the eye line less than `eye_min` px above the bottom edge (or does already).
/// False where the eyes cannot be located: without them the margin is judged as it is.
fn eye_line_leaves_no_room(ctx: &Context, shortfall_px: f64, eye_min: f64) -> bool {
    ctx.face_shape()
        .is_ok_and(|face| eye_line_above_bottom(ctx, face) - shortfall_px < eye_min)
}

/// Height of the eye line above the photo's bottom edge, in whole pixels of the original.
fn eye_line_above_bottom(ctx: &Context, face: &Face) -> f64 {
    let (r, l) = Context::eye_centers(face);
    let eye_y = (r[1] + l[1]) as f64 / 2.0 * ctx.analysis.decoded.scale as f64;
    (ctx.analysis.decoded.original_size.1 as f64 - eye_y).round()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EyeLineHeight {
    /// Smallest distance from the eye line to the bottom edge.
    pub min_px: f64,
}

impl Rule for EyeLineHeight {
    fn id(&self) -> &'static str {
        "eye_line_height"
    }

    fn default_inputs(&self) -> &'static [InputKind] {
        FINISHED_ONLY
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = format!(">= {} px", self.min_px);
        let face = match finished_face_shape(ctx) {
            Ok(f) => f,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let above_bottom = eye_line_above_bottom(ctx, face);
        Finding::judge(
            above_bottom,
            above_bottom >= self.min_px,
            threshold,
            "eye_line_height",
        )
        .with_args(vec![
            ("actual", above_bottom.to_string()),
            ("expected", self.min_px.to_string()),
        ])
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadCentered {
    /// Largest horizontal offset of the face centre from the photo's centre line.
    pub max_offset_px: f64,
}

impl Rule for HeadCentered {
    fn id(&self) -> &'static str {
        "head_centered"
    }

    fn default_inputs(&self) -> &'static [InputKind] {
        FINISHED_ONLY
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = format!("|offset| <= {} px", self.max_offset_px);
        let face = match finished_face_shape(ctx) {
            Ok(f) => f,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let scale = ctx.analysis.decoded.scale as f64;
        let center = (face.mesh.xy(ids::FACE_RIGHT_EDGE)[0] + face.mesh.xy(ids::FACE_LEFT_EDGE)[0])
            as f64
            / 2.0
            * scale;
        let offset = (center - ctx.analysis.decoded.original_size.0 as f64 / 2.0).round();
        // Left and right as the photo shows them.
        let side = if offset < 0.0 {
            "head_centered.left"
        } else {
            "head_centered.right"
        };
        Finding::judge(offset, offset.abs() <= self.max_offset_px, threshold, side).with_args(vec![
            ("actual", offset.abs().to_string()),
            ("expected", self.max_offset_px.to_string()),
        ])
    }
}
