use serde::{Deserialize, Serialize};

/// Where a payment stands. `Paid`, `Failed`, `Canceled`, `Expired` and `Mismatch` are
/// final: once there, a payment never moves again (a refund or chargeback is a later event
/// of its own, not a status).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Written down by us; the provider does not know it yet.
    Created,
    /// The provider has it and the payer can pay.
    Open,
    /// The provider says the money is paid (or, for a bank transfer, the clerk saw it on
    /// the statement).
    Paid,
    /// The payment failed (refused by the bank, for instance).
    Failed,
    /// Canceled by the clerk or the payer.
    Canceled,
    /// Not paid in time.
    Expired,
    /// The provider's answer did not match what was asked (another amount, currency or
    /// payment id): whatever it says, Balie does not call it paid. The clerk checks it
    /// with the provider; the audit log holds what was asked and what came back.
    Mismatch,
}

impl PaymentStatus {
    /// Every status, in the order a payment can reach them.
    pub const ALL: [Self; 7] = [
        Self::Created,
        Self::Open,
        Self::Paid,
        Self::Failed,
        Self::Canceled,
        Self::Expired,
        Self::Mismatch,
    ];

    /// Whether this status is final.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Self::Paid | Self::Failed | Self::Canceled | Self::Expired | Self::Mismatch
        )
    }

    /// Its name in storage and on the wire (`open`, `paid`…).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Open => "open",
            Self::Paid => "paid",
            Self::Failed => "failed",
            Self::Canceled => "canceled",
            Self::Expired => "expired",
            Self::Mismatch => "mismatch",
        }
    }

    /// The status named `name` (as [`Self::as_str`] writes it).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// Whether a payment moves real money, as its provider said when it was made (Mollie's
/// `mode`, Stripe's `livemode`, the Bancontact environment the client talks to). Recorded
/// once, at creation, and shown from the record: replacing a key later changes nothing
/// about payments already made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMode {
    /// Test money: nothing is paid for real.
    Test,
    /// Real money.
    Live,
}

impl PaymentMode {
    /// Its name in storage and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Test => "test",
            Self::Live => "live",
        }
    }

    /// The mode named `name` (as [`Self::as_str`] writes it).
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Test, Self::Live]
            .into_iter()
            .find(|m| m.as_str() == name)
    }
}

/// Who said a payment moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum StatusSource {
    /// Our own bookkeeping (the payment was written down).
    Balie,
    /// The provider's API, asked by us (the only source that may say `Paid` for a
    /// provider payment; a webhook only makes us ask).
    Provider,
    /// The clerk (cancelling, or marking a bank transfer received).
    Clerk,
}

/// One step of a payment's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    /// The status before.
    pub from: Option<PaymentStatus>,
    /// The status after.
    pub to: PaymentStatus,
    /// When, in milliseconds since the Unix epoch (the caller's clock).
    pub at_ms: i64,
    /// Who said so.
    pub source: StatusSource,
}

/// What [`PaymentState::apply`] did with a reported status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Applied {
    /// The payment moved; this step was added to its history.
    Moved(StatusChange),
    /// The payment already had this status: nothing changed (a repeated report).
    Unchanged,
    /// The report was ignored: the payment is final, or the report would move it
    /// backwards (an old report arriving late).
    Ignored {
        /// The status the payment keeps.
        kept: PaymentStatus,
    },
}

/// A payment's status with its history; moves only forward.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentState {
    history: Vec<StatusChange>,
}

impl PaymentState {
    /// A payment just written down, `Created` at `at_ms`.
    pub fn new(at_ms: i64) -> Self {
        Self {
            history: vec![StatusChange {
                from: None,
                to: PaymentStatus::Created,
                at_ms,
                source: StatusSource::Balie,
            }],
        }
    }

    /// A state from its stored history, which must start with `Created` and only move
    /// forward; `None` otherwise.
    pub fn from_history(history: Vec<StatusChange>) -> Option<Self> {
        let first = history.first()?;
        if first.to != PaymentStatus::Created || first.from.is_some() {
            return None;
        }
        let mut replay = Self {
            history: vec![first.clone()],
        };
        for change in &history[1..] {
            if change.from != Some(replay.status()) {
                return None;
            }
            match replay.apply(change.to, change.at_ms, change.source) {
                Applied::Moved(_) => {}
                _ => return None,
            }
        }
        Some(replay)
    }

    /// The status now.
    pub fn status(&self) -> PaymentStatus {
        self.history
            .last()
            .map_or(PaymentStatus::Created, |change| change.to)
    }

    /// Every step, oldest first.
    pub fn history(&self) -> &[StatusChange] {
        &self.history
    }

