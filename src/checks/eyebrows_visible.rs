//! Both eyebrows visible: no fringe or hair over the brows or eyes.

use super::{Context, Finding, Rule};
use crate::analyse::landmarks::ids;
use crate::analyse::parse::class;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EyebrowsVisible {
    /// Largest share of eyebrow landmarks that may lie under hair or a hat on either side.
    pub max_covered: f64,
}

impl Rule for EyebrowsVisible {
    fn id(&self) -> &'static str {
        "eyebrows_visible"
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = format!("covered share of each brow <= {}", self.max_covered);
        let (face, parsing) = match ctx.face_and_parsing() {
            Ok(v) => v,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let n = parsing.size() as i64;
        let covered = |points: &[usize]| -> f64 {
            let hidden = points
                .iter()
                .filter(|&&id| {
                    let p = face.mesh.xy(id);
                    let [u, v] = parsing.frame.to_crop(p[0], p[1]);
                    let (u, v) = (u as i64, v as i64);
                    // Majority vote in a 3x3 neighbourhood: landmarks sit on the brow's edge.
                    let mut votes = 0;
                    for dv in -1..=1 {
                        for du in -1..=1 {
                            let (uu, vv) = (u + du, v + dv);
                            if uu >= 0 && vv >= 0 && uu < n && vv < n {
                                let c = parsing.label(uu as u32, vv as u32);
                                if c == class::HAIR || c == class::HAT {
                                    votes += 1;
                                }
                            }
                        }
                    }
                    votes >= 5
                })
                .count();
            hidden as f64 / points.len() as f64
        };
        let worst = covered(&ids::RIGHT_BROW).max(covered(&ids::LEFT_BROW));
        Finding::judge(
            worst,
            worst <= self.max_covered,
            threshold,
            "eyebrows_visible",
        )
    }
}
