//! Geometry of a finished card photo (GA 461: 358x441 px, face 207±14 px wide, head top 7-21 px
//! below the top edge, eye line at least 207 px above the bottom, centred). Measured in the
//! original photo's pixels (or the card's, below) and rounded to whole ones before they are
//! compared: the standard counts whole pixels, and the value a report shows is then the one
//! judged (never 207 failing ">= 207").
//!
//! A photo of the card's shape at another size (a scan, a 2x export) is measured as if resized
//! to the card: `photo_size` asks for the resize, and the other rules say whether the framing is
//! right, in the pixels the card will have. Measured in its own pixels, a well-framed 716x882
//! card would be told that its 414 px face is too wide and to crop again.
//!
//! GA 461 puts the eye line before the top margin: very tall hair may be cut. A head top with
//! too little room is allowed when the eye line leaves none: a crop that gave the head top its
//! room would bring the eye line under its minimum height.

use super::context::HeadTop;
use super::{ordered, range, Context, Finding, Rule};
use crate::analyse::landmarks::ids;
use crate::analyse::Face;
use crate::profile::InputKind;
use crate::report::Status;
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
pub(super) fn finished_face_shape<'a>(ctx: &Context<'a>) -> Result<&'a Face, &'static str> {
    finished_face(ctx)?;
    ctx.face_shape()
}

/// A selfie has no card geometry to measure.
pub(super) const FINISHED_ONLY: &[InputKind] = &[InputKind::Finished];

/// Whether a `size` photo has the shape of a `card` one: the card scaled by some factor `s`,
/// each side then rounded to whole pixels. That is so exactly when the factors that round to
/// `w` (within half a pixel of `w / cw`, half a card width wide) and those that round to `h`
/// overlap, which is when `|w / cw − h / ch| <= 1 / (2 cw) + 1 / (2 ch)`, or
/// `|w·ch − h·cw| <= (cw + ch) / 2`. (For whole numbers, halving the bound before comparing
/// decides the same.)
fn card_shape(size: (u32, u32), card: (u32, u32)) -> bool {
    let (w, h) = (u64::from(size.0), u64::from(size.1));
    let (cw, ch) = (u64::from(card.0), u64::from(card.1));
    (w * ch).abs_diff(h * cw) <= (cw + ch) / 2
}

/// A length rounded to whole pixels, as the standard counts them (never -0).
fn whole_px(length: f64) -> f64 {
    length.round() + 0.0
}

/// Where a finished photo's geometry is measured: the photo's own pixels, or the card's where
/// the photo has the card's shape at another size.
struct CardPixels {
    /// Card pixels per analysis pixel, across and down.
    per_px: (f64, f64),
    /// The photo's width and height in card pixels.
    size: (f64, f64),
    /// The card's size, where the photo is measured as if resized to it.
    resized_to: Option<(u32, u32)>,
}

impl CardPixels {
    fn of(ctx: &Context) -> CardPixels {
        let (w, h) = ctx.analysis.decoded.original_size;
        let scale = ctx.analysis.decoded.scale as f64;
        match ctx.card_size {
            Some(card) if card != (w, h) && card_shape((w, h), card) => {
                let (kx, ky) = (card.0 as f64 / w as f64, card.1 as f64 / h as f64);
                CardPixels {
                    per_px: (scale * kx, scale * ky),
                    size: (card.0 as f64, card.1 as f64),
                    resized_to: Some(card),
                }
            }
            _ => CardPixels {
                per_px: (scale, scale),
                size: (w as f64, h as f64),
                resized_to: None,
            },
        }
    }

    /// The threshold text, saying so where the photo is measured as if resized.
    fn threshold(&self, threshold: String) -> String {
        match self.resized_to {
            Some((w, h)) => format!("{threshold}, measured as if resized to {w}x{h}"),
            None => threshold,
        }
    }

