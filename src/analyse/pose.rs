//! Head pose from the face mesh: a weighted similarity fit of MediaPipe's canonical face model.

use super::landmarks::{FaceMesh, MirrorMap, MESH_POINTS};
use crate::{Error, Result};
use nalgebra::{Matrix3, Vector3};
use serde::{Deserialize, Serialize};

/// Head rotation in degrees. Yaw: turning left/right; pitch: nodding; roll: tilting in the image plane.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Pose {
    pub yaw: f32,
    pub pitch: f32,
    pub roll: f32,
}

/// The canonical face (centimetres, y up, z towards the viewer) and the weighted point subset
/// MediaPipe uses for its Procrustes fit.
pub struct CanonicalFace {
    basis: Vec<(usize, f64, Vector3<f64>)>,
    mirror: MirrorMap,
}

/// The 468 surface points pair up by their mirror image (x → −x) in the canonical face; the
/// irises, which it lacks, are each a centre then the points to the image's right, top, left and
/// bottom, so one iris's right point is the other's left.
fn mirror_map(vertices: &[[f64; 3]]) -> std::result::Result<MirrorMap, String> {
    if vertices.len() != 468 {
        return Err(format!("{} vertices, not 468", vertices.len()));
    }
    let mut partners = Vec::with_capacity(MESH_POINTS);
    for v in vertices {
        let (nearest, gap) = vertices
            .iter()
            .map(|w| (w[0] + v[0]).powi(2) + (w[1] - v[1]).powi(2) + (w[2] - v[2]).powi(2))
            .enumerate()
            .fold(
                (0, f64::MAX),
                |best, (j, d)| if d < best.1 { (j, d) } else { best },
            );
        // The model's pairs match to rounding (exactly 0 in MediaPipe's file).
        if gap > 1e-6 {
            return Err("the face is not symmetric about x = 0".into());
        }
        partners.push(nearest);
    }
    partners.extend([473, 476, 475, 474, 477, 468, 471, 470, 469, 472]);
    MirrorMap::new(partners).ok_or_else(|| "its mirror images do not pair up one to one".into())
}

#[derive(Deserialize)]
struct CanonicalFile {
    vertices: Vec<[f64; 3]>,
    procrustes_basis: Vec<(f64, f64)>,
}

impl CanonicalFace {
    /// The canonical face from its JSON file's contents; `origin` names the file in errors.
    pub fn parse(json: &[u8], origin: &str) -> Result<Self> {
        let file: CanonicalFile =
            serde_json::from_slice(json).map_err(|e| Error::Model(format!("{origin}: {e}")))?;
        let basis =
            file.procrustes_basis
                .iter()
                .map(|&(id, w)| {
                    let id = id as usize;
                    let v = file.vertices.get(id).ok_or_else(|| {
                        Error::Model(format!("{origin}: basis vertex {id} missing"))
                    })?;
                    Ok((id, w, Vector3::new(v[0], v[1], v[2])))
                })
                .collect::<Result<Vec<_>>>()?;
        if basis.len() < 4 {
            return Err(Error::Model(format!("{origin}: too few basis points")));
        }
        let mirror =
            mirror_map(&file.vertices).map_err(|why| Error::Model(format!("{origin}: {why}")))?;
        Ok(CanonicalFace { basis, mirror })
    }

    /// Each mesh point's partner on the mirrored face.
    pub fn mirror(&self) -> &MirrorMap {
        &self.mirror
    }

    /// Weighted Umeyama fit of the canonical points onto the observed mesh (image y and z flipped
    /// into the model's right-handed frame), then Euler angles of the rotation.
    pub fn pose(&self, mesh: &FaceMesh) -> Pose {
        let observed: Vec<Vector3<f64>> = self
            .basis
            .iter()
            .map(|&(id, _, _)| {
                let p = mesh.points[id];
                Vector3::new(p[0] as f64, -(p[1] as f64), -(p[2] as f64))
            })
            .collect();
        let total: f64 = self.basis.iter().map(|b| b.1).sum();
        let mean = |pts: &mut dyn Iterator<Item = (f64, Vector3<f64>)>| {
            pts.fold(Vector3::zeros(), |acc, (w, p)| acc + p * w) / total
        };
        let mu_model = mean(&mut self.basis.iter().map(|b| (b.1, b.2)));
        let mu_obs = mean(&mut self.basis.iter().zip(&observed).map(|(b, o)| (b.1, *o)));
        let mut cov = Matrix3::zeros();
        for ((_, w, m), o) in self.basis.iter().zip(&observed) {
            cov += (o - mu_obs) * (m - mu_model).transpose() * *w;
        }
        let svd = cov.svd(true, true);
        let (u, v_t) = (svd.u.unwrap_or_default(), svd.v_t.unwrap_or_default());
        let mut d = Matrix3::identity();
        if (u * v_t).determinant() < 0.0 {
            d[(2, 2)] = -1.0;
        }
        let r = u * d * v_t;
        Pose {
            pitch: r[(2, 1)].atan2(r[(2, 2)]).to_degrees() as f32,
            yaw: (-r[(2, 0)]).clamp(-1.0, 1.0).asin().to_degrees() as f32,
            roll: r[(1, 0)].atan2(r[(0, 0)]).to_degrees() as f32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyse::landmarks::ids;

    #[test]
    fn the_mirror_map_pairs_each_side_with_the_other_and_keeps_the_midline() {
        let json = include_bytes!("../../models/canonical_face_model.json");
        let face = CanonicalFace::parse(json, "canonical_face_model.json").expect("it parses");
        let mirror = |id| face.mirror().partner(id);
        for id in [
            ids::NOSE_TIP,
            ids::CHIN,
            ids::FOREHEAD_TOP,
            ids::UPPER_LIP_INNER,
        ] {
            assert_eq!(mirror(id), id);
        }
        for (right, left) in [
            (ids::RIGHT_EYE_OUTER, ids::LEFT_EYE_OUTER),
            (ids::RIGHT_EYE_INNER, ids::LEFT_EYE_INNER),
            (ids::MOUTH_RIGHT, ids::MOUTH_LEFT),
            (ids::FACE_RIGHT_EDGE, ids::FACE_LEFT_EDGE),
        ] {
            assert_eq!(mirror(right), left);
        }
        // Brows run outer to inner on the subject's right and inner to outer on the left.
        for (a, b) in ids::RIGHT_BROW.iter().zip(ids::LEFT_BROW.iter().rev()) {
            assert_eq!(mirror(*a), *b);
        }
        // Irises: centre, then the points to the image's right, top, left and bottom; a flip
        // swaps the irises and their right and left points.
        let (right, left) = (ids::RIGHT_IRIS, ids::LEFT_IRIS);
        for (a, b) in [(0, 0), (1, 3), (2, 2), (3, 1), (4, 4)] {
            assert_eq!(mirror(right + a), left + b);
        }
    }

    #[test]
    fn a_face_that_is_not_symmetric_has_no_mirror_map() {
        let mut vertices = vec![[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0]];
        vertices.extend((2..468).map(|i| [0.0, i as f64, 0.0]));
        assert!(mirror_map(&vertices).is_ok());
        vertices[1] = [-1.5, 0.0, 0.0];
        assert!(mirror_map(&vertices).is_err());
        assert!(mirror_map(&vertices[..100]).is_err());
        // Two points in one place both take the first as their partner: not one to one.
        let mut vertices: Vec<[f64; 3]> = (0..468).map(|i| [0.0, i as f64, 0.0]).collect();
        vertices[1] = vertices[0];
        assert!(mirror_map(&vertices).is_err());
    }
}
