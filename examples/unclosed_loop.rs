//! Loops that are never closed: each is stopped by a callback that holds a
//! handle to it, runs a task that holds another, and is then simply
//! dropped. Dropping the loop's owner closes it (in debug mode it reports
//! "unclosed event loop", as asyncio's `ResourceWarning` does), which drops
//! the pending task and callbacks and so breaks the reference cycles: the
//! program frees everything it allocated.
//!
//! ```text
//! cargo run --example unclosed_loop
//! valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=1 \
//!     target/debug/examples/unclosed_loop
//! ```

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use asyncio::{EventLoop, ExceptionContext};

/// Ticks until its loop stops, holding a handle to that loop.
#[asyncio::coroutine]
fn ticker(event_loop: EventLoop, ticks: Rc<Cell<u32>>) -> asyncio::Result<()> {
    loop {
        asyncio::sleep(0.001).await?;
        ticks.set(ticks.get() + 1);
        if event_loop.time() > 3600.0 {
            return Ok(());
        }
    }
}

fn main() -> asyncio::Result<()> {
    let ticks = Rc::new(Cell::new(0));
    // What the loops report to their exception handler, counted.
    let reports: Rc<RefCell<BTreeMap<String, u32>>> = Rc::default();
    for round in 0..20 {
        let event_loop = EventLoop::new()?;
        // Debug mode (the "unclosed event loop" report) on the first round.
        event_loop.set_debug(round == 0);
        let seen = reports.clone();
        event_loop.set_exception_handler(Some(move |_: &EventLoop, ctx: &ExceptionContext| {
            *seen.borrow_mut().entry(ctx.message.clone()).or_default() += 1;
        }));
        let _detached = event_loop.create_task(ticker(event_loop.clone(), ticks.clone()))?;
        let stopper = event_loop.clone();
        event_loop.call_later(0.005, move || stopper.stop())?;
        let never = event_loop.clone();
        event_loop.call_later(3600, move || never.stop())?;
        event_loop.run_forever()?;
        // No `close()`: the owner is dropped here, with the task pending.
    }
    println!("20 loops dropped without close; {} ticks", ticks.get());
    for (message, count) in reports.borrow().iter() {
        println!("{count} x {message}");
    }
    Ok(())
}
