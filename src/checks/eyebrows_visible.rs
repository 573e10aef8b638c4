//! Both eyebrows visible: no fringe or hair over the brows or eyes.

use super::{Context, Finding, Rule};
use crate::analyse::landmarks::{ids, FaceMesh};
use crate::analyse::parse::{class, FaceParsing};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EyebrowsVisible {
    /// Largest share of a brow's length (five points along its middle) that may lie under hair
    /// or a hat, on either side.
    pub max_covered: f64,
    /// Smallest share of the face outline the parser must recognise for its map to be read.
    pub min_parsed_face: f64,
}

/// Where one brow's points fall, as shares of its points.
struct BrowCover {
    under_hair: f64,
    beyond_edge: f64,
}

/// Five points along the brow, each halfway between an upper and a lower edge landmark. A point
/// is covered when hair lies over the brow's middle there, or when hair reaches the brow's upper
/// edge and the parser sees no brow at the middle: the mesh then guesses where a hidden brow
/// would be. Hair that only touches the upper edge of a brow the parser sees is a fringe that
/// ends above the brow.
fn brow_cover(
    mesh: &FaceMesh,
    parsing: &FaceParsing,
    upper: &[usize],
    lower: &[usize],
) -> BrowCover {
    let (mut under_hair, mut beyond_edge) = (0usize, 0usize);
    for (&top, &bottom) in upper.iter().zip(lower) {
        let ([u0, v0], [u1, v1]) = (
            parsing.mesh_point(mesh, top),
            parsing.mesh_point(mesh, bottom),
        );
        let Some(middle) = Neighbourhood::of(parsing, (u0 + u1) / 2.0, (v0 + v1) / 2.0) else {
            beyond_edge += 1;
            continue;
        };
        let hair_on_top = || Neighbourhood::of(parsing, u0, v0).is_some_and(|n| n.hair);
        if middle.hair || (!middle.brow && hair_on_top()) {
            under_hair += 1;
        }
    }
    let share = |count: usize| count as f64 / upper.len() as f64;
    BrowCover {
        under_hair: share(under_hair),
        beyond_edge: share(beyond_edge),
    }
}

/// What the parser calls the 3x3 neighbourhood of a point in its crop, counting only pixels
/// inside the photo: a thin brow is a few parsing pixels high, and the padding beyond the photo
/// is often labelled hair.
struct Neighbourhood {
    /// Most of it is hair or hat.
    hair: bool,
    /// Some of it is brow.
    brow: bool,
}

impl Neighbourhood {
    /// `None` when the point itself lies beyond the photo.
    fn of(parsing: &FaceParsing, u: f32, v: f32) -> Option<Self> {
        let (u, v) = (u.floor(), v.floor());
        let n = parsing.size() as f32;
        let in_crop = u >= 0.0 && v >= 0.0 && u < n && v < n;
        if !(in_crop && parsing.in_photo(u as u32, v as u32)) {
            return None;
        }
        let [u0, u1, v0, v1] = [u - 1.0, u + 2.0, v - 1.0, v + 2.0];
        let count = |classes: &[u8]| parsing.count(classes, u0, u1, v0, v1);
        Some(Neighbourhood {
            hair: 2 * count(&[class::HAIR, class::HAT]) > parsing.count_inside(u0, u1, v0, v1),
            brow: count(&[class::LEFT_BROW, class::RIGHT_BROW]) > 0,
        })
    }
}

impl Rule for EyebrowsVisible {
    fn id(&self) -> &'static str {
        "eyebrows_visible"
    }

    fn share_params(&self) -> &'static [&'static str] {
        &["max_covered"]
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = format!("covered share of each brow <= {}", self.max_covered);
        let (face, parsing) = match ctx.face_and_readable_parsing(self.min_parsed_face) {
            Ok(v) => v,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let brows = [
            brow_cover(
                &face.mesh,
                parsing,
                &ids::RIGHT_BROW,
                &ids::RIGHT_BROW_LOWER,
            ),
            brow_cover(&face.mesh, parsing, &ids::LEFT_BROW, &ids::LEFT_BROW_LOWER),
        ];
        let worst = brows.iter().map(|b| b.under_hair).fold(0.0, f64::max);
        // What lies beyond the edge may or may not be under hair: pass only if it cannot matter.
        let unknown = brows
            .iter()
            .any(|b| b.under_hair + b.beyond_edge > self.max_covered);
        if worst <= self.max_covered && unknown {
            return Finding::not_assessed(threshold, "na.out_of_frame");
        }
        Finding::judge(
            worst,
            worst <= self.max_covered,
            threshold,
            "eyebrows_visible",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_scene::{scene, SIZE};

    /// A right brow from x = 14 to 26 whose upper edge landmarks lie on row 20 and lower ones on
    /// row 24, on skin, with the rows in `hair` labelled hair and those in `brow` labelled brow.
    fn brow(hair: std::ops::Range<usize>, brow: std::ops::Range<usize>) -> BrowCover {
        let mut points = Vec::new();
        for (k, (&top, &bottom)) in ids::RIGHT_BROW
            .iter()
            .zip(&ids::RIGHT_BROW_LOWER)
            .enumerate()
        {
            let x = 14.0 + 3.0 * k as f32;
            points.extend([(top, [x, 20.0]), (bottom, [x, 24.0])]);
        }
        let width = SIZE as usize;
        let mut labels = vec![class::SKIN; width * width];
        for (rows, label) in [(hair, class::HAIR), (brow, class::RIGHT_BROW)] {
            for row in rows {
                labels[row * width..(row + 1) * width].fill(label);
            }
        }
        let (mesh, parsing) = scene(&points, labels);
        brow_cover(&mesh, &parsing, &ids::RIGHT_BROW, &ids::RIGHT_BROW_LOWER)
    }

    #[test]
    fn hair_that_only_touches_a_seen_brow_does_not_cover_it() {
        // A fringe down to the brow's upper edge (rows 0-20), the brow seen below it.
        assert_eq!(brow(0..21, 21..25).under_hair, 0.0);
        // The same fringe where the parser sees no brow: the mesh is guessing where a hidden
        // brow would be.
        assert_eq!(brow(0..21, 0..0).under_hair, 1.0);
        // Hair down over the brow's middle (row 22) covers it, seen or not.
        assert_eq!(brow(0..24, 24..25).under_hair, 1.0);
        // No hair: uncovered, however faint the brow.
        assert_eq!(brow(0..0, 0..0).under_hair, 0.0);
        assert_eq!(brow(0..0, 0..0).beyond_edge, 0.0);
    }
}
