//! Balie's impact, as the municipality's project sheet measures it.
//!
//! [`Facts`] go in — anonymous records of conversations, questions, payments, register
//! entries, imported figures and the catalog's history — and [`Figures`] come out: the
//! fourteen indicators for a [`Period`], each computed the same way in the clerk's cockpit
//! and, from the cockpits' summaries, on the relay for the whole municipality.
//!
//! ```
//! use balie_impact::{Assumptions, Facts, Period, compute};
//! let tz = balie_domain::agenda::brussels().unwrap();
//! let quarter = Period::quarter(jiff::civil::date(2026, 11, 15)).unwrap();
//! let figures = compute(&Facts::default(), &quarter, &tz, &Assumptions::default());
//! assert_eq!(figures.trips.conversations, 0);
//! ```
//!
//! Invariants: no I/O and no clock (the period and the time zone are given); money in
//! euro cents, shares and means in thousandths, durations in seconds, distances in
//! metres; a fact cannot carry a name or free text (see [`facts`]).

pub mod chart;
pub mod facts;
pub mod figures;
pub mod period;
pub mod places;
pub mod present;
pub mod report;
pub mod stats;
pub mod summary;
pub mod trips;

pub use facts::Facts;
pub use figures::{Figures, compute};
pub use period::{Period, PeriodKind};
pub use trips::Assumptions;
