//! [`GenericQueue`] and its three orders: [`Queue`], [`LifoQueue`],
//! [`PriorityQueue`].

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::fmt;
use std::rc::Rc;

use super::leaves::{QueueGet, QueueJoin, QueuePut};
use super::storage::QueueStorage;
use crate::error::{Error, Result};
use crate::sync::wait_list::WaitList;

/// A first in, first out queue (asyncio's `Queue`): a [`GenericQueue`]
/// over a `VecDeque`.
///
/// # Examples
///
/// ```
/// let queue = asyncio::Queue::new();
/// for item in [1, 3, 2] {
///     queue.put_nowait(item)?;
/// }
/// let items: Vec<i32> = std::iter::from_fn(|| queue.get_nowait().ok()).collect();
/// assert_eq!(items, [1, 3, 2]);
/// # Ok::<(), asyncio::Error>(())
/// ```
pub type Queue<T> = GenericQueue<VecDeque<T>>;

/// A last in, first out queue (asyncio's `LifoQueue`): a [`GenericQueue`]
/// over a `Vec` used as a stack.
///
/// # Examples
///
/// ```
/// let queue = asyncio::LifoQueue::new();
/// for item in [1, 3, 2] {
///     queue.put_nowait(item)?;
/// }
/// let items: Vec<i32> = std::iter::from_fn(|| queue.get_nowait().ok()).collect();
/// assert_eq!(items, [2, 3, 1]);
/// # Ok::<(), asyncio::Error>(())
/// ```
pub type LifoQueue<T> = GenericQueue<Vec<T>>;

/// A queue that hands out its smallest item first (asyncio's
/// `PriorityQueue`, a `heapq`): a [`GenericQueue`] over a min-heap. Items
/// are `T: Ord`; a `(priority, data)` tuple orders by priority, then data,
/// and `std::cmp::Reverse` turns the order around.
///
/// # Examples
///
/// ```
/// let queue = asyncio::PriorityQueue::new();
/// for item in [(1, "one"), (3, "three"), (2, "two")] {
///     queue.put_nowait(item)?;
/// }
/// let items: Vec<(i32, &str)> = std::iter::from_fn(|| queue.get_nowait().ok()).collect();
/// assert_eq!(items, [(1, "one"), (2, "two"), (3, "three")]);
/// # Ok::<(), asyncio::Error>(())
/// ```
pub type PriorityQueue<T> = GenericQueue<BinaryHeap<Reverse<T>>>;

/// The state every handle of one queue shares.
pub(super) struct State<S> {
    pub(super) storage: S,
    /// 0 for unbounded.
    maxsize: usize,
    /// Tasks waiting for an item. A notification means "look again": the
    /// items themselves always stay in `storage` until a getter takes one.
    pub(super) getters: WaitList,
    /// Tasks waiting for a free slot; a notification means "look again".
    pub(super) putters: WaitList,
    /// Tasks in [`GenericQueue::join`]; all are notified when `unfinished`
    /// drops to zero (asyncio's `_finished` event).
    pub(super) joiners: WaitList,
    /// Items put and not yet marked done by `task_done`.
    pub(super) unfinished: usize,
    pub(super) shutdown: bool,
}

impl<S: QueueStorage> State<S> {
    /// asyncio's `full()`.
    #[inline]
    pub(super) fn full(&self) -> bool {
        self.maxsize > 0 && self.storage.len() >= self.maxsize
    }

    /// asyncio's `put_nowait` once the checks have passed: stores the item
    /// and tells the first waiting getter to look.
    #[inline]
    pub(super) fn push(&mut self, item: S::Item) {
        self.storage.push(item);
        self.unfinished += 1;
        self.getters.notify_one();
    }

    /// asyncio's `get_nowait` for a non-empty queue: takes the next item
    /// and tells the first waiting putter to look.
    #[inline]
    pub(super) fn pop(&mut self) -> Option<S::Item> {
        let item = self.storage.pop()?;
        self.putters.notify_one();
        Some(item)
    }
}

