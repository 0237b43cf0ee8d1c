//! The compiler's intermediate forms: the normalised body ([`node`]) and
//! the control-flow graph it is lowered to ([`graph`]).

pub mod graph;
mod node;

pub use node::*;
