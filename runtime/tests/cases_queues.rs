//! Behaviour cases of `/work/shared/CASES.md`, section H (queues), ported
//! from CPython's `test_asyncio/test_queues.py` (3.13).
//!
//! Every case runs on a runner with a virtual clock. The shutdown cases run
//! for the three queue kinds, as CPython's mixins do.

mod support;

use support::*;

use std::cell::{Cell, RefCell};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::rc::Rc;

use asyncio::{
    Error, GenericQueue, LifoQueue, PriorityQueue, Queue, QueueStorage, Result, TaskGroup,
};

// ----- helpers ---------------------------------------------------------------

fn is_shutdown<T: std::fmt::Debug>(outcome: &Result<T>) -> bool {
    matches!(outcome, Err(Error::QueueShutDown))
}

fn is_invalid_state<T: std::fmt::Debug>(outcome: &Result<T>) -> bool {
    matches!(outcome, Err(Error::InvalidState(_)))
}

/// Runs a generic case for `Queue`, `LifoQueue` and `PriorityQueue`.
macro_rules! for_each_kind {
    ($case:ident) => {
        vrun($case::<VecDeque<&'static str>>());
        vrun($case::<Vec<&'static str>>());
        vrun($case::<BinaryHeap<Reverse<&'static str>>>());
    };
}

// ----- C47. Backpressure with maxsize, and the non-blocking variants ----------

#[asyncio::coroutine]
fn put_three(q: Queue<i32>, have_been_put: Rc<RefCell<Vec<i32>>>) -> Result<bool> {
    for i in 0..3 {
        q.put(i).await?;
        have_been_put.borrow_mut().push(i);
    }
    Ok(true)
}

#[asyncio::coroutine]
fn maxsize_body() -> Result<()> {
    let q = Queue::with_maxsize(2);
    assert_eq!(q.maxsize(), 2);
    let have_been_put = Rc::new(RefCell::new(Vec::new()));
    let t = asyncio::create_task(put_three(q.clone(), have_been_put.clone()));
    for _ in 0..2 {
        asyncio::sleep(0).await?;
    }
    // The putter is blocked after putting two items.
    assert_eq!(*have_been_put.borrow(), [0, 1]);
    assert_eq!(q.get().await?, 0);
    // Let the putter resume and put the last item.
    asyncio::sleep(0).await?;
    assert_eq!(*have_been_put.borrow(), [0, 1, 2]);
    assert_eq!(q.get_nowait()?, 1);
    assert_eq!(q.get_nowait()?, 2);
    assert!(t.done());
    assert!(t.take_result()?);
    Ok(())
}

// C47: with maxsize=2 a putter of 0, 1, 2 blocks after [0, 1]; one get() lets it put 2.
#[test]
fn c47_maxsize() {
    vrun(maxsize_body());
}

#[asyncio::coroutine]
fn order_body<S>(q: GenericQueue<S>, expected: [i32; 3]) -> Result<()>
where
    S: QueueStorage<Item = i32> + 'static,
{
    for i in [1, 3, 2] {
        q.put(i).await?;
    }
    let mut items = Vec::new();
    for _ in 0..3 {
        items.push(q.get().await?);
    }
    assert_eq!(items, expected);
    Ok(())
}

// C47: a Queue is FIFO: [1, 3, 2] comes out as [1, 3, 2].
#[test]
fn c47_order_fifo() {
    vrun(order_body(Queue::new(), [1, 3, 2]));
}

// C47: a LifoQueue hands out the last item put first: [2, 3, 1].
#[test]
fn c47_order_lifo() {
    vrun(order_body(LifoQueue::new(), [2, 3, 1]));
}

// C47: a PriorityQueue hands out the smallest item first: [1, 2, 3].
#[test]
fn c47_order_priority() {
    vrun(order_body(PriorityQueue::new(), [1, 2, 3]));
}

// C47: getting from an empty queue raises QueueEmpty.
#[test]
fn c47_nonblocking_get_exception() {
    let q = Queue::<i32>::new();
    assert!(matches!(q.get_nowait(), Err(Error::QueueEmpty)));
}

// C47: putting into a full queue raises QueueFull.
#[test]
fn c47_nonblocking_put_exception() {
    let q = Queue::with_maxsize(1);
    q.put_nowait(1).unwrap();
    assert!(matches!(q.put_nowait(2), Err(Error::QueueFull)));
}

#[asyncio::coroutine]
fn blocking_maxsize_body() -> Result<()> {
    let q = Queue::with_maxsize(2);
    q.put(1).await?;
    q.put(2).await?;
    assert!(q.full());
    Ok(())
}

// C47: `test_float_maxsize`. A maxsize is a `usize` here, so 1.3 (full at
// two items, as `qsize() >= 1.3`) is ported as its integer equivalent, 2.
#[test]
fn c47_float_maxsize() {
    let q = Queue::with_maxsize(2);
    q.put_nowait(1).unwrap();
    q.put_nowait(2).unwrap();
    assert!(q.full());
    assert!(matches!(q.put_nowait(3), Err(Error::QueueFull)));
    vrun(blocking_maxsize_body());
}

#[asyncio::coroutine]
fn get_with_waiting_putters_body() -> Result<()> {
    let q = Queue::with_maxsize(1);
    let _a = asyncio::create_task(q.put("a"));
    let _b = asyncio::create_task(q.put("b"));
    assert_eq!(q.get().await?, "a");
    assert_eq!(q.get().await?, "b");
    Ok(())
}

// C47: two putters waiting on a queue of maxsize 1 are served in order.
#[test]
fn c47_get_with_waiting_putters() {
    vrun(get_with_waiting_putters_body());
}

// ----- C49. join() and task_done(), and shutdown (3.13) -----------------------

#[asyncio::coroutine]
fn worker(q: Queue<u32>, accumulator: Rc<Cell<u32>>, running: Rc<Cell<bool>>) -> Result<()> {
    while running.get() {
        let item = q.get().await?;
        accumulator.set(accumulator.get() + item);
        q.task_done()?;
    }
    Ok(())
}

#[asyncio::coroutine]
fn task_done_group(
    tg: TaskGroup,
    q: Queue<u32>,
    accumulator: Rc<Cell<u32>>,
    running: Rc<Cell<bool>>,
) -> Result<()> {
    let mut tasks = Vec::new();
    for _ in 0..2 {
        tasks.push(tg.create_task(worker(q.clone(), accumulator.clone(), running.clone()))?);
    }
    q.join().await?;
    assert_eq!(accumulator.get(), (0..100).sum::<u32>());
    // Let the workers finish.
    running.set(false);
    for _ in 0..tasks.len() {
        q.put_nowait(0)?;
    }
    Ok(())
}

#[asyncio::coroutine]
fn task_done_body() -> Result<()> {
    let q = Queue::new();
    for i in 0..100 {
        q.put_nowait(i)?;
    }
    let accumulator = Rc::new(Cell::new(0));
    let running = Rc::new(Cell::new(true));
    TaskGroup::new()
        .run(move |tg| task_done_group(tg, q, accumulator, running))
        .await?;
    Ok(())
}

// C49: two workers calling task_done() after each of 100 items; join() returns after sum(range(100)).
#[test]
fn c49_task_done() {
    vrun(task_done_body());
}

// C49: one task_done() too many raises (asyncio's ValueError).
#[test]
fn c49_task_done_underflow() {
    let q = Queue::<i32>::new();
    assert!(is_invalid_state(&q.task_done()));
}

#[asyncio::coroutine]
fn join_empty_queue_body() -> Result<()> {
    let q = Queue::<i32>::new();
    q.join().await?;
    q.join().await?;
    Ok(())
}

// C49: join() on a queue with no unfinished work returns at once, and more than once.
#[test]
fn c49_join_empty_queue() {
    vrun(join_empty_queue_body());
}

/// After a shutdown: every put and get raises QueueShutDown (the queue is
/// empty).
#[asyncio::coroutine]
fn assert_all_raise_shutdown<S>(q: GenericQueue<S>) -> Result<()>
where
    S: QueueStorage<Item = &'static str> + 'static,
{
    assert!(is_shutdown(&q.put("data").await));
    assert!(is_shutdown(&q.put_nowait("data")));
    assert!(is_shutdown(&q.get().await));
    assert!(is_shutdown(&q.get_nowait()));
    Ok(())
}

#[asyncio::coroutine]
fn shutdown_empty<S>() -> Result<()>
where
    S: QueueStorage<Item = &'static str> + Default + 'static,
{
    let q = GenericQueue::<S>::new();
    let get_task = asyncio::create_task(q.get());
    asyncio::sleep(0).await?; // the get task is pending before the shutdown
    q.shutdown(false); // unfinished tasks: 0 -> 0
    assert_eq!(q.qsize(), 0);
    q.join().await?;
    asyncio::sleep(0).await?;
    assert!(get_task.done());
    assert!(is_shutdown(&get_task.await));
    assert_all_raise_shutdown(q).await
}

// C49: shutdown() wakes a blocked getter with QueueShutDown; later puts and gets raise.
#[test]
fn c49_shutdown_empty() {
    for_each_kind!(shutdown_empty);
}

#[asyncio::coroutine]
fn shutdown_nonempty<S>() -> Result<()>
where
    S: QueueStorage<Item = &'static str> + Default + 'static,
{
    let q = GenericQueue::<S>::with_maxsize(1);
    q.put_nowait("data")?;
    let join_task = asyncio::create_task(q.join());
    let put_task = asyncio::create_task(q.put("data2"));
    asyncio::sleep(0).await?;
    assert!(!put_task.done());

    q.shutdown(false); // unfinished tasks: 1 -> 1
    assert_eq!(q.qsize(), 1);

    // The blocked putter raised QueueShutDown.
    asyncio::sleep(0).await?;
    assert!(put_task.done());
    assert!(is_shutdown(&put_task.await));

    // Gets still return the items queued.
    assert_eq!(q.get().await?, "data");

    // join() still waits for the task_done().
    asyncio::sleep(0).await?;
    assert!(!join_task.done());

    assert_all_raise_shutdown(q.clone()).await?;

    q.task_done()?;
    asyncio::sleep(0).await?;
    assert!(join_task.done());
    join_task.await?;
    assert!(is_invalid_state(&q.task_done()));
    Ok(())
}

// C49: shutdown() wakes a blocked putter with QueueShutDown; gets drain the items; join() waits for task_done().
#[test]
fn c49_shutdown_nonempty() {
    for_each_kind!(shutdown_nonempty);
}

#[asyncio::coroutine]
fn shutdown_immediate<S>() -> Result<()>
where
    S: QueueStorage<Item = &'static str> + Default + 'static,
{
    let q = GenericQueue::<S>::new();
    q.put_nowait("data")?;
    let join_task = asyncio::create_task(q.join());

    q.shutdown(true); // unfinished tasks: 1 -> 0
    assert_eq!(q.qsize(), 0);

    asyncio::sleep(0).await?;
    assert!(join_task.done());
    join_task.await?;

    assert_all_raise_shutdown(q.clone()).await?;
    assert!(is_invalid_state(&q.task_done()));
    Ok(())
}

// C49: shutdown(immediate=True) drops the items and counts them done, releasing join(); gets raise at once.
#[test]
fn c49_shutdown_immediate() {
    for_each_kind!(shutdown_immediate);
}

#[asyncio::coroutine]
fn shutdown_immediate_with_unfinished<S>() -> Result<()>
where
    S: QueueStorage<Item = &'static str> + Default + 'static,
{
    let q = GenericQueue::<S>::new();
    q.put_nowait("data")?;
    q.put_nowait("data")?;
    let join_task = asyncio::create_task(q.join());
    assert_eq!(q.get().await?, "data");

    q.shutdown(true); // unfinished tasks: 2 -> 1
    assert_eq!(q.qsize(), 0);

    asyncio::sleep(0).await?;
    assert!(!join_task.done());

    assert_all_raise_shutdown(q.clone()).await?;

    // One unfinished task: the item taken.
    q.task_done()?;
    assert!(is_invalid_state(&q.task_done()));

    asyncio::sleep(0).await?;
    assert!(join_task.done());
    join_task.await?;
    Ok(())
}

// C49: after shutdown(immediate=True), join() still waits for items taken and not yet done.
#[test]
fn c49_shutdown_immediate_with_unfinished() {
    for_each_kind!(shutdown_immediate_with_unfinished);
}
