//! The pipeline, one module per stage, in order (see the crate docs).

pub mod cfg_variants;
pub mod codegen;
pub mod liveness;
pub mod lower;
pub mod normalize;
pub mod parse;
pub mod pin;
pub mod resolve;
