//! The library's front door beyond the rules: unreadable input, batches over a worker pool, and
//! the language of the advice.

mod common;

use common::*;
use idphoto::messages::{self, Lang};
use idphoto::profile::{InputKind, Profile};
use idphoto::report::{Status, Verdict};
use idphoto::{CheckOptions, CheckerPool};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A fresh folder under the system temp dir for files this test writes.
fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("idphoto-test-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn truncated_jpeg() -> Vec<u8> {
    let bytes = jpeg(grace(), 90);
    bytes[..bytes.len() / 3].to_vec()
}

#[test]
fn unreadable_inputs_give_error_reports_with_a_code() {
    let png_bytes = png(grace());
    let mut jpeg_header_then_noise = jpeg(grace(), 90)[..600].to_vec();
    let mut rng = Rng::new(9);
    jpeg_header_then_noise.extend((0..20_000).map(|_| (rng.next_f32() * 255.0) as u8));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "notes.txt",
            b"this is a text file, not a photo\n".to_vec(),
            "unsupported_format",
        ),
        ("empty.jpg", Vec::new(), "corrupt_image"),
        ("truncated.jpg", truncated_jpeg(), "corrupt_image"),
        (
            "truncated.png",
            png_bytes[..png_bytes.len() / 2].to_vec(),
            "corrupt_image",
        ),
        ("noise.jpg", jpeg_header_then_noise, "corrupt_image"),
        // An upload that broke off inside the PNG signature is sent again, not converted.
        ("cut_short.png", png_bytes[..5].to_vec(), "corrupt_image"),
        (
            "tiny.png",
            png(&solid(40, 30, [200, 180, 170])),
            "image_too_small",
        ),
    ];
    for (name, bytes, code) in cases {
        let r = selfie().check_bytes(name, &bytes);
        assert_eq!(r.verdict, Verdict::Error, "{name}: {}", summary(&r));
        let error = r.error.as_ref().expect("error details");
        assert_eq!(error.code, code, "{name}: {}", error.full());
        assert_eq!(r.file, name);
        assert!(r.checks.is_empty() && r.face.is_none());
        // The applicant gets the plain-language advice for that code.
        assert_eq!(
            r.reasons,
            vec![messages::text(Lang::En, &format!("error.{code}"))]
        );
    }
    let missing = selfie().check_file(std::path::Path::new("/no/such/dir/photo.jpg"));
    assert_eq!(missing.verdict, Verdict::Error);
    assert_eq!(missing.error.as_ref().unwrap().code, "io");
}

/// An iPhone saves High Efficiency (HEIC) photos by default: the applicant is told how to send a
/// JPEG instead of being asked for "an ordinary photo, as the phone camera saves it".
#[test]
fn a_heic_photo_is_told_how_to_send_a_jpeg() {
    let mut heic = 24u32.to_be_bytes().to_vec();
    heic.extend_from_slice(b"ftypheic\0\0\0\0mif1heic\0\0\0\x08meta");
    heic.resize(4096, 0);
    let r = selfie().check_bytes("IMG_0001.HEIC", &heic);
    assert_eq!(r.verdict, Verdict::Error);
    let error = r.error.as_ref().expect("error details");
    assert_eq!(error.code, "unsupported_format", "{}", error.full());
    let advice = messages::text(Lang::En, "error.unsupported_format.heif");
    assert_eq!(r.reasons, vec![advice.clone()]);
    assert!(advice.contains("JPEG") && advice.contains("Most Compatible"));
    assert_eq!(error.message, advice);
    assert!(error.detail.contains("`heic`"), "{}", error.detail);
}

