//! Writes ten altered copies of a labelled photo set, with their labels, to measure how the rules
//! hold up on photos they were not tuned on:
//! `cargo run --release --example eval_copies -- ../shared/eval/labels.csv /tmp/copies`, then
//! `idphoto eval --labels /tmp/copies/mirrored/labels.csv` (and `jpeg70`, `scaled75`, `scaled50`,
//! `grain4`, `blurred4`, `dark35`, `bright190`, `small_in_12mp`, `masked`).
//!
//! - `mirrored`: flipped left to right (PNG). No label depends on the side.
//! - `jpeg70`: re-saved as JPEG quality 70, as a messenger app or an old archive would.
//! - `scaled75`: scaled to 75 % with a Lanczos filter (PNG).
//! - `scaled50`: scaled to 50 % likewise (PNG): small faces.
//! - `grain4`: Gaussian grain of 4 levels added to each channel separately, as a noisy sensor or
//!   a colour scan of a black-and-white print would (PNG; seeded, so copies compare).
//! - `blurred4`: a Gaussian blur of σ = 0.04 × the distance between the eye centres idphoto
//!   measures (as `Context::iod`, the unit of `sharp_calibration`), a visibly out-of-focus photo
//!   (PNG). The copy is for seeing what blur does to the other rules: its `sharp` and verdict
//!   cells are left blank, since the originals' no longer hold. Photos in which no face is found
//!   (or without the models) are left out of it.
//! - `dark35`, `bright190`: every pixel value times 0.35 or 1.9 (clipped), an under- or
//!   overexposed photo (PNG). Their `exposure_ok`, `background_white` and verdict cells are left
//!   blank: a white wall made grey, or a grey one white, changes those labels.
//! - `small_in_12mp`: scaled so that the eyes are `SMALL_FACE_IOD` apart (a face about 230 px
//!   wide, just over the card's 207) and placed in the middle of a 12 MP photo, its edges
//!   stretched to fill it (JPEG quality 92, as a phone saves): a photo taken from a metre or two
//!   with the rear camera, whose face is 25 px between the eyes in the analysis copy.
//!   Photos whose eyes are closer than that, or too large for the frame once scaled, are left
//!   out. Stretched edges are no backdrop, no framing and no clothing: those cells are blank.
//! - `masked`: a pleated face mask painted over the nose and mouth of each face found
//!   (`idphoto::fixtures::with_face_mask`; light blue, white, black and grey-green in turn), PNG.
//!   Its labels file has one column, `face_uncovered`, every cell `fail`: what `eval` reports for
//!   it is how many masks the rule catches (TP) and misses (FN). Photos without a face are left
//!   out.
//!
//! Photos are read by idphoto's own decoder at full size: upright by their EXIF orientation, on
//! white where transparent. Write the copies outside the project: the evaluation photos'
//! rights do not allow committing them.

use anyhow::{bail, Context};
use idphoto::analyse::{Analyser, AnalysisOptions};
use idphoto::checks::Context as RuleContext;
use idphoto::decode::{decode, DecodeOptions};
use idphoto::fixtures::{add_gaussian_noise, scale_levels, with_face_mask, FaceMaskPlace};
use idphoto::runtime::models::ModelStore;
use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::RgbImage;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

struct Variant {
    name: &'static str,
    /// Added to the file name rather than swapped for its extension: a set may hold both
    /// `01.jpg` and `01.png`.
    extension: &'static str,
    /// The altered photo, given its face (`None` when none was found) and its row's number;
    /// `None` leaves the photo out of this copy.
    alter: fn(&RgbImage, Option<&FaceInPhoto>, usize) -> Option<RgbImage>,
    save: fn(&RgbImage, &Path) -> anyhow::Result<()>,
    labels: CopyLabels,
}

/// What a copy's labels file holds.
enum CopyLabels {
    /// The original's labels, with the cells of these columns (which the alteration makes wrong)
    /// written blank.
    Blanking(&'static [&'static str]),
    /// Only these columns, each cell with this label, whatever the original's.
    Only(&'static [(&'static str, &'static str)]),
}

/// The main face of a photo, in the photo's own pixels.
struct FaceInPhoto {
    /// The distance between the eye centres, as the rules measure it.
    iod: f32,
    mask: FaceMaskPlace,
}

/// The masks of the `masked` copy, in turn.
const MASK_COLOURS: [[f32; 3]; 4] = [
    [150.0, 195.0, 225.0],
    [240.0, 240.0, 242.0],
    [30.0, 30.0, 34.0],
    [120.0, 150.0, 130.0],
];

