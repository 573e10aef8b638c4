//! Both eyebrows visible: no fringe or hair over the brows or eyes.

use super::{Context, Finding, Rule};
use crate::analyse::landmarks::ids;
use crate::analyse::parse::{class, FaceParsing};
use crate::analyse::Face;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EyebrowsVisible {
    /// Largest share of eyebrow landmarks that may lie under hair or a hat on either side.
    pub max_covered: f64,
    /// Smallest share of the face outline the parser must recognise for its map to be read.
    pub min_parsed_face: f64,
}

/// Where one brow's landmarks fall, as shares of its landmarks.
struct BrowCover {
    under_hair: f64,
    beyond_edge: f64,
}

fn brow_cover(face: &Face, parsing: &FaceParsing, points: &[usize]) -> BrowCover {
    let n = parsing.size() as i64;
    let (mut under_hair, mut beyond_edge) = (0usize, 0usize);
    for &id in points {
        let [u, v] = parsing.mesh_point(&face.mesh, id);
        let (u, v) = (u as i64, v as i64);
        let visible = |u: i64, v: i64| {
            u >= 0 && v >= 0 && u < n && v < n && parsing.in_photo(u as u32, v as u32)
        };
        if !visible(u, v) {
            beyond_edge += 1;
            continue;
        }
        // Majority vote of the 3x3 neighbourhood inside the photo: landmarks sit on the brow's
        // edge, and the padding beyond the photo is often labelled hair.
        let (mut votes, mut voters) = (0, 0);
        for dv in -1..=1 {
            for du in -1..=1 {
                let (uu, vv) = (u + du, v + dv);
                if visible(uu, vv) {
                    voters += 1;
                    let c = parsing.label(uu as u32, vv as u32);
                    votes += usize::from(c == class::HAIR || c == class::HAT);
                }
            }
        }
        if 2 * votes > voters {
            under_hair += 1;
        }
    }
    let share = |count: usize| count as f64 / points.len() as f64;
    BrowCover {
        under_hair: share(under_hair),
        beyond_edge: share(beyond_edge),
    }
}

impl Rule for EyebrowsVisible {
    fn id(&self) -> &'static str {
        "eyebrows_visible"
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = format!("covered share of each brow <= {}", self.max_covered);
        let (face, parsing) = match ctx.face_and_readable_parsing(self.min_parsed_face) {
            Ok(v) => v,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let brows = [
            brow_cover(face, parsing, &ids::RIGHT_BROW),
            brow_cover(face, parsing, &ids::LEFT_BROW),
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
