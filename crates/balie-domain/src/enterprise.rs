use std::fmt;

/// A Belgian enterprise number (KBO/BCE), the id of companies and associations: ten
/// digits, starting with 0 or 1, written `0123.456.749`. The last two digits are 97 minus
/// the first eight modulo 97.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EnterpriseNumber {
    digits: u64,
}

/// The text is not an enterprise number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EnterpriseNumberError {
    /// Not ten digits (nine-digit old numbers get a leading 0 first).
    #[error("an enterprise number has 10 digits, got {0}")]
    Length(usize),
    /// Something other than digits, dots, spaces and a leading `BE`.
    #[error("an enterprise number is written 0123.456.749")]
    Characters,
    /// Does not start with 0 or 1.
    #[error("an enterprise number starts with 0 or 1")]
    Start,
    /// The check digits do not match.
    #[error("the check digits of this enterprise number are wrong")]
    Check,
}

impl EnterpriseNumberError {
    /// The message catalog key that explains this error to the clerk.
    pub fn catalog_key(&self) -> &'static str {
        match self {
            Self::Length(_) => "enterprise.length",
            Self::Characters => "enterprise.characters",
            Self::Start => "enterprise.start",
            Self::Check => "enterprise.check",
        }
    }
}

impl EnterpriseNumber {
    /// Reads a number as people write it: `0123.456.749`, `0123 456 749`, `BE0123456749`,
    /// or an old nine-digit number (`123.456.749`), which gets its leading 0.
    pub fn parse(text: &str) -> Result<Self, EnterpriseNumberError> {
        let trimmed = text.trim();
        let trimmed = trimmed
            .strip_prefix("BE")
            .or_else(|| trimmed.strip_prefix("be"))
            .unwrap_or(trimmed);
        let mut digits = String::with_capacity(10);
        for c in trimmed.chars() {
            match c {
                '0'..='9' => digits.push(c),
                '.' | ' ' | '\u{a0}' => {}
                _ => return Err(EnterpriseNumberError::Characters),
            }
        }
        if digits.len() == 9 {
            digits.insert(0, '0');
        }
        if digits.len() != 10 {
            return Err(EnterpriseNumberError::Length(digits.len()));
        }
        if !digits.starts_with(['0', '1']) {
            return Err(EnterpriseNumberError::Start);
        }
        let value: u64 = digits
            .parse()
            .map_err(|_| EnterpriseNumberError::Characters)?;
        let number = Self { digits: value };
        if number.check() != value % 100 {
            return Err(EnterpriseNumberError::Check);
        }
        Ok(number)
    }

    /// The number for eight leading digits (the first 0 or 1), with its check digits.
    pub fn from_base(base: u64) -> Option<Self> {
        (base < 20_000_000).then(|| Self {
            digits: base * 100 + (97 - base % 97),
        })
    }

    fn check(self) -> u64 {
        97 - (self.digits / 100) % 97
    }

    /// The ten digits, as stored (`0123456749`).
    pub fn digits(self) -> String {
        format!("{:010}", self.digits)
    }
}

impl fmt::Display for EnterpriseNumber {
    /// `0123.456.749`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.digits();
        write!(f, "{}.{}.{}", &d[..4], &d[4..7], &d[7..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_numbers_are_read_in_every_usual_form() {
        // The KBO's own number and a few public companies'.
        for text in [
            "0203.201.340",
            "BE0203201340",
            "0203 201 340",
            "203.201.340",
        ] {
            let n = EnterpriseNumber::parse(text).unwrap();
            assert_eq!(n.to_string(), "0203.201.340", "{text}");
            assert_eq!(n.digits(), "0203201340");
        }
        assert_eq!(
            EnterpriseNumber::parse("0403.199.702").unwrap().to_string(),
            "0403.199.702"
        );
    }

    #[test]
    fn wrong_numbers_are_refused_with_their_reason() {
        assert_eq!(
            EnterpriseNumber::parse("0203.201.341"),
            Err(EnterpriseNumberError::Check)
        );
        assert_eq!(
            EnterpriseNumber::parse("2203.201.340"),
            Err(EnterpriseNumberError::Start)
        );
        assert_eq!(
            EnterpriseNumber::parse("0203.201"),
            Err(EnterpriseNumberError::Length(7))
        );
        assert_eq!(
            EnterpriseNumber::parse("0203-201-340"),
            Err(EnterpriseNumberError::Characters)
        );
        assert_eq!(
            EnterpriseNumber::parse(""),
            Err(EnterpriseNumberError::Length(0))
        );
    }

    proptest::proptest! {
        #[test]
        fn every_made_number_round_trips_and_any_changed_digit_is_caught(
            base in 0u64..20_000_000, position in 0usize..10, delta in 1u64..10
        ) {
            let n = EnterpriseNumber::from_base(base).unwrap();
            proptest::prop_assert_eq!(EnterpriseNumber::parse(&n.to_string()), Ok(n));
            let mut digits: Vec<u8> = n.digits().into_bytes();
            digits[position] = b'0' + ((u64::from(digits[position] - b'0') + delta) % 10) as u8;
            let changed = String::from_utf8(digits).unwrap();
            proptest::prop_assert!(EnterpriseNumber::parse(&changed).is_err(), "{}", changed);
        }

        #[test]
        fn no_text_makes_it_panic(text in "\\PC{0,20}") {
            let _ = EnterpriseNumber::parse(&text);
        }
    }
}
