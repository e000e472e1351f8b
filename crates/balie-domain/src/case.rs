//! Case files: who a case is for and where it stands.

use serde::{Deserialize, Serialize};

/// What kind of party a case is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    /// A person.
    Citizen,
    /// A company (with an enterprise number).
    Company,
    /// An association (usually with an enterprise number).
    Association,
}

impl PartyKind {
    /// Every kind, in the order a form offers them.
    pub const ALL: [PartyKind; 3] = [Self::Citizen, Self::Company, Self::Association];

    /// Its name in storage and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Citizen => "citizen",
            Self::Company => "company",
            Self::Association => "association",
        }
    }

    /// The kind named `name` (as [`Self::as_str`] writes it).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Received, nobody on it yet.
    New,
    /// Being handled.
    InProgress,
    /// Waiting for the applicant or someone else.
    Waiting,
    /// Decided: yes.
    Approved,
    /// Decided: no.
    Refused,
    /// Done.
    Closed,
}

impl CaseStatus {
    /// Every status, in the order a case usually goes.
    pub const ALL: [CaseStatus; 6] = [
        Self::New,
        Self::InProgress,
        Self::Waiting,
        Self::Approved,
        Self::Refused,
        Self::Closed,
    ];

    /// Its name in storage and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::InProgress => "in_progress",
            Self::Waiting => "waiting",
            Self::Approved => "approved",
            Self::Refused => "refused",
            Self::Closed => "closed",
        }
    }

    /// The status named `name` (as [`Self::as_str`] writes it).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_name_is_the_stored_name() {
        for status in CaseStatus::ALL {
            let wire = serde_json::to_value(status).unwrap();
            assert_eq!(wire, status.as_str());
            assert_eq!(CaseStatus::from_name(status.as_str()), Some(status));
        }
        for kind in PartyKind::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
            assert_eq!(PartyKind::from_name(kind.as_str()), Some(kind));
        }
        assert_eq!(CaseStatus::from_name("In_progress"), None);
    }
}