/// A queue for tasks (asyncio's `Queue`, `LifoQueue` and `PriorityQueue`),
/// holding its items in a [`QueueStorage`] that decides their order.
///
/// Use it through [`Queue`], [`LifoQueue`] or [`PriorityQueue`]. With a
/// `maxsize` (see [`with_maxsize`](Self::with_maxsize)),
/// [`put`](Self::put) waits while the queue is full; [`get`](Self::get)
/// waits while it is empty. Waiting getters and putters are served in the
/// order they arrived: each item put wakes the first waiting getter, each
/// item taken wakes the first waiting putter. As in asyncio, the woken task
/// looks again when it runs, so a task that calls `get` (or `get_nowait`)
/// in between may take the item first; the woken one then waits again.
///
/// [`task_done`](Self::task_done) and [`join`](Self::join) track work:
/// every item put counts as unfinished until a consumer marks it done.
/// [`shutdown`](Self::shutdown) stops the queue (Python 3.13).
///
/// Cancellation loses nothing: items always stay in the queue until a
/// getter takes one, so a cancelled `get` has taken nothing, and a getter
/// that was woken for an item but is cancelled before it runs passes the
/// wake-up on to the next getter. A cancelled `put` has put nothing (its
/// item is dropped with the future) and passes on a free slot it had been
/// woken for. The same holds when the future is dropped instead.
///
/// Handles are cheap clones of one queue (an `Rc`), to move into tasks.
/// Like everything in asyncio, a queue serves the tasks of one thread.
///
/// # Examples
///
/// A producer, two workers, and `join` to wait for the work to be done:
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
///
/// #[asyncio::coroutine]
/// fn worker(queue: asyncio::Queue<u32>, total: Rc<Cell<u32>>) -> asyncio::Result<()> {
///     loop {
///         let item = queue.get().await?;
///         total.set(total.get() + item);
///         queue.task_done()?;
///     }
/// }
///
/// #[asyncio::coroutine]
/// fn main_coroutine() -> asyncio::Result<u32> {
///     let queue = asyncio::Queue::with_maxsize(2);
///     let total = Rc::new(Cell::new(0));
///     let workers = [
///         asyncio::create_task(worker(queue.clone(), total.clone())),
///         asyncio::create_task(worker(queue.clone(), total.clone())),
///     ];
///     for item in 1..=10 {
///         queue.put(item).await?; // waits while two items are queued
///     }
///     queue.join().await?; // until every item is marked done
///     for worker in &workers {
///         worker.cancel();
///     }
///     Ok(total.get())
/// }
/// assert_eq!(asyncio::run(main_coroutine())?, 55);
/// # Ok::<(), asyncio::Error>(())
/// ```
pub struct GenericQueue<S> {
    state: Rc<RefCell<State<S>>>,
}

impl<S> Clone for GenericQueue<S> {
    fn clone(&self) -> Self {
        GenericQueue {
            state: self.state.clone(),
        }
    }
}

impl<S: QueueStorage + Default> Default for GenericQueue<S> {
    fn default() -> Self {
        GenericQueue::new()
    }
}

impl<S: QueueStorage + Default> GenericQueue<S> {
    /// An empty, unbounded queue.
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = asyncio::Queue::<i32>::new();
    /// assert_eq!(queue.maxsize(), 0);
    /// assert!(queue.empty() && !queue.full());
    /// ```
    pub fn new() -> Self {
        GenericQueue::with_maxsize(0)
    }

    /// An empty queue that holds at most `maxsize` items; 0 means
    /// unbounded, as in asyncio.
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = asyncio::Queue::with_maxsize(1);
    /// queue.put_nowait("a")?;
    /// assert!(queue.full());
    /// assert!(matches!(queue.put_nowait("b"), Err(asyncio::Error::QueueFull)));
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn with_maxsize(maxsize: usize) -> Self {
        GenericQueue {
            state: Rc::new(RefCell::new(State {
                storage: S::default(),
                maxsize,
                getters: WaitList::default(),
                putters: WaitList::default(),
                joiners: WaitList::default(),
                unfinished: 0,
                shutdown: false,
            })),
        }
    }
}

impl<S: QueueStorage> GenericQueue<S> {
    /// The most items the queue holds (0: unbounded).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(asyncio::LifoQueue::<u8>::with_maxsize(3).maxsize(), 3);
    /// ```
    pub fn maxsize(&self) -> usize {
        self.state.borrow().maxsize
    }

    /// How many items are in the queue.
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = asyncio::Queue::new();
    /// queue.put_nowait('x')?;
    /// assert_eq!(queue.qsize(), 1);
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn qsize(&self) -> usize {
        self.state.borrow().storage.len()
    }

    /// Whether the queue holds no item.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(asyncio::Queue::<()>::new().empty());
    /// ```
    pub fn empty(&self) -> bool {
        self.state.borrow().storage.is_empty()
    }

    /// Whether the queue holds `maxsize` items (never, if unbounded).
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = asyncio::Queue::with_maxsize(1);
    /// assert!(!queue.full());
    /// queue.put_nowait(1)?;
    /// assert!(queue.full());
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn full(&self) -> bool {
        self.state.borrow().full()
    }

    /// Whether [`shutdown`](Self::shutdown) was called.
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = asyncio::Queue::<i32>::new();
    /// queue.shutdown(false);
    /// assert!(queue.is_shutdown());
    /// ```
    pub fn is_shutdown(&self) -> bool {
        self.state.borrow().shutdown
    }

