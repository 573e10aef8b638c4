//! Cost of each pipeline stage on a 12 MP phone upload (EXIF orientation 6), and the compute
//! floor: the models' own inference time at the sizes used plus the decode.
//!
//! First it prints end to end against the floor, measured in alternating rounds (the ratio the
//! speed target is about), then criterion's figures for each stage and each model alone.
//!
//! Run on one core, release build:  `taskset -c 0 cargo bench --bench stages`
//! `IDPHOTO_BENCH_IMAGE=path.jpg` measures a file of your own instead of the generated one.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use idphoto::analyse::detail::FacePixels;
use idphoto::analyse::infer::Model;
use idphoto::analyse::pose::CanonicalFace;
use idphoto::analyse::{detect, files, landmarks, parse, segment, Analyser, AnalysisOptions};
use idphoto::checks::Context;
use idphoto::decode::{decode, DecodeOptions};
use idphoto::profile::{InputKind, Profile};
use idphoto::runtime::models::ModelStore;
use idphoto::{CheckOptions, Checker};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

mod common;

struct Models {
    detector: Model,
    mesher: Model,
    blendshaper: Model,
    segmenter: Model,
    parser: Model,
    canonical: CanonicalFace,
}

fn load(store: &ModelStore) -> Models {
    let model = |name, file| Model::new(name, store.session(file).expect(file));
    Models {
        detector: model("detector", files::DETECTOR),
        mesher: model("face mesh", files::MESH),
        blendshaper: model("blendshapes", files::BLENDSHAPES),
        segmenter: model("segmentation", files::SEGMENTATION),
        parser: model("face parsing", files::PARSER),
        canonical: CanonicalFace::parse(
            &store.contents(files::CANONICAL_FACE).unwrap(),
            files::CANONICAL_FACE,
        )
        .unwrap(),
    }
}

fn stages(c: &mut Criterion) {
    let bytes = common::twelve_megapixel_exif6();
    let store = common::full_store();
    let m = load(&store);
    let options = AnalysisOptions::default();
    let decoded = decode(&bytes, &DecodeOptions::default()).expect("decode");
    let image = &decoded.image;
    let faces = detect::detect(&m.detector, image, options.min_detection_score).unwrap();
    let main = *faces.first().expect("a face in the bench photo");
    let mesh = landmarks::mesh(
        &m.mesher,
        FacePixels::analysis_only(image),
        landmarks::roi_from_detection(&main),
    )
    .unwrap();
    let parse_frame = parse::parsing_frame(&main, options.parsing_size);

    let mut group = c.benchmark_group("stage");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(8));
    // On one thread, as everything else here: the decoder hands work to rayon's pool.
    let single = common::one_thread_pool();
    group.bench_function("decode_12mp_exif6", |b| {
        single.install(|| b.iter(|| decode(&bytes, &DecodeOptions::default()).unwrap()))
    });
    // Timed at the analysis's own score, weak candidates included, to match the pipeline.
    group.bench_function("detect", |b| {
        b.iter(|| detect::detect(&m.detector, image, options.lowest_detection_score()).unwrap())
    });
    group.bench_function("landmarks_one_pass", |b| {
        b.iter(|| {
            landmarks::mesh(
                &m.mesher,
                FacePixels::analysis_only(image),
                landmarks::roi_from_detection(&main),
            )
            .unwrap()
        })
    });
    group.bench_function("blendshapes", |b| {
        b.iter(|| landmarks::blendshapes(&m.blendshaper, &mesh).unwrap())
    });
    group.bench_function("pose", |b| b.iter(|| m.canonical.pose(&mesh)));
    group.bench_function("segment", |b| {
        b.iter(|| segment::segment(&m.segmenter, image).unwrap())
    });
    group.bench_function(BenchmarkId::new("parse", options.parsing_size), |b| {
        b.iter(|| parse::parse(&m.parser, FacePixels::analysis_only(image), parse_frame).unwrap())
    });

    let analyser = Analyser::new(&store, options.clone()).unwrap();
    let analysis = analyser.analyse(decoded.clone()).unwrap();
    let profile = Profile::load("cn-id-card").unwrap();
    group.bench_function("rules", |b| {
        b.iter(|| {
            let ctx = Context::new(&analysis, InputKind::Selfie);
            profile
                .rules_for(InputKind::Selfie)
                .map(|rule| rule.evaluate(&ctx))
                .collect::<Vec<_>>()
        })
    });
    group.finish();
}

/// A model, its input's name, shape and data.
type ModelRun<'a> = (&'a str, &'a Model, &'a str, Vec<usize>, Vec<f32>);

