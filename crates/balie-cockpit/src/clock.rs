//! The cockpit's one clock: timestamps are milliseconds since the Unix epoch, from the
//! system or, in tests, from a clock the test moves (so retention and expiry are tested
//! without waiting). Modelled on the relay's `clock.rs`.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Where the cockpit gets the time from.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    manual: Option<Arc<AtomicI64>>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self { manual: None }
    }

    /// A clock that stands still at `unix_ms` until [`Clock::advance`] moves it.
    pub fn manual(unix_ms: i64) -> Self {
        Self {
            manual: Some(Arc::new(AtomicI64::new(unix_ms))),
        }
    }

    /// Moves a manual clock forward by `ms`; does nothing to the system clock.
    pub fn advance(&self, ms: i64) {
        if let Some(t) = &self.manual {
            t.fetch_add(ms, Ordering::SeqCst);
        }
    }

    /// Now, in milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        match &self.manual {
            Some(t) => t.load(Ordering::SeqCst),
            None => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
        }
    }

    /// The calendar year (UTC) now: case numbers start with it.
    pub fn year(&self) -> i32 {
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.now_ms()) * 1_000_000)
            .map_or(1970, time::OffsetDateTime::year)
    }
}

/// `ms` (since the epoch) as RFC 3339 in UTC; empty if out of range.
pub fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told_and_names_its_year() {
        let clock = Clock::manual(1_767_225_600_000); // 2026-01-01T00:00:00Z
        assert_eq!(clock.now_ms(), 1_767_225_600_000);
        assert_eq!(clock.year(), 2026);
        clock.advance(-1);
        assert_eq!(clock.year(), 2025);
        assert_eq!(rfc3339(clock.now_ms()), "2025-12-31T23:59:59.999Z");
    }
}