    /// How many items were put and not yet marked done with
    /// [`task_done`](Self::task_done) (asyncio's `_unfinished_tasks`).
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = asyncio::Queue::new();
    /// queue.put_nowait(1)?;
    /// queue.get_nowait()?;
    /// assert_eq!(queue.unfinished_tasks(), 1);
    /// queue.task_done()?;
    /// assert_eq!(queue.unfinished_tasks(), 0);
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn unfinished_tasks(&self) -> usize {
        self.state.borrow().unfinished
    }

    /// Puts `item` into the queue, waiting while it is full.
    ///
    /// Putters waiting for a free slot are woken in arrival order, one per
    /// item taken.
    ///
    /// # Errors
    ///
    /// - [`Error::QueueShutDown`] if the queue is shut down, before or
    ///   while waiting;
    /// - [`Error::Cancelled`] if the task is cancelled; the item was not
    ///   put (it is dropped with the future).
    ///
    /// # Examples
    ///
    /// ```
    /// #[asyncio::coroutine]
    /// fn producer(queue: asyncio::Queue<i32>) -> asyncio::Result<()> {
    ///     for item in 0..3 {
    ///         queue.put(item).await?; // waits for the consumer after two
    ///     }
    ///     Ok(())
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_coroutine() -> asyncio::Result<Vec<i32>> {
    ///     let queue = asyncio::Queue::with_maxsize(2);
    ///     let task = asyncio::create_task(producer(queue.clone()));
    ///     asyncio::sleep(0).await?;
    ///     assert_eq!(queue.qsize(), 2);
    ///     let mut items = vec![queue.get().await?];
    ///     task.await?;
    ///     items.push(queue.get_nowait()?);
    ///     items.push(queue.get_nowait()?);
    ///     Ok(items)
    /// }
    /// assert_eq!(asyncio::run(main_coroutine())?, [0, 1, 2]);
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn put(&self, item: S::Item) -> QueuePut<S> {
        QueuePut::new(self.state.clone(), item)
    }

    /// Puts `item` into the queue if it is not full, without waiting.
    ///
    /// # Errors
    ///
    /// [`Error::QueueFull`] if the queue is full, [`Error::QueueShutDown`]
    /// if it is shut down; the item is dropped then. Use
    /// [`try_put`](Self::try_put) to get it back.
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = asyncio::Queue::with_maxsize(1);
    /// queue.put_nowait(1)?;
    /// assert!(matches!(queue.put_nowait(2), Err(asyncio::Error::QueueFull)));
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn put_nowait(&self, item: S::Item) -> Result<()> {
        self.offer(item).map_err(|(err, item)| {
            drop(item);
            err
        })
    }

    /// [`put_nowait`](Self::put_nowait) that hands the item back when it
    /// cannot be put (the queue is full or shut down; see
    /// [`full`](Self::full) and [`is_shutdown`](Self::is_shutdown) for
    /// which).
    ///
    /// # Errors
    ///
    /// The item, if the queue is full or shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = asyncio::Queue::with_maxsize(1);
    /// assert_eq!(queue.try_put(String::from("a")), Ok(()));
    /// assert_eq!(queue.try_put(String::from("b")), Err(String::from("b")));
    /// assert!(queue.full());
    /// ```
    pub fn try_put(&self, item: S::Item) -> std::result::Result<(), S::Item> {
        self.offer(item).map_err(|(_, item)| item)
    }

    fn offer(&self, item: S::Item) -> std::result::Result<(), (Error, S::Item)> {
        let mut state = self.state.borrow_mut();
        if state.shutdown {
            Err((Error::QueueShutDown, item))
        } else if state.full() {
            Err((Error::QueueFull, item))
        } else {
            state.push(item);
            Ok(())
        }
    }

    /// Takes the next item out of the queue, waiting while it is empty.
    ///
    /// Getters waiting for an item are woken in arrival order, one per item
    /// put.
    ///
    /// # Errors
    ///
    /// - [`Error::QueueShutDown`] once the queue is shut down and empty
    ///   (after a non-immediate [`shutdown`](Self::shutdown), the items
    ///   still queued are handed out first);
    /// - [`Error::Cancelled`] if the task is cancelled; it took no item.
    ///
    /// # Examples
    ///
    /// ```
    /// #[asyncio::coroutine]
    /// fn main_coroutine() -> asyncio::Result<&'static str> {
    ///     let queue = asyncio::Queue::new();
    ///     let getter = asyncio::create_task(queue.get()); // waits
    ///     asyncio::sleep(0).await?;
    ///     queue.put_nowait("hello")?;
    ///     getter.await
    /// }
    /// assert_eq!(asyncio::run(main_coroutine())?, "hello");
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn get(&self) -> QueueGet<S> {
        QueueGet::new(self.state.clone())
    }

    /// Takes the next item out of the queue if there is one, without
    /// waiting.
    ///
    /// # Errors
    ///
    /// [`Error::QueueEmpty`] if the queue is empty, or
    /// [`Error::QueueShutDown`] if it is also shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = asyncio::Queue::new();
    /// assert!(matches!(queue.get_nowait(), Err(asyncio::Error::QueueEmpty)));
    /// queue.put_nowait(7)?;
    /// assert_eq!(queue.get_nowait()?, 7);
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn get_nowait(&self) -> Result<S::Item> {
        let mut state = self.state.borrow_mut();
        match state.pop() {
            Some(item) => Ok(item),
            None if state.shutdown => Err(Error::QueueShutDown),
            None => Err(Error::QueueEmpty),
        }
    }

    /// Marks one item taken from the queue as processed. When every item
    /// put has been marked, the tasks in [`join`](Self::join) go on.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] if called more times than items were put
    /// (asyncio's `ValueError`).
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = asyncio::Queue::new();
    /// queue.put_nowait(1)?;
    /// queue.get_nowait()?;
    /// queue.task_done()?;
    /// assert!(matches!(queue.task_done(), Err(asyncio::Error::InvalidState(_))));
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn task_done(&self) -> Result<()> {
        let mut state = self.state.borrow_mut();
        if state.unfinished == 0 {
            return Err(Error::invalid_state("task_done() called too many times"));
        }
        state.unfinished -= 1;
        if state.unfinished == 0 {
            state.joiners.notify_all();
        }
        Ok(())
    }

    /// Waits until every item put into the queue has been marked done with
    /// [`task_done`](Self::task_done); returns at once if none is
    /// unfinished.
    ///
    /// # Errors
    ///
    /// [`Error::Cancelled`] if the task is cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// #[asyncio::coroutine]
    /// fn consume(queue: asyncio::Queue<i32>) -> asyncio::Result<()> {
    ///     while let Ok(_item) = queue.get_nowait() {
    ///         asyncio::sleep(0).await?; // working on it
    ///         queue.task_done()?;
    ///     }
    ///     Ok(())
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_coroutine() -> asyncio::Result<()> {
    ///     let queue = asyncio::Queue::new();
    ///     queue.put_nowait(1)?;
    ///     queue.put_nowait(2)?;
    ///     let consumer = asyncio::create_task(consume(queue.clone()));
    ///     queue.join().await?;
    ///     assert!(queue.empty() && consumer.done());
    ///     Ok(())
    /// }
    /// asyncio::run(main_coroutine())?;
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn join(&self) -> QueueJoin<S> {
        QueueJoin::new(self.state.clone())
    }

    /// Shuts the queue down (Python 3.13's `Queue.shutdown`).
    ///
    /// From now on, [`put`](Self::put) and [`put_nowait`](Self::put_nowait)
    /// fail with [`Error::QueueShutDown`], and so do the putters waiting
    /// now. With `immediate == false`, getters still receive the items
    /// queued, and fail with `QueueShutDown` once the queue is empty
    /// (getters waiting on an empty queue fail at once).
    ///
    /// With `immediate == true`, the queued items are dropped and counted as
    /// done, so [`join`](Self::join) returns unless items already taken are
    /// still unfinished; every getter fails with `QueueShutDown`.
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = asyncio::Queue::new();
    /// queue.put_nowait(1)?;
    /// queue.put_nowait(2)?;
    /// queue.shutdown(false);
    /// assert!(matches!(queue.put_nowait(3), Err(asyncio::Error::QueueShutDown)));
    /// assert_eq!(queue.get_nowait()?, 1); // drains
    /// queue.shutdown(true);
    /// assert!(matches!(queue.get_nowait(), Err(asyncio::Error::QueueShutDown)));
    /// assert_eq!(queue.unfinished_tasks(), 1); // the item taken
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn shutdown(&self, immediate: bool) {
        let mut dropped = Vec::new();
        {
            let mut state = self.state.borrow_mut();
            state.shutdown = true;
            if immediate {
                while let Some(item) = state.storage.pop() {
                    dropped.push(item);
                    state.unfinished = state.unfinished.saturating_sub(1);
                }
                if state.unfinished == 0 {
                    state.joiners.notify_all();
                }
            }
            // Every waiter looks again, and finds the shutdown.
            state.getters.notify_all();
            state.putters.notify_all();
        }
        // The items' drops run with the queue free to use.
        drop(dropped);
    }
}

impl<S: QueueStorage> fmt::Debug for GenericQueue<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.borrow();
        f.debug_struct("GenericQueue")
            .field("maxsize", &state.maxsize)
            .field("qsize", &state.storage.len())
            .field("getters", &state.getters.waiting())
            .field("putters", &state.putters.waiting())
            .field("unfinished", &state.unfinished)
            .field("shutdown", &state.shutdown)
            .finish()
    }
}
