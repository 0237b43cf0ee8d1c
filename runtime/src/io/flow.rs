//! Write-side flow control, shared by the stream and datagram transports
//! (asyncio's `_FlowControlMixin`): the bytes a transport holds unsent,
//! its water marks, and whether its protocol was told to pause.

use crate::error::{Error, Result};

/// asyncio's default high-water mark.
pub(super) const HIGH_WATER: usize = 64 * 1024;

pub(super) struct FlowControl {
    /// Bytes buffered, not yet sent.
    pub(super) size: usize,
    high: usize,
    low: usize,
    /// `pause_writing` was delivered and `resume_writing` not yet.
    paused: bool,
}

impl FlowControl {
    pub(super) fn new() -> FlowControl {
        FlowControl {
            size: 0,
            high: HIGH_WATER,
            low: HIGH_WATER / 4,
            paused: false,
        }
    }

    /// The (low, high) water marks.
    pub(super) fn limits(&self) -> (usize, usize) {
        (self.low, self.high)
    }

    /// Sets the water marks as asyncio's `set_write_buffer_limits` does:
    /// `high` defaults to 64 KiB (or 4 × `low`), `low` to `high / 4`.
    pub(super) fn set_limits(&mut self, high: Option<usize>, low: Option<usize>) -> Result<()> {
        let high = high.unwrap_or_else(|| low.map_or(HIGH_WATER, |low| 4 * low));
        let low = low.unwrap_or(high / 4);
        if high < low {
            return Err(Error::Value(
                format!("high ({high}) must be >= low ({low})").into(),
            ));
        }
        (self.high, self.low) = (high, low);
        Ok(())
    }

    /// Whether the protocol must be told to pause now (the buffer went
    /// above the high mark); it is then taken as paused.
    pub(super) fn pause(&mut self) -> bool {
        let pause = !self.paused && self.size > self.high;
        self.paused |= pause;
        pause
    }

    /// Whether the protocol must be told to resume now (the buffer drained
    /// to the low mark); it is then taken as running.
    pub(super) fn resume(&mut self) -> bool {
        let resume = self.paused && self.size <= self.low;
        self.paused &= !resume;
        resume
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn water_marks_as_asyncio_sets_them() {
        let mut flow = FlowControl::new();
        assert_eq!(flow.limits(), (16 * 1024, 64 * 1024));
        flow.set_limits(None, Some(100)).unwrap();
        assert_eq!(flow.limits(), (100, 400));
        flow.set_limits(Some(1000), None).unwrap();
        assert_eq!(flow.limits(), (250, 1000));
        assert!(flow.set_limits(Some(1), Some(2)).is_err());
        assert_eq!(flow.limits(), (250, 1000));
    }

    #[test]
    fn pauses_above_high_and_resumes_at_low_once_each() {
        let mut flow = FlowControl::new();
        flow.set_limits(Some(10), Some(4)).unwrap();
        flow.size = 10;
        assert!(!flow.pause());
        flow.size = 11;
        assert!(flow.pause());
        assert!(!flow.pause());
        flow.size = 5;
        assert!(!flow.resume());
        flow.size = 4;
        assert!(flow.resume());
        assert!(!flow.resume());
    }
}