#[test]
fn pool_checks_a_batch_in_order_and_bad_files_do_not_stop_it() {
    let dir = scratch("batch");
    std::fs::write(dir.join("notes.txt"), "not a photo").unwrap();
    std::fs::write(dir.join("truncated.jpg"), truncated_jpeg()).unwrap();
    std::fs::write(dir.join("grace_copy.png"), png(grace())).unwrap();
    let files = vec![
        testdata("astronaut.png"),
        dir.join("notes.txt"),
        testdata("grace_hopper.jpg"),
        dir.join("missing.jpg"),
        dir.join("truncated.jpg"),
        dir.join("grace_copy.png"),
        testdata("astronaut.png"),
    ];
    let profile = Arc::new(Profile::load("cn-id-card").unwrap());
    let options = CheckOptions {
        lang: Lang::En,
        ..CheckOptions::default()
    };
    let pool = CheckerPool::new(store(), profile, options, 2).expect("pool builds");
    let reports = pool.check_files(&files);
    assert_eq!(reports.len(), files.len());
    for (r, f) in reports.iter().zip(&files) {
        assert_eq!(r.file, f.display().to_string(), "order kept");
    }
    let verdicts: Vec<Verdict> = reports.iter().map(|r| r.verdict).collect();
    use Verdict::{Error, Fail};
    assert_eq!(verdicts, [Fail, Error, Fail, Error, Error, Fail, Fail]);
    let codes: Vec<Option<&str>> = reports
        .iter()
        .map(|r| r.error.as_ref().map(|e| e.code))
        .collect();
    assert_eq!(
        codes,
        [
            None,
            Some("unsupported_format"),
            None,
            Some("io"),
            Some("corrupt_image"),
            None,
            None
        ]
    );
    // The same photo gives the same statuses on any worker, and from JPEG or PNG bytes alike.
    let statuses = |i: usize| -> Vec<(&str, Status)> {
        reports[i].checks.iter().map(|c| (c.id, c.status)).collect()
    };
    assert_eq!(statuses(0), statuses(6));
    assert_eq!(statuses(2), statuses(5));
    assert_eq!(statuses(0).len(), 20, "every selfie rule reported");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Waits until `flag` is set, or 30 s have passed (a test that then fails says why).
fn wait_for(flag: &AtomicBool) {
    let give_up = std::time::Instant::now() + Duration::from_secs(30);
    while !flag.load(Ordering::SeqCst) && std::time::Instant::now() < give_up {
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// How long an item of [`stream`] takes.
enum Pause {
    Millis(u64),
    /// Until the reader has stopped, and a little after: the item cannot end before then, however
    /// slowly the reader is scheduled.
    UntilStopped,
}

/// Runs `pause(i)` for each of the items 0..12 on `pool`, as a reader that stops after `stop_after`
/// results; returns what the reader saw and how many items were started.
fn stream(
    pool: &CheckerPool,
    pause: impl Fn(u64) -> Pause + Sync,
    stop_after: usize,
) -> (Vec<u64>, usize) {
    let items: Vec<u64> = (0..12).collect();
    let started = AtomicUsize::new(0);
    let stopped = AtomicBool::new(false);
    let mut seen = Vec::new();
    pool.for_each_in_order(
        &items,
        |_, &i| {
            started.fetch_add(1, Ordering::SeqCst);
            match pause(i) {
                Pause::Millis(ms) => std::thread::sleep(Duration::from_millis(ms)),
                Pause::UntilStopped => {
                    wait_for(&stopped);
                    // The pool learns of the stop when the reader's Break reaches it, just after.
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
            i
        },
        |i| {
            seen.push(i);
            if seen.len() == stop_after {
                stopped.store(true, Ordering::SeqCst);
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        },
    );
    (seen, started.into_inner())
}

#[test]
fn a_batch_streams_its_reports_in_order_and_stops_when_the_reader_does() {
    let profile = Arc::new(Profile::load("cn-id-card").unwrap());
    let pool = CheckerPool::new(store(), profile, CheckOptions::default(), 3).expect("pool builds");
    // Later items finish first: the emitted order must still be the items' order.
    let (seen, started) = stream(&pool, |i| Pause::Millis(5 * (12 - i)), usize::MAX);
    assert_eq!(seen, (0..12).collect::<Vec<_>>());
    assert_eq!(started, 12);
    // A reader that stops after two quick results: no new item starts afterwards, so beyond
    // them only the slow ones already running (one per worker) are done, not all twelve.
    let slow_after_two = |i| {
        if i >= 2 {
            Pause::UntilStopped
        } else {
            Pause::Millis(0)
        }
    };
    let (seen, started) = stream(&pool, slow_after_two, 2);
    assert_eq!(seen, [0, 1]);
    assert!(
        started <= 2 + 3,
        "{started} items started after the reader stopped at 2"
    );
    // A job that panics: the results before it are handed over, then its own panic is raised.
    let mut seen = Vec::new();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pool.for_each_in_order(
            &(0..12).collect::<Vec<u64>>(),
            |_, &i| if i == 3 { panic!("job 3 failed") } else { i },
            |i| {
                seen.push(i);
                ControlFlow::Continue(())
            },
        )
    }));
    let payload = outcome.expect_err("the job's panic reaches the caller");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"job 3 failed"));
    assert_eq!(seen, [0, 1, 2]);
    // Called from inside the pool (a worker waiting on its own pool must not deadlock).
    let items: Vec<u64> = (0..6).collect();
    let doubled = pool.install(|| pool.map(&items, |_, &i| 2 * i));
    assert_eq!(doubled, [0, 2, 4, 6, 8, 10]);
}

#[test]
fn a_job_that_panics_stops_its_worker_taking_more() {
    let profile = Arc::new(Profile::load("cn-id-card").unwrap());
    let pool = CheckerPool::new(store(), profile, CheckOptions::default(), 1).unwrap();
    let started = AtomicUsize::new(0);
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pool.map(&(0..12).collect::<Vec<u64>>(), |_, &i| {
            started.fetch_add(1, Ordering::SeqCst);
            if i == 0 {
                panic!("job 0 failed");
            }
            std::thread::sleep(Duration::from_millis(50));
        })
    }));
    assert!(outcome.is_err());
    assert_eq!(started.into_inner(), 1, "items started after the panic");
}

