//! The clerk's and IT's settings, typed: the relay, the devices, the background blur, the
//! clerk's name, the retention of call metadata, the payee of bank transfers and the
//! window layouts. They live in the cockpit database (`setting` and `window_layout`
//! tables); secrets never do (they are in the OS keyring). The setting keys are private
//! to this module.

use crate::error::CockpitError;
use crate::layout::Layout;
use crate::store::SharedStore;
use balie_domain::Iban;
use balie_store::StoreError;
use balie_store::cockpit::{setting, window_layout};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

const RELAY_URL: &str = "relay_url";
const CAMERA: &str = "camera";
const MICROPHONE: &str = "microphone";
const SPEAKER: &str = "speaker";
const BACKGROUND_BLUR: &str = "background_blur";
const CLERK_NAME: &str = "clerk_name";
const RETENTION_CALL_DAYS: &str = "retention_call_days";
const PAYEE_NAME: &str = "payee_name";
const PAYEE_IBAN: &str = "payee_iban";
const PAYEE_BIC: &str = "payee_bic";
const IMPACT_CENTRE_POSTCODE: &str = "impact.centre_postcode";

/// The retention of call metadata when nothing is set: two years.
pub const DEFAULT_RETENTION_DAYS: u32 = 730;
/// The longest retention that can be set: a hundred years.
pub const MAX_RETENTION_DAYS: u32 = 36_500;
/// The longest device name kept, in characters (device names come from drivers).
pub const MAX_DEVICE_NAME_CHARS: usize = 512;
/// The payee's name when none is set.
pub const DEFAULT_PAYEE_NAME: &str = "Gemeente";
/// The longest payee name: the EPC QR code's beneficiary field.
pub const MAX_PAYEE_NAME_CHARS: usize = 70;

/// The devices the clerk chose; `None` means the system's default (the first camera).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DeviceChoice {
    /// Camera name.
    #[ts(optional)]
    pub camera: Option<String>,
    /// Microphone name.
    #[ts(optional)]
    pub microphone: Option<String>,
    /// Speaker name.
    #[ts(optional)]
    pub speaker: Option<String>,
}

impl DeviceChoice {
    /// Whether every name is short enough to keep.
    pub fn is_storable(&self) -> bool {
        [&self.camera, &self.microphone, &self.speaker]
            .iter()
            .all(|v| {
                v.as_ref()
                    .is_none_or(|v| v.chars().count() <= MAX_DEVICE_NAME_CHARS)
            })
    }
}

/// Who receives bank transfers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payee {
    /// The name on the transfer.
    pub name: String,
    /// The account; `None`: transfers are not offered.
    pub iban: Option<Iban>,
    /// The bank's BIC, if given.
    pub bic: Option<String>,
}

/// Why a payee is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PayeeError {
    /// The name is empty, too long or more than one line.
    #[error("the payee's name has 1 to 70 characters on one line")]
    Name,
    /// The IBAN's length or check digits are wrong.
    #[error("IBAN: {0}")]
    Iban(balie_domain::IbanError),
    /// The BIC is not 8 or 11 letters and digits.
    #[error("a BIC has 8 or 11 letters and digits")]
    Bic,
}

impl Payee {
    /// The payee IT enters: `name`, `iban` and an optional `bic`, each checked.
    pub fn parse(name: &str, iban: &str, bic: Option<&str>) -> Result<Self, PayeeError> {
        let name = name.trim();
        if name.is_empty()
            || name.chars().count() > MAX_PAYEE_NAME_CHARS
            || name.contains(['\n', '\r'])
        {
            return Err(PayeeError::Name);
        }
        let iban = Iban::parse(iban).map_err(PayeeError::Iban)?;
        let bic = bic.map(str::trim).filter(|b| !b.is_empty());
        if let Some(bic) = bic
            && !((bic.len() == 8 || bic.len() == 11)
                && bic.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            return Err(PayeeError::Bic);
        }
        Ok(Self {
            name: name.to_owned(),
            iban: Some(iban),
            bic: bic.map(str::to_ascii_uppercase),
        })
    }
}

/// The settings in one cockpit database.
pub struct Settings<'c>(&'c Connection);

