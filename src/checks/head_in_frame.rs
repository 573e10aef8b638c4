//! Whole head in the picture: hair top, both ears and chin inside with a margin, and the top of
//! the shoulders showing. On a finished card the profile may leave the top edge to
//! `head_top_margin`, which lets tall hair be cut where the eye line comes first (GA 461).

use super::context::HeadTop;
use super::{min_or_nan, Context, Finding, Rule};
use crate::analyse::landmarks::ids;
use crate::profile::InputKind;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadInFrame {
    /// Smallest space above the hair, in face heights.
    pub min_top_margin: f64,
    /// Smallest space beside each ear, in face widths. Ears stick out `ear_allowance` face widths
    /// beyond the cheek contour.
    pub min_side_margin: f64,
    pub ear_allowance: f64,
    /// How far below the chin the frame must reach so the shoulders show, in face heights.
    pub min_below_chin: f64,
    /// Advice only: where the frame cuts the hair top, how far above the top of the forehead
    /// (the mesh's topmost point) the head is taken to reach, in face heights.
    pub hair_above_forehead: f64,
    /// Finished photos: the top edge is left to `head_top_margin`, which judges it in the card's
    /// pixels and lets tall hair be cut where the eye line comes first (GA 461). Set only where
    /// the profile runs that rule on finished photos.
    #[serde(default)]
    pub finished_top_by_head_top_margin: bool,
}

impl Rule for HeadInFrame {
    fn id(&self) -> &'static str {
        "head_in_frame"
    }

    /// A lenient profile may let a little hair or an ear tip leave the frame.
    fn signed_params(&self) -> &'static [&'static str] {
        &["min_top_margin", "min_side_margin"]
    }

    fn leaves_finished_top_to_head_top_margin(&self) -> bool {
        self.finished_top_by_head_top_margin
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let top_left_to_margin_rule =
            ctx.input == InputKind::Finished && self.finished_top_by_head_top_margin;
        let top_limit = if top_left_to_margin_rule {
            "top by head_top_margin".to_string()
        } else {
            format!("above hair >= {} face heights", self.min_top_margin)
        };
        let threshold = format!(
            "{top_limit}, beside ears >= {} face widths, below chin >= {} face heights (value: \
             the least room left over its limit, in those units)",
            self.min_side_margin, self.min_below_chin
        );
        let face = match ctx.face() {
            Ok(f) => f,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let (w, h) = ctx.analysis.image().dimensions();
        let (w, h) = (w as f64, h as f64);
        let fh = Context::face_height(face) as f64;
        let fw = Context::face_width(face) as f64;
        // `top_if_aimed` is the room above the hair as far as the advice can tell: where the
        // frame cuts the hair, how much is cut is not seen, and a typical head's reach above
        // the forehead stands in for it. The finding's value stays -1, a hair top cut.
        let (top, top_if_aimed) = if top_left_to_margin_rule {
            (f64::INFINITY, f64::INFINITY)
        } else {
            match ctx.head_top(face) {
                Some(HeadTop::At(y)) => {
                    let top = y as f64 / fh - self.min_top_margin;
                    (top, top)
                }
                Some(HeadTop::CutByFrame) => {
                    let forehead = face.mesh.xy(ids::FOREHEAD_TOP)[1] as f64 / fh;
                    (-1.0, self.cut_top_if_aimed(forehead))
                }
                None => return Finding::not_assessed(threshold, "na.not_measurable"),
            }
        };
        let ear = self.ear_allowance * fw;
        let mesh = &face.mesh;
        let (lo_x, hi_x) = mesh.points[..468]
            .iter()
            .fold((f32::MAX, f32::MIN), |(lo, hi), p| {
                (lo.min(p[0]), hi.max(p[0]))
            });
        let left = ((lo_x as f64 - ear) / fw) - self.min_side_margin;
        let right = ((w - hi_x as f64 - ear) / fw) - self.min_side_margin;
        let chin = mesh.xy(ids::CHIN)[1] as f64;
        let bottom = (h - chin) / fh - self.min_below_chin;
        let margin = min_or_nan([top, left, right, bottom]);
        // "Move further away" is the advice for a head too big for the frame. A head that
        // would fit, with the margins, were the phone aimed at its middle (on each axis the
        // room to spare on one side covers what the other side lacks) only needs re-aiming;
        // moving away would shrink a face that may already be too small.
        let fits = top_if_aimed + bottom >= 0.0 && left + right >= 0.0;
        let margins = [top, left, right, bottom];
        let key = match ctx.input {
            // A stored photo is not re-aimed but cropped again from its original (or taken
            // again): the advice names the edge that cuts the head, the worst one if several.
            InputKind::Finished => finished_key(margins),
            InputKind::Selfie if fits => off_centre_key(margins),
            InputKind::Selfie => "head_in_frame",
        };
        Finding::judge(margin, margin >= 0.0, threshold, key)
    }
}

