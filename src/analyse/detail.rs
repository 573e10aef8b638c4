//! A sharper copy of the face, for the face models and the rule that judges fine detail (`sharp`).
//!
//! The analysis copy is reduced to 1024 px. A face that fills a tenth of a 12 MP photo's width
//! is then 25-30 px between the eyes there, and the reduction's own smoothing reads as blur: of
//! 90 sharp faces reduced to 25 px between the eyes, 76 % failed `sharp`, though the card photo
//! would be cut from the original, where the same face is 100+ px between the eyes. Such photos
//! are decoded a second time, larger, and the face's surroundings kept. The mesh and the parser
//! read their crops from it too (`FacePixels`): lids, lips, ears and brims a few analysis pixels
//! wide are what they judge.

use super::detect::Detection;
use super::geometry::{distance, CropFrame};
use crate::decode::{decode, DecodeOptions, Decoded, Window};
use crate::Result;
use image::RgbImage;

#[derive(Debug, Clone)]
pub struct DetailOptions {
    /// Inter-ocular distance (analysis pixels, from the detector's eye points) below which the
    /// face is decoded again: `sharp` compares detail at 40 px, and the mesh model sees a face
    /// about that size in its input.
    pub min_iod: f32,
    /// The inter-ocular distance the second decode aims at. More would average noise away
    /// (80 px: a 2 x 2 average per crop pixel) but costs a full-size decode of a 12 MP JPEG
    /// where the half-size one reaches 40 px: 207 ms against 70 here.
    pub target_iod: f32,
    /// Longest side the second decode may have, whatever the photo's size (memory and time):
    /// the photo is halved at least until it fits.
    pub max_long_side: u32,
    /// Half the side of the square kept around the face's box centre, in box widths (of its
    /// longer side): enough for the parser's crop (at least 2.2 box widths or 4.2 inter-ocular
    /// distances, its centre a tenth of its side below the eyes, turned with them) and the
    /// `sharp` crop (2.2 inter-ocular distances, about one box width) to lie inside it. A crop
    /// that does not is read from the analysis copy (`FacePixels`).
    pub keep_half_side: f32,
}

impl Default for DetailOptions {
    fn default() -> Self {
        DetailOptions {
            min_iod: 40.0,
            target_iod: 40.0,
            max_long_side: 4096,
            keep_half_side: 2.0,
        }
    }
}

/// Part of a larger decode of the photo, around the face.
pub struct FaceDetail {
    pub image: RgbImage,
    /// Pixels of the larger decode per analysis pixel.
    pub per_analysis_pixel: f32,
    /// Top-left corner of `image` in the larger decode's pixels.
    pub origin: [u32; 2],
    /// The whole larger decode's size: beyond it is beyond the photo.
    pub decoded_size: [u32; 2],
}

impl FaceDetail {
    /// Where an analysis-image point lies in `image`.
    pub fn from_analysis(&self, p: [f32; 2]) -> [f32; 2] {
        [
            p[0] * self.per_analysis_pixel - self.origin[0] as f32,
            p[1] * self.per_analysis_pixel - self.origin[1] as f32,
        ]
    }

    /// `frame` (in analysis pixels) in `image`'s pixels, if all of it that lies inside the
    /// photo lies inside `image`, a pixel clear of its edges within the photo (bilinear samples
    /// there would mix in the black beyond them).
    fn frame_within(&self, frame: &CropFrame) -> Option<CropFrame> {
        let inner = CropFrame {
            center: self.from_analysis(frame.center),
            side: frame.side * self.per_analysis_pixel,
            ..*frame
        };
        let n = inner.size as f32;
        let corners = [[0.0, 0.0], [n, 0.0], [0.0, n], [n, n]].map(|[u, v]| inner.to_image(u, v));
        let (width, height) = self.image.dimensions();
        // Per axis, in the larger decode's pixels: the crop's extent within the photo, inside
        // what `image` holds of it.
        let fits = |axis: usize, origin: u32, kept: u32, photo: u32| {
            let (lo, hi) = corners.iter().fold((f32::MAX, f32::MIN), |(lo, hi), c| {
                let x = c[axis] + origin as f32;
                (lo.min(x), hi.max(x))
            });
            let clear = |edge: u32| if edge == 0 || edge == photo { 0.0 } else { 1.0 };
            let end = origin + kept;
            lo.max(0.0) >= origin as f32 + clear(origin)
                && hi.min(photo as f32) <= end as f32 - clear(end)
        };
        let [photo_w, photo_h] = self.decoded_size;
        (fits(0, self.origin[0], width, photo_w) && fits(1, self.origin[1], height, photo_h))
            .then_some(inner)
    }
}

