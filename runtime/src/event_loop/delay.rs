//! [`Delay`]: how long to wait, as a `Duration` or as seconds.

use std::time::Duration;

use crate::error::{Error, Result};

/// A length of time to wait, accepted by [`sleep`](crate::sleep) and
/// [`EventLoop::call_later`](crate::EventLoop::call_later).
///
/// asyncio takes seconds as a float; Rust code usually has a
/// [`Duration`]. Both convert into a `Delay`, and so do integer seconds, so
/// `sleep(0)`, `sleep(1)`, `sleep(0.25)` and
/// `sleep(Duration::from_millis(250))` all read naturally.
///
/// Seconds as a float keep asyncio's meaning:
///
/// - NaN is no delay at all: every operation given a NaN delay fails with
///   [`Error::Value`] (asyncio's `sleep(nan)` raises
///   `ValueError: Invalid delay: NaN (not a number)`; its other entry
///   points take NaN silently and then expire at once or corrupt their
///   timer heap, which this runtime refuses to imitate);
/// - positive infinity means "never": `sleep(f64::INFINITY)` waits until it
///   is cancelled, a timeout of infinity never expires, and
///   `call_later(f64::INFINITY, f)` returns a handle whose
///   [`when`](crate::TimerHandle::when) is infinity and whose callback never
///   runs (all as in asyncio);
/// - a finite number too large for a `Duration` saturates to
///   [`Duration::MAX`], which the loop treats as "not in this program's
///   lifetime" (a deadline a hundred years away);
/// - a negative number (negative infinity included) is kept as a delay
///   *into the past*: `call_later` schedules such a callback at
///   `time() + delay`, so `call_later(-2, b)` runs before
///   `call_later(-1, a)` exactly as in asyncio, while `sleep` and everything
///   else that merely waits treats it as zero
///   ([`as_duration`](Delay::as_duration) is zero).
///
/// # Examples
///
/// ```
/// use asyncio::Delay;
/// use std::time::Duration;
///
/// assert_eq!(Delay::from(0.5).as_duration(), Duration::from_millis(500));
/// assert_eq!(Delay::from(2).as_duration(), Duration::from_secs(2));
/// assert_eq!(Delay::from(-1.0).as_duration(), Duration::ZERO);
/// assert_eq!(Delay::from(-1.0).as_secs_f64(), -1.0);
/// assert!(Delay::from(f64::NAN).is_nan());
/// assert!(Delay::from(f64::INFINITY).is_infinite());
/// assert_eq!(Delay::from(f64::INFINITY).as_secs_f64(), f64::INFINITY);
/// assert!(Delay::from(f64::NEG_INFINITY).is_due());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Delay {
    repr: Repr,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Repr {
    Finite {
        magnitude: Duration,
        /// Set only when `magnitude` is non-zero.
        past: bool,
    },
    /// Positive infinity: never.
    Infinite,
    /// Not a number: refused by every operation.
    NaN,
}

/// How far away a deadline is, as the clock needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Distance {
    /// `magnitude` from now, into the past if `past`.
    Finite { magnitude: Duration, past: bool },
    /// Never.
    Never,
}

impl Default for Delay {
    /// [`Delay::ZERO`].
    fn default() -> Self {
        Delay::ZERO
    }
}

impl Delay {
    /// No delay at all: the next loop iteration.
    pub const ZERO: Delay = Delay::finite(Duration::ZERO, false);

    /// An infinite delay: never (what `f64::INFINITY` converts to).
    pub const INFINITE: Delay = Delay {
        repr: Repr::Infinite,
    };

    const fn finite(magnitude: Duration, past: bool) -> Delay {
        Delay {
            repr: Repr::Finite {
                magnitude,
                past: past && !magnitude.is_zero(),
            },
        }
    }

    /// A delay of `secs` seconds, as described on [`Delay`]: NaN stays NaN
    /// (and is refused when used), infinity is "never".
    pub fn from_secs_f64(secs: f64) -> Delay {
        if secs.is_nan() {
            return Delay { repr: Repr::NaN };
        }
        if secs == f64::INFINITY {
            return Delay::INFINITE;
        }
        if secs == 0.0 {
            return Delay::ZERO;
        }
        let magnitude = Duration::try_from_secs_f64(secs.abs()).unwrap_or(Duration::MAX);
        Delay::finite(magnitude, secs < 0.0)
    }

