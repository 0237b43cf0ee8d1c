//! Queues (`Queue`, `LifoQueue`, `PriorityQueue`): backpressure, order, the
//! non-blocking variants, `join`/`task_done`, shutdown, fairness between
//! waiters, handles.
//!
//! CPython cases C47 and C49 of `/work/shared/CASES.md` (section H; the
//! shutdown cases run for the three queue kinds, as CPython's mixins do),
//! asyncio's remaining `test_queues.py` behaviours, and our own tests. Every
//! test runs on a virtual clock.

mod support;

use support::queues::*;
use support::*;

use asyncio::{
    Error, GenericQueue, LifoQueue, PriorityQueue, Queue, QueueStorage, Result, TaskGroup,
};
use std::cell::{Cell, RefCell};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::rc::Rc;

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

// ----- fairness --------------------------------------------------------------

#[asyncio::coroutine]
fn fifo_getters_body() -> Result<()> {
    let q = Queue::new();
    let getters: Vec<_> = (0..5).map(|_| asyncio::create_task(q.get())).collect();
    asyncio::sleep(0).await?;
    for i in 0..5 {
        q.put_nowait(i)?;
    }
    for (i, getter) in getters.into_iter().enumerate() {
        assert_eq!(getter.await?, i);
    }
    Ok(())
}

// Waiting getters are served in arrival order.
#[test]
fn waiting_getters_served_fifo() {
    vrun(fifo_getters_body());
}

#[asyncio::coroutine]
fn fifo_putters_body() -> Result<()> {
    let q = Queue::with_maxsize(1);
    q.put_nowait(0)?;
    let putters: Vec<_> = (1..6).map(|i| asyncio::create_task(q.put(i))).collect();
    asyncio::sleep(0).await?;
    let mut got = Vec::new();
    for _ in 0..6 {
        got.push(q.get().await?);
    }
    assert_eq!(got, [0, 1, 2, 3, 4, 5]);
    for putter in putters {
        assert!(putter.done());
    }
    Ok(())
}

// Waiting putters are served in arrival order.
#[test]
fn waiting_putters_served_fifo() {
    vrun(fifo_putters_body());
}

#[asyncio::coroutine]
fn barging_body() -> Result<()> {
    let q = Queue::new();
    let getter = asyncio::create_task(q.get());
    asyncio::sleep(0).await?;
    // As in asyncio: the item wakes the getter, but it stays in the queue
    // until the getter runs, so get_nowait in between takes it.
    q.put_nowait("first")?;
    assert_eq!(q.get_nowait()?, "first");
    asyncio::sleep(0).await?;
    assert!(!getter.done());
    assert_eq!(waiting(&q), (1, 0));
    q.put_nowait("second")?;
    assert_eq!(getter.await?, "second");
    Ok(())
}

// A woken getter that finds its item taken waits again, and is not lost.
#[test]
fn woken_getter_that_lost_the_item_waits_again() {
    vrun(barging_body());
}

#[asyncio::coroutine]
fn priority_waiting_getter_body() -> Result<()> {
    let q = PriorityQueue::new();
    let getter = asyncio::create_task(q.get());
    asyncio::sleep(0).await?;
    for i in [3, 1, 2] {
        q.put_nowait(i)?;
    }
    // The getter was woken by 3 but takes the smallest when it runs.
    assert_eq!(getter.await?, 1);
    let lifo = LifoQueue::new();
    let getter = asyncio::create_task(lifo.get());
    asyncio::sleep(0).await?;
    for i in [3, 1, 2] {
        lifo.put_nowait(i)?;
    }
    assert_eq!(getter.await?, 2);
    Ok(())
}

// A waiting getter takes the item the queue's order gives when it runs.
#[test]
fn waiting_getter_follows_queue_order() {
    vrun(priority_waiting_getter_body());
}

#[asyncio::coroutine]
fn consumer(q: Queue<u32>, n: usize) -> Result<Vec<u32>> {
    let mut got = Vec::new();
    for _ in 0..n {
        got.push(q.get().await?);
    }
    Ok(got)
}

#[asyncio::coroutine]
fn producer(q: Queue<u32>, n: u32) -> Result<()> {
    for i in 0..n {
        q.put(i).await?;
    }
    Ok(())
}

#[asyncio::coroutine]
fn why_are_getters_waiting_body() -> Result<()> {
    let q = Queue::with_maxsize(1);
    let c = asyncio::create_task(consumer(q.clone(), 5));
    producer(q, 5).await?;
    assert_eq!(c.await?, [0, 1, 2, 3, 4]);
    Ok(())
}

// asyncio's test_why_are_getters_waiting: a producer and a consumer over maxsize 1.
#[test]
fn producer_consumer_maxsize_one() {
    vrun(why_are_getters_waiting_body());
}

#[asyncio::coroutine]
fn drain_after_yield(q: Queue<u32>) -> Result<()> {
    asyncio::sleep(0).await?;
    for _ in 0..q.qsize() {
        q.get_nowait()?;
    }
    Ok(())
}

