//! The EPC QR code for a SEPA credit transfer (EPC069-12, "SEPA QR"): Belgian bank apps
//! scan it and fill in the transfer. There is no live status: the municipality sees the
//! money on its bank statement, and the clerk may mark the payment received.

use balie_domain::{Iban, Money, StructuredReference};

/// A transfer to put in a QR code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// Who receives the money (the municipality), at most 70 characters.
    pub beneficiary: String,
    /// Its account.
    pub iban: Iban,
    /// Its bank's BIC; may be left out in version 002.
    pub bic: Option<String>,
    /// How much, from €0.01 to €999,999,999.99.
    pub amount: Money,
    /// The structured communication the payment is recognised by.
    pub reference: StructuredReference,
    /// A short note shown to the payer, at most 70 characters.
    pub note: Option<String>,
}

/// Why a transfer cannot be put in an EPC QR code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EpcError {
    /// The beneficiary's name is empty or longer than 70 characters.
    #[error("the beneficiary's name must have 1 to 70 characters")]
    Beneficiary,
    /// The BIC is not 8 or 11 letters and digits.
    #[error("a BIC has 8 or 11 letters and digits")]
    Bic,
    /// The amount is outside €0.01 – €999,999,999.99.
    #[error("an EPC QR code takes amounts from 0.01 to 999999999.99")]
    Amount,
    /// The note is longer than 70 characters or has a line break.
    #[error("the note has at most 70 characters on one line")]
    Note,
    /// The whole is longer than the 331 bytes a scanner must read.
    #[error("the transfer does not fit in an EPC QR code")]
    TooLong,
}

/// The most bytes an EPC QR payload may have.
const MAX_BYTES: usize = 331;

fn one_line(text: &str) -> bool {
    !text.contains(['\n', '\r'])
}

impl Transfer {
    /// The QR code's text: version 002, UTF-8, the reference's twelve digits in the
    /// structured-reference line (where Belgian bank apps read an OGM), trailing empty
    /// lines left out.
    pub fn payload(&self) -> Result<String, EpcError> {
        let name = self.beneficiary.trim();
        if name.is_empty() || name.chars().count() > 70 || !one_line(name) {
            return Err(EpcError::Beneficiary);
        }
        let bic = self.bic.as_deref().map(str::trim).unwrap_or("");
        if !bic.is_empty()
            && (!matches!(bic.len(), 8 | 11) || !bic.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            return Err(EpcError::Bic);
        }
        if self.amount.cents() == 0 || self.amount.cents() > 99_999_999_999 {
            return Err(EpcError::Amount);
        }
        let note = self.note.as_deref().map(str::trim).unwrap_or("");
        if note.chars().count() > 70 || !one_line(note) {
            return Err(EpcError::Note);
        }
        let mut lines = vec![
            "BCD".to_owned(),
            "002".to_owned(),
            "1".to_owned(),
            "SCT".to_owned(),
            bic.to_ascii_uppercase(),
            name.to_owned(),
            self.iban.as_str().to_owned(),
            self.amount.to_epc(),
            String::new(),
            self.reference.digits(),
            String::new(),
            note.to_owned(),
        ];
        while lines.last().is_some_and(String::is_empty) {
            lines.pop();
        }
        let payload = lines.join("\n");
        if payload.len() > MAX_BYTES {
            return Err(EpcError::TooLong);
        }
        Ok(payload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transfer() -> Transfer {
        Transfer {
            beneficiary: "Gemeente Zonnedorp".into(),
            iban: Iban::parse("BE71 0961 2345 6769").unwrap(),
            bic: Some("GKCCBEBB".into()),
            amount: Money::from_cents(4_250),
            reference: StructuredReference::parse("+++123/4567/89002+++").unwrap(),
            note: None,
        }
    }

    #[test]
    fn the_payload_has_the_epc_lines_in_order() {
        assert_eq!(
            transfer().payload().unwrap(),
            "BCD\n002\n1\nSCT\nGKCCBEBB\nGemeente Zonnedorp\nBE71096123456769\nEUR42.50\n\n123456789002"
        );
        let with_note = Transfer {
            note: Some("Zaalhuur 14/12".into()),
            bic: None,
            ..transfer()
        };
        assert_eq!(
            with_note.payload().unwrap(),
            "BCD\n002\n1\nSCT\n\nGemeente Zonnedorp\nBE71096123456769\nEUR42.50\n\n123456789002\n\nZaalhuur 14/12"
        );
    }

    #[test]
    fn what_a_bank_app_cannot_take_is_refused() {
        let bad = |t: Transfer| t.payload().unwrap_err();
        assert_eq!(
            bad(Transfer {
                beneficiary: " ".into(),
                ..transfer()
            }),
            EpcError::Beneficiary
        );
        assert_eq!(
            bad(Transfer {
                beneficiary: "x".repeat(71),
                ..transfer()
            }),
            EpcError::Beneficiary
        );
        assert_eq!(
            bad(Transfer {
                bic: Some("GKCC".into()),
                ..transfer()
            }),
            EpcError::Bic
        );
        assert_eq!(
            bad(Transfer {
                amount: Money::from_cents(0),
                ..transfer()
            }),
            EpcError::Amount
        );
        assert_eq!(
            bad(Transfer {
                amount: Money::from_cents(100_000_000_000),
                ..transfer()
            }),
            EpcError::Amount
        );
        assert_eq!(
            bad(Transfer {
                note: Some("a\nb".into()),
                ..transfer()
            }),
            EpcError::Note
        );
        assert!(
            Transfer {
                amount: Money::from_cents(99_999_999_999),
                ..transfer()
            }
            .payload()
            .is_ok()
        );
    }

    #[test]
    fn the_longest_transfer_fits_the_qr_code_the_guideline_allows() {
        // EPC069-12: error correction M, version 13 at most (331 bytes).
        let version = |payload: &str| {
            qrcode::QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::M)
                .unwrap()
                .version()
        };
        let longest = Transfer {
            beneficiary: "Z".repeat(70),
            note: Some("N".repeat(70)),
            bic: Some("GKCCBEBBXXX".into()),
            amount: Money::from_cents(99_999_999_999),
            ..transfer()
        };
        let payload = longest.payload().unwrap();
        assert!(
            matches!(version(&payload), qrcode::Version::Normal(v) if v <= 13),
            "{} bytes",
            payload.len()
        );
        // The same in two-byte letters is longer than a scanner must read: refused.
        let accented = Transfer {
            beneficiary: "é".repeat(70),
            note: Some("ë".repeat(70)),
            ..longest
        };
        assert_eq!(accented.payload(), Err(EpcError::TooLong));
    }
}
