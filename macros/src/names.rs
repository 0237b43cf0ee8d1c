//! The compiler's own identifiers.
//!
//! Every name the expansion introduces uses `Span::mixed_site()` hygiene, so
//! it can never collide with, or be seen by, the user's code; it is located
//! at a user span where one exists, so that a rare error still points at the
//! user's source rather than into the expansion.

use proc_macro2::{Ident, Span};

/// A hygienic identifier `name`, reported at `at`.
pub fn hidden(name: &str, at: Span) -> Ident {
    Ident::new(name, Span::mixed_site().located_at(at))
}

/// A hygienic identifier `{prefix}{n}`, reported at `at`.
pub fn numbered(prefix: &str, n: usize, at: Span) -> Ident {
    hidden(&format!("{prefix}{n}"), at)
}

/// Does the identifier `name` occur anywhere in `tokens` (conservatively:
/// as a variable, a field or a path segment alike)?
pub fn mentioned_in(tokens: &proc_macro2::TokenStream, name: &str) -> bool {
    tokens.clone().into_iter().any(|tt| match tt {
        proc_macro2::TokenTree::Ident(i) => i == name,
        proc_macro2::TokenTree::Group(g) => mentioned_in(&g.stream(), name),
        _ => false,
    })
}

/// How many times the identifier `name` occurs in `tokens` (counted as
/// [`mentioned_in`] finds them).
pub fn occurrences(tokens: &proc_macro2::TokenStream, name: &str) -> usize {
    (tokens.clone().into_iter())
        .map(|tt| match tt {
            proc_macro2::TokenTree::Ident(i) => usize::from(i == name),
            proc_macro2::TokenTree::Group(g) => occurrences(&g.stream(), name),
            _ => 0,
        })
        .sum()
}

/// Does `tokens` contain any identifier (a variable, a call, a path)? An
/// expression of literals alone is a constant.
pub fn mentions_any_ident(tokens: &proc_macro2::TokenStream) -> bool {
    tokens.clone().into_iter().any(|tt| match tt {
        proc_macro2::TokenTree::Ident(_) => true,
        proc_macro2::TokenTree::Group(g) => mentions_any_ident(&g.stream()),
        _ => false,
    })
}
