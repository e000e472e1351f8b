//! The walk-in queue: a citizen on the front door talks to the next free clerk *now*.
//!
//! A product's queue is open while a clerk who serves it is *available* (set in the
//! cockpit, and only while that cockpit's hint socket is connected, so a closed cockpit
//! never leaves the door open) within the opening hours or that clerk's own availability.
//! A citizen who joins gets a secret ticket link; the page shows their place and an
//! estimate, and asks for it every few seconds: a ticket not asked for in
//! [`SILENT_FOR`] is dropped (the citizen left). *Volgende burger* takes the
//! longest-waiting citizen of the clerk's products under one lock, so two clerks who click
//! at once never get the same citizen; a room is made for the clerk and the citizen's page
//! goes there and knocks.
//!
//! The queue lives in the relay's memory: a restart empties it (the pages then say the
//! place is gone and lead back to the front door). Tickets hold no name or contact.

use crate::error::AppError;
use crate::state::AppState;
use balie_domain::agenda::{self, Interval};
use balie_domain::{JoinToken, Locale};
use balie_protocol::agenda::{ClerkStatus, TakenCitizen};
use balie_store::relay::{hours, product, room};
use std::collections::HashMap;
use std::sync::Mutex;

/// A ticket whose page has not asked for its status this long is dropped, in seconds.
pub(crate) const SILENT_FOR: i64 = 90;
/// How long a taken ticket still leads its page to the room, in seconds.
const TAKEN_KEEP: i64 = 300;
/// How long the room of a taken citizen stays open, in seconds.
const ROOM_FOR: i64 = 2 * 3600;
/// The most citizens waiting for one product.
pub(crate) const MAX_PER_PRODUCT: usize = 30;
/// The most tickets in all (waiting or just taken).
const MAX_TICKETS: usize = 1000;

/// One citizen in the queue.
struct Ticket {
    /// Shown to clerks (`w12`); not the secret.
    public_id: String,
    secret_sha256: [u8; 32],
    product_id: String,
    locale: Locale,
    joined_at: i64,
    last_seen: i64,
    /// Once taken: the join link and when.
    taken: Option<(String, i64)>,
}

/// The queue and the clerks' statuses.
#[derive(Default)]
pub(crate) struct WalkIns {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// In the order they joined.
    tickets: Vec<Ticket>,
    status: HashMap<i64, ClerkStatus>,
    next_id: u64,
}

/// Why a citizen could not join.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum NotJoined {
    /// Nobody serves it now.
    Closed,
    /// Too many wait already.
    Full,
    /// The product is not offered.
    NoProduct,
}

/// Where a ticket stands, for its page.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Place {
    /// Waiting: place (1 is next) and the estimate in minutes.
    Waiting {
        /// The product waited for.
        product_id: String,
        /// 1 is next.
        position: u32,
        /// Rounded up to five minutes.
        minutes: u32,
    },
    /// Taken: the join link.
    Taken(String),
}

impl WalkIns {
    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Inner>, AppError> {
        self.inner
            .lock()
            .map_err(|_| AppError::Internal("walk-in queue lock poisoned".into()))
    }

    /// Clerk `clerk_id`'s status (away unless set).
    pub(crate) fn status(&self, clerk_id: i64) -> ClerkStatus {
        self.inner
            .lock()
            .ok()
            .and_then(|i| i.status.get(&clerk_id).copied())
            .unwrap_or_default()
    }

    /// Sets clerk `clerk_id`'s status.
    pub(crate) fn set_status(&self, clerk_id: i64, status: ClerkStatus) -> Result<(), AppError> {
        self.lock()?.status.insert(clerk_id, status);
        Ok(())
    }
}

impl Inner {
    fn sweep(&mut self, now: i64) {
        self.tickets.retain(|t| match t.taken {
            Some((_, at)) => now - at <= TAKEN_KEEP,
            None => now - t.last_seen <= SILENT_FOR,
        });
    }

    fn waiting(&self, product_id: &str) -> impl Iterator<Item = &Ticket> {
        self.tickets
            .iter()
            .filter(move |t| t.taken.is_none() && t.product_id == product_id)
    }
}

/// Which of `product_id`'s clerks count now: (available, present = available or busy),
/// among those whose cockpit is connected and who serve it in its hours or their own.
fn clerks_now(state: &AppState, product_id: &str) -> Result<(usize, usize), AppError> {
    let tz = agenda::brussels().map_err(|e| AppError::Internal(e.to_string()))?;
    let now = crate::booking::ts(state.clock().now_unix());
    let moment = Interval {
        start: now,
        end: now + jiff::SignedDuration::from_mins(1),
    };
    let servers = state.with_db(|db| {
        let opening = hours::opening(db)?;
        let open = opening.calendar.covers(&tz, moment);
        product::server_ids(db, product_id)?
            .into_iter()
            .map(|clerk| {
                let own = hours::availability(db, clerk)?.covers(&tz, moment);
                Ok((clerk, open || own))
            })
            .collect::<Result<Vec<_>, balie_store::StoreError>>()
    })?;
    let mut available = 0;
    let mut present = 0;
    for (clerk, in_hours) in servers {
        if !in_hours || !state.hints().connected(clerk) {
            continue;
        }
        match state.walk_ins().status(clerk) {
            ClerkStatus::Available => {
                available += 1;
                present += 1;
            }
            ClerkStatus::Busy => present += 1,
            ClerkStatus::Away => {}
        }
    }
    Ok((available, present))
}

