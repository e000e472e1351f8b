//! Appointments: the free moments of a product, booking one (never twice), cancelling
//! and moving. The pages are in [`crate::front`]; this is what they ask.
//!
//! A booking runs in one immediate SQLite transaction that reads the clerks' agendas
//! again and takes the moment only if someone is still free for it, so two citizens who
//! chose the same moment cannot both get it, in this process or another one on the same
//! database; the table's unique index on (clerk, start) is the last guard.

use crate::error::AppError;
use crate::state::AppState;
use balie_domain::agenda::{self, Calendar, Interval, Server, Slot};
use balie_domain::{JoinToken, Locale};
use balie_store::relay::{appointment, hours, product, room};
use jiff::{SignedDuration, Timestamp};
use rusqlite::{Connection, TransactionBehavior};

/// What a citizen fills in.
#[derive(Debug, Clone)]
pub(crate) struct Citizen {
    pub(crate) name: String,
    pub(crate) email: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) locale: Locale,
    pub(crate) question: String,
    /// Their postcode (four digits), if they gave it: for the impact figures' trips.
    pub(crate) postcode: Option<String>,
}

/// A booked appointment: the secret only its citizen gets (the manage link's token, from
/// which the join link's is derived: [`join_of`]).
#[derive(Debug)]
pub(crate) struct Booked {
    /// The manage link's token (cancel, move).
    pub(crate) manage: JoinToken,
}

/// Why a booking did not go through.
#[derive(Debug)]
pub(crate) enum Refused {
    /// Nobody is free then (any more).
    Taken,
    /// The moment is too soon, past, or beyond the weeks that can be booked.
    OutOfRange,
    /// This e-mail address or number already holds this many appointments to come.
    TooMany(u32),
    /// The product is not (or no longer) offered.
    NoProduct,
    /// The relay failed.
    Failed(AppError),
}

impl From<AppError> for Refused {
    fn from(e: AppError) -> Self {
        Refused::Failed(e)
    }
}

impl From<balie_store::StoreError> for Refused {
    fn from(e: balie_store::StoreError) -> Self {
        Refused::Failed(e.into())
    }
}

impl From<rusqlite::Error> for Refused {
    fn from(e: rusqlite::Error) -> Self {
        Refused::Failed(balie_store::StoreError::from(e).into())
    }
}

/// The span in which moments can be booked now: from the notice period on, for the
/// configured weeks.
pub(crate) fn bookable_range(state: &AppState) -> (Timestamp, Timestamp) {
    let b = state.config().booking;
    let now = state.clock().now_unix();
    let from = now + i64::from(b.notice_minutes) * 60;
    let until = now + i64::from(b.weeks_ahead) * 7 * 24 * 3600;
    (ts(from), ts(until))
}

