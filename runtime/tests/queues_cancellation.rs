//! Queues' cancellation safety: a cancelled or dropped `get` never loses or
//! duplicates an item, a cancelled `put` never inserts twice or loses a
//! slot, also under random cancellations.
//!
//! Ports of `test_queues.py`'s cancellation tests, and our own. Every test
//! runs on a virtual clock.

mod support;

use support::queues::*;
use support::*;

use asyncio::{Error, Queue, Result, TaskRef};
use std::cell::{Cell, RefCell};
use std::future::Future as _;
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

// ----- cancellation of get ---------------------------------------------------

#[asyncio::coroutine]
fn get_cancelled_race_body() -> Result<()> {
    let q = Queue::new();
    let t1 = asyncio::create_task(q.get());
    let t2 = asyncio::create_task(q.get());
    asyncio::sleep(0).await?;
    t1.cancel();
    asyncio::sleep(0).await?;
    assert!(t1.done());
    q.put("a").await?;
    asyncio::sleep(0).await?;
    assert_eq!(t2.await?, "a");
    assert!(is_cancelled(&t1.await));
    Ok(())
}

// asyncio's test_get_cancelled_race: a getter cancelled before an item comes leaves the line.
#[test]
fn get_cancelled_before_item() {
    vrun(get_cancelled_race_body());
}

#[asyncio::coroutine]
fn notified_getter_cancelled_body() -> Result<()> {
    let q = Queue::new();
    let t1 = asyncio::create_task(q.get());
    let t2 = asyncio::create_task(q.get());
    asyncio::sleep(0).await?;
    assert_eq!(waiting(&q), (2, 0));
    // The item wakes t1; t1 is cancelled in the same step, before it runs.
    q.put_nowait("a")?;
    t1.cancel();
    asyncio::sleep(0).await?;
    asyncio::sleep(0).await?;
    assert!(is_cancelled(&t1.clone().await));
    assert!(t2.done());
    assert_eq!(t2.await?, "a");
    assert_eq!(q.qsize(), 0);
    assert_eq!(waiting(&q), (0, 0));
    Ok(())
}

// A getter woken for an item and cancelled in the same iteration passes the item to the next getter.
#[test]
fn notified_getter_cancelled_passes_item_on() {
    vrun(notified_getter_cancelled_body());
}

#[asyncio::coroutine]
fn notified_getter_cancelled_no_other_body() -> Result<()> {
    let q = Queue::new();
    let t1 = asyncio::create_task(q.get());
    asyncio::sleep(0).await?;
    q.put_nowait(7)?;
    t1.cancel();
    assert!(is_cancelled(&t1.await));
    // The item stayed in the queue.
    assert_eq!(q.qsize(), 1);
    assert_eq!(q.get().await?, 7);
    Ok(())
}

// A getter woken and cancelled with nobody else waiting leaves the item in the queue.
#[test]
fn notified_getter_cancelled_leaves_item_queued() {
    vrun(notified_getter_cancelled_no_other_body());
}

#[asyncio::coroutine]
fn two_items_one_cancelled_body() -> Result<()> {
    let q = Queue::new();
    let t1 = asyncio::create_task(q.get());
    let t2 = asyncio::create_task(q.get());
    let t3 = asyncio::create_task(q.get());
    asyncio::sleep(0).await?;
    q.put_nowait(1)?; // wakes t1
    q.put_nowait(2)?; // wakes t2
    t1.cancel();
    t2.cancel();
    yields(3).await?;
    assert!(is_cancelled(&t1.await));
    assert!(is_cancelled(&t2.await));
    // t3 got the first item; the second is still there: nothing lost or doubled.
    assert_eq!(t3.await?, 1);
    assert_eq!(q.get_nowait()?, 2);
    assert!(q.empty());
    Ok(())
}

// Two woken getters cancelled at once: one wake-up reaches the third getter, the other item stays.
#[test]
fn two_notified_getters_cancelled() {
    vrun(two_items_one_cancelled_body());
}

/// Polls `fut` once with a no-op waker (no loop needed: the queue's waits
/// only register the waker).
fn poll_once<F: std::future::Future + Unpin>(fut: &mut F) -> Poll<F::Output> {
    std::pin::Pin::new(fut).poll(&mut Context::from_waker(Waker::noop()))
}

// A woken getter whose future is dropped (not cancelled) passes the wake-up on.
#[test]
fn notified_getter_dropped_passes_item_on() {
    let q = Queue::new();
    let mut g1 = q.get();
    let mut g2 = q.get();
    assert!(poll_once(&mut g1).is_pending());
    assert!(poll_once(&mut g2).is_pending());
    q.put_nowait(5).unwrap();
    drop(g1);
    assert!(matches!(poll_once(&mut g2), Poll::Ready(Ok(5))));
    assert!(q.empty());
    assert!(matches!(
        poll_once(&mut g2),
        Poll::Ready(Err(Error::InvalidState(_)))
    ));
}

