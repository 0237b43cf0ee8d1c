//! Nested braces from a flat list of scope opens and closes.

use proc_macro2::TokenStream;
use quote::quote;

/// Builds nested braces from a flat sequence of scope opens and closes.
/// Reopened scopes with nothing to restore are "virtual": no braces.
#[derive(Default)]
pub struct Emitter {
    /// Open levels: (scope, braces?, unsafe?, contents).
    stack: Vec<(Option<usize>, bool, bool, TokenStream)>,
    root: TokenStream,
}

impl Emitter {
    pub fn open(&mut self, scope: usize, unsafe_: bool, braced: bool) {
        self.stack
            .push((Some(scope), braced, unsafe_, TokenStream::new()));
    }

    pub fn close(&mut self, scope: usize) {
        if let Some(level) = self.stack.iter().rposition(|(s, ..)| *s == Some(scope)) {
            while self.stack.len() > level {
                self.pop();
            }
        }
    }

    fn pop(&mut self) {
        let (_, braced, unsafe_, body) = self.stack.pop().expect("open level");
        let tokens = match (braced, unsafe_) {
            (true, true) => quote!(unsafe { #body }),
            (true, false) => quote!({ #body }),
            (false, _) => body,
        };
        self.push(tokens);
    }

    pub fn push(&mut self, tokens: TokenStream) {
        match self.stack.last_mut() {
            Some((.., body)) => body.extend(tokens),
            None => self.root.extend(tokens),
        }
    }

    pub fn extend(&mut self, items: Vec<TokenStream>) {
        for tokens in items {
            self.push(tokens);
        }
    }

    pub fn finish(mut self) -> TokenStream {
        while !self.stack.is_empty() {
            self.pop();
        }
        self.root
    }
}
