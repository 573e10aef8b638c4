//! Nose and mouth uncovered: no face mask, scarf or hand over them.
//!
//! The mesh places a nose and lips even under a mask (it fits a face's shape to whatever it
//! sees), so `mouth_closed` and `expression_neutral` read a covered mouth as a closed one. The
//! face parser does not: it labels a mask, a scarf or a hand skin or cloth, with no nose or lips
//! in it. This rule measures how much nose and lips the parser sees where the mesh puts them.

use super::{Context, Finding, Rule};
use crate::analyse::geometry::midpoint;
use crate::analyse::landmarks::{ids, FaceMesh};
use crate::analyse::parse::{class, FaceParsing};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaceUncovered {
    /// Radius (IOD units) of the disc round the point midway between the nose tip and the
    /// mouth that is searched for the nose, the lips and facial hair.
    pub radius: f32,
    /// Least area (IOD^2 units) of nose, lips and open mouth the parser must see in the disc.
    pub min_feature_area: f64,
    /// Hair over at least this area of the disc (IOD^2) is a beard or moustache, which hides
    /// the lips and the nose's lower edge from the parser as a mask would, but is not a
    /// covering: the rule then passes.
    pub min_beard_area: f64,
    /// Smallest share of the face outline the parser must recognise for its map to be read.
    pub min_parsed_face: f64,
    /// Least share of the disc that must lie inside the photo.
    pub min_share_in_photo: f64,
}

/// What the parser sees in the disc round the point midway between the nose tip and the mouth,
/// in IOD^2 units.
struct LowerFace {
    /// Nose, lips and open mouth.
    features: f64,
    /// Hair: a beard or moustache.
    facial_hair: f64,
    /// Share of the disc inside the photo.
    share_in_photo: f64,
}

/// The disc of `radius` IOD round the point midway between the nose tip and the mouth, on a face
/// whose eyes are `iod` analysis pixels apart.
fn lower_face(mesh: &FaceMesh, parsing: &FaceParsing, iod: f32, radius: f32) -> LowerFace {
    let mouth = midpoint(mesh.xy(ids::UPPER_LIP_INNER), mesh.xy(ids::LOWER_LIP_INNER));
    let [x, y] = midpoint(mesh.xy(ids::NOSE_TIP), mouth);
    let iod_in_crop = iod * parsing.frame.zoom();
    let radius = radius * iod_in_crop;
    let (mut features, mut hair, mut inside) = (0usize, 0usize, 0usize);
    for (u, v) in parsing.pixels_within(parsing.frame.to_crop(x, y), radius) {
        inside += 1;
        match parsing.label(u, v) {
            class::NOSE | class::UPPER_LIP | class::LOWER_LIP | class::MOUTH => features += 1,
            class::HAIR => hair += 1,
            _ => {}
        }
    }
    let unit = (iod_in_crop * iod_in_crop).max(1.0) as f64;
    let disc = std::f64::consts::PI * (radius as f64).powi(2);
    LowerFace {
        features: features as f64 / unit,
        facial_hair: hair as f64 / unit,
        share_in_photo: (inside as f64 / disc.max(1.0)).min(1.0),
    }
}

