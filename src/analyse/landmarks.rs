//! MediaPipe face mesh (478 points with irises) and the 52 blendshape scores on the main face.

use super::detail::FacePixels;
use super::detect::Detection;
use super::geometry::{distance, line_angle, CropFrame};
use super::infer::Model;
use crate::{Error, Result};
use image::RgbImage;

pub const MESH_INPUT: u32 = 256;
pub const MESH_POINTS: usize = 478;

/// Landmark ids used by several rules (MediaPipe face-mesh numbering; "right" = subject's right,
/// which is on the image's left).
pub mod ids {
    pub const RIGHT_EYE_OUTER: usize = 33;
    pub const RIGHT_EYE_INNER: usize = 133;
    pub const LEFT_EYE_INNER: usize = 362;
    pub const LEFT_EYE_OUTER: usize = 263;
    pub const RIGHT_EYE_TOP: usize = 159;
    pub const RIGHT_EYE_BOTTOM: usize = 145;
    pub const LEFT_EYE_TOP: usize = 386;
    pub const LEFT_EYE_BOTTOM: usize = 374;
    pub const RIGHT_IRIS: usize = 468;
    pub const LEFT_IRIS: usize = 473;
    pub const UPPER_LIP_INNER: usize = 13;
    pub const LOWER_LIP_INNER: usize = 14;
    pub const MOUTH_RIGHT: usize = 61;
    pub const MOUTH_LEFT: usize = 291;
    pub const NOSE_TIP: usize = 1;
    pub const CHIN: usize = 152;
    pub const FOREHEAD_TOP: usize = 10;
    pub const FACE_RIGHT_EDGE: usize = 234;
    pub const FACE_LEFT_EDGE: usize = 454;
    pub const RIGHT_CHEEK: usize = 205;
    pub const LEFT_CHEEK: usize = 425;
    /// Each brow's upper edge...
    pub const RIGHT_BROW: [usize; 5] = [70, 63, 105, 66, 107];
    pub const LEFT_BROW: [usize; 5] = [336, 296, 334, 293, 300];
    /// ...and its lower edge, point for point below them (MediaPipe `FACEMESH_*_EYEBROW`).
    pub const RIGHT_BROW_LOWER: [usize; 5] = [46, 53, 52, 65, 55];
    pub const LEFT_BROW_LOWER: [usize; 5] = [285, 295, 282, 283, 276];
    /// The face outline, in order round the face (MediaPipe `FACEMESH_FACE_OVAL`).
    pub const FACE_OVAL: [usize; 36] = [
        10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
        152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
    ];
}

/// The subset of mesh points the blendshape model reads (MediaPipe `kLandmarksSubsetIdxs`).
const BLENDSHAPE_SUBSET: [usize; 146] = [
    0, 1, 4, 5, 6, 7, 8, 10, 13, 14, 17, 21, 33, 37, 39, 40, 46, 52, 53, 54, 55, 58, 61, 63, 65,
    66, 67, 70, 78, 80, 81, 82, 84, 87, 88, 91, 93, 95, 103, 105, 107, 109, 127, 132, 133, 136,
    144, 145, 146, 148, 149, 150, 152, 153, 154, 155, 157, 158, 159, 160, 161, 162, 163, 168, 172,
    173, 176, 178, 181, 185, 191, 195, 197, 234, 246, 249, 251, 263, 267, 269, 270, 276, 282, 283,
    284, 285, 288, 291, 293, 295, 296, 297, 300, 308, 310, 311, 312, 314, 317, 318, 321, 323, 324,
    332, 334, 336, 338, 356, 361, 362, 365, 373, 374, 375, 377, 378, 379, 380, 381, 382, 384, 385,
    386, 387, 388, 389, 390, 397, 398, 400, 402, 405, 409, 415, 454, 466, 468, 469, 470, 471, 472,
    473, 474, 475, 476, 477,
];

