//! PNG decoded row by row and averaged down while it is read, as the JPEG path lets the DCT
//! scale it: a non-interlaced 64 MP PNG (even a 16-bit one) then needs one row and the reduced
//! copy, not a gigabyte. Interlaced (Adam7) files are read whole first, at 8 bits per sample.

use super::{check_dimensions, finish, on_white, DecodeOptions, Decoded};
use crate::error::{Error, Result};
use image::metadata::Orientation;
use image::RgbImage;
use png::{ColorType, DecodingError, Transformations};
use std::io::Cursor;

pub(super) fn decode_png(bytes: &[u8], options: &DecodeOptions) -> Result<Decoded> {
    let mut decoder = png::Decoder::new_with_limits(
        Cursor::new(bytes),
        png::Limits {
            bytes: usize::try_from(options.max_pixels.saturating_mul(8)).unwrap_or(usize::MAX),
        },
    );
    // 8 bits per sample, palettes and transparency keys expanded.
    decoder.set_transformations(Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(png_error)?;
    let info = reader.info();
    let (width, height) = (info.width, info.height);
    check_dimensions(width, height, options)?;
    let greyscale_source = matches!(
        info.color_type,
        ColorType::Grayscale | ColorType::GrayscaleAlpha
    );
    let orientation = info
        .exif_metadata
        .as_deref()
        .and_then(super::exif_orientation)
        .unwrap_or(Orientation::NoTransforms);
    let interlaced = info.interlaced;
    let channels = reader.output_color_type().0.samples();
    // Average whole blocks down to no less than the analysis size (nor below one pixel across);
    // `finish` makes the last, smaller step with its filter.
    let factor = (width.max(height) / options.analysis_long_side.max(1))
        .min(width.min(height))
        .max(1);
    let mut reducer = BoxReducer::new(width, height, factor);
    if interlaced {
        // Adam7 delivers the rows in seven passes, so the whole picture is needed first.
        let size = reader
            .output_buffer_size()
            .ok_or_else(|| Error::DecodeLimit("PNG too large to de-interlace".into()))?;
        let mut picture = vec![0u8; size];
        reader.next_frame(&mut picture).map_err(png_error)?;
        let line = width as usize * channels;
        for row in picture.chunks_exact(line).take(height as usize) {
            reducer.push_row(row, channels);
        }
    } else {
        for _ in 0..height {
            let row = reader
                .next_row()
                .map_err(png_error)?
                .ok_or_else(|| Error::Corrupt("PNG ends before its last row".into()))?;
            reducer.push_row(row.data(), channels);
        }
        // Asking past the last row reads the image data to its end, which checks what is left of
        // it (the last chunk's CRC, the end of the compressed stream).
        if reader.next_row().map_err(png_error)?.is_some() {
            return Err(Error::Corrupt(
                "PNG has more rows than its header says".into(),
            ));
        }
    }
    // Coordinates map back through the covered part, which is at most `factor - 1` pixels
    // short of the whole picture at the right and bottom.
    let covered = reducer.covered();
    finish(
        reducer.out,
        (width, height),
        covered,
        orientation,
        greyscale_source,
        "png",
        options,
    )
}

fn png_error(e: DecodingError) -> Error {
    match e {
        DecodingError::LimitsExceeded => Error::DecodeLimit(e.to_string()),
        other => Error::Corrupt(other.to_string()),
    }
}

/// Averages whole blocks of `factor` x `factor` pixels as the rows arrive, keeping one row of
/// sums. The last columns and rows that do not fill a block (fewer than `factor`) are left out
/// rather than stretched to a whole pixel, so every analysis pixel stands for the same area.
struct BoxReducer {
    factor: u32,
    sums: Vec<u64>,
    rows_in_block: u32,
    rows_seen: u32,
    out: RgbImage,
}

impl BoxReducer {
    /// `factor` must not exceed either side.
    fn new(width: u32, height: u32, factor: u32) -> Self {
        let out_width = width / factor;
        BoxReducer {
            factor,
            sums: vec![0; out_width as usize * 3],
            rows_in_block: 0,
            rows_seen: 0,
            out: RgbImage::new(out_width, height / factor),
        }
    }

    /// The part of the picture the blocks cover, in its pixels.
    fn covered(&self) -> (u32, u32) {
        (
            self.out.width() * self.factor,
            self.out.height() * self.factor,
        )
    }

    /// One row of `channels` 8-bit samples per pixel (grey, grey+alpha, RGB or RGBA).
    fn push_row(&mut self, row: &[u8], channels: usize) {
        if self.rows_seen >= self.covered().1 {
            return;
        }
        let covered_width = self.covered().0 as usize;
        for (x, pixel) in row.chunks_exact(channels).take(covered_width).enumerate() {
            let at = x / self.factor as usize * 3;
            for (sum, v) in self.sums[at..at + 3].iter_mut().zip(pixel_on_white(pixel)) {
                *sum += u64::from(v);
            }
        }
        self.rows_in_block += 1;
        self.rows_seen += 1;
        if self.rows_in_block == self.factor {
            self.emit_row();
        }
    }

    fn emit_row(&mut self) {
        let y = (self.rows_seen - 1) / self.factor;
        let n = u64::from(self.factor) * u64::from(self.factor);
        let mean = |s: u64| ((s + n / 2) / n) as u8;
        for (bx, sums) in self.sums.chunks_exact_mut(3).enumerate() {
            self.out.put_pixel(
                bx as u32,
                y,
                image::Rgb([mean(sums[0]), mean(sums[1]), mean(sums[2])]),
            );
            sums.fill(0);
        }
        self.rows_in_block = 0;
    }
}

/// Grey, grey+alpha, RGB or RGBA samples as RGB; transparent areas of an ID photo are meant as
/// background, which the standard wants white.
fn pixel_on_white(pixel: &[u8]) -> [u8; 3] {
    match *pixel {
        [v] => [v; 3],
        [v, a] => on_white([v; 3], a),
        [r, g, b] => [r, g, b],
        [r, g, b, a, ..] => on_white([r, g, b], a),
        [] => [255; 3],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_blocks_are_averaged_and_partial_ones_left_out() {
        // 5 x 3 grey picture, reduced by 2: two 2x2 blocks; the fifth column and the third row
        // fill no block.
        let mut reducer = BoxReducer::new(5, 3, 2);
        reducer.push_row(&[0, 100, 10, 30, 200], 1);
        reducer.push_row(&[40, 60, 20, 40, 100], 1);
        reducer.push_row(&[1, 3, 7, 9, 50], 1);
        assert_eq!(reducer.covered(), (4, 2));
        let grey: Vec<u8> = reducer.out.pixels().map(|p| p[0]).collect();
        assert_eq!(grey, [50, 25]);
    }

    #[test]
    fn transparency_is_flattened_onto_white() {
        assert_eq!(pixel_on_white(&[10, 20, 30, 255]), [10, 20, 30]);
        assert_eq!(pixel_on_white(&[10, 20, 30, 0]), [255, 255, 255]);
        assert_eq!(pixel_on_white(&[0, 128]), [127, 127, 127]);
        assert_eq!(pixel_on_white(&[9]), [9, 9, 9]);
    }
}