    /// Takes a reported status. Forward moves are kept with their time and source;
    /// a final status never changes, and nothing moves back to `Created` or `Open`.
    pub fn apply(&mut self, to: PaymentStatus, at_ms: i64, source: StatusSource) -> Applied {
        let now = self.status();
        if to == now {
            return Applied::Unchanged;
        }
        let forward = match now {
            PaymentStatus::Created => to != PaymentStatus::Created,
            PaymentStatus::Open => to.is_final(),
            _ => false,
        };
        if !forward {
            return Applied::Ignored { kept: now };
        }
        let change = StatusChange {
            from: Some(now),
            to,
            at_ms,
            source,
        };
        self.history.push(change.clone());
        Applied::Moved(change)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PaymentStatus::*;
    use proptest::prelude::*;

    #[test]
    fn a_payment_moves_forward_and_stays_paid() {
        let mut state = PaymentState::new(1_000);
        assert!(matches!(
            state.apply(Open, 1_100, StatusSource::Provider),
            Applied::Moved(_)
        ));
        assert_eq!(
            state.apply(Open, 1_200, StatusSource::Provider),
            Applied::Unchanged
        );
        assert!(matches!(
            state.apply(Paid, 1_300, StatusSource::Provider),
            Applied::Moved(_)
        ));
        // A late "expired" after "paid", and an old "open", change nothing.
        assert_eq!(
            state.apply(Expired, 1_400, StatusSource::Provider),
            Applied::Ignored { kept: Paid }
        );
        assert_eq!(
            state.apply(Open, 1_500, StatusSource::Provider),
            Applied::Ignored { kept: Paid }
        );
        assert_eq!(state.status(), Paid);
        let steps: Vec<_> = state
            .history()
            .iter()
            .map(|c| (c.from, c.to, c.at_ms))
            .collect();
        assert_eq!(
            steps,
            [
                (None, Created, 1_000),
                (Some(Created), Open, 1_100),
                (Some(Open), Paid, 1_300)
            ]
        );
    }

    #[test]
    fn a_payment_may_end_before_it_was_seen_open() {
        let mut state = PaymentState::new(0);
        assert!(matches!(
            state.apply(Paid, 5, StatusSource::Provider),
            Applied::Moved(_)
        ));
        let mut state = PaymentState::new(0);
        assert!(matches!(
            state.apply(Canceled, 5, StatusSource::Clerk),
            Applied::Moved(_)
        ));
    }

    #[test]
    fn stored_histories_are_checked_when_read_back() {
        let mut state = PaymentState::new(0);
        state.apply(Open, 1, StatusSource::Provider);
        state.apply(Paid, 2, StatusSource::Clerk);
        let stored = serde_json::to_string(&state.history()).unwrap();
        let history: Vec<StatusChange> = serde_json::from_str(&stored).unwrap();
        assert_eq!(PaymentState::from_history(history.clone()), Some(state));
        // A history that moves back is refused.
        let mut tampered = history;
        tampered.push(StatusChange {
            from: Some(Paid),
            to: Open,
            at_ms: 3,
            source: StatusSource::Provider,
        });
        assert_eq!(PaymentState::from_history(tampered), None);
        assert_eq!(PaymentState::from_history(Vec::new()), None);
        assert_eq!(PaymentStatus::from_name("paid"), Some(Paid));
        assert_eq!(PaymentStatus::from_name("betaald"), None);
        for status in PaymentStatus::ALL {
            assert_eq!(PaymentStatus::from_name(status.as_str()), Some(status));
        }
    }

    #[test]
    fn a_mismatch_is_final_and_is_never_paid_later() {
        let mut state = PaymentState::new(0);
        state.apply(Open, 1, StatusSource::Provider);
        assert!(matches!(
            state.apply(Mismatch, 2, StatusSource::Balie),
            Applied::Moved(_)
        ));
        assert_eq!(
            state.apply(Paid, 3, StatusSource::Provider),
            Applied::Ignored { kept: Mismatch }
        );
        assert!(Mismatch.is_final());
    }

    fn any_status() -> impl Strategy<Value = PaymentStatus> {
        prop_oneof![
            Just(Created),
            Just(Open),
            Just(Paid),
            Just(Failed),
            Just(Canceled),
            Just(Expired),
            Just(Mismatch)
        ]
    }

    proptest! {
        #[test]
        fn whatever_arrives_in_whatever_order_a_final_status_holds(
            reports in proptest::collection::vec(any_status(), 0..20)
        ) {
            let mut state = PaymentState::new(0);
            let mut final_seen: Option<PaymentStatus> = None;
            for (i, to) in reports.into_iter().enumerate() {
                state.apply(to, i as i64 + 1, StatusSource::Provider);
                if let Some(done) = final_seen {
                    prop_assert_eq!(state.status(), done);
                } else if state.status().is_final() {
                    final_seen = Some(state.status());
                }
            }
            // The history only moves forward and replays to the same state.
            prop_assert_eq!(PaymentState::from_history(state.history().to_vec()), Some(state.clone()));
            prop_assert!(state.history().len() <= 3);
        }
    }
}
