use std::fmt;
use std::str::FromStr;

/// A language Balie speaks to people in. Dutch (Flanders) comes first: it is the
/// default whenever nothing better is known.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    /// Dutch as written in Belgium (nl-BE).
    #[default]
    Nl,
    /// French as written in Belgium (fr-BE).
    Fr,
    /// English.
    En,
}

impl Locale {
    /// Every supported locale, in the order they are offered.
    pub const ALL: [Locale; 3] = [Locale::Nl, Locale::Fr, Locale::En];

    /// The two-letter code (`nl`, `fr`, `en`).
    pub fn code(self) -> &'static str {
        match self {
            Locale::Nl => "nl",
            Locale::Fr => "fr",
            Locale::En => "en",
        }
    }

    /// The BCP 47 tag to put in `lang` attributes.
    pub fn bcp47(self) -> &'static str {
        match self {
            Locale::Nl => "nl-BE",
            Locale::Fr => "fr-BE",
            Locale::En => "en",
        }
    }

    /// The language's name in that language, for a language chooser.
    pub fn endonym(self) -> &'static str {
        match self {
            Locale::Nl => "Nederlands",
            Locale::Fr => "Français",
            Locale::En => "English",
        }
    }

    /// Picks the best locale for an HTTP `Accept-Language` header, falling back to Dutch.
    pub fn negotiate(accept_language: &str) -> Locale {
        Self::from_accept_language(accept_language).unwrap_or_default()
    }

    /// The best supported locale in an HTTP `Accept-Language` header (RFC 9110 §12.5.4),
    /// or `None` when it names none of them.
    ///
    /// Unparseable parts are skipped, never an error: a browser's odd header must not
    /// keep anyone from their conversation.
    pub fn from_accept_language(accept_language: &str) -> Option<Locale> {
        let mut best: Option<(u16, usize, Locale)> = None;
        for (position, part) in accept_language.split(',').enumerate() {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim();
            let quality = pieces
                .filter_map(|p| p.trim().strip_prefix("q="))
                .next()
                .map_or(Some(1000), parse_quality);
            let (Some(quality), Ok(locale)) = (quality, tag.parse::<Locale>()) else {
                continue;
            };
            if quality == 0 {
                continue;
            }
            // Higher quality wins; on a tie the earlier entry wins.
            let better = match best {
                None => true,
                Some((q, _, _)) => quality > q,
            };
            if better {
                best = Some((quality, position, locale));
            }
        }
        best.map(|(_, _, locale)| locale)
    }
}

/// Parses an HTTP quality value (`0` … `1.000`) into thousandths.
fn parse_quality(text: &str) -> Option<u16> {
    let text = text.trim();
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let int: u16 = match int {
        "0" => 0,
        "1" => 1,
        _ => return None,
    };
    let mut thousandths = 0u16;
    for (i, digit) in frac.bytes().enumerate() {
        thousandths += u16::from(digit - b'0') * [100, 10, 1][i];
    }
    let value = int * 1000 + thousandths;
    (value <= 1000).then_some(value)
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The text was not a language Balie speaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported language {0:?}; expected nl, fr or en")]
pub struct UnsupportedLocale(String);

impl FromStr for Locale {
    type Err = UnsupportedLocale;

    /// Accepts a language tag such as `nl`, `nl-BE`, `FR_be` or `en-GB`.
    fn from_str(tag: &str) -> Result<Self, Self::Err> {
        let primary = tag.split(['-', '_']).next().unwrap_or("");
        match primary.to_ascii_lowercase().as_str() {
            "nl" => Ok(Locale::Nl),
            "fr" => Ok(Locale::Fr),
            "en" => Ok(Locale::En),
            _ => Err(UnsupportedLocale(tag.chars().take(16).collect())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn negotiate_follows_quality_then_order() {
        assert_eq!(Locale::negotiate("fr-BE,fr;q=0.9,en;q=0.8"), Locale::Fr);
        assert_eq!(Locale::negotiate("de-DE,en;q=0.7,nl;q=0.8"), Locale::Nl);
        assert_eq!(Locale::negotiate("en-GB,en;q=0.9"), Locale::En);
        assert_eq!(Locale::negotiate("en;q=0.5,fr;q=0.5"), Locale::En);
        assert_eq!(Locale::negotiate("de,es"), Locale::Nl);
        assert_eq!(Locale::negotiate("fr;q=0,en;q=0.1"), Locale::En);
        assert_eq!(Locale::negotiate(""), Locale::Nl);
        assert_eq!(Locale::negotiate("fr;q=abc,en"), Locale::En);
    }

    #[test]
    fn parses_tags_in_any_case_and_separator() {
        assert_eq!("nl-BE".parse::<Locale>(), Ok(Locale::Nl));
        assert_eq!("FR_be".parse::<Locale>(), Ok(Locale::Fr));
        assert!("de".parse::<Locale>().is_err());
    }

    proptest! {
        #[test]
        fn negotiate_never_panics(header in ".{0,200}") {
            let _ = Locale::negotiate(&header);
        }
    }
}
