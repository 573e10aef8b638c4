//! Face detection with YuNet: every face in the photo, with five keypoints.

use super::infer::Model;
use crate::decode::resize;
use crate::Result;
use image::RgbImage;
use serde::Serialize;

/// Long side of the detector input.
pub const INPUT: u32 = 640;
const STRIDES: [usize; 3] = [8, 16, 32];
const NMS_IOU: f32 = 0.3;
/// YuNet finds faces from about 10 pixels wide in its input (OpenCV model zoo: "faces of pixels
/// between around 10x10 to 300x300, due to the training scheme"). Narrower boxes are outside
/// what it learned: in random noise it reports "faces" 6-8 pixels wide at a score of 0.5.
const MIN_FACE_INPUT_PX: f32 = 10.0;

/// A detected face in analysis-image pixels.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Detection {
    /// x, y, width, height.
    pub rect: [f32; 4],
    pub score: f32,
    /// Right eye, left eye, nose tip, right and left mouth corner (the subject's sides: right eye
    /// is on the image's left).
    pub points: [[f32; 2]; 5],
}

impl Detection {
    pub fn area(&self) -> f32 {
        self.rect[2] * self.rect[3]
    }

    fn iou(&self, other: &Detection) -> f32 {
        let [ax, ay, aw, ah] = self.rect;
        let [bx, by, bw, bh] = other.rect;
        let ix = ((ax + aw).min(bx + bw) - ax.max(bx)).max(0.0);
        let iy = ((ay + ah).min(by + bh) - ay.max(by)).max(0.0);
        let inter = ix * iy;
        inter / (aw * ah + bw * bh - inter).max(1e-6)
    }

    fn centre(&self) -> [f32; 2] {
        [
            self.rect[0] + self.rect[2] / 2.0,
            self.rect[1] + self.rect[3] / 2.0,
        ]
    }

    fn holds(&self, [x, y]: [f32; 2]) -> bool {
        let [rx, ry, rw, rh] = self.rect;
        (rx..=rx + rw).contains(&x) && (ry..=ry + rh).contains(&y)
    }

    /// Whether this box is centred inside `bigger`: the same face found again. YuNet sometimes
    /// adds a loose box round a face it also finds tightly, too unlike for NMS to merge
    /// (IoU 0.29 and eye keypoints half an eye distance apart on a Yale B crop); another
    /// person's face can only be centred inside a face box by covering that face.
    pub fn centred_in(&self, bigger: &Detection) -> bool {
        bigger.holds(self.centre())
    }
}

/// The detector's input: the photo scaled so its long side is `INPUT`, BGR 0..255 planes,
/// padded with black only up to the next multiple of 32 (the model's input is dynamic, so a
/// portrait photo costs a portrait-sized run, not a 640x640 square).
pub struct Letterbox {
    /// Tensor height and width.
    pub dims: [usize; 2],
    pub data: Vec<f32>,
    /// Detector pixels per photo pixel.
    pub scale: f32,
}

pub fn letterbox(image: &RgbImage) -> Result<Letterbox> {
    letterbox_to(image, INPUT)
}

/// `letterbox` with the long side scaled to `long_side` instead of `INPUT`.
fn letterbox_to(image: &RgbImage, long_side: u32) -> Result<Letterbox> {
    let (w, h) = image.dimensions();
    let f = long_side as f32 / w.max(h) as f32;
    let (nw, nh) = (
        ((w as f32 * f).round() as u32).clamp(1, long_side),
        ((h as f32 * f).round() as u32).clamp(1, long_side),
    );
    let small = if (nw, nh) == (w, h) {
        image.clone()
    } else {
        resize(image, nw, nh)?
    };
    let (th, tw) = (nh.div_ceil(32) * 32, nw.div_ceil(32) * 32);
    let plane = (th * tw) as usize;
    let mut data = vec![0f32; 3 * plane];
    for (x, y, p) in small.enumerate_pixels() {
        let i = (y * tw + x) as usize;
        // YuNet wants BGR in 0..255.
        data[i] = p[2] as f32;
        data[plane + i] = p[1] as f32;
        data[2 * plane + i] = p[0] as f32;
    }
    Ok(Letterbox {
        dims: [th as usize, tw as usize],
        data,
        scale: f,
    })
}