// A getter dropped before it was woken just leaves the line.
#[test]
fn waiting_getter_dropped_leaves_line() {
    let q = Queue::new();
    let mut g1 = q.get();
    let mut g2 = pin!(q.get());
    assert!(poll_once(&mut g1).is_pending());
    assert!(
        g2.as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
            .is_pending()
    );
    drop(g1);
    assert_eq!(waiting(&q), (1, 0));
    q.put_nowait(1).unwrap();
    assert!(matches!(
        g2.as_mut().poll(&mut Context::from_waker(Waker::noop())),
        Poll::Ready(Ok(1))
    ));
}

#[asyncio::coroutine]
fn get_wait_for_body() -> Result<()> {
    let q = Queue::<i32>::with_maxsize(5);
    let outcome = asyncio::wait_for(q.get(), 0.1).await;
    assert!(matches!(outcome, Err(Error::Timeout)), "{outcome:?}");
    assert_eq!(waiting(&q), (0, 0));
    let outcome = asyncio::timeout(0.1, q.get()).await;
    assert!(matches!(outcome, Err(Error::Timeout)), "{outcome:?}");
    assert_eq!(waiting(&q), (0, 0));
    q.put_nowait(1)?;
    assert_eq!(asyncio::wait_for(q.get(), 0.1).await?, 1);
    Ok(())
}

// asyncio's test_cancelled_getters_not_being_held_in_self_getters: a timed-out get leaves no waiter.
#[test]
fn timed_out_getter_leaves_no_waiter() {
    vrun(get_wait_for_body());
}

#[asyncio::coroutine]
fn self_cancelled_get_body() -> Result<()> {
    let q = Queue::new();
    q.put_nowait(1)?;
    asyncio::current_task().unwrap().cancel();
    // A pending request is delivered by the next wait, even one that would not block.
    assert!(is_cancelled(&q.get().await));
    assert_eq!(q.qsize(), 1);
    assert_eq!(q.get().await?, 1);
    Ok(())
}

// A get that meets a pending cancellation request takes no item.
#[test]
fn get_with_pending_cancel_takes_nothing() {
    vrun(self_cancelled_get_body());
}

// ----- cancellation of put ---------------------------------------------------

#[asyncio::coroutine]
fn put_cancel_drop_body() -> Result<()> {
    let q = Queue::with_maxsize(1);
    q.put_nowait(1)?;
    // A second put has to wait.
    let writer = asyncio::create_task(q.put(2));
    asyncio::sleep(0).await?;
    assert_eq!(q.get_nowait()?, 1);
    writer.cancel();
    if is_cancelled(&writer.await) {
        // Try again.
        asyncio::create_task(q.put(2)).await?;
    }
    assert_eq!(q.get_nowait()?, 2);
    assert_eq!(q.qsize(), 0);
    Ok(())
}

// asyncio's test_put_cancel_drop: a putter woken and cancelled did not put; a retry does, once.
#[test]
fn put_cancel_drop() {
    vrun(put_cancel_drop_body());
}

#[asyncio::coroutine]
fn notified_putter_cancelled_body(drops: Rc<Cell<u32>>) -> Result<()> {
    let counter = drops.clone();
    let item = move |id| Counted {
        id,
        drops: counter.clone(),
    };
    let q = Queue::with_maxsize(1);
    q.put_nowait(item(0))?;
    let p1 = asyncio::create_task(q.put(item(1)));
    let p2 = asyncio::create_task(q.put(item(2)));
    asyncio::sleep(0).await?;
    assert_eq!(waiting(&q), (0, 2));
    // The free slot wakes p1; p1 is cancelled before it runs: p2 gets the slot.
    assert_eq!(q.get_nowait()?.id, 0);
    p1.cancel();
    yields(2).await?;
    assert!(is_cancelled(&p1.await));
    p2.await?;
    assert_eq!(q.qsize(), 1);
    assert_eq!(q.get_nowait()?.id, 2);
    assert!(q.empty());
    assert_eq!(q.unfinished_tasks(), 2); // items 0 and 2
    assert_eq!(drops.get(), 3); // 0, 2, and the cancelled put's 1
    Ok(())
}

// A putter woken for a free slot and cancelled in the same iteration passes the slot to the next putter.
#[test]
fn notified_putter_cancelled_passes_slot_on() {
    let drops = Rc::new(Cell::new(0));
    vrun(notified_putter_cancelled_body(drops.clone()));
    assert_eq!(drops.get(), 3);
}

#[asyncio::coroutine]
fn waiting_putter_cancelled_body() -> Result<()> {
    let q = Queue::with_maxsize(1);
    q.put_nowait(0)?;
    let p1 = asyncio::create_task(q.put(1));
    let p2 = asyncio::create_task(q.put(2));
    asyncio::sleep(0).await?;
    p1.cancel();
    asyncio::sleep(0).await?;
    assert!(is_cancelled(&p1.await));
    assert_eq!(waiting(&q), (0, 1));
    assert_eq!(q.get().await?, 0);
    p2.await?;
    assert_eq!(q.get().await?, 2);
    assert!(q.empty());
    Ok(())
}