    /// A geometry finding, whose advice then says that its pixels are the resized card's.
    fn advise(&self, mut finding: Finding) -> Finding {
        let Some((w, h)) = self.resized_to else {
            return finding;
        };
        if finding.status != Status::Fail {
            return finding;
        }
        let resized = match finding.message_key.as_deref() {
            Some("head_width") => "head_width.resized",
            Some("head_top_margin") => "head_top_margin.resized",
            Some("head_top_margin.cut") => "head_top_margin.cut.resized",
            Some("head_top_margin.too_close") => "head_top_margin.too_close.resized",
            Some("eye_line_height") => "eye_line_height.resized",
            Some("head_centered.left") => "head_centered.left.resized",
            Some("head_centered.right") => "head_centered.right.resized",
            _ => return finding,
        };
        finding.message_key = Some(resized.to_string());
        finding.message_args.push(("card", format!("{w}x{h}")));
        finding
    }
}

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

    fn validate(&self) -> Result<(), String> {
        if self.width == 0 || self.height == 0 {
            return Err(format!(
                "width and height must be at least 1 px (got {}x{})",
                self.width, self.height
            ));
        }
        Ok(())
    }

    fn card_size(&self) -> Option<(u32, u32)> {
        Some((self.width, self.height))
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
        // The card's shape at another size (a scan, a 2x export) only needs resizing, unless it
        // would have to be enlarged by more than a few pixels, which adds no detail: it is then
        // cut again from the original.
        let key = if !card_shape((w, h), (self.width, self.height)) {
            "photo_size"
        } else if u64::from(w) * 20 < u64::from(self.width) * 19 {
            "photo_size.too_small"
        } else {
            "photo_size.resize"
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
        let card = CardPixels::of(ctx);
        let threshold = card.threshold(range(lo, hi));
        let face = match finished_face_shape(ctx) {
            Ok(f) => f,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let width = whole_px(Context::face_width(face) as f64 * card.per_px.0);
        card.advise(
            Finding::judge(width, (lo..=hi).contains(&width), threshold, "head_width").with_args(
                vec![
                    ("actual", width.to_string()),
                    (
                        "expected",
                        format!("{}±{}", self.target_px, self.tolerance_px),
                    ),
                ],
            ),
        )
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
        let card = CardPixels::of(ctx);
        let mut threshold = range(self.min_px, self.max_px);
        if let Some(eye_min) = self.eye_line_first_px {
            threshold += &format!(", or less where the eye line (>= {eye_min} px) leaves no room");
        }
        let threshold = card.threshold(threshold);
        let face = match finished_face(ctx) {
            Ok(f) => f,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let top = match ctx.head_top(face) {
            Some(HeadTop::At(y)) => whole_px(y as f64 * card.per_px.1),
            Some(HeadTop::CutByFrame) => 0.0,
            None => return Finding::not_assessed(threshold, "na.not_measurable"),
        };
        let hair_may_be_cut = top < self.min_px
            && self.eye_line_first_px.is_some_and(|eye_min| {
                eye_line_leaves_no_room(ctx, &card, self.min_px - top, eye_min)
            });
        // A head that reaches the top row, to the pixel, is cut by it.
        let fail_key = if top < 1.0 {
            "head_top_margin.cut"
        } else if top < self.min_px {
            "head_top_margin.too_close"
        } else {
            "head_top_margin"
        };
        card.advise(
            Finding::judge(
                top,
                hair_may_be_cut || (self.min_px..=self.max_px).contains(&top),
                threshold,
                fail_key,
            )
            .with_args(vec![
                ("actual", top.to_string()),
                ("expected", format!("{}-{}", self.min_px, self.max_px)),
            ]),
        )
    }
}

/// Whether a crop moved `shortfall_px` up the photo, to give the head top that much more room,
/// would leave the eye line less than `eye_min` px above the bottom edge (or does already).
/// False where the eyes cannot be located: without them the margin is judged as it is.
fn eye_line_leaves_no_room(
    ctx: &Context,
    card: &CardPixels,
    shortfall_px: f64,
    eye_min: f64,
) -> bool {
    ctx.face_shape()
        .is_ok_and(|face| eye_line_above_bottom(card, face) - shortfall_px < eye_min)
}

/// Height of the eye line above the photo's bottom edge, in whole pixels of `card`.
fn eye_line_above_bottom(card: &CardPixels, face: &Face) -> f64 {
    whole_px(card.size.1 - eye_line_y(face) * card.per_px.1)
}

/// How far down the eye line lies (analysis pixels): the eye centres' mean height.
pub(super) fn eye_line_y(face: &Face) -> f64 {
    let (r, l) = Context::eye_centers(face);
    (r[1] + l[1]) as f64 / 2.0
}

/// Where the head's centre line lies across (analysis pixels): midway between the face's sides.
pub(super) fn face_center_x(face: &Face) -> f64 {
    (face.mesh.xy(ids::FACE_RIGHT_EDGE)[0] + face.mesh.xy(ids::FACE_LEFT_EDGE)[0]) as f64 / 2.0
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
        let card = CardPixels::of(ctx);
        let threshold = card.threshold(format!(">= {} px", self.min_px));
        let face = match finished_face_shape(ctx) {
            Ok(f) => f,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let above_bottom = eye_line_above_bottom(&card, face);
        card.advise(
            Finding::judge(
                above_bottom,
                above_bottom >= self.min_px,
                threshold,
                "eye_line_height",
            )
            .with_args(vec![
                ("actual", above_bottom.to_string()),
                ("expected", self.min_px.to_string()),
            ]),
        )
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
        let card = CardPixels::of(ctx);
        let threshold = card.threshold(format!("|offset| <= {} px", self.max_offset_px));
        let face = match finished_face_shape(ctx) {
            Ok(f) => f,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let center = face_center_x(face) * card.per_px.0;
        let offset = whole_px(center - card.size.0 / 2.0);
        // Left and right as the photo shows them.
        let side = if offset < 0.0 {
            "head_centered.left"
        } else {
            "head_centered.right"
        };
        card.advise(
            Finding::judge(offset, offset.abs() <= self.max_offset_px, threshold, side).with_args(
                vec![
                    ("actual", offset.abs().to_string()),
                    ("expected", self.max_offset_px.to_string()),
                ],
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::card_shape;

    #[test]
    fn card_shape_allows_a_side_rounded_to_whole_pixels() {
        const CARD: (u32, u32) = (358, 441);
        // 2x, 1.5x (661.5 rounded either way), a 600 dpi scan of the 350 dpi card (441 x 600/350
        // = 756), 1.716x (614.3 x 756.8), 1.9987x (715.5 x 881.4), 1.0012x, 0.5x.
        for size in [
            (716, 882),
            (537, 662),
            (537, 661),
            (614, 756),
            (614, 757),
            (716, 881),
            (358, 442),
            (179, 220),
        ] {
            assert!(card_shape(size, CARD), "{size:?}");
        }
        for size in [
            (400, 500),
            (358, 460),
            (358, 443),
            (614, 758),
            (716, 880),
            (441, 358),
        ] {
            assert!(!card_shape(size, CARD), "{size:?}");
        }
    }
}