/// The models' own inputs for the bench photo, prepared beforehand: running them, nothing
/// copied out, is what no pipeline around them can go below. (Some of these networks run faster
/// on flat inputs than on real faces, so real tensors it must be.)
fn floor_runs<'m>(m: &'m Models, image: &image::RgbImage) -> Vec<ModelRun<'m>> {
    let options = AnalysisOptions::default();
    let main = detect::detect(&m.detector, image, options.min_detection_score).unwrap()[0];
    let letterbox = detect::letterbox(image).unwrap();
    let mesh_frame = landmarks::roi_from_detection(&main);
    let parse_crop = parse::parsing_frame(&main, options.parsing_size).sample(image);
    let (p, n, s) = (
        options.parsing_size as usize,
        landmarks::MESH_INPUT as usize,
        segment::INPUT as usize,
    );
    let mesh = landmarks::mesh(&m.mesher, FacePixels::analysis_only(image), mesh_frame).unwrap();
    let blend_input: Vec<f32> = (0..146 * 2).map(|i| mesh.points[i / 2][i % 2]).collect();
    let [th, tw] = letterbox.dims;
    vec![
        (
            "detector",
            &m.detector,
            "input",
            vec![1, 3, th, tw],
            letterbox.data,
        ),
        (
            "mesh",
            &m.mesher,
            "input",
            vec![1, n, n, 3],
            landmarks::mesh_input(&mesh_frame.sample(image)),
        ),
        (
            "blendshapes",
            &m.blendshaper,
            "landmarks",
            vec![1, 146, 2],
            blend_input,
        ),
        (
            "segmentation",
            &m.segmenter,
            "input",
            vec![1, s, s, 3],
            segment::input(image).unwrap(),
        ),
        (
            "parser",
            &m.parser,
            "input",
            vec![1, 3, p, p],
            parse::input(&parse_crop),
        ),
    ]
}

/// The pipeline runs the mesh twice (the second pass on the ROI the first one refined), and that
/// second pass on the mirrored crop as well when the options average the two.
fn runs_per_photo(name: &str) -> usize {
    let options = AnalysisOptions::default();
    if name == "mesh" && options.refine_mesh {
        2 + usize::from(options.mirror_mesh)
    } else {
        1
    }
}

fn model_floor(c: &mut Criterion) {
    let bytes = common::twelve_megapixel_exif6();
    let store = common::full_store();
    let m = load(&store);
    let image = decode(&bytes, &DecodeOptions::default()).unwrap().image;
    let runs = floor_runs(&m, &image);
    let mut group = c.benchmark_group("model");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(8));
    for (name, model, input, shape, data) in &runs {
        group.bench_function(*name, |b| {
            b.iter(|| model.run(input, shape, data, &[]).unwrap())
        });
    }
    group.finish();
}

/// The name filter criterion was given: its first argument that is neither an option nor the
/// value of one (`--save-baseline main`, `-s main`, `--sample-size 10`).
fn name_filter() -> Option<String> {
    const TAKE_A_VALUE: &[&str] = &[
        "--save-baseline",
        "--baseline",
        "--baseline-lenient",
        "--load-baseline",
        "--sample-size",
        "--warm-up-time",
        "--measurement-time",
        "--nresamples",
        "--noise-threshold",
        "--confidence-level",
        "--significance-level",
        "--profile-time",
        "--plotting-backend",
        "--output-format",
        "--color",
        "--format",
        "-s",
        "-b",
        "-c",
    ];
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if TAKE_A_VALUE.contains(&arg.as_str()) {
            args.next();
        } else if !arg.starts_with('-') {
            return Some(arg);
        }
    }
    None
}

/// End to end against the floor, in alternation: this VM's speed drifts by a third over
/// minutes, so a ratio of two figures taken minutes apart says little. Each round checks the
/// photo once (one thread) and then runs the floor once: the decode and each model on its
/// prepared input, as often per photo as the pipeline does.
fn interleaved_floor(_: &mut Criterion) {
    const ROUNDS: usize = 25;
    // Criterion's name filter (`cargo bench --bench stages -- parse`) skips this table unless
    // it names it: `-- interleaved_floor`.
    if name_filter().is_some_and(|f| !"interleaved_floor".contains(f.as_str())) {
        return;
    }
    let bytes = common::twelve_megapixel_exif6();
    let store = common::full_store();
    let m = load(&store);
    let image = decode(&bytes, &DecodeOptions::default()).unwrap().image;
    let runs = floor_runs(&m, &image);
    let profile = Arc::new(Profile::load("cn-id-card").unwrap());
    let checker = Checker::new(&store, profile, CheckOptions::default()).expect("checker");
    let single = common::one_thread_pool();
    let ms = |start: Instant| start.elapsed().as_secs_f64() * 1000.0;
    let mut rows: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    single.install(|| {
        for _ in 0..ROUNDS {
            let start = Instant::now();
            let report = checker.check_bytes("bench.jpg", &bytes);
            let end_to_end = ms(start);
            common::assert_full_pipeline(&report);

            let start = Instant::now();
            decode(&bytes, &DecodeOptions::default()).unwrap();
            let mut floor = ms(start);
            rows.entry("floor: decode".into()).or_default().push(floor);
            for (name, model, input, shape, data) in &runs {
                let times = runs_per_photo(name);
                let start = Instant::now();
                for _ in 0..times {
                    model.run(input, shape, data, &[]).unwrap();
                }
                let t = ms(start);
                floor += t;
                rows.entry(format!("floor: {name} x{times}"))
                    .or_default()
                    .push(t);
            }
            rows.entry("floor".into()).or_default().push(floor);
            rows.entry("end to end".into())
                .or_default()
                .push(end_to_end);
            rows.entry("end to end / floor".into())
                .or_default()
                .push(end_to_end / floor);
        }
    });
    eprintln!("\nend to end against the floor, {ROUNDS} alternating rounds, one core (median):");
    for (name, mut v) in rows {
        v.sort_by(f64::total_cmp);
        eprintln!("  {name:<20} {:8.2}", v[v.len() / 2]);
    }
}

criterion_group!(benches, interleaved_floor, stages, model_floor);
criterion_main!(benches);
