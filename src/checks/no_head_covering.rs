//! No hat, cap, hood, scarf or helmet on the head.

use super::{Context, Finding, Rule};
use crate::analyse::landmarks::ids;
use crate::analyse::parse::class;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoHeadCovering {
    /// Largest head-covering area above the eyebrows, in IOD^2 units.
    pub max_hat_area: f64,
}

impl Rule for NoHeadCovering {
    fn id(&self) -> &'static str {
        "no_head_covering"
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = format!("covering above the brows <= {} IOD^2", self.max_hat_area);
        let (face, parsing) = match ctx.face().and_then(|f| Ok((f, ctx.parsing()?))) {
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
        let iod = Context::iod(face) * parsing.frame.zoom();
        let unit = (iod * iod).max(1.0) as f64;
        let hat = parsing.count(&[class::HAT], 0.0, n, 0.0, brow) as f64 / unit;
        Finding::judge(hat, hat <= self.max_hat_area, threshold, "no_head_covering")
    }
}