const VARIANTS: [Variant; 10] = [
    Variant {
        name: "mirrored",
        extension: "png",
        alter: |img, _, _| Some(image::imageops::flip_horizontal(img)),
        save: save_png,
        labels: CopyLabels::Blanking(&[]),
    },
    Variant {
        name: "jpeg70",
        extension: "jpg",
        alter: |img, _, _| Some(img.clone()),
        save: save_jpeg70,
        labels: CopyLabels::Blanking(&[]),
    },
    Variant {
        name: "scaled75",
        extension: "png",
        alter: |img, _, _| Some(scaled(img, 3, 4)),
        save: save_png,
        labels: CopyLabels::Blanking(&[]),
    },
    Variant {
        name: "scaled50",
        extension: "png",
        alter: |img, _, _| Some(scaled(img, 1, 2)),
        save: save_png,
        labels: CopyLabels::Blanking(&[]),
    },
    Variant {
        name: "grain4",
        extension: "png",
        alter: |img, _, _| Some(add_gaussian_noise(img.clone(), 4.0, 7)),
        save: save_png,
        labels: CopyLabels::Blanking(&[]),
    },
    Variant {
        name: "blurred4",
        extension: "png",
        alter: |img, face, _| face.map(|face| image::imageops::blur(img, 0.04 * face.iod)),
        save: save_png,
        labels: CopyLabels::Blanking(&["sharp", "verdict_id_card", "verdict_icao"]),
    },
    Variant {
        name: "dark35",
        extension: "png",
        alter: |img, _, _| Some(scale_levels(img.clone(), 0.35)),
        save: save_png,
        labels: CopyLabels::Blanking(EXPOSURE_LABELS),
    },
    Variant {
        name: "bright190",
        extension: "png",
        alter: |img, _, _| Some(scale_levels(img.clone(), 1.9)),
        save: save_png,
        labels: CopyLabels::Blanking(EXPOSURE_LABELS),
    },
    Variant {
        name: "small_in_12mp",
        extension: "jpg",
        alter: |img, face, _| face.and_then(|face| small_in_phone_photo(img, face.iod)),
        save: save_jpeg92,
        labels: CopyLabels::Blanking(&[
            "head_in_frame",
            "background_plain",
            "background_white",
            "not_white_top",
            "verdict_id_card",
            "verdict_icao",
        ]),
    },
    Variant {
        name: "masked",
        extension: "png",
        alter: |img, face, row| {
            face.map(|face| with_face_mask(img, &face.mask, MASK_COLOURS[row % MASK_COLOURS.len()]))
        },
        save: save_png,
        labels: CopyLabels::Only(&[("face_uncovered", "fail")]),
    },
];

/// Distance between the eye centres of the `small_in_12mp` copy's face, in its pixels.
const SMALL_FACE_IOD: f32 = 100.0;
/// Sides of a 12 MP phone photo, the long one upright for a portrait.
const PHONE_PHOTO: (u32, u32) = (3024, 4032);

/// Labels that a change of exposure makes wrong.
const EXPOSURE_LABELS: &[&str] = &[
    "exposure_ok",
    "background_white",
    "verdict_id_card",
    "verdict_icao",
];

/// `img` shrunk so that the eyes, `iod` apart, are `SMALL_FACE_IOD` apart, in the middle of a
/// phone photo of its orientation whose margins repeat its edge pixels; `None` where that would
/// enlarge it or it would not fit.
fn small_in_phone_photo(img: &RgbImage, iod: f32) -> Option<RgbImage> {
    let factor = SMALL_FACE_IOD / iod;
    if factor >= 1.0 {
        return None;
    }
    let (w, h) = (
        (img.width() as f32 * factor).round().max(1.0) as u32,
        (img.height() as f32 * factor).round().max(1.0) as u32,
    );
    let small = image::imageops::resize(img, w, h, FilterType::Lanczos3);
    let (short, long) = PHONE_PHOTO;
    let (pw, ph) = if h >= w { (short, long) } else { (long, short) };
    if w > pw || h > ph {
        return None;
    }
    let (x0, y0) = ((pw - w) / 2, (ph - h) / 2);
    Some(RgbImage::from_fn(pw, ph, |x, y| {
        let sx = x.saturating_sub(x0).min(w - 1);
        let sy = y.saturating_sub(y0).min(h - 1);
        *small.get_pixel(sx, sy)
    }))
}