impl HeadInFrame {
    /// The room above the hair, in face heights over its limit, of a head whose hair the
    /// frame cuts, with the top of the forehead `forehead` face heights below the top edge:
    /// the head is taken to reach `hair_above_forehead` above it, and at least to the edge.
    fn cut_top_if_aimed(&self, forehead: f64) -> f64 {
        (forehead - self.hair_above_forehead).min(0.0) - self.min_top_margin
    }
}

/// The advice for a finished photo whose margins, in the order top, left, right, bottom, are
/// `margins`: for the edge with the least room. Left and right as the photo shows them, as
/// `head_centered` says them.
fn finished_key(margins: [f64; 4]) -> &'static str {
    const KEYS: [&str; 4] = [
        "head_in_frame.finished_top",
        "head_in_frame.finished_left",
        "head_in_frame.finished_right",
        "head_in_frame.finished_bottom",
    ];
    // A NaN margin makes the finding `not_assessed`, so its key is never shown.
    let worst = (0..4)
        .min_by(|&a, &b| margins[a].total_cmp(&margins[b]))
        .unwrap_or(0);
    KEYS[worst]
}

/// The advice for a selfie that would fit were the phone aimed better: which way to move it,
/// for each axis that lacks room (on such a photo at most one side of each axis does). Up and
/// down are the applicant's own once the photo is upright. Left and right are not named: a
/// front camera may save the photo mirrored or not, so the photo's left may be either of the
/// applicant's hands; "towards that ear" is right either way.
fn off_centre_key([top, left, right, bottom]: [f64; 4]) -> &'static str {
    let side = left < 0.0 || right < 0.0;
    match (top < 0.0, bottom < 0.0, side) {
        (true, _, true) => "head_in_frame.off_centre_top_side",
        (true, _, false) => "head_in_frame.off_centre_top",
        (false, true, true) => "head_in_frame.off_centre_bottom_side",
        (false, true, false) => "head_in_frame.off_centre_bottom",
        (false, false, _) => "head_in_frame.off_centre_side",
    }
}

#[cfg(test)]
mod tests {
    use super::{finished_key, off_centre_key, HeadInFrame};

    #[test]
    fn a_cut_hair_top_is_taken_to_reach_a_typical_height_above_the_forehead() {
        let rule = HeadInFrame {
            min_top_margin: 0.02,
            min_side_margin: 0.0,
            ear_allowance: 0.08,
            min_below_chin: 0.12,
            hair_above_forehead: 0.6,
            finished_top_by_head_top_margin: false,
        };
        // Forehead 0.2 face heights below the edge: 0.4 cut, plus the margin above.
        assert!((rule.cut_top_if_aimed(0.2) + 0.42).abs() < 1e-9);
        // The mesh may put the forehead lower than a typical head's reach: the frame still
        // cuts the hair, so at least the margin is missing.
        assert!((rule.cut_top_if_aimed(0.9) + 0.02).abs() < 1e-9);
    }

    #[test]
    fn a_finished_photo_is_told_which_edge_cuts_the_head() {
        assert_eq!(
            finished_key([-0.1, 0.2, 0.3, 0.1]),
            "head_in_frame.finished_top"
        );
        assert_eq!(
            finished_key([0.1, 0.2, -0.05, -0.01]),
            "head_in_frame.finished_right"
        );
        assert_eq!(
            finished_key([0.1, -0.05, 0.2, 0.3]),
            "head_in_frame.finished_left"
        );
        assert_eq!(
            finished_key([0.1, -0.02, 0.3, -0.2]),
            "head_in_frame.finished_bottom"
        );
    }

    #[test]
    fn a_selfie_to_re_aim_is_told_up_or_down_but_not_left_or_right() {
        assert_eq!(
            off_centre_key([-1.0, 0.2, 0.3, 1.4]),
            "head_in_frame.off_centre_top"
        );
        assert_eq!(
            off_centre_key([0.4, 0.2, 0.3, -0.1]),
            "head_in_frame.off_centre_bottom"
        );
        assert_eq!(
            off_centre_key([0.4, -0.2, 0.3, 0.1]),
            "head_in_frame.off_centre_side"
        );
        assert_eq!(
            off_centre_key([0.4, 0.5, -0.3, 0.1]),
            "head_in_frame.off_centre_side"
        );
        // Both axes: both moves, in one advice.
        assert_eq!(
            off_centre_key([-1.0, -0.2, 0.3, 1.4]),
            "head_in_frame.off_centre_top_side"
        );
        assert_eq!(
            off_centre_key([0.4, 0.5, -0.01, -0.1]),
            "head_in_frame.off_centre_bottom_side"
        );
    }
}
