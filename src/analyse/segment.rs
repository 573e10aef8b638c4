//! Person segmentation (MediaPipe selfie model): which pixels belong to the person, not the backdrop.

use super::infer::Model;
use crate::decode::resize;
use crate::{Error, Result};
use image::RgbImage;

pub const INPUT: u32 = 256;

/// Person probability on a 256x256 grid stretched over the whole analysis image.
#[derive(Debug, Clone)]
pub struct PersonMask {
    prob: Vec<f32>,
    image_size: (u32, u32),
}

impl PersonMask {
    /// Probability at analysis-image pixel (x, y), bilinear between grid cells.
    pub fn at(&self, x: f32, y: f32) -> f32 {
        let n = INPUT as f32;
        let gx = ((x + 0.5) * n / self.image_size.0 as f32 - 0.5).clamp(0.0, n - 1.0);
        let gy = ((y + 0.5) * n / self.image_size.1 as f32 - 0.5).clamp(0.0, n - 1.0);
        let (x0, y0) = (gx.floor() as usize, gy.floor() as usize);
        let (x1, y1) = (
            (x0 + 1).min(INPUT as usize - 1),
            (y0 + 1).min(INPUT as usize - 1),
        );
        let (fx, fy) = (gx - x0 as f32, gy - y0 as f32);
        let g = |xi: usize, yi: usize| self.prob[yi * INPUT as usize + xi];
        let top = g(x0, y0) + (g(x1, y0) - g(x0, y0)) * fx;
        let bottom = g(x0, y1) + (g(x1, y1) - g(x0, y1)) * fx;
        top + (bottom - top) * fy
    }

    /// The mask resampled to the analysis image's own size.
    pub fn to_image_grid(&self) -> Vec<f32> {
        let (w, h) = self.image_size;
        let mut out = Vec::with_capacity((w * h) as usize);
        for y in 0..h {
            for x in 0..w {
                out.push(self.at(x as f32, y as f32));
            }
        }
        out
    }

    /// The model's own 256x256 probabilities, row-major.
    pub fn grid(&self) -> &[f32] {
        &self.prob
    }

    pub fn image_size(&self) -> (u32, u32) {
        self.image_size
    }
}

/// The segmentation model's input: the photo squashed to 256x256, RGB in 0..1, NHWC.
pub fn input(image: &RgbImage) -> Result<Vec<f32>> {
    let small = resize(image, INPUT, INPUT)?;
    Ok(small.as_raw().iter().map(|&v| v as f32 / 255.0).collect())
}

pub fn segment(model: &Model, image: &RgbImage) -> Result<PersonMask> {
    let input = input(image)?;
    let n = INPUT as usize;
    let out = model.run("input", &[1, n, n, 3], &input, &["mask"])?;
    let prob = out.into_iter().next().map(|o| o.data).unwrap_or_default();
    // The rules index the grid directly: a model that answers with another size is an error
    // here, not a panic there.
    if prob.len() != n * n {
        return Err(Error::Model(format!(
            "segmentation: {} mask values, expected {n}x{n}",
            prob.len()
        )));
    }
    Ok(PersonMask {
        prob,
        image_size: image.dimensions(),
    })
}