/// Unix seconds as a timestamp (clamped into jiff's range, which reaches far beyond any
/// appointment).
pub(crate) fn ts(unix: i64) -> Timestamp {
    Timestamp::from_second(unix.clamp(Timestamp::MIN.as_second(), Timestamp::MAX.as_second()))
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

/// Each server's availability and booked stretches for `from`..`until`.
fn servers_of(
    db: &Connection,
    product_id: &str,
    from: Timestamp,
    until: Timestamp,
) -> Result<Vec<(i64, Calendar, Vec<Interval>)>, balie_store::StoreError> {
    product::server_ids(db, product_id)?
        .into_iter()
        .map(|clerk| {
            let available = hours::availability(db, clerk)?;
            let busy = appointment::busy(db, clerk, from.as_second(), until.as_second())?
                .into_iter()
                .map(|(s, e)| Interval {
                    start: ts(s),
                    end: ts(e),
                })
                .collect();
            Ok((clerk, available, busy))
        })
        .collect()
}

/// A product and its free moments.
pub(crate) type Offer = (product::Product, Vec<Slot<i64>>);

/// The free moments of product `product_id` between `from` and `until` (cut to what can
/// be booked now). `None` when the product is not offered.
pub(crate) fn free_slots(
    state: &AppState,
    product_id: &str,
    from: Timestamp,
    until: Timestamp,
) -> Result<Option<Offer>, AppError> {
    let tz = agenda::brussels().map_err(|e| AppError::Internal(e.to_string()))?;
    let (earliest, latest) = bookable_range(state);
    let (from, until) = (from.max(earliest), until.min(latest));
    state.with_db(|db| {
        let Some(p) = product::get(db, product_id)?.filter(|p| p.digital) else {
            return Ok(None);
        };
        let opening = hours::opening(db)?;
        let servers = servers_of(db, product_id, from, until)?;
        let servers: Vec<Server<'_, i64>> = servers
            .iter()
            .map(|(who, available, busy)| Server {
                who: *who,
                available,
                busy,
            })
            .collect();
        let duration = SignedDuration::from_mins(i64::from(p.duration_minutes));
        let slots = agenda::slots(&tz, &opening.calendar, &servers, duration, from, until);
        Ok(Some((p, slots)))
    })
}

/// Books product `product_id` at `start` for `citizen`, with the clerk who is free then
/// and has the fewest appointments that day. With `replacing`, the old appointment is
/// marked moved and its join link stops working, in the same transaction.
pub(crate) fn book(
    state: &AppState,
    product_id: &str,
    start: Timestamp,
    citizen: &Citizen,
    replacing: Option<&appointment::Appointment>,
) -> Result<Booked, Refused> {
    let tz = agenda::brussels().map_err(|e| AppError::Internal(e.to_string()))?;
    let (earliest, latest) = bookable_range(state);
    if start < earliest || start >= latest {
        return Err(Refused::OutOfRange);
    }
    let booking = state.config().booking;
    let now = state.clock().now_unix();
    let manage = JoinToken::from_random_bytes(crate::random_bytes()?);
    let join = join_of(&manage);
    let id = hex::encode(crate::random_bytes::<8>()?);
    let room_id = hex::encode(crate::random_bytes::<8>()?);
    let manage_digest = crate::sha256(manage.digest_input());
    let join_digest = crate::sha256(join.digest_input());
    let outcome = state.with_db(|db| {
        Ok(transaction(db, |tx| {
            let Some(p) = product::get(tx, product_id)?.filter(|p| p.digital) else {
                return Err(Refused::NoProduct);
            };
            // Citizen data past its retention goes here, so no timer is needed for it.
            appointment::purge(tx, now - i64::from(booking.retention_days) * 24 * 3600)?;
            let end = start + SignedDuration::from_mins(i64::from(p.duration_minutes));
            let at = Interval { start, end };
            let contact_holds = appointment::upcoming_for_contact(
                tx,
                citizen.email.as_deref(),
                citizen.phone.as_deref(),
                now,
            )?;
            // Moving one does not count against the limit: it gives its place back.
            let holds = contact_holds.saturating_sub(u32::from(replacing.is_some()));
            if holds >= booking.max_upcoming_per_contact {
                return Err(Refused::TooMany(holds));
            }
            // The day around the moment: enough to count each clerk's appointments that day.
            let day_from = start - SignedDuration::from_hours(24);
            let day_until = end + SignedDuration::from_hours(24);
            let servers = servers_of(tx, product_id, day_from, day_until)?;
            let as_servers: Vec<Server<'_, i64>> = servers
                .iter()
                .map(|(who, available, busy)| Server {
                    who: *who,
                    available,
                    busy,
                })
                .collect();
            let free = agenda::free_for(&tz, &as_servers, at);
            let day = tz.to_datetime(start).date();
            let clerk = free
                .into_iter()
                .min_by_key(|who| {
                    servers
                        .iter()
                        .find(|(w, _, _)| w == who)
                        .map_or(0, |(_, _, busy)| {
                            busy.iter()
                                .filter(|b| tz.to_datetime(b.start).date() == day)
                                .count()
                        })
                })
                .ok_or(Refused::Taken)?;
            let opening = hours::opening(tx)?;
            let opens_at = start.as_second() - i64::from(booking.opens_before_minutes) * 60;
            room::insert(
                tx,
                &room::Room {
                    id: room_id.clone(),
                    clerk_id: clerk,
                    locale: Some(citizen.locale.code().to_owned()),
                    created_at: now,
                    expires_at: end.as_second() + i64::from(booking.grace_minutes) * 60,
                    opens_at: Some(opens_at),
                    starts_at: Some(start.as_second()),
                    product_id: Some(p.id.clone()),
                },
                &join_digest,
            )?;
            let a = appointment::Appointment {
                id: id.clone(),
                product_id: p.id.clone(),
                clerk_id: clerk,
                starts_at: start.as_second(),
                ends_at: end.as_second(),
                outside_hours: !opening.calendar.covers(&tz, at),
                status: appointment::Status::Booked,
                name: citizen.name.clone(),
                email: citizen.email.clone(),
                phone: citizen.phone.clone(),
                locale: citizen.locale.code().to_owned(),
                question: citizen.question.clone(),
                room_id: room_id.clone(),
                moved_from: replacing.map(|r| r.id.clone()),
                created_at: now,
                postcode: citizen.postcode.clone(),
            };
            if !appointment::insert(tx, &a, &manage_digest)? {
                return Err(Refused::Taken);
            }
            if let Some(old) = replacing {
                if !appointment::withdraw(tx, &old.id, appointment::Status::Moved, now)? {
                    // Cancelled or moved meanwhile (another tab): nothing to move.
                    return Err(Refused::Taken);
                }
                room::expire(tx, &old.room_id, now)?;
                // The new appointment's confirmation says it was moved.
                crate::mail::queue_withdrawn(tx, state, old, false, now)?;
            }
            crate::mail::queue_booked(tx, state, &a, &manage, now)?;
            Ok(a)
        }))
    })?;
    let a = outcome?;
    state.mail_wake().notify_one();
    tracing::info!(appointment = %a.id, outside_hours = a.outside_hours, moved = replacing.is_some(), "appointment booked");
    Ok(Booked { manage })
}

/// The join token of the appointment whose manage token is `manage`: derived from it
/// (HMAC-SHA256, cut to a token's 128 bits), so the manage page can show the join link
/// while the database holds only the digests of both, and the join link gives no way
/// back to the manage link.
pub(crate) fn join_of(manage: &JoinToken) -> JoinToken {
    use hmac::Mac as _;
    let mut bytes = [0u8; 16];
    if let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(manage.digest_input()) {
        mac.update(b"balie appointment join link");
        bytes.copy_from_slice(&mac.finalize().into_bytes()[..16]);
    }
    JoinToken::from_random_bytes(bytes)
}

/// Runs `f` in an immediate transaction (the write lock taken at its start, so the
/// agenda it reads cannot change before it writes); commits when `f` succeeds.
fn transaction<T>(
    db: &Connection,
    f: impl FnOnce(&Connection) -> Result<T, Refused>,
) -> Result<T, Refused> {
    let tx = rusqlite::Transaction::new_unchecked(db, TransactionBehavior::Immediate)?;
    let out = f(&tx)?;
    tx.commit()?;
    Ok(out)
}

/// The appointment whose manage token is `token` (any status), if the token is one.
pub(crate) fn by_manage_token(
    state: &AppState,
    token: &str,
) -> Result<Option<appointment::Appointment>, AppError> {
    let Ok(token) = JoinToken::parse(token) else {
        return Ok(None);
    };
    let digest = crate::sha256(token.digest_input());
    state.with_db(|db| appointment::find_by_manage(db, &digest))
}

/// Cancels appointment `a`: it is withdrawn and its join link stops working. False when
/// it was no longer booked.
pub(crate) fn cancel(state: &AppState, a: &appointment::Appointment) -> Result<bool, AppError> {
    let now = state.clock().now_unix();
    let done = state.with_db(|db| {
        let tx = db.unchecked_transaction()?;
        let done = appointment::withdraw(&tx, &a.id, appointment::Status::Canceled, now)?;
        if done {
            room::expire(&tx, &a.room_id, now)?;
            crate::mail::queue_withdrawn(&tx, state, a, true, now)?;
        }
        tx.commit()?;
        Ok(done)
    })?;
    if done {
        state.mail_wake().notify_one();
        tracing::info!(appointment = %a.id, "appointment cancelled");
    }
    Ok(done)
}
