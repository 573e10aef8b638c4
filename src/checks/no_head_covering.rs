//! No hat, cap, hood, scarf or helmet on the head.
//!
//! Judged on the crown: the top of the head, across the face's width, from where the head
//! begins down a set share of the way to the brows. A covering sits exactly there, while
//! hair left showing beneath a hat (at the sides, a fringe) lies lower. The parser names hats
//! and cloth; caps and headscarves it often leaves as "background" although the person mask
//! says they belong to the person, so that combination counts as covering too. A hood can leave
//! the crown to the parser's "hair" while its sides frame the face: clothing beside the temples
//! and cheeks, where no top reaches, is a covering as well.

use super::{Context, Finding, Rule};
use crate::analyse::landmarks::{ids, FaceMesh};
use crate::analyse::parse::{class, FaceParsing};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoHeadCovering {
    /// Depth of the crown band, as a share of the distance from the head's top to the brows.
    pub crown_depth: f64,
    /// Covered crown area (IOD^2 units) below which nothing is judged: stray pixels at the
    /// hairline are not a hat.
    pub min_covered_area: f64,
    /// Largest share of the crown (hair, skin and covering) that may be covered.
    pub max_covered_share: f64,
    /// Smallest share of the face outline the parser must recognise for its map to be read.
    pub min_parsed_face: f64,
    /// Largest area (IOD^2 units) of the person's clothing beside the face between the brows and
    /// the nose tip, on the side that shows less of it, that is not yet a hood or scarf: a
    /// collar ends below the jaw, and a hood frames both sides while a raised hand or someone
    /// beside the applicant shows on one.
    pub max_side_cloth_area: f64,
}

/// Crown pixels by what covers them, in crop pixels.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Crown {
    pub covered: f64,
    pub hair: f64,
    pub skin: f64,
}

impl Crown {
    fn total(&self) -> f64 {
        self.covered + self.hair + self.skin
    }

    pub fn is_empty(&self) -> bool {
        self.total() == 0.0
    }

    pub fn covered_share(&self) -> f64 {
        self.covered / self.total().max(1e-6)
    }
}

impl Rule for NoHeadCovering {
    fn id(&self) -> &'static str {
        "no_head_covering"
    }

    // A share of the way from the head's top to the brows.
    fn share_params(&self) -> &'static [&'static str] {
        &["crown_depth"]
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = format!(
            "covered share of the crown <= {} (when >= {} IOD^2), clothing beside the face \
             (brows to nose tip, the lesser side) <= {} IOD^2 (value: the crown's share, or \
             the clothing's area when only it fails)",
            self.max_covered_share, self.min_covered_area, self.max_side_cloth_area
        );
        let (face, parsing) = match ctx.face_and_readable_parsing(self.min_parsed_face) {
            Ok(v) => v,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let Some(person) = ctx.person() else {
            return Finding::not_assessed(threshold, "na.no_parsing");
        };
        let of_person = |x: f32, y: f32| person.at(x, y) > 0.5;
        let crown = crown(&face.mesh, parsing, of_person, self.crown_depth as f32);
        let share = crown.covered_share();
        let unit = Context::iod_area_in_crop(face, parsing);
        let covered_area = crown.covered / unit;
        let crown_bare = covered_area < self.min_covered_area || share <= self.max_covered_share;
        let [crop_left, crop_right] = side_cloth(&face.mesh, parsing, of_person);
        let sides = crop_left.min(crop_right) / unit;
        // Reported is the crown's share, or the sides' area when only the sides fail.
        let (value, ok, key) = match (crown_bare, sides <= self.max_side_cloth_area) {
            (true, false) => (sides, false, "no_head_covering.hood"),
            // No crown pixel to judge (the photo's edge at the brows): a bare crown would be
            // a guess.
            (true, true) if crown.is_empty() => {
                return Finding::not_assessed(threshold, "na.not_measurable")
            }
            (crown_bare, sides_bare) => (share, crown_bare && sides_bare, "no_head_covering"),
        };
        Finding::judge(value, ok, threshold, key)
    }
}

/// Where the head's parts lie in the upright parsing crop.
struct Landmarks {
    /// The top of the higher brow.
    brow: f32,
    nose: f32,
    /// The face's edges at ear level, left and right in the crop.
    left: f32,
    right: f32,
}

impl Landmarks {
    fn in_crop(mesh: &FaceMesh, parsing: &FaceParsing) -> Self {
        let point = |id: usize| parsing.mesh_point(mesh, id);
        let brow = ids::RIGHT_BROW
            .iter()
            .chain(&ids::LEFT_BROW)
            .map(|&id| point(id)[1])
            .fold(f32::MAX, f32::min);
        let (a, b) = (
            point(ids::FACE_RIGHT_EDGE)[0],
            point(ids::FACE_LEFT_EDGE)[0],
        );
        Landmarks {
            brow,
            nose: point(ids::NOSE_TIP)[1],
            left: a.min(b),
            right: a.max(b),
        }
    }
}

