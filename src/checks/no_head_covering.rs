//! No hat, cap, hood, scarf or helmet on the head.

use super::{Context, Finding, Rule};
use crate::analyse::landmarks::ids;
use crate::analyse::parse::class;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoHeadCovering {
    /// Head-covering area above the eyebrows (IOD^2 units) below which nothing is judged.
    pub min_hat_area: f64,
    /// Largest share of the head above the brows (hair + covering) that may be covered: a hat
    /// hides the hair, while dark hair is sometimes mistaken for a small patch of hat.
    pub max_hat_share: f64,
}

impl Rule for NoHeadCovering {
    fn id(&self) -> &'static str {
        "no_head_covering"
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = format!(
            "covered share of the head top <= {} (when >= {} IOD^2)",
            self.max_hat_share, self.min_hat_area
        );
        let (face, parsing) = match ctx.face_and_parsing() {
            Ok(v) => v,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let n = parsing.size() as f32;
        // Only above the brows: collars and scarves round the neck are not head coverings.
        let brow = ids::RIGHT_BROW
            .iter()
            .chain(&ids::LEFT_BROW)
            .map(|&id| {
                let p = face.mesh.xy(id);
                parsing.frame.to_crop(p[0], p[1])[1]
            })
            .fold(f32::MAX, f32::min);
        let unit = Context::iod_area_in_crop(face, parsing);
        // Hoods and scarves come out as `cloth`; no clothing belongs above the brows.
        let hat = parsing.count(&[class::HAT, class::CLOTH], 0.0, n, 0.0, brow) as f64 / unit;
        let hair = parsing.count(&[class::HAIR], 0.0, n, 0.0, brow) as f64 / unit;
        let share = hat / (hat + hair).max(1e-6);
        let ok = hat < self.min_hat_area || share <= self.max_hat_share;
        Finding::judge(share, ok, threshold, "no_head_covering")
    }
}
