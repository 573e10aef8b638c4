//! Decode an upload (JPEG, PNG, WebP; also GIF and PGM/PPM from archives) into an upright RGB analysis copy.
//!
//! Phone uploads are 12 MP JPEGs, far more pixels than any rule needs, so JPEGs are decoded at a
//! reduced scale in the DCT domain (1/2, 1/4 or 1/8) and only then resized. Nothing is ever
//! upscaled: a small photo is analysed at its own size and the `resolution` rule judges it.

mod jpeg;
mod jpeg_segments;
mod png_chunks;
mod png_rows;
mod sniff;
mod window;

pub use window::Window;

use crate::{Error, Result};
use fast_image_resize::{
    images::{Image, ImageRef},
    FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer,
};
use image::{imageops, metadata::Orientation, DynamicImage, ImageDecoder, ImageReader, RgbImage};
use std::io::{Cursor, Read};
use std::path::Path;

/// Limits that protect the service from hostile or useless uploads.
#[derive(Debug, Clone, Copy)]
pub struct DecodeOptions {
    /// Longest side of the analysis copy; larger images are reduced to this.
    pub analysis_long_side: u32,
    /// Images with more pixels than this are refused before decoding (decompression bombs).
    pub max_pixels: u64,
    /// Lossless JPEGs are decoded at full size (there is no DCT to scale), through 16-bit
    /// buffers per component: 64 MP of four components took 1.5 GB. They are rare outside
    /// medical archives, so they get a smaller limit.
    pub max_lossless_jpeg_pixels: u64,
    /// Files longer than this are refused before they are read into memory.
    pub max_file_bytes: u64,
    /// Images with a shorter side than this cannot show a usable face.
    pub min_side: u32,
    /// Images with a longer side than this are refused: jpeg-decoder 0.3 counts a side's 8-pixel
    /// blocks in 16 bits, which overflow within a few blocks of 65535 (image-rs/jpeg-decoder#283).
    pub max_side: u32,
    /// Each JPEG scan walks the whole picture, and a scan header without data is enough to
    /// make the decoder do it, so a few hundred bytes of repeated scans could keep a worker busy
    /// for minutes. Sequential and lossless JPEGs code each component once; a progressive JPEG
    /// may have at most this many scans (encoders write about 10) ...
    pub max_jpeg_scans: usize,
    /// ... and at most this many samples (width x height x components) decoded over all its
    /// scans: 64 scans of a 12 MP colour photo, 20 of a 64 MP one, at worst about 3 s here.
    pub max_jpeg_scan_samples: u64,
    /// Keep only this part of the upright picture (a face's neighbourhood in a second,
    /// larger decode); `None` keeps all of it.
    pub window: Option<Window>,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            analysis_long_side: 1024,
            max_pixels: 64_000_000,
            max_lossless_jpeg_pixels: 16_000_000,
            // A 64 MP PNG of a photo compresses to well under this; phone JPEGs are 2-10 MB.
            max_file_bytes: 256 << 20,
            min_side: 64,
            max_side: 65_000,
            max_jpeg_scans: 64,
            max_jpeg_scan_samples: 4_000_000_000,
            window: None,
        }
    }
}

/// An upright analysis copy of a photo (or the part of it `DecodeOptions::window` keeps) plus
/// what the rules need to know about the original.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub image: RgbImage,
    /// Width and height of the original after EXIF orientation.
    pub original_size: (u32, u32),
    /// Original pixels per analysis pixel (>= 1).
    pub scale: f32,
    /// The whole upright picture's size at `image`'s scale: `image`'s own size unless
    /// `DecodeOptions::window` kept only part of it.
    pub scaled_size: (u32, u32),
    /// Where `image`'s top-left corner lies in that picture: (0, 0) without a window.
    pub window_origin: (u32, u32),
    /// The file stores a single grey channel: it cannot be a colour photo.
    pub greyscale_source: bool,
    pub format: &'static str,
}

