//! The hand-written corpus: bodies compiled both as a `#[coroutine] fn` and
//! as an `async fn`, run on a scripted executor and compared with rustc's
//! own lowering by the drop-timing rule of [`common::agree`]; plus the
//! frame-size distribution over every body.

#[macro_use]
mod common;

mod adversarial;
mod borrows;
mod constructs;
mod frame_sizes;
mod more;
mod regressions;