/// Whether citizens can join `product_id`'s queue now.
pub(crate) fn is_open(state: &AppState, product_id: &str) -> Result<bool, AppError> {
    Ok(clerks_now(state, product_id)?.0 > 0)
}

/// How many wait for `product_id` now.
pub(crate) fn waiting_count(state: &AppState, product_id: &str) -> Result<usize, AppError> {
    let now = state.clock().now_unix();
    let mut inner = state.walk_ins().lock()?;
    inner.sweep(now);
    Ok(inner.waiting(product_id).count())
}

/// The estimated wait of the citizen at `position` for a product of `duration` minutes:
/// the conversations ahead of them shared by the clerks present, plus half a conversation
/// when nobody is free now; rounded up to five minutes. An estimate, and the page says so.
pub(crate) fn estimate(position: u32, duration: u32, available: usize, present: usize) -> u32 {
    let clerks = u32::try_from(present.max(1)).unwrap_or(u32::MAX);
    let rounds_ahead = position.saturating_sub(1) / clerks;
    let mut minutes = rounds_ahead.saturating_mul(duration);
    if available == 0 {
        minutes = minutes.saturating_add(duration / 2);
    }
    minutes.div_ceil(5).saturating_mul(5)
}

/// Puts a citizen in `product_id`'s queue; the ticket's secret.
pub(crate) fn join(
    state: &AppState,
    product_id: &str,
    locale: Locale,
) -> Result<Result<JoinToken, NotJoined>, AppError> {
    let exists =
        state.with_db(|db| Ok(product::get(db, product_id)?.is_some_and(|p| p.digital)))?;
    if !exists {
        return Ok(Err(NotJoined::NoProduct));
    }
    if !is_open(state, product_id)? {
        return Ok(Err(NotJoined::Closed));
    }
    let secret = JoinToken::from_random_bytes(crate::random_bytes()?);
    let now = state.clock().now_unix();
    {
        let mut inner = state.walk_ins().lock()?;
        inner.sweep(now);
        if inner.waiting(product_id).count() >= MAX_PER_PRODUCT
            || inner.tickets.len() >= MAX_TICKETS
        {
            return Ok(Err(NotJoined::Full));
        }
        inner.next_id += 1;
        let public_id = format!("w{}", inner.next_id);
        inner.tickets.push(Ticket {
            public_id,
            secret_sha256: crate::sha256(secret.digest_input()),
            product_id: product_id.to_owned(),
            locale,
            joined_at: now,
            last_seen: now,
            taken: None,
        });
    }
    tracing::info!("a citizen joined the walk-in queue");
    crate::hooks::queue_changed(state, product_id);
    Ok(Ok(secret))
}

fn digest_of(secret: &str) -> Option<[u8; 32]> {
    JoinToken::parse(secret)
        .ok()
        .map(|t| crate::sha256(t.digest_input()))
}

/// Where ticket `secret` stands (its page asked: it is still there). `None` when it is
/// not (any more) in the queue.
pub(crate) fn place(state: &AppState, secret: &str) -> Result<Option<Place>, AppError> {
    let Some(digest) = digest_of(secret) else {
        return Ok(None);
    };
    let now = state.clock().now_unix();
    let (product_id, position) = {
        let mut inner = state.walk_ins().lock()?;
        inner.sweep(now);
        let Some(ticket) = inner.tickets.iter_mut().find(|t| {
            bool::from(subtle::ConstantTimeEq::ct_eq(
                &t.secret_sha256[..],
                &digest[..],
            ))
        }) else {
            return Ok(None);
        };
        ticket.last_seen = now;
        if let Some((join_url, _)) = &ticket.taken {
            return Ok(Some(Place::Taken(join_url.clone())));
        }
        let product_id = ticket.product_id.clone();
        // The tickets are in the order they joined.
        let ahead = inner
            .waiting(&product_id)
            .take_while(|t| t.secret_sha256 != digest)
            .count();
        (product_id, u32::try_from(ahead + 1).unwrap_or(u32::MAX))
    };
    let duration = state
        .with_db(|db| product::get_any(db, &product_id))?
        .map_or(15, |p| p.duration_minutes);
    let (available, present) = clerks_now(state, &product_id)?;
    Ok(Some(Place::Waiting {
        product_id,
        position,
        minutes: estimate(position, duration, available, present),
    }))
}