/// Blendshape indices the rules read.
pub mod blend {
    pub const BROW_DOWN_LEFT: usize = 1;
    pub const BROW_DOWN_RIGHT: usize = 2;
    pub const BROW_INNER_UP: usize = 3;
    pub const EYE_BLINK_LEFT: usize = 9;
    pub const EYE_BLINK_RIGHT: usize = 10;
    pub const EYE_SQUINT_LEFT: usize = 19;
    pub const EYE_SQUINT_RIGHT: usize = 20;
    pub const EYE_WIDE_LEFT: usize = 21;
    pub const EYE_WIDE_RIGHT: usize = 22;
    pub const JAW_OPEN: usize = 25;
    pub const MOUTH_CLOSE: usize = 27;
    pub const MOUTH_FROWN_LEFT: usize = 30;
    pub const MOUTH_FROWN_RIGHT: usize = 31;
    pub const MOUTH_FUNNEL: usize = 32;
    pub const MOUTH_PUCKER: usize = 38;
    pub const MOUTH_SMILE_LEFT: usize = 44;
    pub const MOUTH_SMILE_RIGHT: usize = 45;
    pub const MOUTH_STRETCH_LEFT: usize = 46;
    pub const MOUTH_STRETCH_RIGHT: usize = 47;
    pub const MOUTH_UPPER_UP_LEFT: usize = 48;
    pub const MOUTH_UPPER_UP_RIGHT: usize = 49;
    pub const NOSE_SNEER_LEFT: usize = 50;
    pub const NOSE_SNEER_RIGHT: usize = 51;
}

/// 478 mesh points in analysis-image pixels (z on the same scale, towards the camera negative).
#[derive(Debug, Clone)]
pub struct FaceMesh {
    pub points: Vec<[f32; 3]>,
    /// Probability that the crop holds a face.
    pub presence: f32,
    pub frame: CropFrame,
}

impl FaceMesh {
    pub fn xy(&self, id: usize) -> [f32; 2] {
        [self.points[id][0], self.points[id][1]]
    }

    /// Lid gap over eye width for the subject's right and left eye: about 0.3 for an open eye,
    /// under 0.1 for a closed one.
    pub fn eye_apertures(&self) -> [f32; 2] {
        let ratio = |top, bottom, a, b| {
            distance(self.xy(top), self.xy(bottom)) / distance(self.xy(a), self.xy(b)).max(1e-3)
        };
        [
            ratio(
                ids::RIGHT_EYE_TOP,
                ids::RIGHT_EYE_BOTTOM,
                ids::RIGHT_EYE_OUTER,
                ids::RIGHT_EYE_INNER,
            ),
            ratio(
                ids::LEFT_EYE_TOP,
                ids::LEFT_EYE_BOTTOM,
                ids::LEFT_EYE_OUTER,
                ids::LEFT_EYE_INNER,
            ),
        ]
    }

    /// Lid gap over the iris's diameter for the subject's right and left eye: about 0.6 for an
    /// open eye, under 0.2 for a closed one. The iris is nearly the same size (about 12 mm) in
    /// every adult, while the eye's width varies between people and the inner corner moves
    /// with the fold of the upper lid, so this reads a narrow open eye as open where
    /// `eye_apertures` reads it as half shut. NaN where the mesh gives the iris no size: a
    /// gap over nothing would read as a wide-open eye.
    pub fn lid_gaps_over_iris(&self) -> [f32; 2] {
        let eye = |top, bottom, iris: usize| {
            // The mesh's iris points 1-4 go round the rim. Turning the head shortens the
            // across diameter and nodding it the up-down one, so the longer is nearer the size.
            let across = distance(self.xy(iris + 1), self.xy(iris + 3));
            let up_down = distance(self.xy(iris + 2), self.xy(iris + 4));
            if across.is_nan() || up_down.is_nan() || across.max(up_down) <= 1e-3 {
                return f32::NAN;
            }
            distance(self.xy(top), self.xy(bottom)) / across.max(up_down)
        };
        [
            eye(ids::RIGHT_EYE_TOP, ids::RIGHT_EYE_BOTTOM, ids::RIGHT_IRIS),
            eye(ids::LEFT_EYE_TOP, ids::LEFT_EYE_BOTTOM, ids::LEFT_IRIS),
        ]
    }
}