#[asyncio::coroutine]
fn why_are_putters_waiting_body() -> Result<()> {
    let q = Queue::with_maxsize(2);
    let tasks = vec![
        asyncio::create_task(drain_after_yield(q.clone())),
        asyncio::create_task(producer(q.clone(), 1)),
        asyncio::create_task(producer(q.clone(), 1)),
        asyncio::create_task(producer(q.clone(), 1)),
        asyncio::create_task(producer(q.clone(), 1)),
    ];
    asyncio::gather(tasks).await?;
    assert_eq!(q.qsize(), 2);
    Ok(())
}

// asyncio's test_why_are_putters_waiting: get_nowait wakes waiting putters.
#[test]
fn get_nowait_wakes_putters() {
    vrun(why_are_putters_waiting_body());
}

// ----- join ------------------------------------------------------------------

#[asyncio::coroutine]
fn join_cancel_body() -> Result<()> {
    let q = Queue::new();
    q.put_nowait(1)?;
    let j1 = asyncio::create_task(q.join());
    let j2 = asyncio::create_task(q.join());
    asyncio::sleep(0).await?;
    j1.cancel();
    asyncio::sleep(0).await?;
    assert!(is_cancelled(&j1.await));
    assert!(!j2.done());
    q.get_nowait()?;
    q.task_done()?;
    // Released even though an item is put again before it runs.
    q.put_nowait(2)?;
    assert_eq!(j2.await?, ());
    // A new join waits for the new item.
    let j3 = asyncio::create_task(q.join());
    asyncio::sleep(0).await?;
    assert!(!j3.done());
    q.get_nowait()?;
    q.task_done()?;
    j3.await?;
    Ok(())
}

// join() waiters are released together; a cancelled one leaves; a released one stays released.
#[test]
fn join_cancel_and_release() {
    vrun(join_cancel_body());
}

// ----- shutdown --------------------------------------------------------------

#[asyncio::coroutine]
fn shutdown_wakes_everyone_body(drops: Rc<Cell<u32>>) -> Result<()> {
    let counter = drops.clone();
    let item = move |id| Counted {
        id,
        drops: counter.clone(),
    };
    let q = Queue::with_maxsize(2);
    q.put_nowait(item(0))?;
    q.put_nowait(item(1))?;
    let putters: Vec<_> = (2..5)
        .map(|i| asyncio::create_task(q.put(item(i))))
        .collect();
    let joiner = asyncio::create_task(q.join());
    asyncio::sleep(0).await?;
    assert_eq!(waiting(&q), (0, 3));
    q.shutdown(true);
    assert_eq!(drops.get(), 2); // the queued items, dropped at once
    for putter in putters {
        assert!(matches!(putter.await, Err(Error::QueueShutDown)));
    }
    assert_eq!(drops.get(), 5); // and the putters' items
    joiner.await?;
    assert!(matches!(q.get().await, Err(Error::QueueShutDown)));
    // try_put hands the item back.
    let back = q.try_put(item(9)).unwrap_err();
    assert_eq!(back.id, 9);
    Ok(())
}

// shutdown(immediate) fails every waiting putter, drops each item exactly once, releases join().
#[test]
fn shutdown_immediate_wakes_putters_and_drops_items_once() {
    let drops = Rc::new(Cell::new(0));
    vrun(shutdown_wakes_everyone_body(drops.clone()));
    assert_eq!(drops.get(), 6);
}

#[asyncio::coroutine]
fn shutdown_getters_drain_body() -> Result<()> {
    let q = Queue::new();
    let getters: Vec<_> = (0..3).map(|_| asyncio::create_task(q.get())).collect();
    asyncio::sleep(0).await?;
    q.put_nowait(10)?; // wakes the first getter
    q.shutdown(false); // wakes the others: one finds nothing left
    let outcomes: Vec<_> = asyncio::gather(getters).return_exceptions().await?;
    assert!(matches!(outcomes[0], Ok(10)));
    assert!(matches!(outcomes[1], Err(Error::QueueShutDown)));
    assert!(matches!(outcomes[2], Err(Error::QueueShutDown)));
    Ok(())
}

// After shutdown(false), waiting getters take what is left, then raise QueueShutDown.
#[test]
fn shutdown_getters_drain_then_raise() {
    vrun(shutdown_getters_drain_body());
}

// ----- handles ---------------------------------------------------------------

// Clones share one queue; Debug shows its counts.
#[test]
fn clones_share_the_queue() {
    let q = Queue::with_maxsize(3);
    let q2 = q.clone();
    q.put_nowait(1).unwrap();
    assert_eq!(q2.qsize(), 1);
    assert_eq!(q2.get_nowait().unwrap(), 1);
    assert!(q.empty());
    let text = format!("{q:?}");
    assert!(text.contains("maxsize: 3"), "{text}");
    assert!(text.contains("unfinished: 1"), "{text}");
    let _: Queue<i32> = Queue::default();
}
