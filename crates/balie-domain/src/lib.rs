//! Balie's domain: newtypes and rules with no I/O.
//!
//! The main types are [`Pii`] (citizen data that never prints), [`Locale`] (the three
//! languages every user-facing text exists in), [`JoinToken`] (the secret in a citizen's
//! join link), and for payments [`Money`] (euro in integer cents), [`StructuredReference`]
//! (the Belgian OGM), [`Iban`] and [`PaymentState`] (a status that only moves forward), and
//! for case files [`EnterpriseNumber`] (KBO/BCE, mod-97), [`PartyKind`] and [`CaseStatus`]. Outside input is parsed into these types at the edge; code past
//! the edge can rely on them being valid.
//!
//! ```
//! use balie_domain::{Locale, Pii};
//! let name = Pii::new("Dirk Peeters".to_string());
//! assert_eq!(format!("{name:?}"), "{redacted}");
//! assert_eq!(Locale::negotiate("fr-BE,fr;q=0.9,en;q=0.5"), Locale::Fr);
//!
//! use balie_domain::{Money, StructuredReference};
//! let fee = Money::parse("€ 12,50").unwrap();
//! assert_eq!(fee.cents(), 1250);
//! assert_eq!(fee.format(Locale::Nl), "€\u{a0}12,50");
//! assert!(StructuredReference::parse("+++123/4567/89002+++").is_ok());
//! ```
//!
//! Non-goals: storage, networking, formatting for a particular UI.

mod address;
pub mod agenda;
mod case;
mod enterprise;
mod iban;
mod invite;
mod locale;
mod money;
mod national_number;
mod ogm;
mod payment;
mod pii;
mod token;

pub use address::{ServiceUrl, UrlError};
pub use case::{CaseStatus, PartyKind};
pub use enterprise::{EnterpriseNumber, EnterpriseNumberError};
pub use iban::{Iban, IbanError};
pub use invite::{InviteCode, InviteCodeError};
pub use locale::Locale;
pub use money::{Money, MoneyError};
pub use national_number::{NationalNumber, NationalNumberError};
pub use ogm::{ReferenceError, StructuredReference};
pub use payment::{Applied, PaymentMode, PaymentState, PaymentStatus, StatusChange, StatusSource};
pub use pii::Pii;
pub use token::{JoinToken, TokenError};
