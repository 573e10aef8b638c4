//! Both ears visible: not hidden by hair, a scarf or a turned head.

use super::{Context, Finding, Rule};
use crate::analyse::landmarks::ids;
use crate::analyse::parse::class;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EarsVisible {
    /// Smallest visible area of each ear, in units of the inter-ocular distance squared.
    pub min_ear_area: f64,
}

impl Rule for EarsVisible {
    fn id(&self) -> &'static str {
        "ears_visible"
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = format!("each ear >= {} IOD^2", self.min_ear_area);
        let (face, parsing) = match ctx.face_and_parsing() {
            Ok(v) => v,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let n = parsing.size() as f32;
        let nose = face.mesh.xy(ids::NOSE_TIP);
        let mid = parsing.frame.to_crop(nose[0], nose[1])[0];
        let unit = Context::iod_area_in_crop(face, parsing);
        let ears = [class::LEFT_EAR, class::RIGHT_EAR];
        // Image-left half holds the subject's right ear; the model's l/r labels are not reliable
        // for sides, so sides come from position.
        let image_left = parsing.count(&ears, 0.0, mid, 0.0, n) as f64 / unit;
        let image_right = parsing.count(&ears, mid, n, 0.0, n) as f64 / unit;
        let smaller = image_left.min(image_right);
        Finding::judge(
            smaller,
            smaller >= self.min_ear_area,
            threshold,
            "ears_visible",
        )
    }
}
