//! Writes three altered copies of a labelled photo set, with its labels, to measure how the rules
//! hold up on photos they were not tuned on:
//! `cargo run --release --example eval_copies -- ../shared/eval/labels.csv /tmp/copies`, then
//! `idphoto eval --labels /tmp/copies/mirrored/labels.csv` (and `jpeg70`, `scaled75`).
//!
//! - `mirrored`: flipped left to right (PNG). No label depends on the side.
//! - `jpeg70`: re-saved as JPEG quality 70, as a messenger app or an old archive would.
//! - `scaled75`: scaled to 75 % with a Lanczos filter (PNG).
//!
//! Photos are turned upright by their EXIF orientation first. Write the copies outside the
//! project: the evaluation photos' rights do not allow committing them.

use anyhow::{bail, Context};
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageReader, RgbImage};
use std::path::{Path, PathBuf};

struct Variant {
    name: &'static str,
    extension: &'static str,
    alter: fn(RgbImage) -> RgbImage,
}

const VARIANTS: [Variant; 3] = [
    Variant {
        name: "mirrored",
        extension: "png",
        alter: |img| image::imageops::flip_horizontal(&img),
    },
    Variant {
        name: "jpeg70",
        extension: "jpg",
        alter: |img| img,
    },
    Variant {
        name: "scaled75",
        extension: "png",
        alter: |img| {
            let (w, h) = (img.width() * 3 / 4, img.height() * 3 / 4);
            image::imageops::resize(&img, w.max(1), h.max(1), FilterType::Lanczos3)
        },
    },
];

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
    let Some(file_column) = headers.iter().position(|h| h == "file") else {
        bail!("{}: no `file` column", labels.display());
    };
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>()?;
    let mut failed = 0;
    for variant in &VARIANTS {
        let root = Path::new(out).join(variant.name);
        let mut writer = csv::Writer::from_path(root_file(&root, "labels.csv")?)?;
        writer.write_record(&headers)?;
        for row in &rows {
            // The extension is added, not swapped: a set may hold both `01.jpg` and `01.png`.
            let file = format!("{}.{}", &row[file_column], variant.extension);
            let written = upright(&images.join(&row[file_column])).and_then(|img| {
                let img = (variant.alter)(img);
                let path = root_file(&root, &file)?;
                if variant.extension == "jpg" {
                    let sink = std::io::BufWriter::new(std::fs::File::create(&path)?);
                    img.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
                        sink, 70,
                    ))?;
                } else {
                    img.save(&path)?;
                }
                Ok(())
            });
            if let Err(e) = written {
                // The row stays, so that the photo is scored as missing, as its original would be.
                eprintln!("{}: {}: {e:#}", variant.name, &row[file_column]);
                failed += 1;
            }
            let mut record: Vec<String> = row.iter().map(str::to_owned).collect();
            record[file_column] = file;
            writer.write_record(&record)?;
        }
        writer.flush()?;
        eprintln!("{}: {} photos", root.display(), rows.len());
    }
    if failed > 0 {
        eprintln!("{failed} copies could not be written");
    }
    Ok(())
}

/// `root/relative`, with its folders made.
fn root_file(root: &Path, relative: &str) -> anyhow::Result<PathBuf> {
    let path = root.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    Ok(path)
}

/// The photo as RGB, turned by its EXIF orientation.
fn upright(path: &Path) -> anyhow::Result<RgbImage> {
    let mut decoder = ImageReader::open(path)?
        .with_guessed_format()?
        .into_decoder()?;
    let orientation = decoder.orientation()?;
    let mut img = DynamicImage::from_decoder(decoder)?;
    img.apply_orientation(orientation);
    Ok(img.to_rgb8())
}