/// MediaPipe's detection-to-ROI: the box enlarged 1.5x, squared, turned level with the eyes.
pub fn roi_from_detection(d: &Detection) -> CropFrame {
    let [x, y, w, h] = d.rect;
    CropFrame {
        center: [x + w / 2.0, y + h / 2.0],
        side: w.max(h) * 1.5,
        angle: line_angle(d.points[0], d.points[1]),
        size: MESH_INPUT,
    }
}

/// MediaPipe's landmarks-to-ROI: the mesh's box in the eye-aligned frame, enlarged 1.5x.
pub fn roi_from_mesh(mesh: &FaceMesh) -> CropFrame {
    let angle = line_angle(mesh.xy(ids::RIGHT_EYE_OUTER), mesh.xy(ids::LEFT_EYE_OUTER));
    let (s, c) = angle.sin_cos();
    let (mut lo_u, mut hi_u, mut lo_v, mut hi_v) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
    for p in &mesh.points[..468] {
        let (u, v) = (p[0] * c + p[1] * s, -p[0] * s + p[1] * c);
        lo_u = lo_u.min(u);
        hi_u = hi_u.max(u);
        lo_v = lo_v.min(v);
        hi_v = hi_v.max(v);
    }
    let (cu, cv) = ((lo_u + hi_u) / 2.0, (lo_v + hi_v) / 2.0);
    CropFrame {
        center: [cu * c - cv * s, cu * s + cv * c],
        side: (hi_u - lo_u).max(hi_v - lo_v) * 1.5,
        angle,
        size: MESH_INPUT,
    }
}

/// The mesh model's input: the upright crop, RGB in 0..1, NHWC.
pub fn mesh_input(crop: &RgbImage) -> Vec<f32> {
    crop.as_raw().iter().map(|&v| v as f32 / 255.0).collect()
}

/// The mesh of the face in `frame`.
pub fn mesh(model: &Model, pixels: FacePixels, frame: CropFrame) -> Result<FaceMesh> {
    let (points, presence) = crop_mesh(model, &pixels.sample(&frame))?;
    Ok(to_image(points, presence, frame))
}

/// The mesh model's face-presence probability in the crop of a face the detector found in
/// `image`: one pass, to ask whether a detection is a face the mesh can read.
pub fn presence_at(model: &Model, image: &RgbImage, face: &Detection) -> Result<f32> {
    let frame = roi_from_detection(face);
    Ok(mesh(model, FacePixels::analysis_only(image), frame)?.presence)
}

/// Each mesh point's partner on the mirrored face (the corner of the right eye for the corner
/// of the left, the nose tip for itself): a one-to-one pairing of all 478 points.
#[derive(Debug, Clone)]
pub struct MirrorMap(Vec<usize>);

impl MirrorMap {
    /// `None` unless every one of the 478 points has a partner whose partner it is.
    pub fn new(partners: Vec<usize>) -> Option<Self> {
        let paired = partners.len() == MESH_POINTS
            && partners
                .iter()
                .enumerate()
                .all(|(i, &j)| partners.get(j) == Some(&i));
        paired.then_some(MirrorMap(partners))
    }

    pub fn partner(&self, id: usize) -> usize {
        self.0[id]
    }
}

/// The mesh of the face in `frame`, averaged with the mesh of its mirror image flipped back
/// (why: `AnalysisOptions::mirror_mesh`).
pub fn mesh_both_ways(
    model: &Model,
    pixels: FacePixels,
    frame: CropFrame,
    mirror: &MirrorMap,
) -> Result<FaceMesh> {
    let crop = pixels.sample(&frame);
    let (points, presence) = crop_mesh(model, &crop)?;
    let (flipped, flipped_presence) = crop_mesh(model, &image::imageops::flip_horizontal(&crop))?;
    let points = average_with_flipped(&points, &flipped, frame.size as f32, mirror);
    Ok(to_image(points, (presence + flipped_presence) / 2.0, frame))
}

