//! Eyes open: neither eye closed, winking or squeezed shut.

use super::{max_or_nan, Context, Finding, Rule};
use crate::analyse::landmarks::blend;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EyesOpen {
    /// Highest blink score (0 open .. 1 closed) of either eye that still counts as open.
    pub max_blink: f64,
}

impl Rule for EyesOpen {
    fn id(&self) -> &'static str {
        "eyes_open"
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = format!("blink <= {}", self.max_blink);
        let face = match ctx.face() {
            Ok(f) => f,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let b = &face.blendshapes;
        let blink =
            max_or_nan([b[blend::EYE_BLINK_LEFT], b[blend::EYE_BLINK_RIGHT]].map(f64::from));
        Finding::judge(blink, blink <= self.max_blink, threshold, "eyes_open")
    }
}
