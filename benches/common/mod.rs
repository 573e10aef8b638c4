//! Realistic phone uploads for the benches, generated from the public-domain portraits in
//! testdata/ (see `idphoto::fixtures::phone_upload`): nothing from the evaluation set.

// Each bench uses part of this module.
#![allow(dead_code)]

use idphoto::report::{Report, Verdict};
use idphoto::runtime::models::ModelStore;
use image::RgbImage;

/// The model store, with every model the full pipeline runs. The face parser may be left out of
/// an installation (its weights are non-commercial); the benches would then time a cheaper
/// pipeline without a word.
pub fn full_store() -> ModelStore {
    let store = ModelStore::open_default().expect("models");
    let parser = idphoto::analyse::files::PARSER;
    if let Err(e) = store.entry(parser) {
        panic!("the benches time the whole pipeline, and {parser} is not installed: {e}");
    }
    store
}

/// A rayon pool of one thread: what runs in it, the decoder's work included, is the cost on one
/// core.
pub fn one_thread_pool() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
}

/// Panics unless `report` went through the face's stages: an error, or a photo without a face
/// (an `IDPHOTO_BENCH_IMAGE` of the wrong kind), would time a shorter path. (That the parser ran
/// is `full_store`'s part: its stage is timed even when there is none.)
pub fn assert_full_pipeline(report: &Report) {
    assert_ne!(report.verdict, Verdict::Error, "{:?}", report.error);
    assert!(
        report.face.is_some(),
        "{}: no face found, so the bench would time the no-face path",
        report.file
    );
    for stage in ["landmarks", "blendshapes", "segment"] {
        assert!(
            report.timings_ms.contains_key(stage),
            "{}: no {stage} stage in {:?}",
            report.file,
            report.timings_ms.keys()
        );
    }
}

pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

fn portrait(file: &str) -> RgbImage {
    let path = format!("{}/testdata/{file}", env!("CARGO_MANIFEST_DIR"));
    image::open(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .to_rgb8()
}

/// The reference photo: 3024x4032 upright, stored as landscape pixels with EXIF orientation 6,
/// about 3.2 MB. `IDPHOTO_BENCH_IMAGE=path.jpg` replaces it with a file of your own.
pub fn twelve_megapixel_exif6() -> Vec<u8> {
    if let Ok(path) = std::env::var("IDPHOTO_BENCH_IMAGE") {
        return std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    }
    idphoto::fixtures::phone_upload(&portrait("grace_hopper.jpg"), 3024, 4032, true, 7)
}

/// The reference upload with the portrait at a third of its size, as when the applicant stands
/// well back: about 27 px between the eyes in the analysis copy, so the face is decoded a second
/// time, at half size, for the face models and `sharp` (`analyse::detail`).
pub fn twelve_megapixel_exif6_small_face() -> Vec<u8> {
    let face = portrait("grace_hopper.jpg");
    let (w, h) = face.dimensions();
    let mut padded = RgbImage::from_pixel(3 * w, 3 * h, image::Rgb([226, 226, 222]));
    // At the bottom, as phone_upload places the portrait: her shoulders reach the photo's edge.
    image::imageops::overlay(&mut padded, &face, i64::from(w), 2 * i64::from(h));
    idphoto::fixtures::phone_upload(&padded, 3024, 4032, true, 7)
}

/// A mixed morning's uploads: 12 MP JPEGs with EXIF orientation 6 and 1 from both portraits,
/// and messaging-app sized 1080x1440 and 720x1280 copies.
pub fn upload_set() -> Vec<Upload> {
    let mut set = Vec::new();
    for (k, file) in ["grace_hopper.jpg", "astronaut.png"]
        .into_iter()
        .enumerate()
    {
        let face = portrait(file);
        let stem = file.split('.').next().unwrap_or(file);
        for (w, h, rotated) in [
            (3024, 4032, true),
            (3024, 4032, false),
            (1080, 1440, false),
            (720, 1280, false),
        ] {
            let tag = if rotated { "o6" } else { "o1" };
            set.push(Upload {
                name: format!("{stem}_{w}x{h}_{tag}.jpg"),
                bytes: idphoto::fixtures::phone_upload(&face, w, h, rotated, 11 + k as u64),
            });
        }
    }
    set
}
