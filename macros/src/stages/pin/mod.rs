//! Stage 6: locals borrowed across awaits stay in place.
//!
//! [`select`] finds the locals that may be borrowed while the coroutine is
//! suspended; [`rewrite`] turns their declarations and uses into accesses
//! to slots of a pinned machine; [`shadow`] emits the body once more as
//! ordinary code for rustc to borrow-check. The runtime side is
//! `asyncio::coroutine::{PinnedOrMoved, PinnedEnd, PinMachine}`.

mod rewrite;
pub(crate) mod select;
mod shadow;

pub use rewrite::{Pins, guard, nodes as rewrite};
pub use select::{Selection, select};
pub use shadow::shadow;

/// A pinned local, as codegen stores it.
pub struct PinnedLocal {
    /// The name of the raw pointer to its slot in the step.
    pub ptr: proc_macro2::Ident,
    /// For a parameter: the expression passing it in.
    pub param: Option<proc_macro2::TokenStream>,
    /// Its slot needs a drop flag (`PinnedOrMoved`); else a `Pinned`.
    pub flagged: bool,
}

#[cfg(test)]
mod tests {
    use proc_macro2::{TokenStream, TokenTree};
    use quote::quote;

    /// The `unsafe { .. }` blocks of `tokens`, with the identifier before
    /// each token (to tell a field name after `.` from an expression).
    fn unsafe_blocks(tokens: TokenStream, out: &mut Vec<TokenStream>) {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        for (i, tt) in trees.iter().enumerate() {
            if let TokenTree::Group(g) = tt {
                let after_unsafe =
                    i > 0 && matches!(&trees[i - 1], TokenTree::Ident(u) if u == "unsafe");
                if after_unsafe {
                    out.push(g.stream());
                }
                unsafe_blocks(g.stream(), out);
            }
        }
    }

    /// Identifiers in `tokens` that are not field names (after `.`), the
    /// compiler's hidden names (`__..`) or the support paths.
    fn foreign_idents(tokens: TokenStream, out: &mut Vec<String>) {
        const SUPPORT: &[&str] = &[
            "asyncio",
            "coroutine",
            "core",
            "pin",
            "Pin",
            "new_unchecked",
            "place",
            "take",
            "PinnedOrMoved",
            "Pinned",
            "PinnedEnd",
            "PinnedSlot",
            "in_place",
            "in_place_ref",
            "value",
            "new",
            "end",
            "AwaitSlot",
            "pinned",
            "raw",
            "mut",
            "const",
            "unsafe",
        ];
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        for (i, tt) in trees.iter().enumerate() {
            match tt {
                TokenTree::Ident(id) => {
                    let name = id.to_string();
                    let after_dot =
                        i > 0 && matches!(&trees[i - 1], TokenTree::Punct(p) if p.as_char() == '.');
                    if !after_dot && !name.starts_with("__") && !SUPPORT.contains(&name.as_str()) {
                        out.push(name);
                    }
                }
                TokenTree::Group(g) => foreign_idents(g.stream(), out),
                _ => {}
            }
        }
    }

    /// No `unsafe` block the compiler writes holds the user's code: only
    /// its own names, support paths and the field names of a projection.
    #[test]
    fn no_user_code_inside_generated_unsafe() {
        let bodies = [
            quote!(
                fn a() -> usize {
                    let v = make();
                    let r = &v;
                    wait().await;
                    r.len() + v.len()
                }
            ),
            quote!(
                fn b(mut s: S) -> u32 {
                    let a = &mut s.inner.a;
                    let b = &s.inner.b;
                    wait().await;
                    a.push(b.len());
                    s.inner.count += one();
                    s.inner.a.push(two());
                    s.tag.len()
                }
            ),
            quote!(
                fn c(&mut self) -> u32 {
                    self.read(buf()).await;
                    self.write(&[self.n, k()]).await
                }
            ),
            quote!(
                fn d() -> u32 {
                    let t = text();
                    for w in t.split(' ') {
                        wait(w).await;
                    }
                    let f = pin!(fut(&t));
                    f.await;
                    measure(&format!("{}", t)).await;
                    t.into_bytes().len()
                }
            ),
            quote!(
                fn e() -> u32 {
                    let v = make();
                    let r = &v;
                    let c = |x| x + v.len();
                    wait().await;
                    let m = move || v.len() + r.len();
                    c(1) + m()
                }
            ),
        ];
        for body in bodies {
            let out = crate::expand::coroutine(TokenStream::new(), body.clone());
            assert!(
                out.to_string().contains("PinMachine"),
                "the body pins something: {body}"
            );
            let mut blocks = Vec::new();
            unsafe_blocks(out, &mut blocks);
            for block in blocks {
                let mut foreign = Vec::new();
                foreign_idents(block.clone(), &mut foreign);
                assert!(
                    foreign.is_empty(),
                    "user code {foreign:?} inside `unsafe {{ {block} }}`"
                );
            }
        }
    }
}
