//! Head pose from the face mesh: a weighted similarity fit of MediaPipe's canonical face model.

use super::landmarks::FaceMesh;
use crate::{Error, Result};
use nalgebra::{Matrix3, Vector3};
use serde::{Deserialize, Serialize};
use std::path::Path;

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
}

#[derive(Deserialize)]
struct CanonicalFile {
    vertices: Vec<[f64; 3]>,
    procrustes_basis: Vec<(f64, f64)>,
}

impl CanonicalFace {
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Model(format!("{}: {e}", path.display())))?;
        let file: CanonicalFile = serde_json::from_str(&text)
            .map_err(|e| Error::Model(format!("{}: {e}", path.display())))?;
        let basis = file
            .procrustes_basis
            .iter()
            .map(|&(id, w)| {
                let id = id as usize;
                let v = file.vertices.get(id).ok_or_else(|| {
                    Error::Model(format!("{}: basis vertex {id} missing", path.display()))
                })?;
                Ok((id, w, Vector3::new(v[0], v[1], v[2])))
            })
            .collect::<Result<Vec<_>>>()?;
        if basis.len() < 4 {
            return Err(Error::Model(format!(
                "{}: too few basis points",
                path.display()
            )));
        }
        Ok(CanonicalFace { basis })
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
