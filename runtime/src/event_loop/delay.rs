//! [`Delay`]: how long to wait, as a `Duration` or as seconds.

use std::time::Duration;

/// A length of time to wait, accepted by [`sleep`](crate::sleep) and
/// [`EventLoop::call_later`](crate::EventLoop::call_later).
///
/// asyncio takes seconds as a float; Rust code usually has a
/// [`Duration`]. Both convert into a `Delay`, and so do integer seconds, so
/// `sleep(0)`, `sleep(1)`, `sleep(0.25)` and
/// `sleep(Duration::from_millis(250))` all read naturally.
///
/// Seconds are clamped rather than rejected, as asyncio's float arithmetic
/// does:
///
/// - NaN means zero;
/// - a number too large for a `Duration` (including infinity) saturates to
///   [`Duration::MAX`], which the loop treats as "not in this program's
///   lifetime";
/// - a negative number is kept as a delay *into the past*: `call_later`
///   schedules such a callback at `time() + delay`, so `call_later(-2, b)`
///   runs before `call_later(-1, a)` exactly as in asyncio, while `sleep` and
///   everything else that merely waits treats it as zero
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
/// assert_eq!(Delay::from(f64::NAN).as_duration(), Duration::ZERO);
/// assert_eq!(Delay::from(f64::INFINITY).as_duration(), Duration::MAX);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Delay {
    magnitude: Duration,
    /// Set only when `magnitude` is non-zero.
    past: bool,
}

impl Delay {
    /// No delay at all: the next loop iteration.
    pub const ZERO: Delay = Delay {
        magnitude: Duration::ZERO,
        past: false,
    };

    /// A delay of `secs` seconds, clamped as described on [`Delay`].
    pub fn from_secs_f64(secs: f64) -> Delay {
        if secs.is_nan() || secs == 0.0 {
            return Delay::ZERO;
        }
        let magnitude = Duration::try_from_secs_f64(secs.abs()).unwrap_or(Duration::MAX);
        Delay {
            magnitude,
            past: secs < 0.0 && !magnitude.is_zero(),
        }
    }

    /// How long to wait: the delay, or zero for a delay into the past.
    pub const fn as_duration(self) -> Duration {
        if self.past {
            Duration::ZERO
        } else {
            self.magnitude
        }
    }

    /// The delay in seconds, negative for a delay into the past.
    pub fn as_secs_f64(self) -> f64 {
        let secs = self.magnitude.as_secs_f64();
        if self.past { -secs } else { secs }
    }

    /// The distance from now: `(magnitude, is_in_the_past)`.
    pub(crate) const fn signed(self) -> (Duration, bool) {
        (self.magnitude, self.past)
    }
}

impl From<Duration> for Delay {
    fn from(magnitude: Duration) -> Self {
        Delay {
            magnitude,
            past: false,
        }
    }
}

impl From<f64> for Delay {
    /// Seconds, clamped: see [`Delay`].
    fn from(secs: f64) -> Self {
        Delay::from_secs_f64(secs)
    }
}

impl From<f32> for Delay {
    /// Seconds, clamped: see [`Delay`].
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
                Delay {
                    magnitude: Duration::from_secs(u64::from(secs.unsigned_abs())),
                    past: secs < 0,
                }
            }
        }
    )*};
}

from_unsigned!(u8, u16, u32, u64);
from_signed!(i8, i16, i32, i64);

impl Delay {
    /// Whether the delay is zero or into the past (a deadline that is due
    /// now).
    pub fn is_due(self) -> bool {
        self.past || self.magnitude.is_zero()
    }
}

/// A timeout as the combinators take it: any [`Delay`] (seconds as a
/// number, or a `Duration`), or `None` for none at all (asyncio's
/// `timeout=None`).
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
