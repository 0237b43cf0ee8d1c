//! Runs the pipeline on token input, for the stages' unit tests.

use proc_macro2::{Span, TokenStream};
use quote::quote;

use crate::ir::Node;
use crate::ir::graph::Cfg;
use crate::stages::liveness::{self, Liveness};
use crate::stages::resolve::{self, Param, Resolution};
use crate::stages::{lower, normalize};

/// Normalises and resolves `body`, with one parameter `p`.
pub fn resolved(body: TokenStream) -> (Vec<Node>, Resolution) {
    let block: syn::Block = syn::parse2(quote!({ #body })).unwrap();
    let mut nodes = normalize::body(&block, true).unwrap().nodes;
    let params = [Param {
        ident: syn::Ident::new("p", Span::call_site()),
        mutable: false,
    }];
    let res = resolve::resolve(&params, &mut nodes).unwrap();
    (nodes, res)
}

/// Lowers `body` and computes liveness.
pub fn analyzed(body: TokenStream) -> (Cfg, Resolution, Liveness) {
    let (nodes, res) = resolved(body);
    let cfg = lower::lower(nodes);
    let live = liveness::analyze(&cfg, &res);
    (cfg, res, live)
}

/// The names of the slots in `set`, sorted.
pub fn names(res: &Resolution, set: impl IntoIterator<Item = usize>) -> Vec<String> {
    let mut names: Vec<String> = set
        .into_iter()
        .map(|s| res.slots[s].ident.to_string())
        .collect();
    names.sort();
    names
}
