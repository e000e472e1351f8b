//! Balie's test and benchmark helpers, shared by the test crates and the benches (dev-only;
//! nothing here ships). Every helper panics with a plain message when the world is not as
//! it expects: that is how a test helper fails.
//!
//! - [`chromium`]: Debian's Chromium as the citizen, under chromedriver; axe-core.
//! - [`display`]: X servers (one monitor under Xvfb, two under Xorg's dummy driver).
//! - [`cockpit`]: the real cockpit under WebKitWebDriver.
//! - [`matrix`]: the fault matrix's printed rows.
//! - [`mollie`]: a local Mollie (Payments API v2) with faults to switch on.
//! - [`procfs`]: process trees and their CPU time, from `/proc`.
//! - [`reference`]: MediaPipe's own segmentation in Chromium, the blur's reference.
//! - [`sandbox`]: paying on the relay's sandbox checkout.
//! - [`screen`]: what an X display shows, read back from the server.
//! - [`seen`]: whether a person sees an element (rendered, in the viewport, not covered),
//!   and screenshots.
//! - [`smtp`]: a real SMTP server (STARTTLS, AUTH) whose mail is read back as JSON.
#![allow(clippy::unwrap_used)]

pub mod chromium;
pub mod cockpit;
pub mod display;
pub mod matrix;
pub mod mollie;
pub mod oidc;
pub mod procfs;
pub mod reference;
pub mod sandbox;
pub mod screen;
pub mod seen;
pub mod signing;
pub mod smtp;
