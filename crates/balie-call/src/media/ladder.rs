//! The quality ladder: which resolution, frame rate and bitrate to send for the bandwidth
//! the congestion controller estimates. Stepping down is quick (a frozen picture is worse
//! than a soft one): at once when the estimate falls below half of what is sent, otherwise
//! after it stayed too low for a second, so one pessimistic sample (the estimator is still
//! probing at the start of a call) does not cost quality. Stepping up waits until the
//! estimate has held for a while, so the picture does not pump.

use std::time::{Duration, Instant};

/// One rung of the ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rung {
    /// Frame width.
    pub width: usize,
    /// Frame height.
    pub height: usize,
    /// Frames per second.
    pub fps: u32,
    /// Encoder target, bits per second.
    pub bitrate: u32,
}

/// From best to most frugal. The top matches what Chromium sends for the same 640x480@30
/// call (~600 kbit/s) with some headroom. Like Chromium's "balanced" preference, the size
/// goes down before the frame rate does: a smooth smaller picture reads a face better.
pub const RUNGS: [Rung; 5] = [
    Rung {
        width: 640,
        height: 480,
        fps: 30,
        bitrate: 800_000,
    },
    Rung {
        width: 640,
        height: 480,
        fps: 30,
        bitrate: 450_000,
    },
    Rung {
        width: 480,
        height: 360,
        fps: 30,
        bitrate: 280_000,
    },
    Rung {
        width: 320,
        height: 240,
        fps: 24,
        bitrate: 150_000,
    },
    Rung {
        width: 320,
        height: 240,
        fps: 15,
        bitrate: 80_000,
    },
];

/// How long the estimate must allow the next rung up before the ladder climbs.
pub const CLIMB_AFTER: Duration = Duration::from_secs(4);

/// How long the estimate must stay too low before the ladder steps down (unless it is far
/// too low).
pub const DESCEND_AFTER: Duration = Duration::from_secs(1);

/// Share of the estimate video may use (audio and headers take the rest).
const VIDEO_SHARE: f64 = 0.85;

/// Chooses rungs from bandwidth estimates.
#[derive(Debug, Clone)]
pub struct Ladder {
    current: usize,
    /// Since when the estimate has allowed the rung above the current one.
    climb_since: Option<Instant>,
    /// Since when the estimate has been too low for the current rung.
    low_since: Option<Instant>,
}

impl Default for Ladder {
    fn default() -> Self {
        Self::new()
    }
}

impl Ladder {
    /// Starts at the second rung: good quality while the estimate is still unknown.
    pub fn new() -> Self {
        Self {
            current: 1,
            climb_since: None,
            low_since: None,
        }
    }

    /// The rung to send now.
    pub fn rung(&self) -> Rung {
        RUNGS[self.current]
    }

    /// Takes a new estimate (bits per second) at `now`; returns the new rung when it
    /// changed.
    pub fn on_estimate(&mut self, estimate_bps: u64, now: Instant) -> Option<Rung> {
        let budget = estimate_bps as f64 * VIDEO_SHARE;
        let fits = |rung: usize| f64::from(RUNGS[rung].bitrate) <= budget;
        // Down: to the best rung that fits (or the bottom one).
        if !fits(self.current) {
            self.climb_since = None;
            let since = *self.low_since.get_or_insert(now);
            let far_too_low = budget < f64::from(RUNGS[self.current].bitrate) / 2.0;
            if !far_too_low && now.duration_since(since) < DESCEND_AFTER {
                return None;
            }
            self.low_since = None;
            let target = (self.current..RUNGS.len())
                .find(|&r| fits(r))
                .unwrap_or(RUNGS.len() - 1);
            self.climb_since = None;
            if target != self.current {
                self.current = target;
                return Some(self.rung());
            }
            return None;
        }
        self.low_since = None;
        // Up: one rung at a time, after the estimate allowed it for CLIMB_AFTER.
        if self.current > 0 && fits(self.current - 1) {
            let since = *self.climb_since.get_or_insert(now);
            if now.duration_since(since) >= CLIMB_AFTER {
                self.current -= 1;
                self.climb_since = None;
                return Some(self.rung());
            }
        } else {
            self.climb_since = None;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_down_at_once_and_climbs_slowly() {
        let t0 = Instant::now();
        let mut ladder = Ladder::new();
        assert_eq!(ladder.rung().bitrate, 450_000);
        // A little too low for a moment: nothing changes…
        assert_eq!(ladder.on_estimate(500_000, t0), None);
        assert_eq!(ladder.on_estimate(600_000, t0), None);
        assert_eq!(
            ladder.on_estimate(500_000, t0 + Duration::from_millis(500)),
            None
        );
        // …but far too low: straight to the rung that fits.
        let rung = ladder.on_estimate(200_000, t0).unwrap();
        assert_eq!((rung.width, rung.fps), (320, 24));
        // Better again: nothing for a while…
        assert_eq!(ladder.on_estimate(2_000_000, t0), None);
        assert_eq!(
            ladder.on_estimate(2_000_000, t0 + Duration::from_secs(3)),
            None
        );
        // …then one rung at a time.
        let rung = ladder
            .on_estimate(2_000_000, t0 + Duration::from_secs(4))
            .unwrap();
        assert_eq!((rung.width, rung.fps), (480, 30));
        // Too low for a second: one step down to what fits.
        let mut slow = Ladder::new();
        assert_eq!(slow.on_estimate(400_000, t0), None);
        let rung = slow
            .on_estimate(400_000, t0 + Duration::from_secs(1))
            .unwrap();
        assert_eq!((rung.width, rung.fps), (480, 30));
        // A dip resets the climb.
        assert_eq!(
            ladder.on_estimate(400_000, t0 + Duration::from_secs(5)),
            None
        );
        assert_eq!(
            ladder.on_estimate(2_000_000, t0 + Duration::from_secs(6)),
            None
        );
        assert_eq!(
            ladder.on_estimate(2_000_000, t0 + Duration::from_secs(9)),
            None
        );
        assert!(
            ladder
                .on_estimate(2_000_000, t0 + Duration::from_secs(10))
                .is_some()
        );
        // Nothing fits: the bottom rung, not a panic.
        let mut ladder = Ladder::new();
        assert_eq!(ladder.on_estimate(0, t0).unwrap(), RUNGS[4]);
        assert_eq!(ladder.on_estimate(0, t0), None);
    }
}