impl<'c> Settings<'c> {
    /// The settings stored in `conn`.
    pub fn of(conn: &'c Connection) -> Self {
        Self(conn)
    }

    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        setting::get(self.0, key)
    }

    fn set_or_remove(&self, key: &str, value: Option<&str>) -> Result<(), StoreError> {
        match value.filter(|v| !v.is_empty()) {
            Some(value) => setting::set(self.0, key, value),
            None => setting::remove(self.0, key).map(|_| ()),
        }
    }

    /// The municipality's relay; `None`: the embedded relay.
    pub fn relay_url(&self) -> Result<Option<String>, StoreError> {
        self.get(RELAY_URL)
    }

    /// Points the cockpit at the relay at `url` (`None`: back to the embedded relay).
    pub fn set_relay_url(&self, url: Option<&str>) -> Result<(), StoreError> {
        self.set_or_remove(RELAY_URL, url.map(|u| u.trim_end_matches('/')))
    }

    /// The devices the clerk chose.
    pub fn devices(&self) -> Result<DeviceChoice, StoreError> {
        Ok(DeviceChoice {
            camera: self.get(CAMERA)?,
            microphone: self.get(MICROPHONE)?,
            speaker: self.get(SPEAKER)?,
        })
    }

    /// Keeps the clerk's choice of devices (an empty name: the system default).
    pub fn set_devices(&self, choice: &DeviceChoice) -> Result<(), StoreError> {
        self.set_or_remove(CAMERA, choice.camera.as_deref())?;
        self.set_or_remove(MICROPHONE, choice.microphone.as_deref())?;
        self.set_or_remove(SPEAKER, choice.speaker.as_deref())
    }

    /// Whether the clerk wants the background blurred.
    pub fn background_blur(&self) -> Result<bool, StoreError> {
        Ok(self.get(BACKGROUND_BLUR)?.as_deref() == Some("on"))
    }

    /// Keeps the background blur on or off for the next calls.
    pub fn set_background_blur(&self, on: bool) -> Result<(), StoreError> {
        self.set_or_remove(BACKGROUND_BLUR, on.then_some("on"))
    }

    /// The clerk's name as set; `None`: the OS user's name is used.
    pub fn clerk_name(&self) -> Result<Option<String>, StoreError> {
        Ok(self.get(CLERK_NAME)?.filter(|n| !n.trim().is_empty()))
    }

    /// How many days call metadata is kept.
    pub fn retention_days(&self) -> Result<u32, StoreError> {
        Ok(self
            .get(RETENTION_CALL_DAYS)?
            .and_then(|d| d.parse::<u32>().ok())
            .unwrap_or(DEFAULT_RETENTION_DAYS))
    }

    /// Sets how many days call metadata is kept (1 to [`MAX_RETENTION_DAYS`]; the caller
    /// checks).
    pub fn set_retention_days(&self, days: u32) -> Result<(), StoreError> {
        setting::set(self.0, RETENTION_CALL_DAYS, &days.to_string())
    }

    /// The postcode of the administrative centre the citizens' trips are measured to
    /// (the impact figures); `None` until IT sets it.
    pub fn impact_centre_postcode(&self) -> Result<Option<u16>, StoreError> {
        Ok(self
            .get(IMPACT_CENTRE_POSTCODE)?
            .and_then(|p| p.trim().parse::<u16>().ok())
            .filter(|p| balie_impact::places::coordinates(*p).is_some()))
    }

    /// Sets the administrative centre's postcode (a known Belgian postcode; the caller
    /// checks).
    pub fn set_impact_centre_postcode(&self, postcode: u16) -> Result<(), StoreError> {
        setting::set(self.0, IMPACT_CENTRE_POSTCODE, &postcode.to_string())
    }

    /// The assumptions behind the trips, CO2 and cost avoided: the defaults, with what IT
    /// set (`balie-cockpit impact set NAME VALUE`).
    pub fn impact_assumptions(&self) -> Result<balie_impact::Assumptions, StoreError> {
        let mut a = balie_impact::Assumptions::default();
        for (name, _) in balie_impact::trips::SETTABLE {
            if let Some(value) = self.get(&format!("impact.assume.{name}"))? {
                // A value that no longer reads keeps the default.
                let _ = a.set(name, &value);
            }
        }
        Ok(a)
    }

    /// Sets assumption `name` to `value`; refused (with the reason) when either is wrong.
    pub fn set_impact_assumption(
        &self,
        name: &str,
        value: &str,
    ) -> Result<Result<(), String>, StoreError> {
        let mut check = balie_impact::Assumptions::default();
        if let Err(reason) = check.set(name, value) {
            return Ok(Err(reason));
        }
        setting::set(self.0, &format!("impact.assume.{name}"), value.trim())?;
        Ok(Ok(()))
    }

    /// Who receives bank transfers ([`DEFAULT_PAYEE_NAME`] with no account when unset).
    pub fn payee(&self) -> Result<Payee, StoreError> {
        Ok(Payee {
            name: self
                .get(PAYEE_NAME)?
                .unwrap_or_else(|| DEFAULT_PAYEE_NAME.into()),
            iban: self.get(PAYEE_IBAN)?.and_then(|i| Iban::parse(&i).ok()),
            bic: self.get(PAYEE_BIC)?,
        })
    }

    /// Sets who receives bank transfers (`None`: transfers are no longer offered).
    pub fn set_payee(&self, payee: Option<&Payee>) -> Result<(), StoreError> {
        let iban = payee.and_then(|p| p.iban.as_ref()).map(Iban::as_str);
        self.set_or_remove(PAYEE_NAME, payee.map(|p| p.name.as_str()))?;
        self.set_or_remove(PAYEE_IBAN, iban)?;
        self.set_or_remove(PAYEE_BIC, payee.and_then(|p| p.bic.as_deref()))
    }

    /// The window layout remembered for the monitor layout `key`.
    pub fn window_layout(&self, key: &str) -> Result<Option<Layout>, StoreError> {
        window_layout::load(self.0, key)
    }

    /// Remembers the window layout for the monitor layout `key`.
    pub fn remember_window_layout(&self, key: &str, layout: &Layout) -> Result<(), StoreError> {
        window_layout::save(self.0, key, layout)
    }
}

