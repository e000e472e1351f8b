use crate::Locale;
use std::fmt;

/// An amount in euro, as a whole number of cents. Never a float: parsing and formatting
/// work on the digits.
///
/// `Money` is never negative (refunds are events of their own, not negative payments).
/// Whether zero or a large amount may be asked is the payment's rule, not the number's.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct Money(u64);

/// The text is not an amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MoneyError {
    /// Nothing but spaces (and perhaps a euro sign).
    #[error("no amount given")]
    Empty,
    /// A minus sign.
    #[error("an amount cannot be negative")]
    Negative,
    /// More than two digits after the decimal separator.
    #[error("an amount has at most two decimals, got {0}")]
    TooManyDecimals(usize),
    /// Something other than digits, one decimal separator and thousands separators.
    #[error("an amount is written with digits, e.g. 12,50")]
    NotANumber,
    /// Thousands separators in the wrong places (e.g. `1.23,00`).
    #[error("the thousands separators are misplaced")]
    Grouping,
    /// Beyond what can be counted in cents.
    #[error("the amount is too large")]
    TooLarge,
}

impl MoneyError {
    /// The message catalog key that explains this error to the clerk.
    pub fn catalog_key(&self) -> &'static str {
        match self {
            Self::Empty => "money.empty",
            Self::Negative => "money.negative",
            Self::TooManyDecimals(_) => "money.too_many_decimals",
            Self::NotANumber => "money.not_a_number",
            Self::Grouping => "money.grouping",
            Self::TooLarge => "money.too_large",
        }
    }
}

/// Thousands separators people type or paste: space, no-break space and narrow no-break
/// space (fr-BE), apostrophe.
fn is_group_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\'')
}

impl Money {
    /// The largest amount: what fits in cents with room for sums (about 92 trillion euro).
    pub const MAX: Money = Money(i64::MAX as u64);

    /// An amount of `cents` euro cents.
    pub const fn from_cents(cents: u64) -> Self {
        Self(cents)
    }

    /// The amount in cents (what Bancontact Pay and Stripe take).
    pub const fn cents(self) -> u64 {
        self.0
    }

    /// Whether the amount is zero.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Reads an amount as a clerk types it, in any of our languages: `12,50`, `12.50`,
    /// `€ 12,50`, `12,50 €`, `1.234,56`, `1 234,56`, `1,234.56`, `12`, `12,5`.
    ///
    /// When both `,` and `.` appear, the last one is the decimal separator and the other
    /// groups thousands; when only one appears it is the decimal separator, so `1.234`
    /// is refused as three decimals rather than guessed.
    pub fn parse(text: &str) -> Result<Self, MoneyError> {
        let trimmed = text
            .trim()
            .trim_start_matches(['€', '+'])
            .trim_end_matches('€');
        let trimmed = trimmed.trim_matches(|c: char| c.is_whitespace());
        let trimmed = trimmed
            .strip_prefix("EUR")
            .or_else(|| trimmed.strip_suffix("EUR"))
            .unwrap_or(trimmed)
            .trim();
        if trimmed.is_empty() {
            return Err(MoneyError::Empty);
        }
        if trimmed.starts_with('-') || trimmed.starts_with('−') || trimmed.ends_with('-') {
            return Err(MoneyError::Negative);
        }
        let decimal_at = match (trimmed.rfind(','), trimmed.rfind('.')) {
            (Some(c), Some(d)) => Some(c.max(d)),
            (Some(c), None) => Some(c),
            (None, Some(d)) => Some(d),
            (None, None) => None,
        };
        let (whole, fraction) = match decimal_at {
            Some(at) => (&trimmed[..at], &trimmed[at + 1..]),
            None => (trimmed, ""),
        };
        if !fraction.chars().all(|c| c.is_ascii_digit()) {
            return Err(MoneyError::NotANumber);
        }
        if fraction.len() > 2 {
            return Err(MoneyError::TooManyDecimals(fraction.len()));
        }
        // The separator not used for decimals may group thousands in the whole part.
        let group_mark = match decimal_at.map(|at| &trimmed[at..=at]) {
            Some(",") => '.',
            Some(_) => ',',
            None => '\0',
        };
        let whole_digits = digits_of_grouped(whole, group_mark)?;
        if whole_digits.is_empty() && fraction.is_empty() {
            return Err(MoneyError::NotANumber);
        }
        let mut cents: u64 = 0;
        for digit in whole_digits
            .bytes()
            .chain(fraction.bytes())
            .chain(std::iter::repeat_n(b'0', 2 - fraction.len()))
        {
            cents = cents
                .checked_mul(10)
                .and_then(|c| c.checked_add(u64::from(digit - b'0')))
                .ok_or(MoneyError::TooLarge)?;
        }
        if cents > Self::MAX.0 {
            return Err(MoneyError::TooLarge);
        }
        Ok(Self(cents))
    }

    /// Reads a provider's wire amount: digits, a dot and exactly two decimals (`12.50`),
    /// as Mollie sends it. Anything else is refused.
    pub fn from_decimal_str(text: &str) -> Result<Self, MoneyError> {
        let (whole, fraction) = text.split_once('.').ok_or(MoneyError::NotANumber)?;
        if whole.is_empty()
            || fraction.len() != 2
            || !whole
                .bytes()
                .chain(fraction.bytes())
                .all(|b| b.is_ascii_digit())
        {
            return Err(MoneyError::NotANumber);
        }
        Self::parse(text)
    }

    /// The wire form with a dot and two decimals: `12.50` (Mollie's `value`).
    pub fn to_decimal_string(self) -> String {
        format!("{}.{:02}", self.0 / 100, self.0 % 100)
    }

