//! The arguments of a macro call whose input is expressions, which every
//! stage looks into (awaits, `?`, uses of locals) as into any other code:
//! `a, b, c` (`println!`, `assert_eq!`, `vec![a, b]`) and `value; count`
//! (`vec![x; n]`). Any other input stays tokens.

use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Expr, Token};

/// A macro's input parsed as expressions.
pub struct MacroArgs {
    /// The expressions, in order.
    pub args: Vec<Expr>,
    /// `value; count` rather than a list.
    repeat: bool,
}

impl MacroArgs {
    /// `tokens` as expressions, if they are a list or a repetition.
    pub fn parse(tokens: &TokenStream) -> Option<MacroArgs> {
        let list = Punctuated::<Expr, Token![,]>::parse_terminated;
        if let Ok(args) = list.parse2(tokens.clone()) {
            return Some(MacroArgs {
                args: args.into_iter().collect(),
                repeat: false,
            });
        }
        let repeat = |input: ParseStream<'_>| -> syn::Result<Vec<Expr>> {
            let value = input.parse()?;
            input.parse::<Token![;]>()?;
            let count = input.parse()?;
            Ok(vec![value, count])
        };
        let args = repeat.parse2(tokens.clone()).ok()?;
        Some(MacroArgs { args, repeat: true })
    }

    /// The input again, with the expressions as they are now.
    pub fn tokens(&self) -> TokenStream {
        let args = &self.args;
        match (self.repeat, args.as_slice()) {
            (true, [value, count]) => quote!(#value; #count),
            _ => quote!(#(#args),*),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_repetitions_round_trip() {
        for input in ["a, b?, c.await", "x?; 2", "", "f(x),"] {
            let tokens: TokenStream = input.parse().unwrap();
            let args = MacroArgs::parse(&tokens).expect(input);
            let again = MacroArgs::parse(&args.tokens()).unwrap();
            assert_eq!(args.args.len(), again.args.len(), "{input}");
        }
        let repeat = MacroArgs::parse(&"r?; n".parse().unwrap()).unwrap();
        assert_eq!(repeat.tokens().to_string(), "r ? ; n");
        assert!(MacroArgs::parse(&"struct S;".parse().unwrap()).is_none());
    }
}