/// The pixels the face models' crops are read from: a larger decode around the face where there
/// is one and it holds the whole crop, the analysis copy otherwise. Crop frames stay in analysis
/// pixels, so what the models find maps back onto the analysis copy either way.
#[derive(Clone, Copy)]
pub struct FacePixels<'a> {
    pub analysis: &'a RgbImage,
    pub detail: Option<&'a FaceDetail>,
}

impl<'a> FacePixels<'a> {
    /// The analysis copy alone.
    pub fn analysis_only(analysis: &'a RgbImage) -> Self {
        FacePixels {
            analysis,
            detail: None,
        }
    }

    /// The crop `frame` describes (see `CropFrame::sample`).
    pub fn sample(&self, frame: &CropFrame) -> RgbImage {
        match self.detail.and_then(|d| Some((d, d.frame_within(frame)?))) {
            Some((detail, inner)) => inner.sample(&detail.image),
            None => frame.sample(self.analysis),
        }
    }
}

/// The long side to decode the photo at again so that `face` shows `target_iod` pixels between
/// the eyes, when the analysis copy shows fewer than `min_iod` and the photo has more. `None`
/// when no larger copy would help.
pub fn detail_long_side(
    decoded: &Decoded,
    face: &Detection,
    options: &DetailOptions,
) -> Option<u32> {
    let iod = distance(face.points[0], face.points[1]);
    if iod >= options.min_iod {
        return None;
    }
    let analysis_long = decoded.image.width().max(decoded.image.height());
    let wanted = (analysis_long as f32 * options.target_iod / iod.max(1.0))
        .ceil()
        .max(1.0) as u32;
    // Exact halvings of the original, so that a JPEG's DCT scale (which rounds up) and a PNG's
    // block average as it is read (which rounds down) reduce it on the way, with no resize
    // after. Other formats, lossless JPEGs and interlaced PNGs are read whole and resized
    // whatever is asked for.
    let halve = |n: u32| {
        if decoded.format == "jpeg" {
            n.div_ceil(2)
        } else {
            n / 2
        }
    };
    let mut long_side = decoded.original_size.0.max(decoded.original_size.1);
    while long_side > 1 && (long_side > options.max_long_side || halve(long_side) >= wanted) {
        long_side = halve(long_side);
    }
    // Under a tenth more pixels is not worth a second decode.
    (long_side as f32 > analysis_long as f32 * 1.1).then_some(long_side)
}