/// The window layouts remembered per monitor layout, as the desktop host reads and keeps
/// them (`cockpit.window_layouts()`).
#[derive(Clone)]
pub struct WindowLayouts {
    store: SharedStore,
}

impl WindowLayouts {
    /// The layouts kept in `store`.
    pub fn new(store: SharedStore) -> Self {
        Self { store }
    }

    /// The layout remembered for the monitor layout `key`.
    pub fn remembered(&self, key: &str) -> Result<Option<Layout>, CockpitError> {
        self.store.with(|c| Settings::of(c).window_layout(key))
    }

    /// Remembers `layout` for the monitor layout `key`.
    pub fn remember(&self, key: &str, layout: &Layout) -> Result<(), CockpitError> {
        self.store
            .with(|c| Settings::of(c).remember_window_layout(key, layout))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> Connection {
        let dir = tempfile::tempdir().unwrap();
        balie_store::open(&dir.path().join("c.sqlite3"), &balie_store::cockpit::SCHEMA).unwrap()
    }

    #[test]
    fn a_payee_is_checked_before_it_is_kept() {
        assert_eq!(
            Payee::parse("", "BE68539007547034", None),
            Err(PayeeError::Name)
        );
        assert_eq!(
            Payee::parse("A\nB", "BE68539007547034", None),
            Err(PayeeError::Name)
        );
        assert!(matches!(
            Payee::parse("Gemeente", "BE68539007547035", None),
            Err(PayeeError::Iban(_))
        ));
        assert_eq!(
            Payee::parse("Gemeente", "BE68539007547034", Some("GKCC")),
            Err(PayeeError::Bic)
        );
        let payee = Payee::parse(
            " Gemeente Zonnedorp ",
            "BE68 5390 0754 7034",
            Some("gkccbebb"),
        )
        .unwrap();
        assert_eq!(payee.name, "Gemeente Zonnedorp");
        assert_eq!(payee.bic.as_deref(), Some("GKCCBEBB"));
        let conn = conn();
        let settings = Settings::of(&conn);
        assert_eq!(settings.payee().unwrap().iban, None);
        settings.set_payee(Some(&payee)).unwrap();
        assert_eq!(settings.payee().unwrap(), payee);
        settings.set_payee(None).unwrap();
        assert_eq!(settings.payee().unwrap().name, DEFAULT_PAYEE_NAME);
        assert_eq!(settings.payee().unwrap().iban, None);
    }

    #[test]
    fn an_unreadable_retention_falls_back_to_two_years() {
        let conn = conn();
        let settings = Settings::of(&conn);
        assert_eq!(settings.retention_days().unwrap(), DEFAULT_RETENTION_DAYS);
        settings.set_retention_days(30).unwrap();
        assert_eq!(settings.retention_days().unwrap(), 30);
        setting::set(&conn, RETENTION_CALL_DAYS, "veel").unwrap();
        assert_eq!(settings.retention_days().unwrap(), DEFAULT_RETENTION_DAYS);
    }
}