/// `img` scaled to `num / den` of its size with a Lanczos filter.
fn scaled(img: &RgbImage, num: u32, den: u32) -> RgbImage {
    let (w, h) = (img.width() * num / den, img.height() * num / den);
    image::imageops::resize(img, w.max(1), h.max(1), FilterType::Lanczos3)
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [labels, out] = args.as_slice() else {
        bail!("usage: eval_copies LABELS.csv OUT_DIR");
    };
    let labels = Path::new(labels);
    let images = labels.parent().unwrap_or(Path::new("."));
    let mut reader =
        csv::Reader::from_path(labels).with_context(|| labels.display().to_string())?;
    let headers = reader.headers()?.clone();
    // Only the blurred, small-face and masked copies need a face; without the models the others
    // are still written.
    let analyser = ModelStore::open_default()
        .and_then(|store| Analyser::new(&store, AnalysisOptions::default()))
        .map_err(|e| eprintln!("no face analysis, so no blurred, small-face or masked copy: {e}"))
        .ok();
    let Some(file_column) = headers.iter().position(|h| h == "file") else {
        bail!("{}: no `file` column", labels.display());
    };
    let roots: Vec<PathBuf> = VARIANTS
        .iter()
        .map(|v| Path::new(out).join(v.name))
        .collect();
    let mut writers = VARIANTS
        .iter()
        .zip(&roots)
        .map(|(variant, root)| {
            let mut writer = csv::Writer::from_path(in_folder(root, Path::new("labels.csv"))?)?;
            match variant.labels {
                CopyLabels::Blanking(_) => writer.write_record(&headers)?,
                CopyLabels::Only(columns) => writer.write_record(
                    std::iter::once("file").chain(columns.iter().map(|(column, _)| *column)),
                )?,
            }
            Ok(writer)
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let (mut rows, mut failed) = (vec![0; VARIANTS.len()], 0);
    for (number, row) in reader.records().enumerate() {
        let row = row?;
        let file = row[file_column].trim();
        let path = relative(file).map(|rel| images.join(rel));
        let upright = path
            .as_ref()
            .map_err(|e| anyhow::anyhow!("{e:#}"))
            .and_then(|p| upright(p));
        let face = analyser
            .as_ref()
            .zip(path.ok())
            .and_then(|(analyser, p)| face_in_photo(analyser, &p));
        for (((variant, root), writer), rows) in
            VARIANTS.iter().zip(&roots).zip(&mut writers).zip(&mut rows)
        {
            let copy = format!("{file}.{}", variant.extension);
            let altered = match &upright {
                Ok(img) => match (variant.alter)(img, face.as_ref(), number) {
                    Some(altered) => Ok(altered),
                    None => {
                        eprintln!(
                            "{}: {file}: left out (no face found, or not one this copy can use)",
                            variant.name
                        );
                        continue;
                    }
                },
                Err(e) => Err(anyhow::anyhow!("{e:#}")),
            };
            let written =
                altered.and_then(|img| (variant.save)(&img, &in_folder(root, Path::new(&copy))?));
            if let Err(e) = written {
                // The row stays, so that the photo is scored as missing, as its original would be.
                eprintln!("{}: {file}: {e:#}", variant.name);
                failed += 1;
            }
            match variant.labels {
                CopyLabels::Blanking(blanked) => {
                    let mut record: Vec<&str> = row.iter().collect();
                    record[file_column] = &copy;
                    for (cell, header) in record.iter_mut().zip(&headers) {
                        if blanked.contains(&header) {
                            *cell = "";
                        }
                    }
                    writer.write_record(&record)?;
                }
                CopyLabels::Only(columns) => writer.write_record(
                    std::iter::once(copy.as_str()).chain(columns.iter().map(|(_, label)| *label)),
                )?,
            }
            *rows += 1;
        }
    }
    for ((writer, root), rows) in writers.iter_mut().zip(&roots).zip(&rows) {
        writer.flush()?;
        eprintln!("{}: {rows} photos", root.display());
    }
    if failed > 0 {
        bail!("{failed} copies could not be written (their rows are kept)");
    }
    Ok(())
}

/// A labels file's photo path, which must stay inside its folder.
fn relative(file: &str) -> anyhow::Result<&Path> {
    let path = Path::new(file);
    if !path.components().all(|c| matches!(c, Component::Normal(_))) {
        bail!("the path leaves the labels' folder");
    }
    Ok(path)
}

/// `root/relative`, with its folders made.
fn in_folder(root: &Path, relative: &Path) -> anyhow::Result<PathBuf> {
    let path = root.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    Ok(path)
}

/// The photo's main face, in the photo's own pixels.
fn face_in_photo(analyser: &Analyser, path: &Path) -> Option<FaceInPhoto> {
    let analysis = analyser
        .analyse_photo(&std::fs::read(path).ok()?, &DecodeOptions::default())
        .ok()?;
    let (face, scale) = (analysis.face.as_ref()?, analysis.decoded.scale);
    Some(FaceInPhoto {
        iod: RuleContext::iod(face) * scale,
        mask: FaceMaskPlace::from_mesh(&face.mesh, scale),
    })
}

/// The photo at full size as idphoto's own decoder reads it: turned by its EXIF orientation
/// (wherever the file keeps it), colours as it converts them, transparency on white. Another
/// reader could save a copy on its side under the original's labels.
fn upright(path: &Path) -> anyhow::Result<RgbImage> {
    let full_size = DecodeOptions {
        analysis_long_side: u32::MAX,
        ..Default::default()
    };
    Ok(decode(&std::fs::read(path)?, &full_size)?.image)
}

fn save_png(img: &RgbImage, path: &Path) -> anyhow::Result<()> {
    Ok(img.save(path)?)
}

fn save_jpeg70(img: &RgbImage, path: &Path) -> anyhow::Result<()> {
    save_jpeg(img, path, 70)
}

fn save_jpeg92(img: &RgbImage, path: &Path) -> anyhow::Result<()> {
    save_jpeg(img, path, 92)
}

fn save_jpeg(img: &RgbImage, path: &Path, quality: u8) -> anyhow::Result<()> {
    let mut sink = std::io::BufWriter::new(std::fs::File::create(path)?);
    img.write_with_encoder(JpegEncoder::new_with_quality(&mut sink, quality))?;
    Ok(sink.flush()?)
}