/// Crop pixels that the parser calls cloth and the person mask includes, beside the face (up to
/// half a face width out from its edges) between the brows and the nose tip: on the crop's left
/// and on its right.
pub fn side_cloth(
    mesh: &FaceMesh,
    parsing: &FaceParsing,
    of_person: impl Fn(f32, f32) -> bool,
) -> [f64; 2] {
    let Landmarks {
        brow,
        nose,
        left,
        right,
    } = Landmarks::in_crop(mesh, parsing);
    let reach = 0.5 * (right - left);
    let n = parsing.size();
    let rows = brow.clamp(0.0, n as f32) as u32..nose.clamp(0.0, n as f32) as u32;
    let side = |u: u32| {
        let u = u as f32 + 0.5;
        if u < left && u > left - reach {
            Some(0)
        } else if u > right && u < right + reach {
            Some(1)
        } else {
            None
        }
    };
    let mut counts = [0.0; 2];
    for v in rows {
        for (u, side) in (0..n).filter_map(|u| side(u).map(|s| (u, s))) {
            if !parsing.in_photo(u, v) || parsing.label(u, v) != class::CLOTH {
                continue;
            }
            let [x, y] = parsing.frame.to_image(u as f32 + 0.5, v as f32 + 0.5);
            if of_person(x, y) {
                counts[side] += 1.0;
            }
        }
    }
    counts
}

/// Tallies the crown band column by column between the cheek edges of the upright crop.
pub fn crown(
    mesh: &FaceMesh,
    parsing: &FaceParsing,
    of_person: impl Fn(f32, f32) -> bool,
    depth: f32,
) -> Crown {
    // Only above the brows: collars and scarves round the neck are not head coverings.
    let Landmarks {
        brow, left, right, ..
    } = Landmarks::in_crop(mesh, parsing);
    let n = parsing.size() as f32;
    let columns = left.clamp(0.0, n) as u32..right.clamp(0.0, n) as u32;
    let rows = brow.clamp(0.0, n) as u32;
    let mut crown = Crown::default();
    for u in columns {
        let mut top = None;
        for v in 0..rows {
            let i = (v * parsing.size() + u) as usize;
            if parsing.outside[i] {
                continue;
            }
            let label = parsing.labels[i];
            let pixel_of_person = || {
                let [x, y] = parsing.frame.to_image(u as f32 + 0.5, v as f32 + 0.5);
                of_person(x, y)
            };
            if label == class::BACKGROUND && !pixel_of_person() {
                continue;
            }
            let top = *top.get_or_insert(v);
            if (v - top) as f32 > depth * (brow - top as f32) {
                break;
            }
            match label {
                class::HAIR => crown.hair += 1.0,
                class::BACKGROUND | class::HAT | class::CLOTH => crown.covered += 1.0,
                _ => crown.skin += 1.0,
            }
        }
    }
    crown
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_scene::{self, SIZE};

    /// A face between x = 20 and 44 whose brows are at y = 20 and nose tip at y = 34, and
    /// `cloth` painted as clothing.
    fn scene(cloth: &[(u32, u32, u32, u32)]) -> (FaceMesh, FaceParsing) {
        let mut points: Vec<_> = ids::RIGHT_BROW
            .iter()
            .chain(&ids::LEFT_BROW)
            .map(|&id| (id, [32.0, 20.0]))
            .collect();
        points.extend([
            (ids::NOSE_TIP, [32.0, 34.0]),
            (ids::FACE_RIGHT_EDGE, [20.0, 30.0]),
            (ids::FACE_LEFT_EDGE, [44.0, 30.0]),
        ]);
        let mut labels = vec![class::BACKGROUND; (SIZE * SIZE) as usize];
        for &(x0, x1, y0, y1) in cloth {
            for y in y0..y1 {
                for x in x0..x1 {
                    labels[(y * SIZE + x) as usize] = class::CLOTH;
                }
            }
        }
        test_scene::scene(&points, labels)
    }

    #[test]
    fn a_crown_beyond_the_photos_edge_is_empty_not_bare() {
        // Hair from y = 4 down to the brows, between the cheek edges, on a backdrop (not of the
        // person): the crown is its top 30 %.
        let (mesh, mut parsing) = scene(&[]);
        for y in 4..20 {
            for x in 20..44 {
                parsing.labels[(y * SIZE + x) as usize] = class::HAIR;
            }
        }
        let hair = crown(&mesh, &parsing, |_, _| false, 0.3);
        assert_eq!((hair.hair, hair.covered, hair.skin), (24.0 * 5.0, 0.0, 0.0));
        assert!(!hair.is_empty());
        // The photo's edge at the brows leaves no crown to judge.
        for v in 0..20 {
            for u in 0..SIZE {
                parsing.outside[(v * SIZE + u) as usize] = true;
            }
        }
        assert!(crown(&mesh, &parsing, |_, _| false, 0.3).is_empty());
    }

    #[test]
    fn only_the_persons_clothing_beside_the_temples_counts() {
        // Hood sides: 10 x 14 pixels of clothing beside each cheek, brows to nose tip.
        let (mesh, parsing) = scene(&[(10, 20, 20, 34), (44, 54, 20, 34)]);
        assert_eq!(side_cloth(&mesh, &parsing, |_, _| true), [140.0, 140.0]);
        // A backdrop the parser mistakes for cloth is not of the person.
        assert_eq!(side_cloth(&mesh, &parsing, |_, _| false), [0.0, 0.0]);
        // A collar below the nose tip, and clothing further out than half a face width, are not
        // a hood; a sleeve on one side is counted on that side only.
        let (mesh, parsing) = scene(&[(10, 54, 34, 64), (0, 8, 20, 34), (44, 50, 20, 30)]);
        assert_eq!(side_cloth(&mesh, &parsing, |_, _| true), [0.0, 60.0]);
    }
}
