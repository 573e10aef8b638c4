//! A square, rotated crop of the analysis image and the mapping between its pixels and the image's.

use image::{Rgb, RgbImage};

/// Largest grid of samples per crop pixel side in `CropFrame::sample_area`: 64 samples already
/// average noise eightfold, and keep a crop of a close-up face to a few milliseconds.
const MAX_AREA_GRID: usize = 8;

/// A square window of `side` image pixels centred on `center`, turned by `angle` radians (the
/// eye line's slope) and sampled onto `size` x `size` crop pixels, so faces reach the models upright.
#[derive(Debug, Clone, Copy)]
pub struct CropFrame {
    pub center: [f32; 2],
    pub side: f32,
    pub angle: f32,
    pub size: u32,
}

impl CropFrame {
    fn axes(&self) -> ([f32; 2], [f32; 2]) {
        let step = self.side / self.size as f32;
        let (s, c) = self.angle.sin_cos();
        ([c * step, s * step], [-s * step, c * step])
    }

    /// Image coordinates of the crop point (u, v), both in crop pixels (continuous, 0..size).
    pub fn to_image(&self, u: f32, v: f32) -> [f32; 2] {
        let (ax, ay) = self.axes();
        let half = self.size as f32 / 2.0;
        let (du, dv) = (u - half, v - half);
        [
            self.center[0] + du * ax[0] + dv * ay[0],
            self.center[1] + du * ax[1] + dv * ay[1],
        ]
    }

    /// Crop coordinates of the image point (x, y).
    pub fn to_crop(&self, x: f32, y: f32) -> [f32; 2] {
        let step = self.side / self.size as f32;
        let (s, c) = self.angle.sin_cos();
        let (dx, dy) = (x - self.center[0], y - self.center[1]);
        let half = self.size as f32 / 2.0;
        [
            (dx * c + dy * s) / step + half,
            (-dx * s + dy * c) / step + half,
        ]
    }

    /// Crop pixels per image pixel.
    pub fn zoom(&self) -> f32 {
        self.size as f32 / self.side
    }

    /// For each crop pixel (row by row), whether its centre falls outside a `width` x `height`
    /// image.
    pub fn outside_mask(&self, width: u32, height: u32) -> Vec<bool> {
        let (along_u, along_v) = self.axes();
        let first = self.to_image(0.5, 0.5);
        let (w, h) = (width as f32, height as f32);
        let n = self.size as usize;
        let mut mask = Vec::with_capacity(n * n);
        for v in 0..n {
            let mut x = first[0] + v as f32 * along_v[0];
            let mut y = first[1] + v as f32 * along_v[1];
            for _ in 0..n {
                mask.push(x < 0.0 || y < 0.0 || x >= w || y >= h);
                x += along_u[0];
                y += along_u[1];
            }
        }
        mask
    }

    /// `value` of each crop pixel, averaged over a grid of bilinear samples spread across the
    /// image area the pixel covers (about one per image pixel, up to `MAX_AREA_GRID` per side).
    /// Point samples of a reduced crop alias the image's finest detail and noise into it; area
    /// averages do not. Beyond the image the nearest edge pixel is repeated: a step to black
    /// would be the crop's sharpest edge, whatever the photo's focus.
    pub fn sample_area(&self, image: &RgbImage, value: impl Fn(Rgb<u8>) -> f32) -> Vec<f32> {
        let (along_u, along_v) = self.axes();
        // Rounded, not ceiled: a crop reduced by 1.004 would otherwise be averaged over 2 x 2
        // samples half a pixel apart, a blur that a crop at exactly 1:1 does not get.
        let grid = (1.0 / self.zoom()).round().clamp(1.0, MAX_AREA_GRID as f32) as usize;
        let step = 1.0 / grid as f32;
        let (sub_u, sub_v) = (along_u.map(|a| a * step), along_v.map(|a| a * step));
        // Image pixel centres sit at integer + 0.5, bilinear's at integers, hence the shift.
        let first = self.to_image(0.5 * step, 0.5 * step).map(|c| c - 0.5);
        let (max_x, max_y) = (image.width() as f32 - 1.0, image.height() as f32 - 1.0);
        let n = self.size as usize;
        let mut out = Vec::with_capacity(n * n);
        for v in 0..n {
            for u in 0..n {
                let corner = [
                    first[0] + u as f32 * along_u[0] + v as f32 * along_v[0],
                    first[1] + u as f32 * along_u[1] + v as f32 * along_v[1],
                ];
                let mut sum = 0f32;
                for j in 0..grid {
                    for i in 0..grid {
                        let x = corner[0] + i as f32 * sub_u[0] + j as f32 * sub_v[0];
                        let y = corner[1] + i as f32 * sub_u[1] + j as f32 * sub_v[1];
                        sum += value(bilinear(image, x.clamp(0.0, max_x), y.clamp(0.0, max_y)));
                    }
                }
                out.push(sum / (grid * grid) as f32);
            }
        }
        out
    }

