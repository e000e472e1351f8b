//! When to ask a provider about each open payment: a sans-IO scheduler. It owns no clock,
//! socket or task: the driver tells it what happened, with the time, and asks which
//! payments are due and when to wake next. Tests step time themselves.
//!
//! Rules:
//! - while its call is live, a payment is asked about at most [`LIVE_INTERVAL`] apart;
//!   after the call, the interval grows through [`AFTER_CALL`] to minutes;
//! - a webhook hint makes it due at once (or right after the request in flight), but never
//!   sooner than [`MIN_GAP`] after the last question about it: hints can come from anyone
//!   who knows a payment id (Mollie's webhook is unsigned), and a flood of them must not
//!   make the cockpit hammer the provider;
//! - `429` waits at least the provider's `Retry-After`; provider failures, timeouts and
//!   network errors back off exponentially with jitter, up to [`MAX_BACKOFF`];
//! - a final status ends the tracking; a payment the provider does not know is dropped;
//!   lasting errors (a revoked key, an answer not understood) slow the polling to
//!   [`MAX_BACKOFF`] but never end it, since the payment is still open.

use crate::PayError;
use balie_domain::PaymentStatus;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How often a payment is asked about while its call is live.
pub const LIVE_INTERVAL: Duration = Duration::from_secs(2);

/// The intervals after the call, one step per poll; the last one repeats.
pub const AFTER_CALL: [Duration; 5] = [
    Duration::from_secs(5),
    Duration::from_secs(15),
    Duration::from_secs(30),
    Duration::from_secs(60),
    Duration::from_secs(300),
];

/// The shortest time between two questions about one payment, whatever the hints say. Short
/// enough that a real hint is still answered well within the 300 ms the clerk may wait.
pub const MIN_GAP: Duration = Duration::from_millis(100);

/// The first wait after a failure; it doubles per failure in a row.
pub const FIRST_BACKOFF: Duration = Duration::from_secs(1);

/// The longest wait after failures.
pub const MAX_BACKOFF: Duration = Duration::from_secs(120);

/// One tracked payment.
#[derive(Debug, Clone)]
struct Tracked {
    live: bool,
    due: Instant,
    in_flight: bool,
    /// A hint came while a request was in flight: ask again as soon as it returns.
    hinted: bool,
    /// Polls since the call ended (indexes [`AFTER_CALL`]).
    after_call: usize,
    /// Failures in a row.
    failures: u32,
    /// When it was last handed out to be asked about.
    last_asked: Option<Instant>,
}

impl Tracked {
    /// `now`, or later if the last question was less than [`MIN_GAP`] ago.
    fn not_before(&self, now: Instant) -> Instant {
        self.last_asked.map_or(now, |last| now.max(last + MIN_GAP))
    }
}

/// What the tracker decided about a poll's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Still open: asked again at the returned time.
    Again(Instant),
    /// Final: no longer tracked.
    Done(PaymentStatus),
    /// The provider does not know the payment: no longer tracked.
    Dropped,
}

/// The scheduler for all open payments of one cockpit, keyed by our payment id.
#[derive(Debug)]
pub struct Tracker {
    payments: HashMap<String, Tracked>,
    /// xorshift state for the backoff's jitter.
    seed: u64,
}

impl Tracker {
    /// An empty tracker; `seed` drives the jitter (any value but zero works; zero is
    /// replaced).
    pub fn new(seed: u64) -> Self {
        Self {
            payments: HashMap::new(),
            seed: if seed == 0 {
                0x9e37_79b9_7f4a_7c15
            } else {
                seed
            },
        }
    }

    /// Starts tracking `id` (a new payment, or an open one found at start-up): due at
    /// once. Tracking it again only updates whether its call is live.
    pub fn track(&mut self, id: &str, live: bool, now: Instant) {
        match self.payments.get_mut(id) {
            Some(tracked) => tracked.live = live,
            None => {
                self.payments.insert(
                    id.to_owned(),
                    Tracked {
                        live,
                        due: now,
                        in_flight: false,
                        hinted: false,
                        after_call: 0,
                        failures: 0,
                        last_asked: None,
                    },
                );
            }
        }
    }

