//! The texts the Rust side shows itself (window titles, the menu), from the same catalogs
//! as the UI (`ui/cockpit/src/locales`).

use balie_domain::Locale;
use std::collections::HashMap;
use std::sync::OnceLock;

const SOURCES: [(Locale, &str); 3] = [
    (
        Locale::Nl,
        include_str!("../../../ui/cockpit/src/locales/nl.json"),
    ),
    (
        Locale::Fr,
        include_str!("../../../ui/cockpit/src/locales/fr.json"),
    ),
    (
        Locale::En,
        include_str!("../../../ui/cockpit/src/locales/en.json"),
    ),
];

fn catalogs() -> &'static HashMap<Locale, HashMap<String, String>> {
    static CATALOGS: OnceLock<HashMap<Locale, HashMap<String, String>>> = OnceLock::new();
    CATALOGS.get_or_init(|| {
        SOURCES
            .iter()
            .map(|(locale, json)| (*locale, serde_json::from_str(json).unwrap_or_default()))
            .collect()
    })
}

/// The text for `key` in `locale`, falling back to Dutch, then to the key.
pub fn text(locale: Locale, key: &str) -> String {
    let all = catalogs();
    all.get(&locale)
        .and_then(|c| c.get(key))
        .or_else(|| all.get(&Locale::Nl).and_then(|c| c.get(key)))
        .cloned()
        .unwrap_or_else(|| key.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_catalogs_parse_and_have_the_same_keys() {
        let mut keys: Option<Vec<String>> = None;
        for (locale, json) in SOURCES {
            let map: HashMap<String, String> =
                serde_json::from_str(json).unwrap_or_else(|e| panic!("{locale}: {e}"));
            let mut these: Vec<String> = map.into_keys().collect();
            these.sort();
            match &keys {
                None => keys = Some(these),
                Some(k) => assert_eq!(k, &these, "{locale} differs from nl"),
            }
        }
    }

    #[test]
    fn texts_come_in_the_asked_language() {
        assert_eq!(text(Locale::Nl, "gesprek.new"), "Nieuw gesprek");
        assert_eq!(text(Locale::Fr, "gesprek.new"), "Nouvel entretien");
        assert_eq!(text(Locale::En, "no.such.key"), "no.such.key");
    }
}