    /// How long to wait: the delay, zero for a delay into the past,
    /// [`Duration::MAX`] for an infinite delay, and zero for NaN (which no
    /// operation accepts).
    pub const fn as_duration(self) -> Duration {
        match self.repr {
            Repr::Finite { past: true, .. } | Repr::NaN => Duration::ZERO,
            Repr::Finite { magnitude, .. } => magnitude,
            Repr::Infinite => Duration::MAX,
        }
    }

    /// The delay in seconds, negative for a delay into the past; infinity
    /// and NaN as given.
    pub fn as_secs_f64(self) -> f64 {
        match self.repr {
            Repr::Finite { magnitude, past } => {
                let secs = magnitude.as_secs_f64();
                if past { -secs } else { secs }
            }
            Repr::Infinite => f64::INFINITY,
            Repr::NaN => f64::NAN,
        }
    }

    /// Whether the delay is infinite: a wait that never ends by itself.
    pub const fn is_infinite(self) -> bool {
        matches!(self.repr, Repr::Infinite)
    }

    /// Whether the delay was made from a NaN number of seconds. Such a
    /// delay is refused by every operation with
    /// [`Error::Value`].
    pub const fn is_nan(self) -> bool {
        matches!(self.repr, Repr::NaN)
    }

    /// The distance from now, or the error for a NaN delay.
    pub(crate) fn distance(self) -> Result<Distance> {
        match self.repr {
            Repr::Finite { magnitude, past } => Ok(Distance::Finite { magnitude, past }),
            Repr::Infinite => Ok(Distance::Never),
            Repr::NaN => Err(Error::nan_delay()),
        }
    }
}

impl From<Duration> for Delay {
    fn from(magnitude: Duration) -> Self {
        Delay::finite(magnitude, false)
    }
}

impl From<f64> for Delay {
    /// Seconds: see [`Delay`] for NaN, infinities and negative numbers.
    fn from(secs: f64) -> Self {
        Delay::from_secs_f64(secs)
    }
}

impl From<f32> for Delay {
    /// Seconds: see [`Delay`] for NaN, infinities and negative numbers.
    fn from(secs: f32) -> Self {
        Delay::from_secs_f64(f64::from(secs))
    }
}

/// Whole seconds from unsigned integers.
macro_rules! from_unsigned {
    ($($t:ty),*) => {$(
        impl From<$t> for Delay {
            /// Whole seconds.
            fn from(secs: $t) -> Self {
                Delay::from(Duration::from_secs(u64::from(secs)))
            }
        }
    )*};
}

/// Whole seconds from signed integers; a negative number is a delay into the
/// past (see [`Delay`]).
macro_rules! from_signed {
    ($($t:ty),*) => {$(
        impl From<$t> for Delay {
            /// Whole seconds; negative means into the past.
            fn from(secs: $t) -> Self {
                Delay::finite(Duration::from_secs(u64::from(secs.unsigned_abs())), secs < 0)
            }
        }
    )*};
}

from_unsigned!(u8, u16, u32, u64);
from_signed!(i8, i16, i32, i64);

impl Delay {
    /// Whether the delay is zero or into the past (a deadline that is due
    /// now). An infinite or NaN delay is never due.
    pub fn is_due(self) -> bool {
        match self.repr {
            Repr::Finite { magnitude, past } => past || magnitude.is_zero(),
            Repr::Infinite | Repr::NaN => false,
        }
    }
}

/// A timeout as the combinators take it: any [`Delay`] (seconds as a
/// number, or a `Duration`), or `None` for none at all (asyncio's
/// `timeout=None`).
///
/// As in asyncio, `f64::INFINITY` is a timeout that never expires (like
/// `None`), and a negative one, negative infinity included, has expired
/// already. A NaN timeout is refused: the combinator fails with
/// [`Error::Value`] when first polled.
///
/// # Examples
///
/// ```
/// use asyncio::IntoTimeout;
/// use std::time::Duration;
///
/// assert!(None.into_timeout().is_none());
/// assert_eq!(0.5.into_timeout(), Some(Duration::from_millis(500).into()));
/// ```
pub trait IntoTimeout {
    /// The delay, if any.
    fn into_timeout(self) -> Option<Delay>;
}

impl IntoTimeout for Option<Delay> {
    fn into_timeout(self) -> Option<Delay> {
        self
    }
}

macro_rules! timeout_from_delay {
    ($($t:ty),*) => {$(
        impl IntoTimeout for $t {
            fn into_timeout(self) -> Option<Delay> {
                Some(Delay::from(self))
            }
        }
    )*};
}

timeout_from_delay!(
    Delay, Duration, f64, f32, u8, u16, u32, u64, i8, i16, i32, i64
);
