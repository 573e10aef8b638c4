//! JPEG: decoded at a reduced DCT scale when the photo is far larger than the analysis needs,
//! with the scan count of progressive files bounded, and CMYK turned into RGB.

use super::{check_dimensions, finish, jpeg_segments, DecodeOptions, Decoded};
use crate::{Error, Result};
use image::{metadata::Orientation, RgbImage};
use std::io::Cursor;

pub(super) fn decode_jpeg(bytes: &[u8], options: &DecodeOptions) -> Result<Decoded> {
    let corrupt = |e: jpeg_decoder::Error| match e {
        jpeg_decoder::Error::Unsupported(feature) => {
            Error::UnsupportedFormat(format!("JPEG using {feature:?}"))
        }
        other => Error::Corrupt(other.to_string()),
    };
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    decoder.read_info().map_err(corrupt)?;
    let info = decoder
        .info()
        .ok_or_else(|| Error::Corrupt("JPEG header without frame".into()))?;
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    check_dimensions(width, height, options)?;
    use jpeg_decoder::{CodingProcess, ColorTransform, PixelFormat};
    let layout = jpeg_segments::layout(bytes);
    let orientation = layout
        .exif
        .and_then(Orientation::from_exif_chunk)
        .unwrap_or(Orientation::NoTransforms);
    let frame = layout
        .frame
        .ok_or_else(|| Error::Corrupt("JPEG without frame header".into()))?;
    // Colours as libjpeg reads them. Without a JFIF header an Adobe flag of 0 says three
    // components are RGB, whatever their ids (the decoder looks at the ids first and would read
    // RGB as YCbCr). Four components flagged 1 (YCbCr, which has three) the decoder refuses;
    // libjpeg takes them as YCCK.
    match (frame.components, layout.adobe_transform) {
        (3, Some(0)) if !layout.jfif => decoder.set_color_transform(ColorTransform::RGB),
        (4, Some(1)) => decoder.set_color_transform(ColorTransform::YCCK),
        _ => {}
    }
    let precision = frame.precision;
    // Only lossless JPEG (scientific and medical archives) stores other than 8 bits per sample.
    // The decoder returns deeper samples as 16 bits and shallower ones unscaled, while the
    // rules need ordinary 8-bit brightness.
    let depth = || Error::UnsupportedFormat(format!("JPEG with {precision} bits per sample"));
    if precision != 8 {
        return Err(depth());
    }
    if layout.malformed_scan {
        return Err(Error::Corrupt(
            "JPEG scan header of the wrong length".into(),
        ));
    }
    if layout.damaged {
        return Err(Error::Corrupt(
            "JPEG picture data damaged: markers out of place".into(),
        ));
    }
    let scans = layout.scans;
    let allowed = allowed_scans(
        info.coding_process,
        frame.components,
        width,
        height,
        options,
    );
    if scans > allowed {
        return Err(Error::UnsupportedFormat(format!(
            "JPEG with {scans} scans for {} components (at most {allowed} are read)",
            frame.components
        )));
    }
    let (out_w, out_h) = if info.coding_process == CodingProcess::Lossless {
        let lossless = DecodeOptions {
            max_pixels: options.max_lossless_jpeg_pixels,
            ..*options
        };
        check_dimensions(width, height, &lossless)?;
        // The decoder ignores the DCT scale for lossless data (there is no DCT).
        (info.width, info.height)
    } else {
        // Ask for the smallest DCT scale that still covers ~90 % of the analysis size, so the
        // remaining resize is a small step (or none).
        let target = options.analysis_long_side as f32 * 0.9;
        let long = width.max(height) as f32;
        let ratio = (target / long).min(1.0);
        let req_w = ((width as f32 * ratio).ceil() as u16).max(1);
        let req_h = ((height as f32 * ratio).ceil() as u16).max(1);
        decoder.scale(req_w, req_h).map_err(corrupt)?
    };
    let pixels = decoder.decode().map_err(corrupt)?;
    let (out_w, out_h) = (u32::from(out_w), u32::from(out_h));
    let (rgb, greyscale_source) = match info.pixel_format {
        PixelFormat::RGB24 => (pixels, false),
        PixelFormat::L8 => (pixels.iter().flat_map(|&v| [v, v, v]).collect(), true),
        PixelFormat::CMYK32 => (cmyk_to_rgb(&pixels), false),
        PixelFormat::L16 => return Err(depth()),
    };
    // The length must match exactly: `from_raw` would accept a longer buffer and show only its
    // start as the picture.
    let image = (rgb.len() == out_w as usize * out_h as usize * 3)
        .then(|| RgbImage::from_raw(out_w, out_h, rgb))
        .flatten()
        .ok_or_else(|| Error::Corrupt("JPEG pixel buffer has the wrong size".into()))?;
    finish(
        image,
        (width, height),
        (width, height),
        orientation,
        greyscale_source,
        "jpeg",
        options,
    )
}

fn allowed_scans(
    process: jpeg_decoder::CodingProcess,
    components: u8,
    width: u32,
    height: u32,
    options: &DecodeOptions,
) -> usize {
    let components = u64::from(components.max(1));
    if process != jpeg_decoder::CodingProcess::DctProgressive {
        return components as usize;
    }
    let samples = (u64::from(width) * u64::from(height) * components).max(1);
    let affordable = (options.max_jpeg_scan_samples / samples) as usize;
    affordable.min(options.max_jpeg_scans)
}

/// jpeg-decoder returns Adobe CMYK already inverted to plain CMYK values.
fn cmyk_to_rgb(cmyk: &[u8]) -> Vec<u8> {
    cmyk.chunks_exact(4)
        .flat_map(|p| {
            let k = 255 - u32::from(p[3]);
            let ch = |c: u8| ((255 - u32::from(c)) * k / 255) as u8;
            [ch(p[0]), ch(p[1]), ch(p[2])]
        })
        .collect()
}
