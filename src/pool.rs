//! Many photos at once: a fixed set of workers, each with its own [`Checker`] and model
//! sessions, fed the next photo as soon as it is free; results come back in input order.

use crate::checker::{CheckOptions, Checker};
use crate::profile::Profile;
use crate::report::Report;
use crate::runtime::models::ModelStore;
use crate::{Error, Result};
use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};

/// A fixed set of workers for checking many photos at once; each owns its model sessions.
pub struct CheckerPool {
    checkers: Vec<Checker>,
    /// Workers free for `with_checker`, and the signal that one has come free.
    idle: Mutex<Vec<usize>>,
    freed: Condvar,
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
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        // A thread for every core even with fewer workers: the threads without a checker take
        // the stages and rules of the workers' photos, so one photo on a many-core machine is
        // not checked on one core. With a worker on every core, whole photos keep them busy.
        let threads = workers.max(cores);
        let mut options = options;
        options.analysis.parallel_stages &= workers < threads;
        let checkers = (0..workers)
            .map(|_| Checker::new(store, profile.clone(), options.clone()))
            .collect::<Result<Vec<_>>>()?;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| Error::Runtime(format!("thread pool: {e}")))?;
        Ok(CheckerPool {
            checkers,
            idle: Mutex::new((0..workers).collect()),
            freed: Condvar::new(),
            pool,
        })
    }

    /// Runs `job` with a free worker; blocks (without spinning) until one is free. The job runs
    /// on the calling thread, so its photo's stages get help from rayon's global pool, not
    /// from this pool's idle threads.
    pub fn with_checker<T>(&self, job: impl FnOnce(&Checker) -> T) -> T {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        let index = loop {
            if let Some(i) = idle.pop() {
                break i;
            }
            idle = self.freed.wait(idle).unwrap_or_else(|e| e.into_inner());
        };
        drop(idle);
        // Handed back when dropped, so a job that panics does not take its worker with it.
        let _lease = Lease { pool: self, index };
        job(&self.checkers[index])
    }

    /// Runs `job` on every item, each worker thread with its own checker taking the next item
    /// until none is left; results come back in the items' order. Workers never wait for one
    /// another's sessions, and idle threads (a worker without a photo, or a core without a
    /// worker) help the busy ones with the stages and rules of their photos.
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
            // A helper thread has no checker of its own; a checker's sessions are locked while
            // they run, so sharing one is safe.
            let checker = &self.checkers[me % self.checkers.len()];
            for item in items {
                if emit(job(checker, item)).is_break() {
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
                    // Threads past the workers return at once, free to help the others.
                    let Some(checker) = self.checkers.get(ctx.index()) else {
                        return;
                    };
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        let result = catch_unwind(AssertUnwindSafe(|| job(checker, item)));
                        if result.is_err() {
                            // Every earlier item is taken already; no later one starts.
                            next.store(items.len(), Ordering::Relaxed);
                        }
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

/// A worker taken by `with_checker`, free again when this is dropped.
struct Lease<'a> {
    pool: &'a CheckerPool,
    index: usize,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        let pool = self.pool;
        pool.idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(self.index);
        pool.freed.notify_one();
    }
}
