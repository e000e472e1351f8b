//! Who is on the other side (issue 15): the clerk asks the citizen in the call to prove
//! their identity at the municipality's OpenID provider (the relay does the sign-in),
//! reads the confirmed identity once from the relay, sees it beside the picture, compared
//! with the case's party, and may complete the party from it. The case's timeline records
//! that the identity was checked, by what means and at what level — not the name or
//! the number. The identity belongs to the conversation: it is kept in memory for the
//! room it was confirmed in and forgotten when another conversation begins.

pub mod views;

use crate::call::CurrentRoom;
use crate::clock::Clock;
use crate::error::CockpitError;
use crate::front_door::FrontDoorEvent;
use crate::relay_link::RelayLink;
use crate::store::SharedStore;
use balie_domain::{Locale, NationalNumber};
use balie_protocol::identity::{
    AssuranceLevel, ConfirmedIdentity, IdentityFailure, IdentityStatus,
};
use balie_store::cockpit::case;
use reqwest::Method;
use std::sync::{Arc, Mutex, Weak};
use tokio::sync::broadcast;
pub use views::{IdentityState, IdentityView, PartyMatch};

/// The identity of the citizen in the conversation, as the clerk sees it.
pub struct Identity {
    relay: Arc<RelayLink>,
    store: SharedStore,
    room: CurrentRoom,
    clock: Clock,
    locale: Locale,
    clerk: String,
    events: broadcast::Sender<IdentityView>,
    /// Whether the relay said it offers identity, at the last look.
    offered: std::sync::atomic::AtomicBool,
    /// What the relay last said about a room (its id with it), the identity included
    /// once handed over.
    known: Mutex<Option<(String, Known)>>,
}

#[derive(Clone)]
enum Known {
    Asked {
        by_product: bool,
    },
    Confirmed {
        identity: Box<ConfirmedIdentity>,
        at_ms: i64,
        recorded: bool,
    },
    Failed(IdentityFailure),
}

fn level_name(level: AssuranceLevel) -> &'static str {
    match level {
        AssuranceLevel::Low => "low",
        AssuranceLevel::Substantial => "substantial",
        AssuranceLevel::High => "high",
    }
}

fn failure_name(reason: IdentityFailure) -> &'static str {
    match reason {
        IdentityFailure::Refused => "refused",
        IdentityFailure::ProviderUnavailable => "provider_unavailable",
        IdentityFailure::Invalid => "invalid",
        IdentityFailure::LevelTooLow => "level_too_low",
        IdentityFailure::Expired => "expired",
    }
}

impl Identity {
    /// The feature over the relay; it follows the hint socket's `hints` by itself.
    pub(crate) fn start(
        relay: Arc<RelayLink>,
        store: SharedStore,
        room: CurrentRoom,
        clock: Clock,
        locale: Locale,
        clerk: String,
        mut hints: broadcast::Receiver<FrontDoorEvent>,
    ) -> Arc<Self> {
        let (events, _) = broadcast::channel(16);
        let this = Arc::new(Self {
            relay,
            store,
            room,
            clock,
            locale,
            clerk,
            events,
            offered: std::sync::atomic::AtomicBool::new(false),
            known: Mutex::new(None),
        });
        let weak: Weak<Self> = Arc::downgrade(&this);
        let first = weak.clone();
        tokio::spawn(async move {
            if let Some(this) = first.upgrade() {
                this.available().await;
            }
        });
        tokio::spawn(async move {
            loop {
                let event = match hints.recv().await {
                    Ok(event) => event,
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => return,
                };
                let FrontDoorEvent::IdentityChanged { room_id } = event else {
                    continue;
                };
                let Some(this) = weak.upgrade() else {
                    return;
                };
                if this.room.room_id().as_deref() == Some(room_id.as_str())
                    && let Err(e) = this.refresh().await
                {
                    tracing::warn!(error = %e, "identity not read from the relay");
                }
            }
        });
        this
    }

    /// The views as they change, for the call window.
    pub fn subscribe(&self) -> broadcast::Receiver<IdentityView> {
        self.events.subscribe()
    }

    /// Whether the relay offers identity at all (an identity provider is configured).
    pub async fn available(&self) -> bool {
        let offered = self.relay.health().await.is_ok_and(|h| h.identity);
        self.offered
            .store(offered, std::sync::atomic::Ordering::Relaxed);
        offered
    }

