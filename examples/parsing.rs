//! Writes what the face parser saw and what it labelled, side by side, for looking at rule
//! failures: `cargo run --release --example parsing -- photo.jpg out.png`

use idphoto::analyse::{Analyser, AnalysisOptions};
use idphoto::decode::DecodeOptions;
use idphoto::runtime::models::ModelStore;
use image::{Rgb, RgbImage};

/// One colour per CelebAMask-HQ class, in class-id order.
const PALETTE: [[u8; 3]; 19] = [
    [0, 0, 0],       // background
    [230, 190, 160], // skin
    [120, 60, 0],    // left brow
    [160, 90, 20],   // right brow
    [0, 0, 255],     // left eye
    [0, 90, 255],    // right eye
    [0, 255, 255],   // glasses
    [255, 0, 0],     // left ear
    [255, 0, 128],   // right ear
    [255, 255, 0],   // earring
    [200, 120, 120], // nose
    [255, 100, 100], // mouth
    [180, 0, 0],     // upper lip
    [140, 0, 0],     // lower lip
    [150, 150, 100], // neck
    [200, 200, 0],   // necklace
    [0, 160, 0],     // cloth
    [90, 40, 140],   // hair
    [255, 128, 0],   // hat
];

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [photo, out] = args.as_slice() else {
        anyhow::bail!("usage: parsing PHOTO OUT.png");
    };
    let store = ModelStore::open_default()?;
    let analyser = Analyser::new(&store, AnalysisOptions::default())?;
    let analysis = analyser.analyse_photo(&std::fs::read(photo)?, &DecodeOptions::default())?;
    let parsing = analysis
        .parsing
        .ok_or_else(|| anyhow::anyhow!("no face parsing for {photo}"))?;
    let n = parsing.size();
    let mut sheet = RgbImage::new(2 * n, n);
    for (u, v, pixel) in parsing.crop.enumerate_pixels() {
        sheet.put_pixel(u, v, *pixel);
        let class = parsing.label(u, v) as usize;
        sheet.put_pixel(n + u, v, Rgb(PALETTE[class.min(18)]));
    }
    sheet.save(out)?;
    Ok(())
}
