//! Both ears visible: not hidden by hair, a scarf or a turned head.

use super::{Context, Finding, Rule};
use crate::analyse::landmarks::ids;
use crate::analyse::parse::{class, FaceParsing};
use crate::analyse::Face;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EarsVisible {
    /// Visible area of an ear, in units of the inter-ocular distance squared, that counts as
    /// seen.
    pub min_ear_area: f64,
    /// An ear the parser does not find counts as hidden when hair, a hat or a hood covers at
    /// least this share of where it should be...
    pub min_cover_hidden: f64,
    /// ...or when the head is turned this far (degrees of yaw) so the far ear is behind it.
    /// Otherwise its place is open and the ear is taken as there but too small or too faint
    /// (low resolution, greyscale, side light) for the parser.
    pub max_yaw_deg: f64,
    /// Hair, a hat or a hood over this share of an ear's place fails even when the parser sees a
    /// lobe under it.
    pub max_cover: f64,
    /// An ear not found whose place lies less than this share inside the photo is cut off by
    /// the frame, not hidden: not assessed.
    pub min_in_photo: f64,
    /// Smallest share of the face outline the parser must recognise for its map to be read.
    pub min_parsed_face: f64,
}

impl EarsVisible {
    fn hidden(&self, side: &EarSide, yaw: f64) -> bool {
        let unseen = side.ear_area < self.min_ear_area
            && (side.covered >= self.min_cover_hidden || yaw.abs() >= self.max_yaw_deg);
        unseen || side.covered >= self.max_cover
    }
}

/// What the parser sees beside one side of the face, at ear height.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct EarSide {
    /// Ear pixels in IOD^2 units.
    pub ear_area: f64,
    /// Share of the zone where that ear should be that is hair, a hat or a hood.
    pub covered: f64,
    /// Share of that zone that lies inside the photo.
    pub in_photo: f64,
}

/// Both sides of the face, image-left (the subject's right ear) first.
pub fn ear_sides(face: &Face, parsing: &FaceParsing) -> [EarSide; 2] {
    let n = parsing.size() as f32;
    let point = |id: usize| parsing.mesh_point(&face.mesh, id);
    let nose = point(ids::NOSE_TIP);
    let mid = nose[0];
    let unit = Context::iod_area_in_crop(face, parsing);
    let iod = unit.sqrt() as f32;
    let ears = [class::LEFT_EAR, class::RIGHT_EAR];
    let covers = [class::HAIR, class::HAT, class::CLOTH];
    // Ears span roughly from the eye line to the bottom of the nose, just outside the cheeks.
    let (v0, v1) = (point(ids::RIGHT_EYE_OUTER)[1], nose[1] + 0.3 * iod);
    let zone = |edge: f32, outward: f32| {
        let (a, b) = (edge - 0.15 * iod * outward, edge + 0.5 * iod * outward);
        (a.min(b), a.max(b))
    };
    let side = |u0: f32, u1: f32, zone: (f32, f32)| {
        let inside = parsing.count_inside(zone.0, zone.1, v0, v1).max(1) as f64;
        EarSide {
            ear_area: parsing.count(&ears, u0, u1, 0.0, n) as f64 / unit,
            covered: parsing.count(&covers, zone.0, zone.1, v0, v1) as f64 / inside,
            in_photo: parsing.share_inside(zone.0, zone.1, v0, v1),
        }
    };
    [
        side(0.0, mid, zone(point(ids::FACE_RIGHT_EDGE)[0], -1.0)),
        side(mid, n, zone(point(ids::FACE_LEFT_EDGE)[0], 1.0)),
    ]
}

impl Rule for EarsVisible {
    fn id(&self) -> &'static str {
        "ears_visible"
    }

    fn share_params(&self) -> &'static [&'static str] {
        &["min_cover_hidden", "max_cover", "min_in_photo"]
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = format!(
            "each ear >= {} IOD^2, or its place open (hair/hat/hood < {}) on a frontal head \
             (|yaw| < {} deg); hair/hat/hood over < {} of each ear's place",
            self.min_ear_area, self.min_cover_hidden, self.max_yaw_deg, self.max_cover
        );
        let (face, parsing) = match ctx.face_and_readable_parsing(self.min_parsed_face) {
            Ok(v) => v,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let sides = ear_sides(face, parsing);
        // A mesh unsure it saw a face gives no turn to go by.
        let (yaw, unknown_turn) = if face.features_located {
            (face.pose.yaw as f64, "na.not_measurable")
        } else {
            (f64::NAN, "na.features_unclear")
        };
        let hidden = sides.iter().any(|side| self.hidden(side, yaw));
        // A yaw that is not a number reads as "not turned"; it matters only where a turned and
        // a frontal head would be judged differently.
        let turn_matters = sides
            .iter()
            .any(|side| self.hidden(side, 0.0) != self.hidden(side, 90.0));
        if !yaw.is_finite() && turn_matters {
            return Finding::not_assessed(threshold, unknown_turn);
        }
        // An ear whose place is mostly beyond the photo's edge is neither seen nor hidden;
        // asking to tuck the hair back would be wrong (head_in_frame says what to do).
        let beyond_edge = sides
            .iter()
            .any(|side| side.ear_area < self.min_ear_area && side.in_photo < self.min_in_photo);
        if !hidden && beyond_edge {
            return Finding::not_assessed(threshold, "na.out_of_frame");
        }
        let smaller = sides[0].ear_area.min(sides[1].ear_area);
        Finding::judge(smaller, !hidden, threshold, self.advice(&sides, yaw))
    }
}

impl EarsVisible {
    /// What to change for the hidden ears: hair to tuck back (the common case), or a turn of
    /// the head where it hides an ear that nothing covers. Hair over one ear is not undone by
    /// facing the camera, whatever hides the other. (The parser's "hat" beside the ears is as
    /// often dark hair or shadow as a headscarf, so it gets no advice of its own.)
    fn advice(&self, sides: &[EarSide; 2], yaw: f64) -> &'static str {
        let turned = yaw.abs() >= self.max_yaw_deg;
        let mut hidden = sides
            .iter()
            .filter(|side| self.hidden(side, yaw))
            .peekable();
        let any_hidden = hidden.peek().is_some();
        if turned && any_hidden && hidden.all(|side| side.covered < self.min_cover_hidden) {
            "ears_visible.turned"
        } else {
            "ears_visible"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> EarsVisible {
        EarsVisible {
            min_ear_area: 0.05,
            min_cover_hidden: 0.25,
            max_yaw_deg: 20.0,
            max_cover: 0.7,
            min_in_photo: 0.5,
            min_parsed_face: 0.5,
        }
    }

    fn side(ear_area: f64, covered: f64) -> EarSide {
        EarSide {
            ear_area,
            covered,
            in_photo: 1.0,
        }
    }

    #[test]
    fn a_turn_is_the_advice_only_where_it_is_all_that_hides_the_ears() {
        let (seen, open, under_hair) = (side(0.2, 0.0), side(0.0, 0.1), side(0.0, 0.6));
        let rule = rule();
        // Far ear behind a turned head, near ear in view: face the camera.
        assert_eq!(rule.advice(&[open, seen], 30.0), "ears_visible.turned");
        // Far ear behind the turn, near ear under hair: the hair must go as well.
        assert_eq!(rule.advice(&[open, under_hair], 30.0), "ears_visible");
        assert_eq!(rule.advice(&[under_hair, open], 30.0), "ears_visible");
        // A frontal head: hair.
        assert_eq!(rule.advice(&[under_hair, seen], 5.0), "ears_visible");
    }
}