    /// Asks the citizen in the conversation to prove who they are.
    pub async fn ask(&self) -> Result<IdentityView, CockpitError> {
        self.exchange(Method::POST).await.map_err(|e| match e {
            CockpitError::RelayRefused(detail) if detail.starts_with("409") => {
                CockpitError::rejected(self.locale, "identity.not_configured")
            }
            other => other,
        })
    }

    /// Reads where the identity of the conversation's citizen stands from the relay (which
    /// hands a confirmed identity over once), records a confirmation in the case, and
    /// tells the window.
    pub async fn refresh(&self) -> Result<IdentityView, CockpitError> {
        self.exchange(Method::GET).await
    }

    /// `method` on the conversation's room's identity at the relay; its answer taken in
    /// and the window told.
    async fn exchange(&self, method: Method) -> Result<IdentityView, CockpitError> {
        let room_id = self.current_room()?;
        let status: Option<IdentityStatus> = self
            .relay
            .call(
                method,
                &format!("/api/rooms/{room_id}/identity"),
                None::<&()>,
            )
            .await?;
        if let Some(status) = status {
            self.take(&room_id, status)?;
        }
        self.publish()
    }

    /// The current view (after recording a confirmation), sent to the window too.
    fn publish(&self) -> Result<IdentityView, CockpitError> {
        let view = self.current()?;
        let _ = self.events.send(view.clone());
        Ok(view)
    }

    /// Takes the relay's answer for `room_id` into what is known.
    fn take(&self, room_id: &str, status: IdentityStatus) -> Result<(), CockpitError> {
        let mut known = self.lock()?;
        let ours = known
            .as_ref()
            .filter(|(r, _)| r == room_id)
            .map(|(_, k)| k.clone());
        let next = match status {
            IdentityStatus::NotAsked => None,
            IdentityStatus::Asked { by_product } => Some(Known::Asked { by_product }),
            IdentityStatus::Failed { reason } => match ours {
                // A failure in another tab does not undo a confirmation.
                Some(k @ Known::Confirmed { .. }) => Some(k),
                _ => Some(Known::Failed(reason)),
            },
            IdentityStatus::Confirmed { identity } => Some(Known::Confirmed {
                identity: Box::new(identity),
                at_ms: self.clock.now_ms(),
                recorded: false,
            }),
            // Already handed over (to this cockpit, before): what we hold stands.
            IdentityStatus::HandedOver => ours,
        };
        *known = next.map(|k| (room_id.to_owned(), k));
        Ok(())
    }

    /// Records a confirmation not yet recorded in the case linked to its room (now, or
    /// when a case is linked to the conversation later).
    fn record(&self) -> Result<(), CockpitError> {
        let (room_id, identity, at_ms) = match self.lock()?.as_ref() {
            Some((
                room,
                Known::Confirmed {
                    identity,
                    at_ms,
                    recorded: false,
                },
            )) => (room.clone(), identity.clone(), *at_ms),
            _ => return Ok(()),
        };
        let mut conn = self.store.lock()?;
        let Some(case_id) = case::case_of_room(&conn, &room_id)? else {
            return Ok(());
        };
        let Some(detail) = case::read_detail(&conn, case_id)? else {
            return Ok(());
        };
        let check = case::IdentityCheck {
            room_id: room_id.clone(),
            at_ms,
            checked_by: self.clerk.clone(),
            provider: identity.provider.clone(),
            means: identity.means.clone(),
            level: level_name(identity.level).to_owned(),
            party_match: party_match(&detail.party, &identity).name().to_owned(),
        };
        case::record_identity_check(&mut conn, case_id, &check)?;
        drop(conn);
        if let Some((room, Known::Confirmed { recorded, .. })) = self.lock()?.as_mut()
            && *room == room_id
        {
            *recorded = true;
        }
        tracing::info!(room_id, "identity check recorded in the case");
        Ok(())
    }