impl Rule for FaceUncovered {
    fn id(&self) -> &'static str {
        "face_uncovered"
    }

    fn share_params(&self) -> &'static [&'static str] {
        &["min_share_in_photo"]
    }

    // At 0 the disc would be empty, or every face would pass.
    fn validate(&self) -> Result<(), String> {
        for (name, value) in [
            ("radius", self.radius as f64),
            ("min_feature_area", self.min_feature_area),
            ("min_beard_area", self.min_beard_area),
        ] {
            if value.is_nan() || value <= 0.0 {
                return Err(format!("{name} = {value} must be above 0"));
            }
        }
        Ok(())
    }

    fn evaluate(&self, ctx: &Context) -> Finding {
        let threshold = format!(
            "nose and lips seen >= {} IOD^2 within {} IOD of the point between the nose tip and \
             the mouth, or facial hair there >= {} IOD^2 (value: nose and lips seen)",
            self.min_feature_area, self.radius, self.min_beard_area
        );
        let (face, parsing) = match ctx.face_and_readable_parsing(self.min_parsed_face) {
            Ok(v) => v,
            Err(key) => return Finding::not_assessed(threshold, key),
        };
        let seen = lower_face(&face.mesh, parsing, Context::iod(face), self.radius);
        let uncovered =
            seen.features >= self.min_feature_area || seen.facial_hair >= self.min_beard_area;
        // What lies beyond the frame can only add to what is seen: it matters only for a fail.
        if !uncovered && seen.share_in_photo < self.min_share_in_photo {
            return Finding::not_assessed(threshold, "na.out_of_frame");
        }
        Finding::judge(seen.features, uncovered, threshold, "face_uncovered")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_scene::{scene, SIZE};

    /// A face seen by the parser at half its size in the photo (the crop covers 128 photo
    /// pixels in 64), with its eyes 40 photo pixels (20 crop pixels) apart, the nose tip at crop
    /// (32, 30) and the lips meeting at crop (32, 40): the disc of 0.5 IOD is the circle of 10
    /// crop pixels round (32, 35). The parser's labels are skin, with `label` over the crop rows
    /// `rows`, and the crop rows `outside` lie beyond the photo.
    fn lower_face_of(
        label: u8,
        rows: std::ops::Range<usize>,
        outside: std::ops::Range<usize>,
    ) -> LowerFace {
        // Crop (u, v) is photo (32 + 2 (u - 32), 32 + 2 (v - 32)).
        let points = [
            (ids::NOSE_TIP, [32.0, 28.0]),
            (ids::UPPER_LIP_INNER, [32.0, 48.0]),
            (ids::LOWER_LIP_INNER, [32.0, 48.0]),
        ];
        let width = SIZE as usize;
        let mut labels = vec![class::SKIN; width * width];
        for row in rows {
            labels[row * width..(row + 1) * width].fill(label);
        }
        let (mut mesh, mut parsing) = scene(&points, labels);
        parsing.frame.side = 2.0 * SIZE as f32;
        mesh.frame = parsing.frame;
        for row in outside {
            parsing.outside[row * width..(row + 1) * width].fill(true);
        }
        lower_face(&mesh, &parsing, 40.0, 0.5)
    }

    #[test]
    fn reads_lips_nose_and_facial_hair_in_the_disc_only() {
        // Skin only, as under a mask: nothing seen.
        let masked = lower_face_of(class::SKIN, 0..0, 0..0);
        assert_eq!(masked.features, 0.0);
        assert_eq!(masked.facial_hair, 0.0);
        assert!(masked.share_in_photo > 0.95, "{}", masked.share_in_photo);
        // Lips on crop rows 38-41: a band 4 px high across the 20 px disc, about 0.18 IOD^2 of
        // the crop's 20 px IOD (0.10 if the zoom were left out).
        let lips = lower_face_of(class::UPPER_LIP, 38..42, 0..0);
        assert!((0.15..0.22).contains(&lips.features), "{}", lips.features);
        // The same band of hair is a moustache, not a feature.
        let moustache = lower_face_of(class::HAIR, 38..42, 0..0);
        assert_eq!(moustache.features, 0.0);
        assert!((0.15..0.22).contains(&moustache.facial_hair));
        // Lips beyond the disc (rows 50-53) are not this face's lips.
        assert_eq!(lower_face_of(class::LOWER_LIP, 50..54, 0..0).features, 0.0);
        // The frame ending at crop row 38, 3 px below the disc's centre, leaves about two thirds
        // of it in the photo.
        let cut = lower_face_of(class::SKIN, 0..0, 38..64);
        assert!(
            (0.55..0.75).contains(&cut.share_in_photo),
            "{}",
            cut.share_in_photo
        );
    }
}
