//! Small building blocks with no knowledge of the event loop.

pub(crate) mod panic;
pub(crate) mod slab;
pub(crate) mod thread_pool;