/// Runs YuNet on a letterboxed copy and returns faces above `min_score`, largest first.
pub fn detect(model: &Model, image: &RgbImage, min_score: f32) -> Result<Vec<Detection>> {
    detect_at(model, image, min_score, INPUT)
}

/// `detect` on a copy whose long side is `long_side` pixels.
pub fn detect_at(
    model: &Model,
    image: &RgbImage,
    min_score: f32,
    long_side: u32,
) -> Result<Vec<Detection>> {
    let input = letterbox_to(image, long_side)?;
    let f = input.scale;
    let [th, tw] = input.dims;
    let names: Vec<String> = ["cls", "obj", "bbox", "kps"]
        .iter()
        .flat_map(|k| STRIDES.iter().map(move |s| format!("{k}_{s}")))
        .collect();
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let out = model.run("input", &[1, 3, th, tw], &input.data, &name_refs)?;

    let mut faces = Vec::new();
    for (si, &stride) in STRIDES.iter().enumerate() {
        let (cls, obj, bbox, kps) = (&out[si], &out[3 + si], &out[6 + si], &out[9 + si]);
        let cols = tw / stride;
        if [cls, obj]
            .iter()
            .any(|o| o.data.len() != (th / stride) * cols)
            || bbox.data.len() != 4 * cls.data.len()
            || kps.data.len() != 10 * cls.data.len()
        {
            return Err(crate::Error::Model(format!(
                "detector: stride-{stride} outputs do not match a {tw}x{th} input"
            )));
        }
        let s = stride as f32;
        for i in 0..cls.data.len() {
            let score = (cls.data[i].clamp(0.0, 1.0) * obj.data[i].clamp(0.0, 1.0)).sqrt();
            if score < min_score {
                continue;
            }
            let (row, col) = ((i / cols) as f32, (i % cols) as f32);
            let b = &bbox.data[i * 4..i * 4 + 4];
            let (cx, cy) = ((col + b[0]) * s, (row + b[1]) * s);
            let (bw, bh) = (b[2].exp() * s, b[3].exp() * s);
            if bw < MIN_FACE_INPUT_PX {
                continue;
            }
            let k = &kps.data[i * 10..i * 10 + 10];
            let mut points = [[0f32; 2]; 5];
            for (j, p) in points.iter_mut().enumerate() {
                *p = [(k[2 * j] + col) * s / f, (k[2 * j + 1] + row) * s / f];
            }
            faces.push(Detection {
                rect: [(cx - bw / 2.0) / f, (cy - bh / 2.0) / f, bw / f, bh / f],
                score,
                points,
            });
        }
    }
    faces.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept: Vec<Detection> = Vec::new();
    for face in faces {
        if kept.iter().all(|k| k.iou(&face) < NMS_IOU) {
            kept.push(face);
        }
    }
    kept.sort_by(|a, b| b.area().total_cmp(&a.area()));
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boxed(x: f32, y: f32, w: f32, h: f32) -> Detection {
        Detection {
            rect: [x, y, w, h],
            score: 0.9,
            points: [[0.0; 2]; 5],
        }
    }

    #[test]
    fn a_tight_box_inside_a_loose_one_is_the_same_face() {
        // Measured on a Yale B crop: a 0.43 box reaching past the photo's top-left corner and
        // a 0.76 box on the face itself; IoU 0.29, so NMS keeps both.
        let loose = boxed(-25.4, -36.0, 171.8, 197.7);
        let tight = boxed(42.5, 52.9, 116.1, 137.7);
        assert!(loose.iou(&tight) < NMS_IOU);
        assert!(tight.centred_in(&loose));
    }

    #[test]
    fn faces_side_by_side_cheek_to_cheek_or_below_are_other_faces() {
        let applicant = boxed(100.0, 100.0, 120.0, 150.0);
        let beside = boxed(260.0, 110.0, 110.0, 140.0);
        let cheek_to_cheek = boxed(170.0, 90.0, 110.0, 140.0);
        let child_below = boxed(150.0, 210.0, 80.0, 100.0);
        let over_the_shoulder = boxed(200.0, 40.0, 70.0, 90.0);
        for other in [beside, cheek_to_cheek, child_below, over_the_shoulder] {
            assert!(!other.centred_in(&applicant));
        }
    }
}
