//! Exactly one face: nobody else in the picture.

use super::{Context, Finding, Rule};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SingleFace {
    /// Detector confidence a face needs to count.
    pub min_score: f32,
    /// Faces narrower than this fraction of the main face are ignored (prints on clothes, noise).
    pub min_relative_width: f32,
}

impl Rule for SingleFace {
    fn id(&self) -> &'static str {
        "single_face"
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = "== 1".to_string();
        if ctx.analysis.faces.is_empty() || ctx.analysis.face.is_none() {
            return Finding::judge(0.0, false, threshold, "single_face.none");
        }
        let count = 1 + ctx.other_faces(self.min_score, self.min_relative_width);
        Finding::judge(count as f64, count == 1, threshold, "single_face.many")
    }
}
