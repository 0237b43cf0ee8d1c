//! Queues for tasks (asyncio's "Queues"): [`Queue`], [`LifoQueue`] and
//! [`PriorityQueue`], one implementation ([`GenericQueue`]) over three
//! [`QueueStorage`] orders.
//!
//! As in asyncio, a queue is not thread-safe: it coordinates the tasks of
//! one loop. Its waits ([`QueueGet`], [`QueuePut`], [`QueueJoin`]) are
//! leaves that deliver the task's pending cancellation first and, when
//! cancelled or dropped, never lose or duplicate an item or a free slot.
//!
//! # Examples
//!
//! ```
//! #[asyncio::coroutine]
//! fn producer(queue: asyncio::Queue<u32>) -> asyncio::Result<()> {
//!     for item in 0..5 {
//!         queue.put(item).await?;
//!     }
//!     queue.shutdown(false); // consumers drain what is left, then stop
//!     Ok(())
//! }
//!
//! #[asyncio::coroutine]
//! fn consumer(queue: asyncio::Queue<u32>) -> asyncio::Result<Vec<u32>> {
//!     let mut seen = Vec::new();
//!     loop {
//!         match queue.get().await {
//!             Ok(item) => seen.push(item),
//!             Err(asyncio::Error::QueueShutDown) => return Ok(seen),
//!             Err(err) => return Err(err),
//!         }
//!     }
//! }
//!
//! #[asyncio::coroutine]
//! fn main_coroutine() -> asyncio::Result<Vec<u32>> {
//!     let queue = asyncio::Queue::with_maxsize(1);
//!     let consumer = asyncio::create_task(consumer(queue.clone()));
//!     producer(queue).await?;
//!     consumer.await
//! }
//! assert_eq!(asyncio::run(main_coroutine())?, [0, 1, 2, 3, 4]);
//! # Ok::<(), asyncio::Error>(())
//! ```

mod leaves;
mod queue;
mod storage;

pub use self::leaves::{QueueGet, QueueJoin, QueuePut};
pub use self::queue::{GenericQueue, LifoQueue, PriorityQueue, Queue};
pub use self::storage::QueueStorage;