    /// The payment's call ended (or started again): its interval changes from its next
    /// poll on.
    pub fn set_live(&mut self, id: &str, live: bool, now: Instant) {
        if let Some(tracked) = self.payments.get_mut(id) {
            if live && !tracked.live && !tracked.in_flight {
                tracked.due = tracked.due.min(now + LIVE_INTERVAL);
            }
            tracked.live = live;
            tracked.after_call = 0;
        }
    }

    /// A webhook said something changed: ask now.
    pub fn hint(&mut self, id: &str, now: Instant) {
        if let Some(tracked) = self.payments.get_mut(id) {
            if tracked.in_flight {
                tracked.hinted = true;
            } else if tracked.failures == 0 {
                tracked.due = tracked.not_before(now);
            } else {
                // After failures the backoff stands, but a hint shortens it to the live pace.
                tracked.due = tracked.due.min(now + LIVE_INTERVAL);
            }
        }
    }

    /// Stops tracking (the clerk cancelled and the provider confirmed, for instance).
    pub fn forget(&mut self, id: &str) {
        self.payments.remove(id);
    }

    /// The payments to ask about now; each is in flight until [`Tracker::polled`].
    pub fn due(&mut self, now: Instant) -> Vec<String> {
        let mut due: Vec<String> = self
            .payments
            .iter_mut()
            .filter(|(_, t)| !t.in_flight && t.due <= now)
            .map(|(id, t)| {
                t.in_flight = true;
                t.hinted = false;
                t.last_asked = Some(now);
                id.clone()
            })
            .collect();
        due.sort();
        due
    }

    /// When the next payment is due (`None`: nothing to wait for).
    pub fn next_deadline(&self) -> Option<Instant> {
        self.payments
            .values()
            .filter(|t| !t.in_flight)
            .map(|t| t.due)
            .min()
    }

    /// How many payments are tracked.
    pub fn len(&self) -> usize {
        self.payments.len()
    }

    /// Whether nothing is tracked.
    pub fn is_empty(&self) -> bool {
        self.payments.is_empty()
    }

    /// The answer to a poll of `id`: its status, or why there is none.
    pub fn polled(
        &mut self,
        id: &str,
        answer: Result<PaymentStatus, &PayError>,
        now: Instant,
    ) -> Outcome {
        let jitter = self.jitter();
        let Some(tracked) = self.payments.get_mut(id) else {
            return Outcome::Dropped;
        };
        tracked.in_flight = false;
        match answer {
            Ok(status) if status.is_final() => {
                self.payments.remove(id);
                Outcome::Done(status)
            }
            Ok(_) => {
                tracked.failures = 0;
                let wait = if tracked.hinted {
                    Duration::ZERO
                } else if tracked.live {
                    LIVE_INTERVAL
                } else {
                    let step = AFTER_CALL[tracked.after_call.min(AFTER_CALL.len() - 1)];
                    tracked.after_call += 1;
                    step
                };
                tracked.hinted = false;
                tracked.due = tracked.not_before(now + wait);
                Outcome::Again(tracked.due)
            }
            Err(PayError::NotFound) => {
                self.payments.remove(id);
                Outcome::Dropped
            }
            Err(error) => {
                tracked.failures = tracked.failures.saturating_add(1);
                // A lasting problem (a revoked key, a refusal, a status word we do not
                // know) is asked about again only slowly, but never forgotten: the payment
                // is open. Anything else failed on the way (a timeout, a 5xx, a body that
                // is not the provider's, such as a proxy's error page): soon, then less
                // and less often.
                let lasting = matches!(
                    error,
                    PayError::Unauthorized { .. }
                        | PayError::Refused { .. }
                        | PayError::UnknownStatus(_)
                );
                let doubling = if lasting {
                    MAX_BACKOFF
                } else {
                    FIRST_BACKOFF.saturating_mul(1 << (tracked.failures - 1).min(16))
                };
                // ±20 % so that many cockpits do not retry in step.
                let backoff = doubling.min(MAX_BACKOFF).mul_f64(0.8 + 0.4 * jitter);
                let asked = match error {
                    PayError::RateLimited {
                        retry_after: Some(after),
                    } => *after,
                    _ => Duration::ZERO,
                };
                tracked.hinted = false;
                tracked.due = now + backoff.max(asked);
                Outcome::Again(tracked.due)
            }
        }
    }