// asyncio's test_cancelled_puts_not_being_held_in_self_putters: a cancelled putter leaves the line.
#[test]
fn waiting_putter_cancelled_leaves_line() {
    vrun(waiting_putter_cancelled_body());
}

// A put future dropped while waiting drops its item once and leaves the line.
#[test]
fn dropped_put_drops_item_once() {
    let drops = Rc::new(Cell::new(0));
    let q = Queue::with_maxsize(1);
    q.put_nowait(Counted {
        id: 0,
        drops: drops.clone(),
    })
    .unwrap();
    let mut put = q.put(Counted {
        id: 1,
        drops: drops.clone(),
    });
    assert!(poll_once(&mut put).is_pending());
    assert_eq!(waiting(&q), (0, 1));
    drop(put);
    assert_eq!(drops.get(), 1);
    assert_eq!(waiting(&q), (0, 0));
    assert_eq!(q.get_nowait().unwrap().id, 0);
    assert_eq!(drops.get(), 2);
}

// ----- a chaos run -----------------------------------------------------------

/// A tiny deterministic generator (xorshift).
fn next_random(state: &Cell<u64>) -> u64 {
    let mut x = state.get();
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    state.set(x);
    x
}

#[asyncio::coroutine]
fn chaos_producer(
    q: Queue<u32>,
    first: u32,
    n: u32,
    put: Rc<RefCell<Vec<u32>>>,
    cancels: Rc<Cell<u32>>,
) -> Result<()> {
    for id in first..first + n {
        match q.put(id).await {
            Ok(()) => put.borrow_mut().push(id),
            // Not put: suppressed, go on.
            Err(err) if err.is_cancelled() => cancels.set(cancels.get() + 1),
            Err(err) => return Err(err),
        }
    }
    Ok(())
}

#[asyncio::coroutine]
fn chaos_consumer(q: Queue<u32>, got: Rc<RefCell<Vec<u32>>>, cancels: Rc<Cell<u32>>) -> Result<()> {
    loop {
        match q.get().await {
            Ok(id) => got.borrow_mut().push(id),
            // Nothing taken: suppressed, go on.
            Err(err) if err.is_cancelled() => cancels.set(cancels.get() + 1),
            Err(Error::QueueShutDown) => return Ok(()),
            Err(err) => return Err(err),
        }
    }
}

#[asyncio::coroutine]
fn chaos_monkey(victims: Rc<RefCell<Vec<TaskRef>>>, rounds: usize, seed: u64) -> Result<()> {
    let random = Cell::new(seed);
    for _ in 0..rounds {
        let victims_now = victims.borrow().clone();
        let n = next_random(&random) % 3;
        for _ in 0..n {
            let victim = &victims_now[(next_random(&random) as usize) % victims_now.len()];
            if !victim.done() {
                victim.cancel();
            }
        }
        asyncio::sleep(0).await?;
    }
    Ok(())
}

#[asyncio::coroutine]
fn chaos_body(seed: u64, maxsize: usize) -> Result<()> {
    let q = Queue::with_maxsize(maxsize);
    let put = Rc::new(RefCell::new(Vec::new()));
    let got = Rc::new(RefCell::new(Vec::new()));
    let cancels = Rc::new(Cell::new(0));
    let producers: Vec<_> = (0..4)
        .map(|p| {
            asyncio::create_task(chaos_producer(
                q.clone(),
                p * 1000,
                300,
                put.clone(),
                cancels.clone(),
            ))
        })
        .collect();
    let consumers: Vec<_> = (0..3)
        .map(|_| asyncio::create_task(chaos_consumer(q.clone(), got.clone(), cancels.clone())))
        .collect();
    let victims = Rc::new(RefCell::new(Vec::new()));
    for task in &producers {
        victims.borrow_mut().push(task.task_ref().clone());
    }
    for task in &consumers {
        victims.borrow_mut().push(task.task_ref().clone());
    }
    let monkey = asyncio::create_task(chaos_monkey(victims, 400, seed));
    for producer in producers {
        producer.await?;
    }
    monkey.await?;
    // Quiet now: the consumers must have taken everything (a lost wake-up
    // would leave items queued while consumers wait).
    yields(10).await?;
    assert!(q.empty(), "{q:?}");
    assert_eq!(waiting(&q), (3, 0));
    q.shutdown(false);
    for consumer in consumers {
        consumer.await?;
    }
    let mut put = put.borrow().clone();
    let mut got = got.borrow().clone();
    assert!(!put.is_empty());
    assert!(cancels.get() > 50, "only {} cancellations", cancels.get());
    put.sort_unstable();
    got.sort_unstable();
    assert_eq!(put, got, "every item put was got exactly once");
    assert_eq!(q.unfinished_tasks(), put.len());
    assert_eq!(waiting(&q), (0, 0));
    Ok(())
}

// Random cancellations of producers and consumers never lose or duplicate an item.
#[test]
fn chaos_cancellations_lose_nothing() {
    for (seed, maxsize) in [(1, 1), (7, 2), (42, 5), (99, 0)] {
        vrun(chaos_body(seed, maxsize));
    }
}