    /// The amount field of an EPC QR code: `EUR12.50`.
    pub fn to_epc(self) -> String {
        format!("EUR{}", self.to_decimal_string())
    }

    /// The amount as people read it in `locale`: `€ 1.234,56` (nl-BE), `1 234,56 €` (fr-BE,
    /// narrow no-break spaces), `€1,234.56` (en).
    pub fn format(self, locale: Locale) -> String {
        let (group, decimal) = match locale {
            Locale::Nl => (".", ","),
            Locale::Fr => ("\u{202f}", ","),
            Locale::En => (",", "."),
        };
        let whole = self.0 / 100;
        let digits = whole.to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 * 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push_str(group);
            }
            grouped.push(c);
        }
        let number = format!("{grouped}{decimal}{:02}", self.0 % 100);
        match locale {
            Locale::Nl => format!("€\u{a0}{number}"),
            Locale::Fr => format!("{number}\u{a0}€"),
            Locale::En => format!("€{number}"),
        }
    }
}

/// The digits of a whole part written with optional thousands separators: `group_mark`
/// or spaces, each followed by exactly three digits.
fn digits_of_grouped(whole: &str, group_mark: char) -> Result<String, MoneyError> {
    let groups: Vec<&str> = whole
        .split(|c: char| c == group_mark || is_group_space(c))
        .collect();
    if groups
        .iter()
        .any(|g| !g.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(MoneyError::NotANumber);
    }
    if groups.len() > 1 {
        let first_ok = (1..=3).contains(&groups[0].len());
        if !first_ok || groups[1..].iter().any(|g| g.len() != 3) {
            return Err(MoneyError::Grouping);
        }
    }
    Ok(groups.concat())
}

impl fmt::Display for Money {
    /// The wire form, `12.50`; use [`Money::format`] for people.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_decimal_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn clerks_can_type_amounts_the_way_they_write_them() {
        let cents = |text: &str| Money::parse(text).map(Money::cents);
        assert_eq!(cents("12,50"), Ok(1250));
        assert_eq!(cents("12.50"), Ok(1250));
        assert_eq!(cents("€ 12,50"), Ok(1250));
        assert_eq!(cents("12,50 €"), Ok(1250));
        assert_eq!(cents("EUR 12.50"), Ok(1250));
        assert_eq!(cents("12,5"), Ok(1250));
        assert_eq!(cents("12"), Ok(1200));
        assert_eq!(cents(",50"), Ok(50));
        assert_eq!(cents("1.234,56"), Ok(123_456));
        assert_eq!(cents("1 234,56"), Ok(123_456));
        assert_eq!(cents("1\u{202f}234,56"), Ok(123_456));
        assert_eq!(cents("1,234.56"), Ok(123_456));
        assert_eq!(cents("0"), Ok(0));
    }

    #[test]
    fn unclear_amounts_are_refused_with_a_reason() {
        assert_eq!(Money::parse(""), Err(MoneyError::Empty));
        assert_eq!(Money::parse(" € "), Err(MoneyError::Empty));
        assert_eq!(Money::parse("-5"), Err(MoneyError::Negative));
        assert_eq!(Money::parse("€ -5,00"), Err(MoneyError::Negative));
        assert_eq!(Money::parse("12,505"), Err(MoneyError::TooManyDecimals(3)));
        assert_eq!(Money::parse("1.234"), Err(MoneyError::TooManyDecimals(3)));
        assert_eq!(Money::parse("twaalf"), Err(MoneyError::NotANumber));
        assert_eq!(Money::parse("12,5a"), Err(MoneyError::NotANumber));
        assert_eq!(Money::parse("1e3"), Err(MoneyError::NotANumber));
        assert_eq!(Money::parse("."), Err(MoneyError::NotANumber));
        assert_eq!(Money::parse("1.23,00"), Err(MoneyError::Grouping));
        assert_eq!(Money::parse("12 34,00"), Err(MoneyError::Grouping));
        assert_eq!(
            Money::parse("99999999999999999999"),
            Err(MoneyError::TooLarge)
        );
        assert_eq!(MoneyError::Grouping.catalog_key(), "money.grouping");
    }

    #[test]
    fn amounts_read_as_each_language_writes_them() {
        let m = Money::from_cents(123_456);
        assert_eq!(m.format(Locale::Nl), "€\u{a0}1.234,56");
        assert_eq!(m.format(Locale::Fr), "1\u{202f}234,56\u{a0}€");
        assert_eq!(m.format(Locale::En), "€1,234.56");
        assert_eq!(Money::from_cents(5).format(Locale::Nl), "€\u{a0}0,05");
        assert_eq!(m.to_decimal_string(), "1234.56");
        assert_eq!(m.to_epc(), "EUR1234.56");
    }

    #[test]
    fn the_wire_form_is_strict() {
        assert_eq!(
            Money::from_decimal_str("12.50"),
            Ok(Money::from_cents(1250))
        );
        for bad in [
            "12.5", "12,50", "12", "-1.00", ".50", "1 234.00", "12.500", "1e2.00",
        ] {
            assert!(Money::from_decimal_str(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn formatting_then_parsing_gives_the_same_cents(cents in 0u64..=Money::MAX.cents()) {
            let money = Money::from_cents(cents);
            for locale in [Locale::Nl, Locale::Fr, Locale::En] {
                prop_assert_eq!(Money::parse(&money.format(locale)), Ok(money));
            }
            prop_assert_eq!(Money::from_decimal_str(&money.to_decimal_string()), Ok(money));
        }

        #[test]
        fn parsing_never_panics(text in "\\PC{0,24}") {
            let _ = Money::parse(&text);
            let _ = Money::from_decimal_str(&text);
        }
    }
}