    /// A number in [0, 1) from the xorshift state.
    fn jitter(&mut self) -> f64 {
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        (self.seed >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    #[test]
    fn a_live_payment_is_asked_about_every_two_seconds_until_paid() {
        let t0 = Instant::now();
        let mut tracker = Tracker::new(1);
        tracker.track("p1", true, t0);
        assert_eq!(tracker.due(t0), ["p1"]);
        assert_eq!(
            tracker.due(t0),
            Vec::<String>::new(),
            "in flight: not due twice"
        );
        assert_eq!(
            tracker.polled("p1", Ok(PaymentStatus::Open), t0),
            Outcome::Again(t0 + LIVE_INTERVAL)
        );
        assert_eq!(tracker.next_deadline(), Some(t0 + LIVE_INTERVAL));
        assert!(tracker.due(t0 + secs(1.9)).is_empty());
        assert_eq!(tracker.due(t0 + secs(2.0)), ["p1"]);
        assert_eq!(
            tracker.polled("p1", Ok(PaymentStatus::Paid), t0 + secs(2.1)),
            Outcome::Done(PaymentStatus::Paid)
        );
        assert!(tracker.is_empty());
        assert_eq!(tracker.next_deadline(), None);
    }

    #[test]
    fn after_the_call_the_interval_grows_to_minutes() {
        let t0 = Instant::now();
        let mut tracker = Tracker::new(1);
        tracker.track("p1", false, t0);
        let mut now = t0;
        let mut waits = Vec::new();
        for _ in 0..7 {
            assert_eq!(tracker.due(now), ["p1"]);
            let Outcome::Again(next) = tracker.polled("p1", Ok(PaymentStatus::Open), now) else {
                panic!("still open")
            };
            waits.push(next - now);
            now = next;
        }
        assert_eq!(waits[..5], AFTER_CALL);
        assert_eq!(waits[5..], [AFTER_CALL[4]; 2]);
        // Five minutes to wait, then the call starts again: back to the live pace.
        tracker.due(now);
        tracker.polled("p1", Ok(PaymentStatus::Open), now);
        assert_eq!(tracker.next_deadline(), Some(now + AFTER_CALL[4]));
        tracker.set_live("p1", true, now + secs(1.0));
        assert_eq!(
            tracker.next_deadline(),
            Some(now + secs(1.0) + LIVE_INTERVAL)
        );
    }

    #[test]
    fn a_hint_makes_a_payment_due_at_once_even_while_a_request_is_out() {
        let t0 = Instant::now();
        let mut tracker = Tracker::new(1);
        tracker.track("p1", false, t0);
        tracker.due(t0);
        tracker.polled("p1", Ok(PaymentStatus::Open), t0);
        assert_eq!(tracker.next_deadline(), Some(t0 + AFTER_CALL[0]));
        tracker.hint("p1", t0 + secs(1.0));
        assert_eq!(tracker.due(t0 + secs(1.0)), ["p1"]);
        // Another hint while that request is out: asked again as soon as it returns, but
        // not within MIN_GAP of the question before.
        tracker.hint("p1", t0 + secs(1.1));
        assert_eq!(
            tracker.polled("p1", Ok(PaymentStatus::Open), t0 + secs(1.2)),
            Outcome::Again((t0 + secs(1.2)).max(t0 + secs(1.0) + MIN_GAP))
        );
        // Hints for unknown payments are ignored.
        tracker.hint("nobody", t0);
        assert_eq!(tracker.len(), 1);
    }

    /// Issue 12: anyone who knows a payment id can send Mollie webhooks; a flood of hints
    /// must not turn into a flood of questions to the provider.
    #[test]
    fn a_flood_of_hints_asks_the_provider_at_most_once_per_min_gap() {
        let t0 = Instant::now();
        let mut tracker = Tracker::new(1);
        tracker.track("p1", true, t0);
        let mut asked = 0;
        let mut now = t0;
        // A hint every 10 ms for two seconds; every question is answered in 5 ms.
        while now < t0 + secs(2.0) {
            tracker.hint("p1", now);
            if !tracker.due(now).is_empty() {
                asked += 1;
                tracker.polled("p1", Ok(PaymentStatus::Open), now + secs(0.005));
            }
            now += secs(0.01);
        }
        let most = (2.0 / MIN_GAP.as_secs_f64()).ceil() as u32 + 1;
        assert!(asked <= most, "{asked} questions in 2 s, at most {most}");
        assert!(
            asked >= most - 1,
            "hints still make it asked at the floor: {asked}"
        );
    }

    #[test]
    fn failures_back_off_with_jitter_and_rate_limits_wait_as_asked() {
        let t0 = Instant::now();
        let mut tracker = Tracker::new(42);
        tracker.track("p1", true, t0);
        let mut now = t0;
        let mut waits = Vec::new();
        for _ in 0..10 {
            tracker.due(now);
            let Outcome::Again(next) =
                tracker.polled("p1", Err(&PayError::Unavailable { status: 503 }), now)
            else {
                panic!("a failure keeps tracking")
            };
            waits.push((next - now).as_secs_f64());
            now = next;
        }
        for (i, wait) in waits.iter().enumerate() {
            let nominal = (1u64 << i).min(120) as f64;
            assert!(
                (0.8 * nominal..=1.2 * nominal).contains(wait),
                "failure {i}: {wait} s"
            );
        }
        // Jitter: not all the same fraction of the nominal wait.
        assert!(
            waits[7..].windows(2).any(|w| (w[0] - w[1]).abs() > 0.01),
            "{waits:?}"
        );

        // A success resets the backoff.
        tracker.due(now);
        assert_eq!(
            tracker.polled("p1", Ok(PaymentStatus::Open), now),
            Outcome::Again(now + LIVE_INTERVAL)
        );

        // 429 with Retry-After: at least what the provider asked.
        now += LIVE_INTERVAL;
        tracker.due(now);
        let limited = PayError::RateLimited {
            retry_after: Some(Duration::from_secs(30)),
        };
        assert_eq!(
            tracker.polled("p1", Err(&limited), now),
            Outcome::Again(now + Duration::from_secs(30))
        );
    }

    #[test]
    fn a_payment_the_provider_does_not_know_is_dropped_and_lasting_errors_slow_down() {
        let t0 = Instant::now();
        let mut tracker = Tracker::new(1);
        tracker.track("p1", true, t0);
        tracker.track("p2", true, t0);
        assert_eq!(tracker.due(t0), ["p1", "p2"]);
        assert_eq!(
            tracker.polled("p1", Err(&PayError::NotFound), t0),
            Outcome::Dropped
        );
        let Outcome::Again(next) =
            tracker.polled("p2", Err(&PayError::UnknownStatus("x".into())), t0)
        else {
            panic!("an open payment stays tracked")
        };
        assert!(
            (secs(96.0)..=secs(144.0)).contains(&(next - t0)),
            "{:?}",
            next - t0
        );
        assert_eq!(tracker.len(), 1);
        assert_eq!(
            tracker.polled("p3", Ok(PaymentStatus::Open), t0),
            Outcome::Dropped
        );
        // Issue 12: a body that is not the provider's (a proxy's error page) made the
        // tracker wait two minutes, as for a revoked key; it is asked again soon.
        tracker.track("p4", true, t0);
        assert_eq!(tracker.due(t0), ["p4"]);
        let Outcome::Again(next) =
            tracker.polled("p4", Err(&PayError::Malformed("payment".into())), t0)
        else {
            panic!("an open payment stays tracked")
        };
        assert!(next - t0 <= secs(1.2), "{:?}", next - t0);
    }
}
