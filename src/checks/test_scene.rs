//! Hand-made analysis results for the rules' unit tests: a 64-pixel parsing crop that maps one
//! to one onto the photo, with mesh points and labels placed by the test.

use crate::analyse::geometry::CropFrame;
use crate::analyse::landmarks::FaceMesh;
use crate::analyse::parse::FaceParsing;
use image::RgbImage;

pub const SIZE: u32 = 64;

/// The mesh and parsing of a photo whose mesh points are `points` (the others at the centre)
/// and whose parsing labels are `labels` (`SIZE` x `SIZE`, row by row), all inside the photo.
pub fn scene(points: &[(usize, [f32; 2])], labels: Vec<u8>) -> (FaceMesh, FaceParsing) {
    assert_eq!(labels.len(), (SIZE * SIZE) as usize);
    let frame = CropFrame {
        center: [SIZE as f32 / 2.0; 2],
        side: SIZE as f32,
        angle: 0.0,
        size: SIZE,
    };
    let mut mesh_points = vec![[SIZE as f32 / 2.0, SIZE as f32 / 2.0, 0.0]; 478];
    for &(id, [x, y]) in points {
        mesh_points[id] = [x, y, 0.0];
    }
    let parsing = FaceParsing {
        frame,
        crop: RgbImage::new(SIZE, SIZE),
        labels,
        outside: vec![false; (SIZE * SIZE) as usize],
    };
    let mesh = FaceMesh {
        points: mesh_points,
        presence: 1.0,
        frame,
    };
    (mesh, parsing)
}
