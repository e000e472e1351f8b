//! The payment clients against local servers that answer as the providers' documentation
//! says: bodies, problem bodies, status codes, headers, slowness.
#![allow(clippy::unwrap_used, missing_docs)]

mod bancontact;
mod bancontact_api;
mod mollie;
mod stripe_api;
