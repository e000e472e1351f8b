use std::fmt;

/// A Belgian national register number (*rijksregisternummer*), or a BIS number: eleven
/// digits written `85.07.30-033.28`. The first six are the birth date `YYMMDD` (a BIS
/// number adds 20 or 40 to the month; month 0 or day 0 when the date is unknown), three
/// are a serial, and the last two are 97 minus the first nine modulo 97 — with a `2` put
/// before the nine for people born from 2000 on, which is how the century is told.
///
/// It never prints in full by accident: `Display` and `Debug` give the masked form
/// `85.07.30-***.**`; [`NationalNumber::digits`] is the full number for a comparison or a
/// record that needs it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct NationalNumber {
    digits: u64,
    born_2000s: bool,
}

/// The text is not a national register number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NationalNumberError {
    /// Not eleven digits.
    #[error("a national register number has 11 digits, got {0}")]
    Length(usize),
    /// Something other than digits, dots, dashes and spaces.
    #[error("a national register number is written 85.07.30-033.28")]
    Characters,
    /// The check digits match neither century.
    #[error("the check digits of this national register number are wrong")]
    Check,
}

impl NationalNumberError {
    /// The message catalog key that explains this error to the clerk.
    pub fn catalog_key(&self) -> &'static str {
        match self {
            Self::Length(_) => "national_number.length",
            Self::Characters => "national_number.characters",
            Self::Check => "national_number.check",
        }
    }
}

impl NationalNumber {
    /// Reads a number as people and providers write it: `85.07.30-033.28`,
    /// `85073003328`, with spaces.
    pub fn parse(text: &str) -> Result<Self, NationalNumberError> {
        let mut digits = String::with_capacity(11);
        for c in text.trim().chars() {
            match c {
                '0'..='9' => digits.push(c),
                '.' | '-' | ' ' | '\u{a0}' => {}
                _ => return Err(NationalNumberError::Characters),
            }
        }
        if digits.len() != 11 {
            return Err(NationalNumberError::Length(digits.len()));
        }
        let value: u64 = digits
            .parse()
            .map_err(|_| NationalNumberError::Characters)?;
        let base = value / 100;
        let check = value % 100;
        let born_2000s = if 97 - (2_000_000_000 + base) % 97 == check {
            true
        } else if 97 - base % 97 == check {
            false
        } else {
            return Err(NationalNumberError::Check);
        };
        Ok(Self {
            digits: value,
            born_2000s,
        })
    }

    /// The eleven digits, e.g. `85073003328`.
    pub fn digits(&self) -> String {
        format!("{:011}", self.digits)
    }

    /// Written in full: `85.07.30-033.28`.
    pub fn formatted(&self) -> String {
        let d = self.digits();
        format!(
            "{}.{}.{}-{}.{}",
            &d[0..2],
            &d[2..4],
            &d[4..6],
            &d[6..9],
            &d[9..11]
        )
    }

    /// Masked as a clerk sees it: the birth date part only, `85.07.30-***.**`.
    pub fn masked(&self) -> String {
        let d = self.digits();
        format!("{}.{}.{}-***.**", &d[0..2], &d[2..4], &d[4..6])
    }

    /// The birth date `YYYY-MM-DD` the number holds, if it holds one (not for a BIS
    /// number's unknown date, nor a day that does not exist).
    pub fn birth_date(&self) -> Option<String> {
        let d = self.digits();
        let yy: i16 = d[0..2].parse().ok()?;
        let mm: i8 = d[2..4].parse().ok()?;
        let dd: i8 = d[4..6].parse().ok()?;
        let year = if self.born_2000s {
            2000 + yy
        } else {
            1900 + yy
        };
        let month = match mm {
            1..=12 => mm,
            21..=32 => mm - 20,
            41..=52 => mm - 40,
            _ => return None,
        };
        let date = jiff::civil::Date::new(year, month, dd).ok()?;
        Some(date.to_string())
    }
}

impl fmt::Display for NationalNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for NationalNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NationalNumber({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The number for a base of nine digits, in the given century.
    fn with_check(base: u64, born_2000s: bool) -> String {
        let n = if born_2000s {
            2_000_000_000 + base
        } else {
            base
        };
        format!("{:09}{:02}", base, 97 - n % 97)
    }

    #[test]
    fn numbers_of_both_centuries_give_their_birth_date() {
        let old = NationalNumber::parse(&with_check(850_730_033, false)).unwrap();
        assert_eq!(old.birth_date().as_deref(), Some("1985-07-30"));
        assert_eq!(old.masked(), "85.07.30-***.**");
        assert_eq!(format!("{old} {old:?}").matches("033").count(), 0);
        let young = NationalNumber::parse(&with_check(50_315_123, true)).unwrap();
        assert_eq!(young.birth_date().as_deref(), Some("2005-03-15"));
        let bis = NationalNumber::parse(&with_check(852_730_033, false)).unwrap();
        assert_eq!(bis.birth_date().as_deref(), Some("1985-07-30"));
        let unknown = NationalNumber::parse(&with_check(850_000_033, false)).unwrap();
        assert_eq!(unknown.birth_date(), None);
    }

    #[test]
    fn written_forms_are_read_and_mistakes_refused() {
        let n = with_check(850_730_033, false);
        let formatted = NationalNumber::parse(&n).unwrap().formatted();
        assert_eq!(NationalNumber::parse(&formatted).unwrap().digits(), n);
        assert_eq!(
            NationalNumber::parse("85.07.30"),
            Err(NationalNumberError::Length(6))
        );
        assert_eq!(
            NationalNumber::parse("85073003x28"),
            Err(NationalNumberError::Characters)
        );
        let mut wrong = n.into_bytes();
        wrong[10] = if wrong[10] == b'9' {
            b'0'
        } else {
            wrong[10] + 1
        };
        assert_eq!(
            NationalNumber::parse(std::str::from_utf8(&wrong).unwrap()),
            Err(NationalNumberError::Check)
        );
    }

    proptest! {
        #[test]
        fn every_number_with_its_check_digits_reads_back(base in 0u64..1_000_000_000, young: bool) {
            let text = with_check(base, young);
            let n = NationalNumber::parse(&text).unwrap();
            prop_assert_eq!(n.digits(), text);
            prop_assert!(n.masked().ends_with("-***.**"));
            prop_assert_eq!(n.masked().len(), 15);
        }

        #[test]
        fn one_changed_digit_is_caught(base in 0u64..1_000_000_000, young: bool, at in 0usize..11, by in 1u8..10) {
            let mut digits = with_check(base, young).into_bytes();
            digits[at] = b'0' + (digits[at] - b'0' + by) % 10;
            let changed = String::from_utf8(digits).unwrap();
            // A change may land on the other century's valid number; never on this one.
            if let Ok(n) = NationalNumber::parse(&changed) {
                prop_assert_ne!(n.born_2000s, young);
            }
        }
    }
}