    /// Samples the crop with bilinear interpolation; outside the image is black, as the models expect.
    pub fn sample(&self, image: &RgbImage) -> RgbImage {
        let (along_u, along_v) = self.axes();
        // Pixel centres: crop (0.5, 0.5) maps to image point `first`, then steps by the axes;
        // image pixel centres sit at integer + 0.5, hence the shift.
        let first = self.to_image(0.5, 0.5);
        let n = self.size as usize;
        let mut out = vec![0u8; n * n * 3];
        for (v, row) in out.chunks_exact_mut(n * 3).enumerate() {
            let mut x = first[0] - 0.5 + v as f32 * along_v[0];
            let mut y = first[1] - 0.5 + v as f32 * along_v[1];
            for px in row.chunks_exact_mut(3) {
                px.copy_from_slice(&bilinear(image, x, y).0);
                x += along_u[0];
                y += along_u[1];
            }
        }
        RgbImage::from_raw(self.size, self.size, out).expect("buffer sized for the crop")
    }
}

/// Bilinear sample at continuous pixel-centre coordinates; black outside the image.
pub fn bilinear(image: &RgbImage, x: f32, y: f32) -> Rgb<u8> {
    let (w, h) = (image.width() as i64, image.height() as i64);
    if x < -1.0 || y < -1.0 || x > w as f32 || y > h as f32 {
        return Rgb([0, 0, 0]);
    }
    // Truncation is floor for the non-negative coordinates of nearly every sample, without a
    // libm call.
    let floor = |t: f32| if t >= 0.0 { t as i64 } else { t.floor() as i64 };
    let (x0, y0) = (floor(x), floor(y));
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let blend = |a: [f32; 3], b: [f32; 3], c: [f32; 3], d: [f32; 3]| {
        let mut out = [0u8; 3];
        for i in 0..3 {
            let top = a[i] + (b[i] - a[i]) * fx;
            let bottom = c[i] + (d[i] - c[i]) * fx;
            // Truncating v + 0.5 rounds non-negative values without a libm call.
            out[i] = ((top + (bottom - top) * fy).clamp(0.0, 255.0) + 0.5) as u8;
        }
        Rgb(out)
    };
    if x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h {
        // Inside: read the 2x2 neighbourhood straight from the buffer.
        let raw = image.as_raw();
        let stride = w as usize * 3;
        let i = y0 as usize * stride + x0 as usize * 3;
        let at = |k: usize| [raw[k] as f32, raw[k + 1] as f32, raw[k + 2] as f32];
        return blend(at(i), at(i + 3), at(i + stride), at(i + stride + 3));
    }
    let px = |xi: i64, yi: i64| -> [f32; 3] {
        if xi < 0 || yi < 0 || xi >= w || yi >= h {
            [0.0; 3]
        } else {
            let p = image.get_pixel(xi as u32, yi as u32);
            [p[0] as f32, p[1] as f32, p[2] as f32]
        }
    };
    blend(
        px(x0, y0),
        px(x0 + 1, y0),
        px(x0, y0 + 1),
        px(x0 + 1, y0 + 1),
    )
}

/// Angle of the line from `a` to `b` in radians (image y points down, so clockwise is positive).
pub fn line_angle(a: [f32; 2], b: [f32; 2]) -> f32 {
    (b[1] - a[1]).atan2(b[0] - a[0])
}

pub fn distance(a: [f32; 2], b: [f32; 2]) -> f32 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

pub fn midpoint(a: [f32; 2], b: [f32; 2]) -> [f32; 2] {
    [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0]
}

