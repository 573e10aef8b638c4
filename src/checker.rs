//! The library's front door: bytes or a file in, a [`Report`] out. Every front end (CLI, batch,
//! HTTP) goes through here, so all of them decide alike.

use crate::analyse::{Analyser, AnalysisOptions};
use crate::checks::{Context, Finding};
use crate::decode::{decode, DecodeOptions};
use crate::messages::{self, Lang};
use crate::profile::{InputKind, Profile};
use crate::report::{CheckResult, ErrorInfo, FaceSummary, Report, Status, Verdict};
use crate::runtime::models::ModelStore;
use crate::{Error, Result};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub input: InputKind,
    pub lang: Lang,
    pub decode: DecodeOptions,
    pub analysis: AnalysisOptions,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            input: InputKind::Selfie,
            lang: Lang::default(),
            decode: DecodeOptions::default(),
            analysis: AnalysisOptions::default(),
        }
    }
}

/// One worker: its own model sessions plus a shared profile.
pub struct Checker {
    analyser: Analyser,
    profile: Arc<Profile>,
    options: CheckOptions,
}

impl Checker {
    pub fn new(store: &ModelStore, profile: Arc<Profile>, options: CheckOptions) -> Result<Self> {
        Ok(Checker {
            analyser: Analyser::new(store, options.analysis.clone())?,
            profile,
            options,
        })
    }

    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    pub fn check_file(&self, path: &Path) -> Report {
        let name = path.display().to_string();
        match std::fs::read(path) {
            Ok(bytes) => self.check_bytes(&name, &bytes),
            Err(source) => self.error_report(
                &name,
                Error::Io {
                    path: name.clone(),
                    source,
                },
                BTreeMap::new(),
            ),
        }
    }

    /// A panic inside the check (a bug, in a decoder, a model or a rule) becomes this photo's
    /// `internal_error` report, so one photo never takes a batch down with it.
    pub fn check_bytes(&self, name: &str, bytes: &[u8]) -> Report {
        guard(|| self.check_unguarded(name, bytes))
            .unwrap_or_else(|what| self.error_report(name, Error::Internal(what), BTreeMap::new()))
    }

    fn check_unguarded(&self, name: &str, bytes: &[u8]) -> Report {
        let start = Instant::now();
        let mut timings = BTreeMap::new();
        let decoded = match decode(bytes, &self.options.decode) {
            Ok(d) => d,
            Err(e) => return self.error_report(name, e, timings),
        };
        timings.insert("decode".to_string(), ms(start));
        let analysis = match self.analyser.analyse(decoded) {
            Ok(a) => a,
            Err(e) => return self.error_report(name, e, timings),
        };
        for (stage, t) in &analysis.timings_ms {
            timings.insert(stage.to_string(), *t);
        }
        let checks_start = Instant::now();
        let ctx = Context::new(&analysis, self.options.input);
        let rules: Vec<_> = self.profile.rules_for(self.options.input).collect();
        let judge = |rule: &&dyn crate::checks::Rule| (rule.id(), rule.evaluate(&ctx));
        let findings: Vec<(&'static str, Finding)> = if self.options.analysis.parallel_stages {
            rules.par_iter().map(judge).collect()
        } else {
            rules.iter().map(judge).collect()
        };
        timings.insert("checks".to_string(), ms(checks_start));
        timings.insert("total".to_string(), ms(start));

        let lang = self.options.lang;
        let checks: Vec<CheckResult> = findings
            .into_iter()
            .map(|(id, f)| CheckResult {
                id,
                status: f.status,
                value: f.value.map(round4),
                threshold: f.threshold,
                message: f
                    .message_key
                    .map(|key| messages::format(lang, &key, &f.message_args)),
            })
            .collect();
        let face = analysis.face.as_ref().map(|f| {
            let s = analysis.decoded.scale;
            let d = &f.detection;
            FaceSummary {
                r#box: [d.rect[0] * s, d.rect[1] * s, d.rect[2] * s, d.rect[3] * s],
                landmarks: d.points.map(|p| [p[0] * s, p[1] * s]),
                score: d.score,
                pose: [f.pose.yaw, f.pose.pitch, f.pose.roll],
            }
        });
        let (verdict, reasons) = verdict_and_reasons(&checks, lang);
        Report {
            file: name.to_string(),
            verdict,
            profile: self.profile.name.clone(),
            checks,
            reasons,
            face,
            timings_ms: timings,
            error: None,
        }
    }

    fn error_report(&self, name: &str, error: Error, timings_ms: BTreeMap<String, f64>) -> Report {
        let code = error.code();
        let advice = messages::text(self.options.lang, &format!("error.{code}"));
        Report {
            file: name.to_string(),
            verdict: Verdict::Error,
            profile: self.profile.name.clone(),
            checks: Vec::new(),
            reasons: vec![advice.clone()],
            face: None,
            timings_ms,
            error: Some(ErrorInfo {
                code,
                message: format!("{advice} ({error})"),
            }),
        }
    }
}

/// Runs `job`, turning a panic into its message.
fn guard<T>(job: impl FnOnce() -> T) -> std::result::Result<T, String> {
    catch_unwind(AssertUnwindSafe(job)).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string())
    })
}

