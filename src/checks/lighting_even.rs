//! Even lighting: no strong side light or half-face shadow.

use super::context::luminance;
use super::{Context, Finding, Rule};
use crate::analyse::landmarks::ids;
use crate::analyse::parse::{class, FaceParsing};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LightingEven {
    /// Smallest ratio of the darker to the brighter face half (mean skin luminance).
    pub min_ratio: f64,
}

/// Fewer mirrored pixel pairs than this say too little about the two halves.
const MIN_PAIRS: usize = 50;

struct MirroredSums {
    /// Summed luminance of the image-left and image-right member of each pair.
    luminance: [f64; 2],
    pairs: usize,
}

/// Sums luminance over pixel pairs mirrored across the vertical line `u = mid` of the parsing
/// crop where both pixels lie in the photo and `on_face` holds for both.
fn mirrored_sums(
    parsing: &FaceParsing,
    mid: f32,
    on_face: impl Fn(u32, u32) -> bool,
) -> MirroredSums {
    let n = parsing.size();
    let mut sums = MirroredSums {
        luminance: [0.0; 2],
        pairs: 0,
    };
    for v in 0..n {
        for u in 0..n {
            let mirrored = 2.0 * mid - u as f32;
            if (u as f32) >= mid || mirrored < 0.0 || mirrored >= n as f32 {
                continue;
            }
            let m = mirrored as u32;
            let photo = |u: u32| parsing.in_photo(u, v);
            if !(photo(u) && photo(m) && on_face(u, v) && on_face(m, v)) {
                continue;
            }
            sums.luminance[0] += luminance(parsing.crop.get_pixel(u, v)) as f64;
            sums.luminance[1] += luminance(parsing.crop.get_pixel(m, v)) as f64;
            sums.pairs += 1;
        }
    }
    sums
}

impl Rule for LightingEven {
    fn id(&self) -> &'static str {
        "lighting_even"
    }

    // The darker half over the brighter one.
    fn share_params(&self) -> &'static [&'static str] {
        &["min_ratio"]
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = format!("darker/brighter half >= {}", self.min_ratio);
        let (face, parsing) = match ctx.face_and_parsing() {
            Ok(v) => v,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let mid = parsing.mesh_point(&face.mesh, ids::NOSE_TIP)[0];
        // Mirrored pairs across the nose line, both skin, so each side covers the same part of
        // the face even when hair or a slight turn hides more of one cheek.
        let skin = |u: u32, v: u32| matches!(parsing.label(u, v), class::SKIN | class::NOSE);
        let mut sums = mirrored_sums(parsing, mid, skin);
        if sums.pairs < MIN_PAIRS {
            // A half face in deep shadow is not skin to the parser; the mesh outline still says
            // where the face is.
            let n = parsing.size() as usize;
            let mut in_oval = vec![false; n * n];
            for (u, v) in Context::face_oval_pixels(face, parsing, 1) {
                in_oval[v as usize * n + u as usize] = true;
            }
            sums = mirrored_sums(parsing, mid, |u, v| in_oval[v as usize * n + u as usize]);
        }
        if sums.pairs < MIN_PAIRS {
            return Finding::not_assessed(threshold, "na.no_parsing");
        }
        let sums = sums.luminance;
        let ratio = sums[0].min(sums[1]) / sums[0].max(sums[1]).max(1.0);
        Finding::judge(ratio, ratio >= self.min_ratio, threshold, "lighting_even")
    }
}