/// Reads a photo file. Only regular files are read (a FIFO or device would block or never
/// end), and never more than `max_file_bytes`.
pub fn read_file(path: &Path, options: &DecodeOptions) -> Result<Vec<u8>> {
    let io = |source: std::io::Error| Error::Io {
        path: path.display().to_string(),
        source,
    };
    let too_large = |bytes: u64| Error::FileTooLarge {
        bytes,
        limit: options.max_file_bytes,
    };
    let file = open_without_blocking(path).map_err(io)?;
    // Asked of the open file, so the path cannot be swapped for something else in between.
    let metadata = file.metadata().map_err(io)?;
    if !metadata.is_file() {
        let what = if metadata.is_dir() {
            "a folder"
        } else {
            "not a regular file"
        };
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            what,
        )));
    }
    if metadata.len() > options.max_file_bytes {
        return Err(too_large(metadata.len()));
    }
    // Kernel files such as /proc/kmsg say they are empty, then block the reader. A truly empty
    // file is no photo either way, and the decoder says why.
    if metadata.len() == 0 {
        return Ok(Vec::new());
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    // The file may grow while it is read.
    file.take(options.max_file_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > options.max_file_bytes {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Opening a FIFO for reading blocks until something writes to it; with O_NONBLOCK it returns
/// at once, and the metadata check then refuses it. Regular files ignore the flag.
#[cfg(unix)]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

pub fn decode(bytes: &[u8], options: &DecodeOptions) -> Result<Decoded> {
    // An empty file is an upload that broke off before its first byte: the applicant should
    // send the photo again, not be told to change its format.
    if bytes.is_empty() {
        return Err(Error::Corrupt("the file is empty".into()));
    }
    match image::guess_format(bytes) {
        Ok(image::ImageFormat::Jpeg) => jpeg::decode_jpeg(bytes, options),
        Ok(image::ImageFormat::Png) => {
            png_rows::decode_png(&png_chunks::prepared_for_decoding(bytes)?, options)
        }
        Ok(image::ImageFormat::WebP) => decode_generic(bytes, image::ImageFormat::WebP, options),
        // Archives of scanned or research photos also hold GIF and PGM files.
        Ok(image::ImageFormat::Gif) => decode_generic(bytes, image::ImageFormat::Gif, options),
        Ok(image::ImageFormat::Pnm) => decode_generic(bytes, image::ImageFormat::Pnm, options),
        Ok(other) => Err(Error::UnsupportedFormat(format!("{other:?}"))),
        Err(_) if sniff::cut_in_signature(bytes) => Err(Error::Corrupt(format!(
            "the file ends after {} byte{}, inside the image's signature",
            bytes.len(),
            if bytes.len() == 1 { "" } else { "s" }
        ))),
        Err(_) => match sniff::heif_brand(bytes) {
            Some(brand) => Err(Error::Heif(brand)),
            None => Err(Error::UnsupportedFormat(
                "the data is not a recognised image".into(),
            )),
        },
    }
}

fn check_dimensions(width: u32, height: u32, options: &DecodeOptions) -> Result<()> {
    if u64::from(width) * u64::from(height) > options.max_pixels {
        return Err(Error::TooLarge {
            width,
            height,
            limit: options.max_pixels,
        });
    }
    if width.max(height) > options.max_side {
        return Err(Error::DecodeLimit(format!(
            "{width}x{height} pixels, a side over {} pixels",
            options.max_side
        )));
    }
    if width.min(height) < options.min_side {
        return Err(Error::TooSmall { width, height });
    }
    Ok(())
}

/// A WebP's canvas as its extended (VP8X) header gives it, 24 bits a side: the decoder refuses
/// a canvas over 16383 px as a format error before its size can be judged.
fn webp_canvas(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.get(..4)? != b"RIFF" || bytes.get(8..16)? != b"WEBPVP8X" {
        return None;
    }
    let side = |at: usize| {
        let b = bytes.get(at..at + 3)?;
        Some((u32::from(b[0]) | u32::from(b[1]) << 8 | u32::from(b[2]) << 16) + 1)
    };
    Some((side(24)?, side(27)?))
}

fn decode_generic(
    bytes: &[u8],
    format: image::ImageFormat,
    options: &DecodeOptions,
) -> Result<Decoded> {
    let corrupt = |e: image::ImageError| match e {
        image::ImageError::Limits(_) => Error::DecodeLimit(e.to_string()),
        image::ImageError::Unsupported(_) => Error::UnsupportedFormat(e.to_string()),
        other => Error::Corrupt(other.to_string()),
    };
    if let Some((width, height)) = webp_canvas(bytes) {
        check_dimensions(width, height, options)?;
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(options.max_pixels.saturating_mul(8));
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(corrupt)?;
    let (width, height) = decoder.dimensions();
    check_dimensions(width, height, options)?;
    let orientation = decoder
        .exif_metadata()
        .ok()
        .flatten()
        .and_then(|exif| exif_orientation(&exif))
        .unwrap_or(Orientation::NoTransforms);
    let greyscale_source = matches!(
        decoder.color_type(),
        image::ColorType::L8
            | image::ColorType::L16
            | image::ColorType::La8
            | image::ColorType::La16
    );
    let dynamic = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    let image = flatten_on_white(dynamic);
    let name = match format {
        image::ImageFormat::Gif => "gif",
        image::ImageFormat::Pnm => "pnm",
        _ => "webp",
    };
    finish(
        image,
        (width, height),
        (width, height),
        orientation,
        greyscale_source,
        name,
        options,
    )
}

/// The orientation an EXIF block gives, whether it starts at its TIFF header or, as some
/// writers of PNG and WebP leave it, with the JPEG segment's "Exif\0\0" before that.
fn exif_orientation(exif: &[u8]) -> Option<Orientation> {
    Orientation::from_exif_chunk(exif.strip_prefix(b"Exif\0\0").unwrap_or(exif))
}

/// Transparent areas of an ID photo are meant as background, which the standard wants white.
pub fn flatten_on_white(dynamic: DynamicImage) -> RgbImage {
    if !dynamic.color().has_alpha() {
        return dynamic.into_rgb8();
    }
    let rgba = dynamic.into_rgba8();
    let (w, h) = rgba.dimensions();
    let mut out = RgbImage::new(w, h);
    for (src, dst) in rgba.pixels().zip(out.pixels_mut()) {
        let [r, g, b, a] = src.0;
        dst.0 = on_white([r, g, b], a);
    }
    out
}

/// One pixel composited onto white.
fn on_white(rgb: [u8; 3], alpha: u8) -> [u8; 3] {
    let a = u32::from(alpha);
    rgb.map(|c| ((u32::from(c) * a + 255 * (255 - a) + 127) / 255) as u8)
}

/// `covered` is the part of the stored picture that `image` shows: all of it, except where a
/// reduction left out the last columns and rows that did not fill a block.
fn finish(
    image: RgbImage,
    stored_size: (u32, u32),
    covered: (u32, u32),
    orientation: Orientation,
    greyscale_source: bool,
    format: &'static str,
    options: &DecodeOptions,
) -> Result<Decoded> {
    let swaps_axes = matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    );
    let upright = |(w, h): (u32, u32)| if swaps_axes { (h, w) } else { (w, h) };
    // Reduced and cut first, so the turn moves the small copy rather than the whole picture.
    let image = shrink_to(image, options.analysis_long_side)?;
    let scaled_size = upright(image.dimensions());
    let (image, window_origin) = match options.window {
        None => (image, (0, 0)),
        Some(window) => {
            let rect = window.pixels(scaled_size).ok_or_else(|| {
                Error::Internal(format!("{window:?} keeps nothing of the picture"))
            })?;
            let s = window::stored_rect(orientation, image.dimensions(), rect);
            let kept = imageops::crop_imm(&image, s.x0, s.y0, s.x1 - s.x0, s.y1 - s.y0);
            (kept.to_image(), (rect.x0, rect.y0))
        }
    };
    let mut dynamic = DynamicImage::ImageRgb8(image);
    dynamic.apply_orientation(orientation);
    let image = dynamic.into_rgb8();
    let original_size = upright(stored_size);
    let scale = upright(covered).0 as f32 / scaled_size.0 as f32;
    Ok(Decoded {
        image,
        original_size,
        scale,
        scaled_size,
        window_origin,
        greyscale_source,
        format,
    })
}

/// Reduces the image so its long side is at most `long_side`; never enlarges.
pub fn shrink_to(image: RgbImage, long_side: u32) -> Result<RgbImage> {
    let (w, h) = image.dimensions();
    let long = w.max(h);
    if long <= long_side {
        return Ok(image);
    }
    let f = long_side as f64 / long as f64;
    let nw = ((w as f64 * f).round() as u32).max(1);
    let nh = ((h as f64 * f).round() as u32).max(1);
    resize(&image, nw, nh)
}

/// Area-aware (convolution) resize of an RGB image to exactly `nw` x `nh`.
pub fn resize(image: &RgbImage, nw: u32, nh: u32) -> Result<RgbImage> {
    let (w, h) = image.dimensions();
    let src = ImageRef::new(w, h, image.as_raw(), PixelType::U8x3)
        .map_err(|e| Error::Corrupt(format!("resize source: {e}")))?;
    let mut dst = Image::new(nw, nh, PixelType::U8x3);
    Resizer::new()
        .resize(
            &src,
            &mut dst,
            &ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear)),
        )
        .map_err(|e| Error::Corrupt(format!("resize: {e}")))?;
    RgbImage::from_raw(nw, nh, dst.into_vec())
        .ok_or_else(|| Error::Corrupt("resize produced a wrong-sized buffer".into()))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use image::{ImageEncoder, Rgb};
    use jpeg_segments::tests::segment;

    #[test]
    fn a_window_keeps_that_part_of_the_upright_picture_at_the_same_scale() {
        let stored = RgbImage::from_fn(300, 200, |x, y| Rgb([x as u8, y as u8, (x + y) as u8]));
        let jpeg = crate::fixtures::encode_jpeg(&stored, 95);
        let window = Window {
            left: 0.2,
            top: 0.5,
            right: 0.7,
            bottom: 0.9,
        };
        for orientation in 1..=8 {
            let bytes = crate::fixtures::with_exif_orientation(&jpeg, orientation);
            // Halved, so the window is cut from the reduced picture.
            let half = DecodeOptions {
                analysis_long_side: 150,
                ..DecodeOptions::default()
            };
            let whole = decode(&bytes, &half).unwrap();
            let part = decode(
                &bytes,
                &DecodeOptions {
                    window: Some(window),
                    ..half
                },
            )
            .unwrap();
            let (w, h) = whole.image.dimensions();
            assert_eq!(part.scaled_size, (w, h), "{orientation}");
            assert_eq!(part.scale, whole.scale, "{orientation}");
            let (x0, y0) = part.window_origin;
            assert_eq!(
                (x0, y0),
                ((0.2 * w as f32) as u32, (h / 2)),
                "{orientation}"
            );
            let (pw, ph) = part.image.dimensions();
            assert_eq!(
                (pw, ph),
                (
                    (0.7 * w as f32).ceil() as u32 - x0,
                    (0.9 * h as f32).ceil() as u32 - y0
                )
            );
            let expected = imageops::crop_imm(&whole.image, x0, y0, pw, ph).to_image();
            assert!(part.image == expected, "orientation {orientation}");
        }
    }

    /// A lossless JPEG (SOF3, one component, predictor 1) of a uniform `value` at `precision`
    /// bits: the first sample differs from the 2^(P-1) prediction, every later one is predicted
    /// exactly, so the Huffman table needs two codes: "0" for a zero difference, "10" for the
    /// first difference's size category.
    fn lossless_grey(width: u16, height: u16, precision: u8, value: u16) -> Vec<u8> {
        let diff = i32::from(value) - (1 << (precision - 1));
        let category = 32 - diff.unsigned_abs().leading_zeros();
        let mut bits: Vec<bool> = vec![true, false];
        let extra = if diff < 0 { diff - 1 } else { diff };
        bits.extend((0..category).rev().map(|b| (extra >> b) & 1 == 1));
        bits.extend(std::iter::repeat_n(
            false,
            width as usize * height as usize - 1,
        ));
        let scan = entropy_bytes(bits);
        let [wh, wl] = width.to_be_bytes();
        let [hh, hl] = height.to_be_bytes();
        let mut out = vec![0xFF, 0xD8];
        out.extend([0xFF, 0xC3, 0, 11, precision, hh, hl, wh, wl, 1, 1, 0x11, 0]);
        let mut counts = [0u8; 16];
        counts[0] = 1;
        counts[1] = 1;
        out.extend([0xFF, 0xC4, 0, 21, 0x00]);
        out.extend(counts);
        out.extend([0, category as u8]);
        out.extend([0xFF, 0xDA, 0, 8, 1, 1, 0x00, 1, 0, 0]);
        out.extend(scan);
        out.extend([0xFF, 0xD9]);
        out
    }

    /// Huffman-coded bits as scan bytes: padded with ones, 0xFF followed by a stuffed zero.
    fn entropy_bytes(mut bits: Vec<bool>) -> Vec<u8> {
        while !bits.len().is_multiple_of(8) {
            bits.push(true);
        }
        let mut scan = Vec::new();
        for byte in bits.chunks(8) {
            let b = byte
                .iter()
                .fold(0u8, |acc, &bit| (acc << 1) | u8::from(bit));
            scan.push(b);
            if b == 0xFF {
                scan.push(0);
            }
        }
        scan
    }

    /// A mid-grey progressive greyscale JPEG: one DC scan, then `ac_scans` AC scans that each
    /// cover every block with end-of-band runs. Each scan is a few bytes however large the
    /// picture, which is what makes such files cheap to send and slow to decode.
    pub(crate) fn progressive_grey(side: u16, ac_scans: usize) -> Vec<u8> {
        let [sh, sl] = side.to_be_bytes();
        let mut out = vec![0xFF, 0xD8, 0xFF, 0xDB, 0, 67, 0];
        out.extend([1u8; 64]);
        out.extend([0xFF, 0xC2, 0, 11, 8, sh, sl, sh, sl, 1, 1, 0x11, 0]);
        // One code of length 1 per table: DC difference 0, and AC EOBRUN of 2^14 + extra.
        let mut counts = [0u8; 16];
        counts[0] = 1;
        for (class, symbol) in [(0x00, 0x00), (0x10, 0xE0)] {
            out.extend([0xFF, 0xC4, 0, 20, class]);
            out.extend(counts);
            out.push(symbol);
        }
        let blocks = (usize::from(side).div_ceil(8)).pow(2);
        out.extend([0xFF, 0xDA, 0, 8, 1, 1, 0x00, 0, 0, 0]);
        out.extend(entropy_bytes(vec![false; blocks]));
        let run: Vec<bool> = std::iter::once(false).chain([true; 14]).collect();
        let ac = entropy_bytes(run.repeat(blocks.div_ceil((1 << 15) - 1)));
        for _ in 0..ac_scans {
            out.extend([0xFF, 0xDA, 0, 8, 1, 1, 0x00, 1, 63, 0]);
            out.extend(&ac);
        }
        out.extend([0xFF, 0xD9]);
        out
    }

    #[test]
    fn progressive_jpegs_are_read_unless_they_repeat_scans_without_end() {
        let file = progressive_grey(128, 3);
        let d = decode(&file, &DecodeOptions::default()).unwrap();
        assert_eq!(d.image.dimensions(), (128, 128));
        assert!(
            d.image.pixels().all(|p| p.0[0].abs_diff(128) <= 1),
            "mid grey"
        );
        let strict = DecodeOptions {
            max_jpeg_scans: 3,
            ..DecodeOptions::default()
        };
        let refused = decode(&file, &strict);
        assert!(
            matches!(&refused, Err(Error::UnsupportedFormat(m)) if m.contains("4 scans")),
            "{refused:?}"
        );
        // The same four scans are too many for a budget of three whole pictures.
        let frugal = DecodeOptions {
            max_jpeg_scan_samples: 3 * 128 * 128,
            ..DecodeOptions::default()
        };
        assert!(matches!(
            decode(&file, &frugal),
            Err(Error::UnsupportedFormat(_))
        ));
    }

    #[test]
    fn sequential_jpegs_code_each_component_once() {
        let file = jpeg_bytes(&marked(400, 300));
        assert!(decode(&file, &DecodeOptions::default()).is_ok());
        // The decoder would walk the picture again for each repeated scan header.
        let sos = file.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
        let header_len = usize::from(u16::from_be_bytes([file[sos + 2], file[sos + 3]]));
        let header = file[sos..sos + 2 + header_len].to_vec();
        let eoi = file.len() - 2;
        let repeated = [&file[..eoi], &header.repeat(5), &file[eoi..]].concat();
        let refused = decode(&repeated, &DecodeOptions::default());
        assert!(
            matches!(&refused, Err(Error::UnsupportedFormat(m)) if m.contains("6 scans")),
            "{refused:?}"
        );
        // Scan markers repeated without headers are damage, not a kind of JPEG to convert.
        let garbage = [&file[..sos], &[0xFF, 0xDA].repeat(50_000)].concat();
        let refused = decode(&garbage, &DecodeOptions::default());
        assert!(matches!(&refused, Err(Error::Corrupt(_))), "{refused:?}");
    }

    #[test]
    fn damaged_picture_data_is_corrupt_not_a_grey_photo() {
        // Noise, so that the scan runs to many kilobytes.
        let mut state = 1u32;
        let noise = RgbImage::from_fn(400, 300, |_, _| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let [a, b, c, _] = state.to_le_bytes();
            Rgb([a, b, c])
        });
        let file = jpeg_bytes(&noise);
        assert!(decode(&file, &DecodeOptions::default()).is_ok());
        let sos = file.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
        let middle = (sos + file.len()) / 2;
        // Bytes spliced into the scan that read as a marker segment (APP4, 4 KB long): the
        // decoder pads the rest of the scan with nothing, skips the "segment" and passes over
        // the picture data after it, and returns the lower part grey.
        let spliced = [&file[..middle], &[0xFF, 0xE4, 0x10, 0x00], &file[middle..]].concat();
        let mut decoder = jpeg_decoder::Decoder::new(std::io::Cursor::new(&spliced));
        assert!(decoder.decode().is_ok(), "the decoder alone accepts it");
        let refused = decode(&spliced, &DecodeOptions::default());
        assert!(
            matches!(&refused, Err(Error::Corrupt(m)) if m.contains("damaged")),
            "{refused:?}"
        );
        // A reserved marker code in the picture data.
        // A reserved marker code in the picture data: damage, said as such.
        let reserved = [&file[..middle], &[0xFF, 0x37], &file[middle..]].concat();
        let refused = decode(&reserved, &DecodeOptions::default());
        assert!(
            matches!(&refused, Err(Error::Corrupt(m)) if m.contains("damaged")),
            "{refused:?}"
        );
    }

    #[test]
    fn only_regular_files_within_the_size_limit_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let folder = read_file(dir.path(), &DecodeOptions::default());
        assert!(matches!(folder, Err(Error::Io { .. })), "{folder:?}");
        let path = dir.path().join("photo.jpg");
        std::fs::write(&path, [0u8; 100]).unwrap();
        assert_eq!(
            read_file(&path, &DecodeOptions::default()).unwrap().len(),
            100
        );
        let small = DecodeOptions {
            max_file_bytes: 99,
            ..DecodeOptions::default()
        };
        let long = read_file(&path, &small);
        assert!(
            matches!(
                long,
                Err(Error::FileTooLarge {
                    bytes: 100,
                    limit: 99
                })
            ),
            "{long:?}"
        );
        #[cfg(unix)]
        {
            // A FIFO would block the reader until something writes to it.
            let fifo = dir.path().join("fifo");
            use std::os::unix::ffi::OsStrExt;
            let name = std::ffi::CString::new(fifo.as_os_str().as_bytes()).unwrap();
            // SAFETY: a NUL-terminated path that outlives the call, which only reads it.
            let made = unsafe { libc::mkfifo(name.as_ptr(), 0o600) };
            assert_eq!(made, 0, "mkfifo: {}", std::io::Error::last_os_error());
            let read = read_file(&fifo, &DecodeOptions::default());
            assert!(matches!(read, Err(Error::Io { .. })), "{read:?}");
        }
    }

    #[test]
    fn lossless_jpeg_is_read_at_full_size_or_refused_unless_8_bits() {
        // Wider than the analysis size, so a DCT scale would have been asked for.
        let d = decode(&lossless_grey(2000, 100, 8, 200), &DecodeOptions::default()).unwrap();
        assert_eq!(d.image.dimensions(), (1024, 51));
        assert!(d.greyscale_source);
        assert!(d.image.pixels().all(|p| p.0 == [200, 200, 200]));
        let deep = decode(
            &lossless_grey(300, 200, 12, 3000),
            &DecodeOptions::default(),
        );
        assert!(matches!(deep, Err(Error::UnsupportedFormat(_))), "{deep:?}");
        let shallow = decode(&lossless_grey(300, 200, 2, 3), &DecodeOptions::default());
        assert!(
            matches!(shallow, Err(Error::UnsupportedFormat(_))),
            "{shallow:?}"
        );
        let frugal = DecodeOptions {
            max_lossless_jpeg_pixels: 50_000,
            ..DecodeOptions::default()
        };
        let large = decode(&lossless_grey(300, 200, 8, 200), &frugal);
        assert!(matches!(large, Err(Error::TooLarge { .. })), "{large:?}");
    }

    fn jpeg_bytes(img: &RgbImage) -> Vec<u8> {
        crate::fixtures::encode_jpeg(img, 90)
    }

    /// A landscape picture with a red marker in the top-left corner.
    fn marked(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| {
            if x < w / 4 && y < h / 4 {
                Rgb([250, 10, 10])
            } else {
                Rgb([20, 20, 200])
            }
        })
    }

    #[test]
    fn exif_rotation_makes_landscape_upright() {
        let bytes = crate::fixtures::with_exif_orientation(&jpeg_bytes(&marked(400, 300)), 6);
        let d = decode(&bytes, &DecodeOptions::default()).unwrap();
        assert_eq!(d.original_size, (300, 400));
        assert_eq!(d.image.dimensions(), (300, 400));
        // Orientation 6 = rotate 90° clockwise: the top-left marker moves to the top-right.
        let top_right = d.image.get_pixel(280, 20);
        assert!(top_right[0] > 200 && top_right[2] < 60, "{top_right:?}");
        let top_left = d.image.get_pixel(20, 20);
        assert!(top_left[2] > 150, "{top_left:?}");
    }

    /// `jpeg` with the marker segment `marker` + `payload` inserted just after its frame header.
    fn with_segment_after_frame(jpeg: &[u8], marker: u8, payload: &[u8]) -> Vec<u8> {
        let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        let end = sof + 2 + usize::from(u16::from_be_bytes([jpeg[sof + 2], jpeg[sof + 3]]));
        [&jpeg[..end], &segment(marker, payload), &jpeg[end..]].concat()
    }

    fn exif_segment(orientation: u16) -> Vec<u8> {
        [
            &b"Exif\0\0"[..],
            &crate::fixtures::exif_orientation(orientation),
        ]
        .concat()
    }

    fn assert_turned_upright(d: &Decoded, what: &str) {
        assert_eq!(d.image.dimensions(), (300, 400), "{what}");
        // Orientation 6: the top-left marker moves to the top-right.
        let top_right = d.image.get_pixel(280, 20);
        assert!(
            top_right[0] > 200 && top_right[2] < 60,
            "{what}: {top_right:?}"
        );
    }

    #[test]
    fn jpeg_exif_after_the_frame_header_counts_and_the_first_one_wins() {
        let plain = jpeg_bytes(&marked(400, 300));
        let late = with_segment_after_frame(&plain, 0xE1, &exif_segment(6));
        let d = decode(&late, &DecodeOptions::default()).unwrap();
        assert_turned_upright(&d, "EXIF after the frame header");
        // A second EXIF block (an editor's, appended) does not override the first.
        let second = crate::fixtures::with_exif_orientation(&plain, 1);
        let twice = crate::fixtures::with_exif_orientation(&second, 6);
        let d = decode(&twice, &DecodeOptions::default()).unwrap();
        assert_turned_upright(&d, "two EXIF blocks");
    }

    #[test]
    fn jpeg_flagged_rgb_by_adobe_without_jfif_is_read_as_rgb() {
        // The encoder stores pure blue as YCbCr (29, 255, 107) under component ids 1, 2, 3 and a
        // JFIF header. Without that header, an Adobe segment with transform 0 says the same
        // three samples are R, G and B, as libjpeg (and so most viewers) read them.
        let jfif = jpeg_bytes(&RgbImage::from_pixel(64, 64, Rgb([0, 0, 255])));
        let app0_end = 4 + usize::from(u16::from_be_bytes([jfif[4], jfif[5]]));
        assert_eq!(&jfif[6..11], b"JFIF\0");
        let adobe = segment(0xEE, b"Adobe\0\x64\0\0\0\0\0");
        let rgb = [&jfif[..2], &adobe, &jfif[app0_end..]].concat();
        let px = *decode(&rgb, &DecodeOptions::default())
            .unwrap()
            .image
            .get_pixel(32, 32);
        let expected = [29, 255, 107];
        assert!(
            (0..3).all(|c| px[c].abs_diff(expected[c]) <= 3),
            "read as RGB: {px:?}"
        );
        // With the JFIF header kept, JFIF decides: YCbCr, pure blue again.
        let both = [&jfif[..app0_end], &adobe, &jfif[app0_end..]].concat();
        let px = *decode(&both, &DecodeOptions::default())
            .unwrap()
            .image
            .get_pixel(32, 32);
        assert!(
            px[0] < 10 && px[1] < 10 && px[2] > 245,
            "read as YCbCr: {px:?}"
        );
    }

    /// A lossless WebP of `img` in the extended format, with `exif` in an EXIF chunk.
    fn webp_with_exif(img: &RgbImage, exif: &[u8]) -> Vec<u8> {
        let mut simple = Vec::new();
        img.write_with_encoder(image::codecs::webp::WebPEncoder::new_lossless(&mut simple))
            .unwrap();
        assert_eq!(&simple[12..16], b"VP8L");
        let chunk = |fourcc: &[u8], data: &[u8]| {
            let pad: &[u8] = if data.len() % 2 == 1 { &[0] } else { &[] };
            [fourcc, &(data.len() as u32).to_le_bytes(), data, pad].concat()
        };
        let (w, h) = (img.width() - 1, img.height() - 1);
        let header = [[0x08, 0, 0, 0], w.to_le_bytes(), h.to_le_bytes()];
        let vp8x: Vec<u8> = [&header[0][..], &header[1][..3], &header[2][..3]].concat();
        let body = [
            &b"WEBP"[..],
            &chunk(b"VP8X", &vp8x),
            &simple[12..],
            &chunk(b"EXIF", exif),
        ]
        .concat();
        [&b"RIFF"[..], &(body.len() as u32).to_le_bytes(), &body].concat()
    }

    #[test]
    fn a_webp_canvas_too_large_for_its_decoder_is_too_large_not_corrupt() {
        let mut vp8x = b"RIFF\x1a\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0".to_vec();
        // Canvas width and height less one, 24 bits each: 65536 x 65536.
        vp8x.extend_from_slice(&[0xff, 0xff, 0x00, 0xff, 0xff, 0x00]);
        assert_eq!(webp_canvas(&vp8x), Some((65536, 65536)));
        let e = decode(&vp8x, &DecodeOptions::default()).unwrap_err();
        assert_eq!(e.code(), "image_too_large", "{e}");
        // A real extended WebP of an ordinary size reads its canvas the same, and decodes.
        let extended = webp_with_exif(&marked(400, 300), &[]);
        assert_eq!(webp_canvas(&extended), Some((400, 300)));
        assert!(decode(&extended, &DecodeOptions::default()).is_ok());
    }

    #[test]
    fn webp_exif_rotation_applies_with_or_without_the_exif_prefix() {
        let tiff = crate::fixtures::exif_orientation(6);
        for exif in [tiff.clone(), exif_segment(6)] {
            let webp = webp_with_exif(&marked(400, 300), &exif);
            let d = decode(&webp, &DecodeOptions::default()).unwrap();
            assert_eq!(d.format, "webp");
            assert_turned_upright(&d, &format!("EXIF of {} bytes", exif.len()));
        }
    }

    #[test]
    fn png_exif_rotation_applies_before_or_after_the_image_data() {
        let img = marked(400, 300);
        for exif_first in [true, false] {
            let mut png = Vec::new();
            let mut encoder = ::png::Encoder::new(&mut png, 400, 300);
            encoder.set_color(::png::ColorType::Rgb);
            let mut writer = encoder.write_header().unwrap();
            let exif = crate::fixtures::exif_orientation(6);
            let exif_chunk = ::png::chunk::ChunkType(*b"eXIf");
            if exif_first {
                writer.write_chunk(exif_chunk, &exif).unwrap();
            }
            writer.write_image_data(img.as_raw()).unwrap();
            if !exif_first {
                writer.write_chunk(exif_chunk, &exif).unwrap();
            }
            writer.finish().unwrap();
            let d = decode(&png, &DecodeOptions::default()).unwrap();
            assert_eq!(d.image.dimensions(), (300, 400), "EXIF first: {exif_first}");
            let top_right = d.image.get_pixel(280, 20);
            assert!(
                top_right[0] > 200,
                "EXIF first: {exif_first}: {top_right:?}"
            );
        }
    }

    #[test]
    fn large_jpeg_is_reduced_without_upscaling() {
        let bytes = jpeg_bytes(&marked(3000, 2000));
        let d = decode(&bytes, &DecodeOptions::default()).unwrap();
        assert!(
            d.image.width() <= 1024 && d.image.width() >= 900,
            "{:?}",
            d.image.dimensions()
        );
        assert!((d.scale - 3000.0 / d.image.width() as f32).abs() < 1e-3);
        let small = decode(&jpeg_bytes(&marked(320, 240)), &DecodeOptions::default()).unwrap();
        assert_eq!(small.image.dimensions(), (320, 240));
        assert_eq!(small.scale, 1.0);
    }

    #[test]
    fn greyscale_png_is_flagged() {
        let grey = image::GrayImage::from_fn(100, 80, |x, _| image::Luma([x as u8]));
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(&grey, 100, 80, image::ExtendedColorType::L8)
            .unwrap();
        let d = decode(&png, &DecodeOptions::default()).unwrap();
        assert!(d.greyscale_source);
        assert_eq!(d.format, "png");
    }

    #[test]
    fn transparent_png_becomes_white() {
        let rgba = image::RgbaImage::from_pixel(80, 80, image::Rgba([0, 0, 0, 0]));
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(&rgba, 80, 80, image::ExtendedColorType::Rgba8)
            .unwrap();
        let d = decode(&png, &DecodeOptions::default()).unwrap();
        assert_eq!(d.image.get_pixel(10, 10), &Rgb([255, 255, 255]));
    }

    #[test]
    fn animated_png_is_read_as_its_first_frame() {
        let (w, h) = (96u32, 80u32);
        let mut png = Vec::new();
        let mut encoder = ::png::Encoder::new(&mut png, w, h);
        encoder.set_color(::png::ColorType::Rgb);
        encoder.set_animated(2, 0).unwrap();
        let mut writer = encoder.write_header().unwrap();
        for grey in [40u8, 200] {
            writer
                .write_image_data(&vec![grey; (w * h * 3) as usize])
                .unwrap();
        }
        writer.finish().unwrap();
        let d = decode(&png, &DecodeOptions::default()).unwrap();
        assert_eq!(d.image.dimensions(), (w, h));
        assert_eq!(d.image.get_pixel(50, 40), &Rgb([40, 40, 40]));
    }

    #[test]
    fn large_16_bit_png_is_reduced_while_read() {
        // Left half opaque red, right half half-transparent black; 16 bits per sample. Blocks of
        // 4 x 4 leave out the last 2 columns and 3 rows: the size reported is still the file's,
        // while coordinates map back through the part the blocks cover.
        let (w, h) = (4098u32, 1003u32);
        let samples: Vec<u8> = (0..h)
            .flat_map(|_| 0..w)
            .flat_map(|x| {
                let px: [u16; 4] = if x < w / 2 {
                    [65535, 0, 0, 65535]
                } else {
                    [0, 0, 0, 32896]
                };
                px.into_iter().flat_map(u16::to_be_bytes)
            })
            .collect();
        let mut png = Vec::new();
        let mut encoder = ::png::Encoder::new(&mut png, w, h);
        encoder.set_color(::png::ColorType::Rgba);
        encoder.set_depth(::png::BitDepth::Sixteen);
        encoder
            .write_header()
            .unwrap()
            .write_image_data(&samples)
            .unwrap();
        let d = decode(&png, &DecodeOptions::default()).unwrap();
        assert_eq!(d.image.dimensions(), (1024, 250));
        assert_eq!(d.original_size, (w, h));
        assert_eq!(d.scale, 4.0);
        assert_eq!(d.format, "png");
        assert!(!d.greyscale_source);
        assert_eq!(d.image.get_pixel(100, 100), &Rgb([255, 0, 0]));
        let grey = d.image.get_pixel(900, 100);
        assert!(grey.0.iter().all(|&v| v.abs_diff(127) <= 1), "{grey:?}");
    }

    #[test]
    fn bad_input_gives_clear_errors() {
        assert!(matches!(
            decode(b"hello, not an image", &DecodeOptions::default()),
            Err(Error::UnsupportedFormat(_))
        ));
        for (cut, said) in [
            (&b"\xff"[..], "after 1 byte,"),
            (b"\x89PN", "after 3 bytes,"),
        ] {
            let error = decode(cut, &DecodeOptions::default()).expect_err("cut short");
            assert!(matches!(error, Error::Corrupt(_)), "{error}");
            assert!(error.to_string().contains(said), "{error}");
        }
        let bytes = jpeg_bytes(&marked(400, 300));
        let truncated = &bytes[..bytes.len() / 3];
        assert!(matches!(
            decode(truncated, &DecodeOptions::default()),
            Err(Error::Corrupt(_))
        ));
        let tiny = DecodeOptions {
            max_pixels: 1000,
            ..DecodeOptions::default()
        };
        assert!(matches!(decode(&bytes, &tiny), Err(Error::TooLarge { .. })));
        let short_sides = DecodeOptions {
            max_side: 399,
            ..DecodeOptions::default()
        };
        assert!(matches!(
            decode(&bytes, &short_sides),
            Err(Error::DecodeLimit(_))
        ));
        let small = jpeg_bytes(&marked(40, 30));
        assert!(matches!(
            decode(&small, &DecodeOptions::default()),
            Err(Error::TooSmall { .. })
        ));
    }
}
