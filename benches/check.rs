//! End-to-end and per-stage cost of checking a 12 MP phone upload (EXIF orientation 6).
//!
//! Run on one core, release build:  `taskset -c 0 cargo bench --bench check`
//! The photo is generated from testdata/grace_hopper.jpg (public domain); set
//! `IDPHOTO_BENCH_IMAGE=path.jpg` to measure a file of your own instead.

use criterion::{criterion_group, criterion_main, Criterion};
use idphoto::decode::{decode, DecodeOptions};
use idphoto::profile::Profile;
use idphoto::{CheckOptions, Checker};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

mod common;

fn bench(c: &mut Criterion) {
    // One worker thread: the figure is the cost per photo on one core.
    let single = common::one_thread_pool();
    let bytes = common::twelve_megapixel_exif6();
    let store = common::full_store();
    let profile = Arc::new(Profile::load("cn-id-card").unwrap());
    let checker = Checker::new(&store, profile, CheckOptions::default()).expect("checker");

    let small_face = common::twelve_megapixel_exif6_small_face();
    single.install(|| {
        // Per-stage medians from the reports' own timings, after a warm-up check: the first run
        // of each ONNX Runtime session also plans its memory, and a service runs warm (criterion
        // below warms up too).
        common::assert_full_pipeline(&checker.check_bytes("warm-up.jpg", &bytes));
        print_stage_medians(&checker, "the reference upload", &bytes);
        print_stage_medians(&checker, "the same with a small face", &small_face);
    });

    let mut group = c.benchmark_group("12mp_exif6");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(20));
    // On the one thread too: the decoder hands work to rayon's pool.
    group.bench_function("decode", |b| {
        single.install(|| b.iter(|| decode(&bytes, &DecodeOptions::default()).unwrap()))
    });
    group.bench_function("check", |b| {
        single.install(|| b.iter(|| checker.check_bytes("bench.jpg", &bytes)))
    });
    group.bench_function("check_small_face", |b| {
        single.install(|| b.iter(|| checker.check_bytes("small_face.jpg", &small_face)))
    });
    group.finish();
}

fn print_stage_medians(checker: &Checker, what: &str, bytes: &[u8]) {
    let mut stages: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for _ in 0..15 {
        let report = checker.check_bytes("bench.jpg", bytes);
        common::assert_full_pipeline(&report);
        for (stage, ms) in report.timings_ms {
            stages.entry(stage).or_default().push(ms);
        }
    }
    eprintln!(
        "\n{what}, {} bytes; per-stage median over 15 runs (ms):",
        bytes.len()
    );
    for (stage, mut v) in stages {
        v.sort_by(f64::total_cmp);
        eprintln!("  {stage:<18} {:8.1}", v[v.len() / 2]);
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
