use std::fmt;

/// A Belgian structured communication (OGM/VCS): ten digits and two check digits, written
/// `+++123/4567/89002+++`. The check digits are the first ten modulo 97, with 0 written
/// as 97.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StructuredReference {
    base: u64,
}

/// The text is not a structured communication.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReferenceError {
    /// Not twelve digits.
    #[error("a structured communication has 12 digits, got {0}")]
    Length(usize),
    /// Something other than digits, `+++`, `***`, slashes and spaces.
    #[error("a structured communication is written +++123/4567/89002+++")]
    Characters,
    /// The last two digits do not match the first ten.
    #[error("the check digits of this structured communication are wrong")]
    Check,
}

impl ReferenceError {
    /// The message catalog key that explains this error to the clerk.
    pub fn catalog_key(&self) -> &'static str {
        match self {
            Self::Length(_) => "reference.length",
            Self::Characters => "reference.characters",
            Self::Check => "reference.check",
        }
    }
}

impl StructuredReference {
    /// The reference for ten digits (`base` below 10 000 000 000), with its check digits.
    pub fn from_base(base: u64) -> Option<Self> {
        (base < 10_000_000_000).then_some(Self { base })
    }

    /// A fresh reference from eight random bytes (the caller owns the randomness). The ten
    /// digits are the bytes modulo 10^10: every reference is about equally likely.
    pub fn from_random_bytes(bytes: [u8; 8]) -> Self {
        Self {
            base: u64::from_le_bytes(bytes) % 10_000_000_000,
        }
    }

    /// Reads a reference as people write it: `+++123/4567/89002+++`, `***…***`, the twelve
    /// digits alone, with or without spaces and slashes.
    pub fn parse(text: &str) -> Result<Self, ReferenceError> {
        let inner = text.trim();
        let inner = inner
            .strip_prefix("+++")
            .and_then(|t| t.strip_suffix("+++"))
            .or_else(|| {
                inner
                    .strip_prefix("***")
                    .and_then(|t| t.strip_suffix("***"))
            })
            .unwrap_or(inner);
        if !inner
            .chars()
            .all(|c| c.is_ascii_digit() || c == '/' || c == ' ')
        {
            return Err(ReferenceError::Characters);
        }
        let digits: String = inner.chars().filter(char::is_ascii_digit).collect();
        if digits.len() != 12 {
            return Err(ReferenceError::Length(digits.len()));
        }
        let (base, check) = digits.split_at(10);
        let reference = Self {
            base: base.parse().map_err(|_| ReferenceError::Characters)?,
        };
        if check.parse::<u64>().ok() != Some(reference.check()) {
            return Err(ReferenceError::Check);
        }
        Ok(reference)
    }

    /// The two check digits, 1 to 97.
    pub fn check(self) -> u64 {
        match self.base % 97 {
            0 => 97,
            rest => rest,
        }
    }

    /// The twelve digits alone, as they go into an EPC QR code or a bank's reference field.
    pub fn digits(self) -> String {
        format!("{:010}{:02}", self.base, self.check())
    }
}

impl fmt::Display for StructuredReference {
    /// `+++123/4567/89002+++`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.digits();
        write!(f, "+++{}/{}/{}+++", &d[..3], &d[3..7], &d[7..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_references_read_and_write() {
        let lowest = StructuredReference::from_base(0).unwrap();
        assert_eq!(lowest.to_string(), "+++000/0000/00097+++");
        let r = StructuredReference::parse("+++123/4567/89002+++").unwrap();
        assert_eq!(r.digits(), "123456789002");
        assert_eq!(StructuredReference::parse("***123/4567/89002***"), Ok(r));
        assert_eq!(StructuredReference::parse("123456789002"), Ok(r));
        assert_eq!(StructuredReference::parse(" 123/4567/89002 "), Ok(r));
        assert!(StructuredReference::from_base(10_000_000_000).is_none());
    }

    #[test]
    fn wrong_references_are_refused_with_a_reason() {
        assert_eq!(
            StructuredReference::parse("+++123/4567/89003+++"),
            Err(ReferenceError::Check)
        );
        assert_eq!(
            StructuredReference::parse("+++123/4567/8900+++"),
            Err(ReferenceError::Length(11))
        );
        assert_eq!(
            StructuredReference::parse("+++123-4567-89002+++"),
            Err(ReferenceError::Characters)
        );
        assert_eq!(
            StructuredReference::parse(""),
            Err(ReferenceError::Length(0))
        );
        assert_eq!(ReferenceError::Check.catalog_key(), "reference.check");
    }

    proptest! {
        #[test]
        fn written_references_read_back(base in 0u64..10_000_000_000) {
            let r = StructuredReference::from_base(base).unwrap();
            prop_assert_eq!(StructuredReference::parse(&r.to_string()), Ok(r));
            prop_assert_eq!(StructuredReference::parse(&r.digits()), Ok(r));
        }

        #[test]
        fn a_changed_digit_is_caught(base in 0u64..10_000_000_000, at in 0usize..12, by in 1u8..10) {
            let r = StructuredReference::from_base(base).unwrap();
            let mut digits = r.digits().into_bytes();
            digits[at] = b'0' + (digits[at] - b'0' + by) % 10;
            let changed = String::from_utf8(digits).unwrap();
            // Changing the check digits to 00 is a length-valid but impossible check.
            prop_assert!(StructuredReference::parse(&changed).is_err(), "{} accepted", changed);
        }

        #[test]
        fn random_references_are_valid(bytes in any::<[u8; 8]>()) {
            let r = StructuredReference::from_random_bytes(bytes);
            prop_assert_eq!(StructuredReference::parse(&r.to_string()), Ok(r));
        }
    }
}
