//! The citizen page's message catalogs (`ui/citizen/locales/*.json`), compiled in.

use balie_domain::Locale;
use std::collections::HashMap;

const SOURCES: [(Locale, &str); 3] = [
    (
        Locale::Nl,
        include_str!("../../../ui/citizen/locales/nl.json"),
    ),
    (
        Locale::Fr,
        include_str!("../../../ui/citizen/locales/fr.json"),
    ),
    (
        Locale::En,
        include_str!("../../../ui/citizen/locales/en.json"),
    ),
];

/// Every catalog, by locale.
pub(crate) struct Catalogs {
    by_locale: HashMap<Locale, HashMap<String, String>>,
}

impl Catalogs {
    /// Parses the compiled-in catalogs. A catalog that does not parse is a build defect
    /// caught by the `catalogs_parse_and_share_their_keys` test; at run time it degrades
    /// to showing message keys rather than failing requests.
    pub(crate) fn load() -> Self {
        let by_locale = SOURCES
            .iter()
            .map(|(locale, json)| {
                let map = serde_json::from_str(json).unwrap_or_else(|e| {
                    tracing::error!(%locale, error = %e, "citizen catalog does not parse");
                    HashMap::new()
                });
                (*locale, map)
            })
            .collect();
        Self { by_locale }
    }

    /// The text for `key` in `locale`, falling back to Dutch, then to the key itself.
    pub(crate) fn text<'a>(&'a self, locale: Locale, key: &'a str) -> &'a str {
        self.by_locale
            .get(&locale)
            .and_then(|m| m.get(key))
            .or_else(|| self.by_locale.get(&Locale::Nl).and_then(|m| m.get(key)))
            .map_or(key, String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogs_parse_and_share_their_keys() {
        let mut keys: Option<Vec<String>> = None;
        for (locale, json) in SOURCES {
            let map: HashMap<String, String> =
                serde_json::from_str(json).unwrap_or_else(|e| panic!("{locale}: {e}"));
            let mut these: Vec<String> = map.into_keys().collect();
            these.sort();
            match &keys {
                None => keys = Some(these),
                Some(k) => assert_eq!(k, &these, "{locale} has other keys than nl"),
            }
        }
    }
}