#[test]
fn a_single_worker_gets_the_other_cores_help_with_its_photo() {
    let profile = Arc::new(Profile::load("cn-id-card").unwrap());
    let pool = CheckerPool::new(store(), profile, CheckOptions::default(), 1).unwrap();
    // While the worker's own half of a join waits, the other half is taken by an idle thread,
    // as the stages and rules of one photo are. The wait ends as soon as that half starts, so
    // a busy machine only delays the test; unhelped, the other half runs on the worker's own
    // thread after it.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let started = AtomicBool::new(false);
    let threads = pool.map(&[()], |_, _| {
        rayon::join(
            || {
                if cores > 1 {
                    wait_for(&started);
                }
                std::thread::current().id()
            },
            || {
                started.store(true, Ordering::SeqCst);
                std::thread::current().id()
            },
        )
    });
    let (worker, other_half) = threads[0];
    assert_eq!(worker != other_half, cores > 1, "{cores} cores");
}

#[test]
fn a_worker_whose_job_panicked_serves_the_next_caller() {
    let profile = Arc::new(Profile::load("cn-id-card").unwrap());
    let pool = Arc::new(CheckerPool::new(store(), profile, CheckOptions::default(), 1).unwrap());
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pool.with_checker(|_| -> u8 { panic!("a caller's job failed") })
    }));
    assert!(outcome.is_err());
    // The one worker must be free again; a lost one would leave this call waiting for ever,
    // so it runs on a thread the test stops waiting for.
    let (sent, received) = std::sync::mpsc::channel();
    let shared = pool.clone();
    std::thread::spawn(move || sent.send(shared.with_checker(|c| c.profile().name.clone())));
    let name = received.recv_timeout(Duration::from_secs(30));
    assert_eq!(name.as_deref(), Ok("cn-id-card"));
}

#[test]
fn advice_comes_in_the_chosen_language() {
    let en = astronaut_report();
    let zh = check_with(
        &make_checker("cn-id-card", InputKind::Selfie, Lang::ZhCn),
        "astronaut_zh",
        astronaut(),
    );
    let tw = check_with(
        &make_checker("cn-id-card", InputKind::Selfie, Lang::ZhTw),
        "astronaut_tw",
        astronaut(),
    );
    // Same decisions whatever the language.
    let decisions = |r: &idphoto::report::Report| -> Vec<(&str, Status)> {
        r.checks.iter().map(|c| (c.id, c.status)).collect()
    };
    assert_eq!(decisions(en), decisions(&zh));
    assert_eq!(decisions(en), decisions(&tw));
    assert_eq!(en.reasons.len(), zh.reasons.len());
    // The smile is explained in each language, from that language's catalogue.
    for (r, lang) in [(en, Lang::En), (&zh, Lang::ZhCn), (&tw, Lang::ZhTw)] {
        let advice = messages::text(lang, "mouth_closed");
        assert_eq!(
            result(r, "mouth_closed").message.as_deref(),
            Some(advice.as_str())
        );
        assert!(r.reasons.contains(&advice), "{:?}", r.reasons);
    }
    assert_ne!(
        messages::text(Lang::En, "mouth_closed"),
        messages::text(Lang::ZhCn, "mouth_closed")
    );
    let cjk = |s: &String| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    assert!(zh.reasons.iter().all(cjk), "{:?}", zh.reasons);
    assert!(!en.reasons.iter().any(cjk), "{:?}", en.reasons);
    // Errors too.
    let zh_error = check_with(
        &make_checker("cn-id-card", InputKind::Selfie, Lang::ZhCn),
        "x",
        &solid(40, 30, [0, 0, 0]),
    );
    assert_eq!(
        zh_error.reasons,
        vec![messages::text(Lang::ZhCn, "error.image_too_small")]
    );
}

#[test]
fn a_parsing_size_the_parser_cannot_take_is_refused_when_the_checker_builds() {
    let profile = Arc::new(Profile::load("cn-id-card").unwrap());
    for size in [0, 100] {
        let mut options = CheckOptions::default();
        options.analysis.parsing_size = size;
        let e = idphoto::Checker::new(store(), profile.clone(), options)
            .err()
            .expect("refused");
        assert!(e.to_string().contains("multiple of 32"), "{size}: {e}");
    }
}
