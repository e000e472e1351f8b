use std::fmt;

/// An International Bank Account Number, checked: a known SEPA country's length and the
/// ISO 13616 mod-97 check. Kept without spaces, in capitals.
///
/// The municipality's own IBAN is public; a citizen's is personal data and goes in a
/// [`crate::Pii`].
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Iban(String);

/// The text is not an IBAN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IbanError {
    /// Something other than letters, digits and spaces.
    #[error("an IBAN has only letters, digits and spaces")]
    Characters,
    /// Not a country that uses SEPA transfers (or not a country code at all).
    #[error("an IBAN starts with the code of a SEPA country, e.g. BE")]
    Country,
    /// The wrong length for its country.
    #[error("an IBAN of this country has {expected} characters, got {got}")]
    Length {
        /// For the country.
        expected: usize,
        /// Given.
        got: usize,
    },
    /// The check digits do not match (a typing error).
    #[error("the check digits of this IBAN are wrong")]
    Check,
}

impl IbanError {
    /// The message catalog key that explains this error to the clerk.
    pub fn catalog_key(&self) -> &'static str {
        match self {
            Self::Characters => "iban.characters",
            Self::Country => "iban.country",
            Self::Length { .. } => "iban.length",
            Self::Check => "iban.check",
        }
    }
}

/// IBAN lengths of the SEPA countries (the ISO 13616 registry).
const LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AT", 20),
    ("BE", 16),
    ("BG", 22),
    ("CH", 21),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("EE", 20),
    ("ES", 24),
    ("FI", 18),
    ("FR", 27),
    ("GB", 22),
    ("GI", 23),
    ("GR", 27),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IS", 26),
    ("IT", 27),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MC", 27),
    ("MT", 31),
    ("NL", 18),
    ("NO", 15),
    ("PL", 28),
    ("PT", 25),
    ("RO", 24),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("VA", 22),
];

/// The ISO 7064 mod-97 remainder of the IBAN rearranged: the first four characters moved
/// to the end, letters as 10 to 35.
fn remainder(iban: &str) -> u32 {
    let rearranged = iban[4..].bytes().chain(iban[..4].bytes());
    rearranged.fold(0u32, |acc, b| {
        if b.is_ascii_digit() {
            (acc * 10 + u32::from(b - b'0')) % 97
        } else {
            (acc * 100 + u32::from(b - b'A') + 10) % 97
        }
    })
}

impl Iban {
    /// Reads an IBAN as people write it: `BE71 0961 2345 6769`, any case.
    pub fn parse(text: &str) -> Result<Self, IbanError> {
        let compact: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if !compact.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(IbanError::Characters);
        }
        let country = compact.get(..2).ok_or(IbanError::Country)?;
        let expected = LENGTHS
            .iter()
            .find(|(code, _)| *code == country)
            .map(|(_, len)| *len)
            .ok_or(IbanError::Country)?;
        if compact.len() != expected {
            return Err(IbanError::Length {
                expected,
                got: compact.len(),
            });
        }
        if !compact[2..4].bytes().all(|b| b.is_ascii_digit()) || remainder(&compact) != 1 {
            return Err(IbanError::Check);
        }
        Ok(Self(compact))
    }

    /// The IBAN of `country` for this domestic account number (BBAN), with its check
    /// digits worked out. `None` when the result is not a valid IBAN.
    pub fn from_bban(country: &str, bban: &str) -> Option<Self> {
        let draft = format!("{country}00{bban}");
        if !draft
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
            || draft.len() < 5
        {
            return None;
        }
        let check = 98 - remainder(&draft);
        Self::parse(&format!("{country}{check:02}{bban}")).ok()
    }

    /// The compact form, `BE71096123456769` (for EPC QR codes and providers).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The two-letter country code.
    pub fn country(&self) -> &str {
        &self.0[..2]
    }
}

impl fmt::Display for Iban {
    /// In groups of four, `BE71 0961 2345 6769`, as it is printed for people.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, chunk) in self.0.as_bytes().chunks(4).enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            // The bytes are ASCII letters and digits (checked by `parse`).
            f.write_str(std::str::from_utf8(chunk).map_err(|_| fmt::Error)?)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Iban({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn real_examples_are_accepted_and_printed_in_groups() {
        let be = Iban::parse("be71 0961 2345 6769").unwrap();
        assert_eq!(be.as_str(), "BE71096123456769");
        assert_eq!(be.to_string(), "BE71 0961 2345 6769");
        assert_eq!(be.country(), "BE");
        for example in [
            "NL91ABNA0417164300",
            "FR1420041010050500013M02606",
            "DE89370400440532013000",
            "LU280019400644750000",
        ] {
            assert!(Iban::parse(example).is_ok(), "{example}");
        }
    }

    #[test]
    fn wrong_ibans_are_refused_with_a_reason() {
        assert_eq!(Iban::parse("BE71 0961 2345 6760"), Err(IbanError::Check));
        assert_eq!(
            Iban::parse("BE71 0961 2345 676"),
            Err(IbanError::Length {
                expected: 16,
                got: 15
            })
        );
        assert_eq!(Iban::parse("XX71 0961 2345 6769"), Err(IbanError::Country));
        assert_eq!(
            Iban::parse("BE71-0961-2345-6769"),
            Err(IbanError::Characters)
        );
        assert_eq!(Iban::parse(""), Err(IbanError::Country));
        assert_eq!(Iban::parse("BEAB096123456769"), Err(IbanError::Check));
        assert_eq!(IbanError::Check.catalog_key(), "iban.check");
    }

    proptest! {
        #[test]
        fn made_ibans_read_back(bban in "[0-9]{12}") {
            let iban = Iban::from_bban("BE", &bban).unwrap();
            prop_assert_eq!(Iban::parse(&iban.to_string()), Ok(iban.clone()));
            prop_assert_eq!(Iban::parse(&iban.as_str().to_lowercase()), Ok(iban));
        }

        #[test]
        fn a_changed_digit_is_caught(bban in "[0-9]{12}", at in 2usize..16, by in 1u8..10) {
            let iban = Iban::from_bban("BE", &bban).unwrap();
            let mut bytes = iban.as_str().as_bytes().to_vec();
            bytes[at] = b'0' + (bytes[at] - b'0' + by) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert_eq!(Iban::parse(&changed), Err(IbanError::Check));
        }

        #[test]
        fn parsing_never_panics(text in "\\PC{0,40}") {
            let _ = Iban::parse(&text);
        }
    }
}