/// Each crop point averaged with its partner's on the mesh of the flipped crop, flipped back:
/// crop pixel centres sit at i + 0.5, so the flip takes x to `size` - x.
fn average_with_flipped(
    points: &[[f32; 3]],
    flipped: &[[f32; 3]],
    size: f32,
    mirror: &MirrorMap,
) -> Vec<[f32; 3]> {
    points
        .iter()
        .enumerate()
        .map(|(id, p)| {
            let q = flipped[mirror.partner(id)];
            [
                (p[0] + size - q[0]) / 2.0,
                (p[1] + q[1]) / 2.0,
                (p[2] + q[2]) / 2.0,
            ]
        })
        .collect()
}

/// Points in crop pixels, and the face-presence probability.
fn crop_mesh(model: &Model, crop: &RgbImage) -> Result<(Vec<[f32; 3]>, f32)> {
    let n = MESH_INPUT as usize;
    let out = model.run(
        "input",
        &[1, n, n, 3],
        &mesh_input(crop),
        &["landmarks", "presence_logit"],
    )?;
    if !out.iter().all(|o| o.data.iter().all(|v| v.is_finite())) {
        return Err(Error::Model(
            "face mesh: output is not a finite number".into(),
        ));
    }
    let points: Vec<[f32; 3]> = out[0]
        .data
        .chunks_exact(3)
        .take(MESH_POINTS)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    if points.len() != MESH_POINTS || out[1].data.is_empty() {
        return Err(Error::Model(format!(
            "face mesh: {} points, not {MESH_POINTS}, or no presence score",
            points.len()
        )));
    }
    let presence = 1.0 / (1.0 + (-out[1].data[0]).exp());
    Ok((points, presence))
}

fn to_image(points: Vec<[f32; 3]>, presence: f32, frame: CropFrame) -> FaceMesh {
    let zoom = frame.zoom();
    let points = points
        .into_iter()
        .map(|p| {
            let [x, y] = frame.to_image(p[0], p[1]);
            [x, y, p[2] / zoom]
        })
        .collect();
    FaceMesh {
        points,
        presence,
        frame,
    }
}

