//! Balie's domain: newtypes and rules with no I/O.
//!
//! The main types are [`Pii`] (citizen data that never prints), [`Locale`] (the three
//! languages every user-facing text exists in) and [`JoinToken`] (the secret in a
//! citizen's join link). Outside input is parsed into these types at the edge; code past
//! the edge can rely on them being valid.
//!
//! ```
//! use balie_domain::{Locale, Pii};
//! let name = Pii::new("Dirk Peeters".to_string());
//! assert_eq!(format!("{name:?}"), "{redacted}");
//! assert_eq!(Locale::negotiate("fr-BE,fr;q=0.9,en;q=0.5"), Locale::Fr);
//! ```
//!
//! Non-goals: storage, networking, formatting for a particular UI.

mod locale;
mod pii;
mod token;

pub use locale::Locale;
pub use pii::Pii;
pub use token::{JoinToken, TokenError};