/// Pass only when every rule passed. A rule that could not be assessed blocks acceptance too:
/// the photo is not known to comply.
fn verdict_and_reasons(checks: &[CheckResult], lang: Lang) -> (Verdict, Vec<String>) {
    fn push(reasons: &mut Vec<String>, text: String) {
        if !reasons.contains(&text) {
            reasons.push(text);
        }
    }
    let mut reasons: Vec<String> = Vec::new();
    for c in checks.iter().filter(|c| c.status == Status::Fail) {
        if let Some(m) = &c.message {
            push(&mut reasons, m.clone());
        }
    }
    if !reasons.is_empty() {
        return (Verdict::Fail, reasons);
    }
    let label = messages::text(lang, "ui.not_assessed");
    for c in checks.iter().filter(|c| c.status == Status::NotAssessed) {
        let text = format!(
            "{label}: {} ({})",
            c.id,
            c.message.as_deref().unwrap_or_default()
        );
        push(&mut reasons, text);
    }
    if reasons.is_empty() {
        (Verdict::Pass, reasons)
    } else {
        (Verdict::Fail, reasons)
    }
}

fn ms(start: Instant) -> f64 {
    round4(start.elapsed().as_secs_f64() * 1000.0)
}

fn round4(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

/// A fixed set of workers for checking many photos at once; each owns its model sessions.
pub struct CheckerPool {
    checkers: Vec<Checker>,
    /// Workers free for `with_checker`.
    idle: Mutex<Vec<usize>>,
    pool: rayon::ThreadPool,
}

impl CheckerPool {
    pub fn new(
        store: &ModelStore,
        profile: Arc<Profile>,
        options: CheckOptions,
        workers: usize,
    ) -> Result<Self> {
        let workers = workers.max(1);
        let mut options = options;
        // Several workers keep every core busy with whole photos.
        options.analysis.parallel_stages &= workers == 1;
        let checkers = (0..workers)
            .map(|_| Checker::new(store, profile.clone(), options.clone()))
            .collect::<Result<Vec<_>>>()?;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(workers)
            .build()
            .map_err(|e| Error::Runtime(format!("thread pool: {e}")))?;
        Ok(CheckerPool {
            checkers,
            idle: Mutex::new((0..workers).collect()),
            pool,
        })
    }

    /// Runs `job` with a free worker; blocks until one is free.
    pub fn with_checker<T>(&self, job: impl FnOnce(&Checker) -> T) -> T {
        let index = loop {
            if let Some(i) = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop() {
                break i;
            }
            std::thread::yield_now();
        };
        let out = job(&self.checkers[index]);
        self.idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(index);
        out
    }

    /// Runs `job` on every item, each worker thread with its own checker taking the next item
    /// until none is left; results come back in the items' order. Workers never wait for one
    /// another's sessions, and an idle one still helps a busy one with the stages of its photo.
    pub fn map<T: Sync, R: Send>(
        &self,
        items: &[T],
        job: impl Fn(&Checker, &T) -> R + Sync,
    ) -> Vec<R> {
        let mut results = Vec::with_capacity(items.len());
        self.for_each_in_order(items, job, |result| {
            results.push(result);
            ControlFlow::Continue(())
        });
        results
    }

    /// Like [`map`](Self::map), but hands each result to `emit` on the calling thread as soon
    /// as it and every earlier one are done, so a long batch shows its first reports at once.
    /// When `emit` breaks (say, the output pipe closed) or a job panics, no new item is started;
    /// a job's panic is then raised again here, with its own message.
    pub fn for_each_in_order<T: Sync, R: Send>(
        &self,
        items: &[T],
        job: impl Fn(&Checker, &T) -> R + Sync,
        mut emit: impl FnMut(R) -> ControlFlow<()>,
    ) {
        // Called from one of the pool's own workers, a broadcast would wait for this very
        // thread: run the items here, in order, with this worker's checker.
        if let Some(me) = self.pool.current_thread_index() {
            for item in items {
                if emit(job(&self.checkers[me], item)).is_break() {
                    return;
                }
            }
            return;
        }
        let next = AtomicUsize::new(0);
        let (done, finished) = std::sync::mpsc::channel();
        let mut panicked = None;
        std::thread::scope(|scope| {
            scope.spawn(|| {
                let done = done;
                self.pool.broadcast(|ctx| {
                    let checker = &self.checkers[ctx.index()];
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        let result = catch_unwind(AssertUnwindSafe(|| job(checker, item)));
                        if done.send((i, result)).is_err() {
                            break;
                        }
                    }
                });
            });
            // However this loop ends (all done, a break, a panic in `emit`), no new item starts.
            let _stop = StopOnDrop(&next, items.len());
            // A result that arrives before an earlier one waits here; with a slow early item,
            // all later ones may, as in `map`.
            let mut waiting = BTreeMap::new();
            let mut expected = 0;
            for (i, result) in finished.iter() {
                waiting.insert(i, result);
                while let Some(result) = waiting.remove(&expected) {
                    expected += 1;
                    let flow = match result {
                        Ok(result) => emit(result),
                        Err(payload) => {
                            panicked = Some(payload);
                            ControlFlow::Break(())
                        }
                    };
                    if flow.is_break() {
                        return;
                    }
                }
            }
        });
        if let Some(payload) = panicked {
            std::panic::resume_unwind(payload);
        }
    }

    /// Checks every file, in order, spreading them over the workers.
    pub fn check_files(&self, files: &[std::path::PathBuf]) -> Vec<Report> {
        self.map(files, |checker, file| checker.check_file(file))
    }

    pub fn install<T: Send>(&self, job: impl FnOnce() -> T + Send) -> T {
        self.pool.install(job)
    }
}

/// Sets a work counter past the last item when dropped, so workers take no new item.
struct StopOnDrop<'a>(&'a AtomicUsize, usize);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(self.1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::guard;

    #[test]
    fn guard_turns_a_panic_into_its_message() {
        assert_eq!(guard(|| 7), Ok(7));
        assert_eq!(
            guard(|| -> u8 { panic!("bad crop {}", 3) }),
            Err("bad crop 3".to_string())
        );
        assert_eq!(
            guard(|| -> u8 { panic!("plain") }),
            Err("plain".to_string())
        );
    }
}