/// Decodes `bytes` again at `long_side` (from [`detail_long_side`]) and keeps the part around
/// `face`; `None` if the face's box lies outside the photo.
pub fn face_detail(
    bytes: &[u8],
    decoded: &Decoded,
    face: &Detection,
    long_side: u32,
    decode_options: &DecodeOptions,
    options: &DetailOptions,
) -> Result<Option<FaceDetail>> {
    let (aw, ah) = decoded.image.dimensions();
    let [x, y, w, h] = face.rect;
    let half = options.keep_half_side * w.max(h);
    let (cx, cy) = (x + w / 2.0, y + h / 2.0);
    let window = Window {
        left: (cx - half) / aw as f32,
        top: (cy - half) / ah as f32,
        right: (cx + half) / aw as f32,
        bottom: (cy + half) / ah as f32,
    };
    // A NaN box, or one of no size, keeps nothing and costs no decode.
    if !window.keeps_something() {
        return Ok(None);
    }
    let larger = decode(
        bytes,
        &DecodeOptions {
            analysis_long_side: long_side,
            // A hostile progressive JPEG's scans are walked again: half the budget keeps both
            // decodes within 1.5 times one (a phone's 10 scans of 12 MP use a fifth of the half).
            max_jpeg_scan_samples: decode_options.max_jpeg_scan_samples / 2,
            window: Some(window),
            ..*decode_options
        },
    )?;
    let (lw, lh) = larger.scaled_size;
    Ok(Some(FaceDetail {
        image: larger.image,
        per_analysis_pixel: lw as f32 / aw as f32,
        origin: [larger.window_origin.0, larger.window_origin.1],
        decoded_size: [lw, lh],
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{encode_jpeg, with_exif_orientation};
    use image::{imageops, Rgb};

    /// An upright grey photo of `width` x `height` with a white square marker of side `marker`
    /// at (`mx`, `my`), stored turned with EXIF orientation 6 as phones do when `exif6`.
    fn photo(
        width: u32,
        height: u32,
        (mx, my, marker): (u32, u32, u32),
        exif6: bool,
    ) -> (Vec<u8>, Decoded) {
        let image = RgbImage::from_fn(width, height, |x, y| {
            let inside = (mx..mx + marker).contains(&x) && (my..my + marker).contains(&y);
            if inside {
                Rgb([255, 255, 255])
            } else {
                Rgb([90, 90, 90])
            }
        });
        let bytes = if exif6 {
            with_exif_orientation(&encode_jpeg(&imageops::rotate270(&image), 95), 6)
        } else {
            encode_jpeg(&image, 95)
        };
        let decoded = decode(&bytes, &DecodeOptions::default()).unwrap();
        (bytes, decoded)
    }

    fn detection(center: [f32; 2], iod: f32) -> Detection {
        let [cx, cy] = center;
        Detection {
            rect: [cx - iod, cy - iod, 2.0 * iod, 2.0 * iod],
            score: 0.9,
            points: [
                [cx - iod / 2.0, cy],
                [cx + iod / 2.0, cy],
                [cx, cy + iod / 3.0],
                [cx - iod / 3.0, cy + iod * 0.7],
                [cx + iod / 3.0, cy + iod * 0.7],
            ],
        }
    }

    /// What the checker does: the long side, then the decode.
    fn detail_of(bytes: &[u8], decoded: &Decoded, face: &Detection) -> Option<FaceDetail> {
        let options = DetailOptions::default();
        let long_side = detail_long_side(decoded, face, &options)?;
        face_detail(
            bytes,
            decoded,
            face,
            long_side,
            &DecodeOptions::default(),
            &options,
        )
        .unwrap()
    }

    /// A decode result of `format` with only its sizes set, for the long-side arithmetic.
    fn sizes(format: &'static str, original: (u32, u32), analysis: (u32, u32)) -> Decoded {
        Decoded {
            image: RgbImage::new(analysis.0, analysis.1),
            original_size: original,
            scale: original.0 as f32 / analysis.0 as f32,
            scaled_size: analysis,
            window_origin: (0, 0),
            greyscale_source: false,
            format,
        }
    }

    #[test]
    fn a_small_face_in_a_large_photo_gets_a_larger_decode_around_it() {
        for exif6 in [false, true] {
            // The 4000 px JPEG's analysis copy is its quarter-scale decode, 1000 px long: 20 px
            // between the eyes there are 40, as aimed at, in the photo's half.
            let (bytes, decoded) = photo(3000, 4000, (1400, 2000, 40), exif6);
            let k = decoded.scale;
            assert_eq!(k, 4.0);
            let marker = [1420.0 / k, 2020.0 / k];
            let face = detection(marker, 20.0);
            let detail = detail_of(&bytes, &decoded, &face).expect("a larger decode");
            assert_eq!(detail.per_analysis_pixel, 2.0, "{exif6}");
            // Only the face's surroundings are kept: 2 box widths (40 px) to each side.
            let side = detail.image.width().max(detail.image.height()) as f32;
            assert!(side <= 4.0 * 40.0 * 2.0 + 2.0, "{side}");
            // The marker's centre maps onto the marker, and a point beside it beside it.
            let [x, y] = detail.from_analysis(marker);
            assert_eq!(
                detail.image.get_pixel(x as u32, y as u32)[0],
                255,
                "{exif6}"
            );
            let [x, y] = detail.from_analysis([marker[0] + 30.0 / k, marker[1]]);
            assert!(
                detail.image.get_pixel(x as u32, y as u32)[0] < 120,
                "{exif6}"
            );
        }
    }

    #[test]
    fn a_photo_whose_half_falls_short_is_decoded_whole() {
        // 15 px between the eyes in the 1000 px analysis copy are 30 in the photo's half, 60
        // in the photo.
        let (bytes, decoded) = photo(1500, 4000, (700, 2000, 40), false);
        let k = decoded.scale;
        let face = detection([720.0 / k, 2020.0 / k], 15.0);
        let detail = detail_of(&bytes, &decoded, &face).expect("a larger decode");
        assert_eq!(detail.per_analysis_pixel, k);
    }

    #[test]
    fn the_larger_decode_is_an_exact_halving_within_the_cap() {
        let options = DetailOptions::default();
        // 22 px between the eyes need 1819-1862 px, which the photo's half gives.
        let face = detection([400.0, 500.0], 22.0);
        // An odd long side: a JPEG's DCT scale rounds the half up, a PNG's block average down;
        // a long side between them would make the decoder read the photo whole and resize it.
        let jpeg = sizes("jpeg", (1001, 3999), (257, 1000));
        assert_eq!(detail_long_side(&jpeg, &face, &options), Some(2000));
        let png = sizes("png", (1001, 3999), (256, 1024));
        assert_eq!(detail_long_side(&png, &face, &options), Some(1999));
        // However small the face, the photo is halved until it fits the cap.
        let tiny_face = detection([400.0, 500.0], 2.0);
        let large = sizes("jpeg", (6000, 8000), (768, 1024));
        assert_eq!(detail_long_side(&large, &tiny_face, &options), Some(4000));
        let odd = sizes("png", (5999, 7999), (768, 1024));
        assert_eq!(detail_long_side(&odd, &tiny_face, &options), Some(3999));
    }

    /// A hostile progressive JPEG's scans are walked once per decode: the second may spend half
    /// of the budget the first had.
    #[test]
    fn the_larger_decode_spends_half_the_scan_budget() {
        let file = crate::decode::tests::progressive_grey(2048, 3);
        // Four scans of the whole picture; the first decode may walk five.
        let decode_options = DecodeOptions {
            max_jpeg_scan_samples: 5 * 2048 * 2048,
            ..DecodeOptions::default()
        };
        let decoded = decode(&file, &decode_options).unwrap();
        let face = detection([500.0, 500.0], 10.0);
        let options = DetailOptions::default();
        let long_side = detail_long_side(&decoded, &face, &options).expect("a larger decode");
        let refused = face_detail(&file, &decoded, &face, long_side, &decode_options, &options);
        assert!(
            matches!(refused, Err(crate::Error::UnsupportedFormat(_))),
            "{:?}",
            refused.map(|d| d.map(|d| d.image.dimensions()))
        );
        // With room for eight, both decodes read it.
        let roomy = DecodeOptions {
            max_jpeg_scan_samples: 8 * 2048 * 2048,
            ..DecodeOptions::default()
        };
        assert!(face_detail(&file, &decoded, &face, long_side, &roomy, &options).is_ok());
    }

    /// Crop pixels strictly between the grey and the white of `photo`'s marker: its blurred edge.
    fn edge_pixels(crop: &RgbImage) -> usize {
        crop.pixels().filter(|p| (110..235).contains(&p[0])).count()
    }

    #[test]
    fn face_crops_are_read_from_the_larger_decode_when_it_holds_them() {
        let (bytes, decoded) = photo(3000, 4000, (1400, 2000, 40), false);
        let k = decoded.scale;
        let marker = [1420.0 / k, 2020.0 / k];
        let face = detection(marker, 20.0);
        let detail = detail_of(&bytes, &decoded, &face).expect("a larger decode");
        let analysis_only = FacePixels::analysis_only(&decoded.image);
        let with_detail = FacePixels {
            detail: Some(&detail),
            ..analysis_only
        };
        // The marker (10 analysis pixels) in a crop 4 times the analysis copy's scale: its edges
        // are half as wide read from the photo's half.
        let frame = CropFrame {
            center: marker,
            side: 20.0,
            angle: 0.1,
            size: 80,
        };
        let (sharp, soft) = (
            edge_pixels(&with_detail.sample(&frame)),
            edge_pixels(&analysis_only.sample(&frame)),
        );
        assert!(sharp > 0 && 3 * sharp < 2 * soft, "{sharp} against {soft}");
        // A crop reaching beyond the larger decode's part of the photo is read from the analysis
        // copy: what lies beyond that part is in the photo, not black.
        let wide = CropFrame {
            side: 200.0,
            ..frame
        };
        assert_eq!(with_detail.sample(&wide), analysis_only.sample(&wide));
    }

    #[test]
    fn no_larger_decode_where_it_would_not_help() {
        let options = DetailOptions::default();
        // The face is large enough in the analysis copy.
        let (_, decoded) = photo(3000, 4000, (1400, 2000, 40), false);
        let large = detection([700.0, 500.0], 70.0);
        assert_eq!(detail_long_side(&decoded, &large, &options), None);
        // The photo has no more pixels than the analysis copy.
        let (_, decoded) = photo(768, 1024, (300, 400, 20), false);
        let small = detection([310.0, 410.0], 20.0);
        assert_eq!(detail_long_side(&decoded, &small, &options), None);
    }
}