/// Takes ticket `secret` out of the queue (the citizen left). False when it was not there.
pub(crate) fn leave(state: &AppState, secret: &str) -> Result<bool, AppError> {
    let Some(digest) = digest_of(secret) else {
        return Ok(false);
    };
    let product_id = {
        let mut inner = state.walk_ins().lock()?;
        let Some(at) = inner
            .tickets
            .iter()
            .position(|t| t.secret_sha256 == digest && t.taken.is_none())
        else {
            return Ok(false);
        };
        inner.tickets.remove(at).product_id
    };
    crate::hooks::queue_changed(state, &product_id);
    Ok(true)
}

/// A product, whether its queue is open, and who waits: (public id, since, language).
pub(crate) type ProductQueue = (product::Product, bool, Vec<(String, i64, Locale)>);

/// The queue as clerk `clerk_id` sees it: per product they serve, who waits.
pub(crate) fn for_clerk(state: &AppState, clerk_id: i64) -> Result<Vec<ProductQueue>, AppError> {
    let products = state.with_db(|db| {
        let ids = product::served_by_clerk(db, clerk_id)?;
        Ok(product::list(db, true)?
            .into_iter()
            .filter(|p| ids.contains(&p.id))
            .collect::<Vec<_>>())
    })?;
    let now = state.clock().now_unix();
    let mut out = Vec::with_capacity(products.len());
    for p in products {
        let open = is_open(state, &p.id)?;
        let waiting = {
            let mut inner = state.walk_ins().lock()?;
            inner.sweep(now);
            inner
                .waiting(&p.id)
                .map(|t| (t.public_id.clone(), t.joined_at, t.locale))
                .collect()
        };
        out.push((p, open, waiting));
    }
    Ok(out)
}

/// *Volgende burger*: takes the longest-waiting citizen of the products clerk `clerk_id`
/// serves (or of `only` among them), makes the room and sends the citizen there. `None`
/// when nobody waits. Under one lock: two clerks never take the same citizen.
pub(crate) fn take_next(
    state: &AppState,
    clerk_id: i64,
    only: Option<&str>,
) -> Result<Option<TakenCitizen>, AppError> {
    let served = state.with_db(|db| product::served_by_clerk(db, clerk_id))?;
    if let Some(only) = only
        && !served.iter().any(|p| p == only)
    {
        return Err(AppError::BadRequest(format!(
            "this clerk does not serve product {only:?}"
        )));
    }
    let token = JoinToken::from_random_bytes(crate::random_bytes()?);
    let room_id = hex::encode(crate::random_bytes::<8>()?);
    let join_url = format!("{}/j/{}", state.public_url(), token.to_text());
    let now = state.clock().now_unix();
    // Chosen and marked taken under the lock; the room is written after, and the ticket
    // goes back (at its place) if that fails.
    let chosen = {
        let mut inner = state.walk_ins().lock()?;
        inner.sweep(now);
        let Some(ticket) = inner.tickets.iter_mut().find(|t| {
            t.taken.is_none()
                && served.contains(&t.product_id)
                && only.is_none_or(|o| o == t.product_id)
        }) else {
            return Ok(None);
        };
        ticket.taken = Some((join_url.clone(), now));
        inner.status.insert(clerk_id, ClerkStatus::Busy);
        let t = inner
            .tickets
            .iter()
            .find(|t| t.taken.as_ref().is_some_and(|(u, _)| u == &join_url));
        t.map(|t| (t.product_id.clone(), t.locale, t.joined_at, t.secret_sha256))
    };
    let Some((product_id, locale, joined_at, digest)) = chosen else {
        return Ok(None);
    };
    let written = state.with_db(|db| {
        room::insert(
            db,
            &room::Room {
                id: room_id.clone(),
                clerk_id,
                locale: Some(locale.code().to_owned()),
                created_at: now,
                expires_at: now + ROOM_FOR,
                opens_at: None,
                starts_at: None,
                product_id: Some(product_id.clone()),
            },
            &crate::sha256(token.digest_input()),
        )
    });
    if let Err(e) = written {
        if let Ok(mut inner) = state.walk_ins().lock()
            && let Some(t) = inner.tickets.iter_mut().find(|t| t.secret_sha256 == digest)
        {
            t.taken = None;
        }
        return Err(e);
    }
    tracing::info!(room_id, "a walk-in citizen was taken");
    crate::hooks::queue_changed(state, &product_id);
    Ok(Some(TakenCitizen {
        room_id,
        product_id,
        locale,
        waited_seconds: now - joined_at,
    }))
}

#[cfg(test)]
mod tests {
    use super::estimate;

    #[test]
    fn the_estimate_shares_the_conversations_ahead_among_the_clerks_present() {
        // Next, with a clerk free: no wait.
        assert_eq!(estimate(1, 20, 1, 1), 0);
        // Next, the one clerk in a conversation: half a conversation.
        assert_eq!(estimate(1, 20, 0, 1), 10);
        // Third, one clerk free: two conversations ahead.
        assert_eq!(estimate(3, 20, 1, 1), 40);
        // Third, two clerks: one round ahead.
        assert_eq!(estimate(3, 20, 1, 2), 20);
        // Rounded up to five minutes.
        assert_eq!(estimate(2, 12, 1, 1), 15);
    }
}
