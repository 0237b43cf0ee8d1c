//! The loop's monotonic clock.
//!
//! Deadlines are kept as [`Instant`]s so that comparing them is exact;
//! `loop.time()` (seconds as `f64`, as asyncio reports them) is derived from
//! the instant the loop was created. Every reading of the time goes through
//! this one type, which is what makes the virtual clock possible: a loop
//! created with it does not wait for timers, it jumps to them (CPython's
//! `TestLoop`), so timing tests assert exact instants without sleeping.

use std::cell::Cell;
use std::time::{Duration, Instant};

use super::Delay;
use super::delay::Distance;
use crate::error::{Error, Result};

/// The furthest from now a deadline is placed. A `Duration::MAX` delay does
/// not fit in an `Instant`; a hundred years is "never" for a running program
/// and fits on every platform.
const MAX_DISTANCE: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);

/// A monotonic clock whose zero is the loop's creation.
#[derive(Debug)]
pub(super) struct Clock {
    origin: Instant,
    /// With a virtual clock, how far time has been advanced since `origin`;
    /// `None` for the real, monotonic clock.
    offset: Option<Cell<Duration>>,
    /// The earliest deadline: as far before `origin` as the platform's
    /// `Instant` reaches, at most [`MAX_DISTANCE`].
    floor: Instant,
}

impl Clock {
    pub(super) fn new(virtual_time: bool) -> Self {
        let origin = Instant::now();
        let mut reach = MAX_DISTANCE;
        let floor = loop {
            if let Some(floor) = origin.checked_sub(reach) {
                break floor;
            }
            if reach.is_zero() {
                break origin;
            }
            reach /= 2;
        };
        Clock {
            origin,
            offset: virtual_time.then(|| Cell::new(Duration::ZERO)),
            floor,
        }
    }

    /// Whether time moves only when the loop moves it.
    pub(super) fn is_virtual(&self) -> bool {
        self.offset.is_some()
    }

    /// The current instant.
    pub(super) fn now(&self) -> Instant {
        match &self.offset {
            Some(offset) => self.origin + offset.get(),
            None => Instant::now(),
        }
    }

    /// Moves a virtual clock forward by `by`; a real clock cannot be moved.
    pub(super) fn advance(&self, by: Duration) -> bool {
        match &self.offset {
            Some(offset) => {
                offset.set(offset.get() + by);
                true
            }
            None => false,
        }
    }

    /// Seconds since the loop was created (`loop.time()`).
    pub(super) fn time(&self) -> f64 {
        self.seconds_at(self.now())
    }

    /// `instant` on the loop's time scale (negative before its creation).
    pub(super) fn seconds_at(&self, instant: Instant) -> f64 {
        match instant.checked_duration_since(self.origin) {
            Some(after) => after.as_secs_f64(),
            None => -(self.origin - instant).as_secs_f64(),
        }
    }

    /// The deadline `delay` from now (`None`: never); a delay into the
    /// past gives an instant in the past, so that such deadlines keep their
    /// relative order.
    ///
    /// # Errors
    ///
    /// [`Error::Value`] for a NaN delay.
    pub(super) fn deadline_after(&self, delay: Delay) -> Result<Option<Instant>> {
        Ok(self.offset(self.now(), delay.distance()?))
    }

    /// The instant at loop time `when` (as for `loop.call_at`; `None`:
    /// never, for an infinite `when`).
    ///
    /// # Errors
    ///
    /// [`Error::Value`] for a NaN `when`.
    pub(super) fn instant_at(&self, when: f64) -> Result<Option<Instant>> {
        let distance = Delay::from_secs_f64(when)
            .distance()
            .map_err(|_| Error::nan_deadline())?;
        Ok(self.offset(self.origin, distance))
    }

    /// `base` moved by `distance`, at most [`MAX_DISTANCE`] either way.
    ///
    /// A deadline [`MAX_DISTANCE`] or more in the past, or further than the
    /// platform's `Instant` can represent (it may count from boot), is
    /// clamped to the clock's `floor`, as is any deadline before it: such
    /// deadlines are long expired either way, they keep their order with
    /// the rest and run in FIFO order among themselves (as asyncio's
    /// `-inf` deadlines do).
    fn offset(&self, base: Instant, distance: Distance) -> Option<Instant> {
        let Distance::Finite { magnitude, past } = distance else {
            return None;
        };
        Some(match past {
            true if magnitude >= MAX_DISTANCE => self.floor,
            true => base
                .checked_sub(magnitude)
                .map_or(self.floor, |instant| instant.max(self.floor)),
            false => base + magnitude.min(MAX_DISTANCE),
        })
    }
}
