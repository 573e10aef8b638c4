//! Photos per second over a mixed set of generated phone uploads (12 MP JPEGs with EXIF
//! orientation 6 and 1, 1080x1440 and 720x1280), with one and with two workers. The pool keeps a
//! thread per core, so one worker on two cores is helped with each photo's stages by the other.
//!
//! Release build:  `cargo bench --bench throughput` (give it two idle cores for the two-worker
//! figure; `taskset -c 0` for the one-core per-photo table).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use idphoto::profile::Profile;
use idphoto::{CheckOptions, Checker, CheckerPool};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod common;

fn throughput(c: &mut Criterion) {
    let set = common::upload_set();
    let store = common::full_store();
    let profile = Arc::new(Profile::load("cn-id-card").unwrap());

    // Per-photo medians on one worker, one thread.
    let checker = Checker::new(&store, profile.clone(), CheckOptions::default()).unwrap();
    let single = common::one_thread_pool();
    eprintln!("\nper photo, one worker (median of 7, ms):");
    single.install(|| {
        for upload in &set {
            let mut times: Vec<f64> = (0..7)
                .map(|_| {
                    let start = Instant::now();
                    let report = checker.check_bytes(&upload.name, &upload.bytes);
                    common::assert_full_pipeline(&report);
                    start.elapsed().as_secs_f64() * 1000.0
                })
                .collect();
            times.sort_by(f64::total_cmp);
            eprintln!(
                "  {:<32} {:>5.2} MB {:8.1}",
                upload.name,
                upload.bytes.len() as f64 / 1e6,
                times[3]
            );
        }
    });

    let mut group = c.benchmark_group("upload_set");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30))
        .throughput(Throughput::Elements(set.len() as u64));
    for workers in [1, 2] {
        let pool =
            CheckerPool::new(&store, profile.clone(), CheckOptions::default(), workers).unwrap();
        group.bench_with_input(BenchmarkId::new("workers", workers), &pool, |b, pool| {
            b.iter(|| pool.map(&set, |checker, u| checker.check_bytes(&u.name, &u.bytes)))
        });
    }
    group.finish();
}

criterion_group!(benches, throughput);
criterion_main!(benches);
