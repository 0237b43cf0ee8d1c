//! A small pool of worker threads: the loop's default executor.
//!
//! Blocking work (`to_thread`, `run_in_executor`, name resolution) runs
//! here so that the loop's thread never blocks. Workers are started on
//! demand, up to a maximum (asyncio's default: `min(32, cpus + 4)`), and
//! wait on a condition variable for jobs; [`ThreadPool::shutdown`] lets
//! queued jobs finish and joins the workers.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};

type Job = Box<dyn FnOnce() + Send>;

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    /// Workers waiting for a job.
    idle: usize,
    shut_down: bool,
}

/// A pool of threads for blocking work (the executor of
/// [`EventLoop::run_in_executor`](crate::EventLoop::run_in_executor)).
///
/// # Examples
///
/// ```
/// let event_loop = asyncio::EventLoop::new()?;
/// event_loop.set_default_executor(asyncio::ThreadPool::new(2));
/// let answer = event_loop.run_until_complete(event_loop.run_in_executor(|| 6 * 7))??;
/// assert_eq!(answer, 42);
/// # Ok::<(), asyncio::Error>(())
/// ```
pub struct ThreadPool {
    max_workers: usize,
    queue: Mutex<Queue>,
    ready: Condvar,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

impl ThreadPool {
    /// A pool of at most `max_workers` threads (at least one), started as
    /// jobs arrive.
    pub fn new(max_workers: usize) -> Self {
        ThreadPool {
            max_workers: max_workers.max(1),
            queue: Mutex::default(),
            ready: Condvar::new(),
            workers: Mutex::default(),
        }
    }

    /// The most threads this pool starts.
    pub fn max_workers(&self) -> usize {
        self.max_workers
    }

    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `job`, starting a worker if none is idle and the pool is not
    /// full. Returns `false` (dropping the job) after shutdown.
    pub(crate) fn submit(self: &std::sync::Arc<Self>, job: Job) -> bool {
        let mut queue = self.lock();
        if queue.shut_down {
            return false;
        }
        queue.jobs.push_back(job);
        let start = queue.idle == 0;
        drop(queue);
        if start {
            let mut workers = self.workers.lock().unwrap_or_else(PoisonError::into_inner);
            if workers.len() < self.max_workers {
                let pool = self.clone();
                let spawned = thread::Builder::new()
                    .name("asyncio-executor".into())
                    .spawn(move || pool.work());
                // If the OS refuses a thread, the job waits for an existing
                // worker; with none at all, it runs here rather than never.
                match spawned {
                    Ok(handle) => workers.push(handle),
                    Err(_) if workers.is_empty() => {
                        drop(workers);
                        self.run_pending_here();
                    }
                    Err(_) => {}
                }
                return true;
            }
        }
        self.ready.notify_one();
        true
    }

    fn run_pending_here(&self) {
        let jobs = std::mem::take(&mut self.lock().jobs);
        for job in jobs {
            job();
        }
    }

    fn work(&self) {
        let mut queue = self.lock();
        loop {
            if let Some(job) = queue.jobs.pop_front() {
                drop(queue);
                // A job catches its own panics (see `run_in_executor`); one
                // that does not only ends this worker.
                job();
                queue = self.lock();
                continue;
            }
            if queue.shut_down {
                return;
            }
            queue.idle += 1;
            queue = self
                .ready
                .wait(queue)
                .unwrap_or_else(PoisonError::into_inner);
            queue.idle -= 1;
        }
    }

    /// Stops accepting jobs, lets the queued ones finish, and joins the
    /// workers (asyncio's `shutdown_default_executor`).
    pub fn shutdown(&self) {
        self.lock().shut_down = true;
        self.ready.notify_all();
        let workers =
            std::mem::take(&mut *self.workers.lock().unwrap_or_else(PoisonError::into_inner));
        let me = thread::current().id();
        for worker in workers {
            // A job that shuts its own pool down cannot join itself.
            if worker.thread().id() != me {
                let _ = worker.join();
            }
        }
    }
}

impl Default for ThreadPool {
    /// asyncio's default size: `min(32, cpus + 4)` threads.
    fn default() -> Self {
        let cpus = thread::available_parallelism().map_or(1, usize::from);
        ThreadPool::new((cpus + 4).min(32))
    }
}

impl fmt::Debug for ThreadPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadPool")
            .field("max_workers", &self.max_workers)
            .finish_non_exhaustive()
    }
}
