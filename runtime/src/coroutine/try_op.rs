//! A stable stand-in for `core::ops::Try`, which is what `?` desugars to.
//!
//! The compiler rewrites `expr?` inside a coroutine to
//! `match Try::branch(expr) { Continue(v) => v, Break(r) => return from_residual(r) }`,
//! where "return" completes the coroutine. Implemented for `Result` and
//! `Option`, the two types `?` works on in stable Rust.

use core::convert::Infallible;
use core::ops::ControlFlow;

/// What `?` needs from the value it is applied to.
#[diagnostic::on_unimplemented(
    message = "the `?` operator can only be applied to values that implement `Try`",
    label = "the `?` operator cannot be applied to type `{Self}`",
    note = "in a coroutine, `?` applies to a `Result` or an `Option`, as everywhere in Rust"
)]
pub trait Try {
    /// The value `?` evaluates to on success.
    type Output;
    /// What is carried to the function's return value on failure.
    type Residual;
    /// Splits into "continue with the output" or "return the residual".
    fn branch(self) -> ControlFlow<Self::Residual, Self::Output>;
}

/// Builds a coroutine's return value from a `?` failure.
#[diagnostic::on_unimplemented(
    message = "`?` couldn't convert the error to the error type of `{Self}`",
    label = "the error of this `?` does not convert",
    note = "`?` converts errors with `From`: implement `From` for the coroutine's error type, \
            or convert with `.map_err(..)` before the `?`"
)]
pub trait FromResidual<R> {
    /// Converts the residual, as `?` would (`From::from` on errors).
    fn from_residual(residual: R) -> Self;
}

impl<T, E> Try for Result<T, E> {
    type Output = T;
    type Residual = Result<Infallible, E>;

    #[inline]
    fn branch(self) -> ControlFlow<Self::Residual, T> {
        match self {
            Ok(v) => ControlFlow::Continue(v),
            Err(e) => ControlFlow::Break(Err(e)),
        }
    }
}

#[diagnostic::do_not_recommend]
impl<T, E, F: From<E>> FromResidual<Result<Infallible, E>> for Result<T, F> {
    #[inline]
    #[track_caller]
    fn from_residual(residual: Result<Infallible, E>) -> Self {
        match residual {
            Err(e) => Err(From::from(e)),
        }
    }
}

impl<T> Try for Option<T> {
    type Output = T;
    type Residual = Option<Infallible>;

    #[inline]
    fn branch(self) -> ControlFlow<Self::Residual, T> {
        match self {
            Some(v) => ControlFlow::Continue(v),
            None => ControlFlow::Break(None),
        }
    }
}

impl<T> FromResidual<Option<Infallible>> for Option<T> {
    #[inline]
    fn from_residual(_: Option<Infallible>) -> Self {
        None
    }
}
