//! No hat, cap, hood, scarf or helmet on the head.
//!
//! Judged on the crown: the top of the head, across the face's width, from where the head
//! begins down a set share of the way to the brows. A covering sits exactly there, while
//! hair left showing beneath a hat (at the sides, a fringe) lies lower. The parser names hats
//! and cloth; caps and headscarves it often leaves as "background" although the person mask
//! says they belong to the person, so that combination counts as covering too.

use super::{Context, Finding, Rule};
use crate::analyse::landmarks::ids;
use crate::analyse::parse::{class, FaceParsing};
use crate::analyse::segment::PersonMask;
use crate::analyse::Face;
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
}

/// Crown pixels by what covers them, in crop pixels.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Crown {
    pub covered: f64,
    pub hair: f64,
    pub skin: f64,
}

impl Crown {
    pub fn covered_share(&self) -> f64 {
        self.covered / (self.covered + self.hair + self.skin).max(1e-6)
    }
}

impl Rule for NoHeadCovering {
    fn id(&self) -> &'static str {
        "no_head_covering"
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = format!(
            "covered share of the crown <= {} (when >= {} IOD^2)",
            self.max_covered_share, self.min_covered_area
        );
        let (face, parsing) = match ctx.face_and_parsing() {
            Ok(v) => v,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let Some(person) = ctx.person() else {
            return Finding::not_assessed(threshold, "na.no_parsing");
        };
        if Context::parsed_face_share(face, parsing) < self.min_parsed_face {
            return Finding::not_assessed(threshold, "na.no_parsing");
        }
        let crown = crown(face, parsing, person, self.crown_depth as f32);
        let share = crown.covered_share();
        let covered_area = crown.covered / Context::iod_area_in_crop(face, parsing);
        let ok = covered_area < self.min_covered_area || share <= self.max_covered_share;
        Finding::judge(share, ok, threshold, "no_head_covering")
    }
}

/// Tallies the crown band column by column between the cheek edges of the upright crop.
pub fn crown(face: &Face, parsing: &FaceParsing, person: &PersonMask, depth: f32) -> Crown {
    let to_crop = |id: usize| {
        let p = face.mesh.xy(id);
        parsing.frame.to_crop(p[0], p[1])
    };
    // Only above the brows: collars and scarves round the neck are not head coverings.
    let brow = ids::RIGHT_BROW
        .iter()
        .chain(&ids::LEFT_BROW)
        .map(|&id| to_crop(id)[1])
        .fold(f32::MAX, f32::min);
    let (a, b) = (
        to_crop(ids::FACE_RIGHT_EDGE)[0],
        to_crop(ids::FACE_LEFT_EDGE)[0],
    );
    let n = parsing.size() as f32;
    let columns = a.min(b).clamp(0.0, n) as u32..a.max(b).clamp(0.0, n) as u32;
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
            let of_person = || {
                let [x, y] = parsing.frame.to_image(u as f32 + 0.5, v as f32 + 0.5);
                person.at(x, y) > 0.5
            };
            if label == class::BACKGROUND && !of_person() {
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