    /// The view of the conversation in progress, after recording a confirmation in a case
    /// linked since (what the window asks when it opens or a case is linked).
    pub fn current(&self) -> Result<IdentityView, CockpitError> {
        self.record()?;
        self.view()
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Option<(String, Known)>>, CockpitError> {
        self.known
            .lock()
            .map_err(|_| CockpitError::Internal("identity lock poisoned".into()))
    }

    fn current_room(&self) -> Result<String, CockpitError> {
        self.room
            .room_id()
            .ok_or_else(|| CockpitError::rejected(self.locale, "identity.no_call"))
    }

    /// The view of the conversation in progress.
    pub fn view(&self) -> Result<IdentityView, CockpitError> {
        let room_id = self.room.room_id();
        let known = self.lock()?.clone();
        let known = known
            .filter(|(r, _)| Some(r) == room_id.as_ref())
            .map(|(_, k)| k);
        let mut view = IdentityView {
            available: self.offered.load(std::sync::atomic::Ordering::Relaxed),
            room_id: room_id.clone(),
            state: IdentityState::NotAsked,
            ..IdentityView::default()
        };
        match known {
            None => {}
            Some(Known::Asked { by_product }) => {
                view.state = IdentityState::Asked;
                view.by_product = by_product;
            }
            Some(Known::Failed(reason)) => {
                view.state = IdentityState::Failed;
                view.failure = Some(failure_name(reason).to_owned());
            }
            Some(Known::Confirmed {
                identity, at_ms, ..
            }) => {
                view.state = IdentityState::Confirmed;
                view.name = Some(format!("{} {}", identity.given_name, identity.family_name));
                view.birth_date = identity.birth_date.clone();
                view.national_number_masked = identity
                    .national_number
                    .as_deref()
                    .and_then(|n| NationalNumber::parse(n).ok())
                    .map(|n| n.masked());
                view.means = Some(identity.means.clone());
                view.level = Some(level_name(identity.level).to_owned());
                view.confirmed_at_ms = Some(at_ms);
                let party = room_id
                    .as_deref()
                    .map(|room| self.case_party(room))
                    .transpose()?
                    .flatten();
                match party {
                    None => view.party = PartyMatch::NoCase,
                    Some(party) => {
                        view.party = party_match(&party, &identity);
                        view.can_complete = view.party == PartyMatch::PartyHasNone
                            && party.kind == balie_domain::PartyKind::Citizen;
                    }
                }
            }
        }
        Ok(view)
    }

    fn case_party(&self, room_id: &str) -> Result<Option<case::Party>, CockpitError> {
        self.store.with(|c| {
            let Some(case_id) = case::case_of_room(c, room_id)? else {
                return Ok(None);
            };
            Ok(case::read_detail(c, case_id)?.map(|d| d.party))
        })
    }

    /// Completes the case's party with the confirmed national number and birth date
    /// (where it has none).
    pub fn complete_party(&self) -> Result<IdentityView, CockpitError> {
        let room_id = self.current_room()?;
        let identity = match self.lock()?.clone() {
            Some((r, Known::Confirmed { identity, .. })) if r == room_id => identity,
            _ => {
                return Err(CockpitError::rejected(
                    self.locale,
                    "identity.not_confirmed",
                ));
            }
        };
        let now = self.clock.now_ms();
        let mut conn = self.store.lock()?;
        let case_id = case::case_of_room(&conn, &room_id)?
            .ok_or_else(|| CockpitError::rejected(self.locale, "identity.no_case"))?;
        let party = case::read_detail(&conn, case_id)?
            .ok_or_else(|| CockpitError::rejected(self.locale, "identity.no_case"))?
            .party;
        if party_match(&party, &identity) != PartyMatch::PartyHasNone {
            return Err(CockpitError::rejected(
                self.locale,
                "identity.cannot_complete",
            ));
        }
        case::complete_party(
            &mut conn,
            case_id,
            party.id,
            identity.national_number.as_deref(),
            identity.birth_date.as_deref(),
            &self.clerk,
            now,
        )?;
        drop(conn);
        self.publish()
    }
}

/// How the identity compares with the case's party, by national number.
fn party_match(party: &case::Party, identity: &ConfirmedIdentity) -> PartyMatch {
    match (&party.national_number, &identity.national_number) {
        (_, None) => PartyMatch::NotGiven,
        (None, Some(_)) => PartyMatch::PartyHasNone,
        (Some(a), Some(b)) if a == b => PartyMatch::Match,
        (Some(_), Some(_)) => PartyMatch::NoMatch,
    }
}
