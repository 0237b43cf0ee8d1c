//! [`QueueStorage`]: the order in which a queue hands its items out.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// Where a [`GenericQueue`](super::GenericQueue) keeps its items, and so the
/// order in which it hands them out: asyncio's `_init`, `_put`, `_get` and
/// `_qsize`, which `LifoQueue` and `PriorityQueue` override.
///
/// The crate implements it for three standard collections:
///
/// | storage | queue | order |
/// | --- | --- | --- |
/// | `VecDeque<T>` | [`Queue<T>`](super::Queue) | first in, first out |
/// | `Vec<T>` | [`LifoQueue<T>`](super::LifoQueue) | last in, first out |
/// | `BinaryHeap<Reverse<T>>` | [`PriorityQueue<T>`](super::PriorityQueue) | smallest first (items are `T`, as with `heapq`) |
///
/// Implement it to give a queue another order. The queue calls these
/// methods while it holds its own state borrowed, so they (and, for the
/// priority queue, the items' `Ord`) must not use the queue they belong to.
///
/// # Examples
///
/// A queue that hands out the longest string first:
///
/// ```
/// use asyncio::{GenericQueue, QueueStorage};
///
/// #[derive(Default)]
/// struct LongestFirst(Vec<String>);
///
/// impl QueueStorage for LongestFirst {
///     type Item = String;
///     fn push(&mut self, item: String) {
///         self.0.push(item);
///         self.0.sort_by_key(|s| s.len());
///     }
///     fn pop(&mut self) -> Option<String> {
///         self.0.pop()
///     }
///     fn len(&self) -> usize {
///         self.0.len()
///     }
/// }
///
/// let queue = GenericQueue::<LongestFirst>::new();
/// for word in ["a", "ccc", "bb"] {
///     queue.put_nowait(word.to_owned())?;
/// }
/// assert_eq!(queue.get_nowait()?, "ccc");
/// assert_eq!(queue.get_nowait()?, "bb");
/// # Ok::<(), asyncio::Error>(())
/// ```
pub trait QueueStorage {
    /// What the queue holds.
    type Item;

    /// Stores an item.
    fn push(&mut self, item: Self::Item);

    /// Takes the next item out, or `None` if there is none.
    fn pop(&mut self) -> Option<Self::Item>;

    /// How many items are stored.
    fn len(&self) -> usize;

    /// Whether no item is stored.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// First in, first out ([`Queue`](super::Queue)).
impl<T> QueueStorage for VecDeque<T> {
    type Item = T;

    #[inline]
    fn push(&mut self, item: T) {
        self.push_back(item);
    }

    #[inline]
    fn pop(&mut self) -> Option<T> {
        self.pop_front()
    }

    #[inline]
    fn len(&self) -> usize {
        VecDeque::len(self)
    }
}

/// Last in, first out ([`LifoQueue`](super::LifoQueue)).
impl<T> QueueStorage for Vec<T> {
    type Item = T;

    #[inline]
    fn push(&mut self, item: T) {
        Vec::push(self, item);
    }

    #[inline]
    fn pop(&mut self) -> Option<T> {
        Vec::pop(self)
    }

    #[inline]
    fn len(&self) -> usize {
        Vec::len(self)
    }
}

/// Smallest first ([`PriorityQueue`](super::PriorityQueue)): a min-heap of
/// `T` (the `Reverse` stays inside).
impl<T: Ord> QueueStorage for BinaryHeap<Reverse<T>> {
    type Item = T;

    #[inline]
    fn push(&mut self, item: T) {
        BinaryHeap::push(self, Reverse(item));
    }

    #[inline]
    fn pop(&mut self) -> Option<T> {
        BinaryHeap::pop(self).map(|Reverse(item)| item)
    }

    #[inline]
    fn len(&self) -> usize {
        BinaryHeap::len(self)
    }
}
