//! Runnable programs for `asyncio`: see the `*.rs` files beside this crate.