pub fn blendshapes(model: &Model, mesh: &FaceMesh) -> Result<[f32; 52]> {
    let input: Vec<f32> = BLENDSHAPE_SUBSET
        .iter()
        .flat_map(|&i| [mesh.points[i][0], mesh.points[i][1]])
        .collect();
    let out = model.run("landmarks", &[1, 146, 2], &input, &["blendshapes"])?;
    if !out[0].data.iter().all(|v| v.is_finite()) {
        return Err(Error::Model(
            "blendshapes: output is not a finite number".into(),
        ));
    }
    let mut scores = [0f32; 52];
    for (s, v) in scores.iter_mut().zip(&out[0].data) {
        *s = *v;
    }
    Ok(scores)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Points 2k and 2k + 1 are partners.
    fn pairs() -> MirrorMap {
        MirrorMap::new((0..MESH_POINTS).map(|i| i ^ 1).collect()).expect("a pairing")
    }

    #[test]
    fn a_symmetric_face_seen_the_same_both_ways_is_left_as_it_is() {
        let size = 256.0;
        // Partners mirror each other about the crop's centre line, x = 128.
        let points: Vec<[f32; 3]> = (0..MESH_POINTS)
            .map(|i| {
                let x = 100.0 + (i / 2) as f32 * 0.1;
                let y = 50.0 + (i / 2) as f32 * 0.3;
                let z = -(i as f32);
                if i % 2 == 0 {
                    [x, y, z]
                } else {
                    [size - x, y, z - 1.0]
                }
            })
            .collect();
        // The model on the flipped crop sees the same symmetric face, point for point.
        let averaged = average_with_flipped(&points, &points, size, &pairs());
        for (a, p) in averaged.iter().zip(&points) {
            assert!((a[0] - p[0]).abs() < 1e-4 && (a[1] - p[1]).abs() < 1e-4);
        }
        // Depth is averaged with the partner's, not flipped.
        assert_eq!(averaged[0][2], (0.0 - 2.0) / 2.0);
    }

    #[test]
    fn a_mirror_map_pairs_every_point_one_to_one() {
        assert!(MirrorMap::new((0..MESH_POINTS).collect()).is_some());
        assert!(MirrorMap::new((0..MESH_POINTS - 1).collect()).is_none());
        let mut partners: Vec<usize> = (0..MESH_POINTS).map(|i| i ^ 1).collect();
        partners[2] = 0;
        assert!(MirrorMap::new(partners.clone()).is_none());
        partners[2] = MESH_POINTS;
        assert!(MirrorMap::new(partners).is_none());
    }

    /// Two narrow open eyes, told apart: the right one with its lids 0.5 of the iris apart and
    /// its across diameter the longer (a nodded head), the left one 0.3 apart and its up-down
    /// diameter the longer (a turned head). The iris centres sit off the rim's axes, so pairing
    /// a rim point with the centre, or the eyes the wrong way round, gives other values.
    #[test]
    fn the_lid_gap_is_measured_in_iris_diameters_not_eye_widths() {
        // Per eye: outer and inner corner, upper and lower lid, iris centre, where the eye
        // starts, lid gap, iris across and up-down (pixels).
        let eyes = [
            (
                [ids::RIGHT_EYE_OUTER, ids::RIGHT_EYE_INNER],
                [ids::RIGHT_EYE_TOP, ids::RIGHT_EYE_BOTTOM],
                ids::RIGHT_IRIS,
                [100.0, 5.0, 10.0, 8.0],
            ),
            (
                [ids::LEFT_EYE_OUTER, ids::LEFT_EYE_INNER],
                [ids::LEFT_EYE_TOP, ids::LEFT_EYE_BOTTOM],
                ids::LEFT_IRIS,
                [200.0, 3.0, 7.0, 10.0],
            ),
        ];
        let mut points = vec![[0.0f32; 3]; MESH_POINTS];
        for (corners, lids, iris, [x0, gap, across, up_down]) in eyes {
            // Corners 26 px apart: 2.6 of the right iris, a wide eye or an inner corner under
            // a lid fold.
            let (cx, cy) = (x0 + 13.0, 100.0);
            points[corners[0]] = [x0, cy, 0.0];
            points[corners[1]] = [x0 + 26.0, cy, 0.0];
            points[lids[0]] = [cx, cy - gap / 2.0, 0.0];
            points[lids[1]] = [cx, cy + gap / 2.0, 0.0];
            points[iris] = [cx + 1.5, cy - 2.5, 0.0];
            points[iris + 1] = [cx + across / 2.0, cy, 0.0];
            points[iris + 2] = [cx, cy - up_down / 2.0, 0.0];
            points[iris + 3] = [cx - across / 2.0, cy, 0.0];
            points[iris + 4] = [cx, cy + up_down / 2.0, 0.0];
        }
        let mut mesh = FaceMesh {
            points,
            presence: 1.0,
            frame: CropFrame {
                center: [150.0, 100.0],
                side: 300.0,
                angle: 0.0,
                size: MESH_INPUT,
            },
        };
        let [right, left] = mesh.lid_gaps_over_iris();
        assert!((right - 0.5).abs() < 1e-4, "{right}");
        assert!((left - 0.3).abs() < 1e-4, "{left}");
        // In eye widths the right eye reads as nearly shut.
        assert!((mesh.eye_apertures()[0] - 5.0 / 26.0).abs() < 1e-4);
        // An iris the mesh gave no size is not a wide-open eye.
        let rim = ids::LEFT_IRIS + 1..=ids::LEFT_IRIS + 4;
        for id in rim.clone() {
            mesh.points[id] = [213.0, 100.0, 0.0];
        }
        assert!(mesh.lid_gaps_over_iris()[1].is_nan());
        for id in rim {
            mesh.points[id] = [f32::NAN; 3];
        }
        assert!(mesh.lid_gaps_over_iris()[1].is_nan());
        assert!((mesh.lid_gaps_over_iris()[0] - 0.5).abs() < 1e-4);
    }
}