/// Where the horizontal line at height `y` runs inside `ring`, as `[from, to)` intervals of x,
/// by the even-odd rule: filling a polygon row by row costs one pass over its edges per row
/// instead of one per pixel.
pub fn polygon_row_spans(ring: &[[f32; 2]], y: f32) -> Vec<[f32; 2]> {
    let mut crossings = Vec::new();
    let mut j = ring.len().wrapping_sub(1);
    for i in 0..ring.len() {
        let (a, b) = (ring[i], ring[j]);
        if (a[1] > y) != (b[1] > y) {
            crossings.push((b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]) + a[0]);
        }
        j = i;
    }
    crossings.sort_by(f32::total_cmp);
    crossings.chunks_exact(2).map(|c| [c[0], c[1]]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The per-point even-odd test that `polygon_row_spans` must agree with.
    fn inside_polygon(p: [f32; 2], ring: &[[f32; 2]]) -> bool {
        let mut inside = false;
        let mut j = ring.len().wrapping_sub(1);
        for i in 0..ring.len() {
            let (a, b) = (ring[i], ring[j]);
            if (a[1] > p[1]) != (b[1] > p[1])
                && p[0] < (b[0] - a[0]) * (p[1] - a[1]) / (b[1] - a[1]) + a[0]
            {
                inside = !inside;
            }
            j = i;
        }
        inside
    }

    /// A checkerboard of one-pixel squares reduced fourfold is an even grey: area samples say so,
    /// point samples land on whichever square they hit.
    #[test]
    fn area_samples_average_what_a_reduced_crop_pixel_covers() {
        let board = RgbImage::from_fn(64, 64, |x, y| {
            Rgb([if (x + y) % 2 == 0 { 0 } else { 200 }; 3])
        });
        let frame = CropFrame {
            // Crop pixel centres fall on image pixel centres.
            center: [32.5, 32.5],
            side: 48.0,
            angle: 0.0,
            size: 12,
        };
        let area = frame.sample_area(&board, |p| p[0] as f32);
        assert_eq!(area.len(), 144);
        assert!(area.iter().all(|&v| (v - 100.0).abs() < 1.0), "{area:?}");
        let points: Vec<f32> = frame.sample(&board).pixels().map(|p| p[0] as f32).collect();
        assert!(points.iter().any(|&v| (v - 100.0).abs() > 50.0));
        // Past the image's edge the edge pixels repeat, not black.
        let grey = RgbImage::from_pixel(64, 64, Rgb([120; 3]));
        let past = CropFrame {
            center: [4.0, 60.0],
            ..frame
        };
        assert!(past
            .sample_area(&grey, |p| p[0] as f32)
            .iter()
            .all(|&v| v == 120.0));
        // At full scale each crop pixel is one image pixel: the same values as point samples.
        let same = CropFrame {
            side: 12.0,
            ..frame
        };
        let one: Vec<f32> = same.sample(&board).pixels().map(|p| p[0] as f32).collect();
        assert_eq!(same.sample_area(&board, |p| p[0] as f32), one);
    }

    #[test]
    fn inside_polygon_follows_a_concave_outline() {
        // An L shape: the notch at the top right is outside.
        let ring = [
            [0.0, 0.0],
            [1.0, 0.0],
            [1.0, 2.0],
            [2.0, 2.0],
            [2.0, 3.0],
            [0.0, 3.0],
        ];
        assert!(inside_polygon([0.5, 0.5], &ring));
        assert!(inside_polygon([1.5, 2.5], &ring));
        assert!(!inside_polygon([1.5, 1.0], &ring));
        assert!(!inside_polygon([-0.5, 1.0], &ring));
    }

    #[test]
    fn row_spans_agree_with_inside_polygon() {
        // A rough face outline with a notch, sampled at pixel centres.
        let ring = [
            [10.0, 2.0],
            [30.0, 4.5],
            [36.0, 20.0],
            [24.0, 22.0],
            [20.0, 12.3],
            [16.0, 22.0],
            [4.0, 18.0],
        ];
        for v in 0..26 {
            let y = v as f32 + 0.5;
            let spans = polygon_row_spans(&ring, y);
            for u in 0..40 {
                let x = u as f32 + 0.5;
                let in_span = spans.iter().any(|s| x >= s[0] && x < s[1]);
                assert_eq!(in_span, inside_polygon([x, y], &ring), "pixel ({u}, {v})");
            }
        }
    }

    #[test]
    fn crop_mapping_round_trips() {
        let f = CropFrame {
            center: [100.0, 80.0],
            side: 64.0,
            angle: 0.3,
            size: 256,
        };
        let [x, y] = f.to_image(30.0, 200.0);
        let [u, v] = f.to_crop(x, y);
        assert!((u - 30.0).abs() < 1e-3 && (v - 200.0).abs() < 1e-3);
        let c = f.to_image(128.0, 128.0);
        assert!((c[0] - 100.0).abs() < 1e-4 && (c[1] - 80.0).abs() < 1e-4);
    }

    #[test]
    fn sampling_an_unrotated_crop_copies_pixels() {
        let img = RgbImage::from_fn(40, 40, |x, y| Rgb([x as u8 * 5, y as u8 * 5, 7]));
        let f = CropFrame {
            center: [20.0, 20.0],
            side: 20.0,
            angle: 0.0,
            size: 20,
        };
        let crop = f.sample(&img);
        assert_eq!(crop.get_pixel(0, 0), img.get_pixel(10, 10));
        assert_eq!(crop.get_pixel(19, 5), img.get_pixel(29, 15));
    }
}
