//! Where a citizen lives, as far as the trips need it: the postcode in a Belgian postal
//! address, and a postcode's position — the mean of the places GeoNames lists under it
//! (`data/be-postcodes.tsv`, GeoNames, CC BY 4.0, made by `scripts/postcodes.py`).

use std::collections::HashMap;
use std::sync::OnceLock;

const TABLE: &str = include_str!("../data/be-postcodes.tsv");

fn table() -> &'static HashMap<u16, (f64, f64)> {
    static TABLE_BY_CODE: OnceLock<HashMap<u16, (f64, f64)>> = OnceLock::new();
    TABLE_BY_CODE.get_or_init(|| {
        TABLE
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let mut cols = l.split('\t');
                let code = cols.next()?.parse().ok()?;
                let lat = cols.next()?.parse().ok()?;
                let lon = cols.next()?.parse().ok()?;
                Some((code, (lat, lon)))
            })
            .collect()
    })
}

/// The position (latitude, longitude in degrees) of Belgian postcode `postcode`, if it
/// is one.
pub fn coordinates(postcode: u16) -> Option<(f64, f64)> {
    table().get(&postcode).copied()
}

/// How many postcodes the table holds.
pub fn known_postcodes() -> usize {
    table().len()
}

/// The postcode in a Belgian postal address (`Kerkstraat 12, 9000 Gent`, `B-9000 Gent`):
/// the last four-digit number (1000 to 9999) that stands on its own and is followed by a
/// place name. `None` when there is none (a street number alone is not taken).
pub fn postcode_in(address: &str) -> Option<u16> {
    let chars: Vec<char> = address.chars().collect();
    let mut found = None;
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        if i - start != 4 {
            continue;
        }
        let followed_by_name = chars[i..]
            .iter()
            .find(|c| !c.is_whitespace())
            .is_some_and(|c| c.is_alphabetic());
        let gap = chars.get(i).is_some_and(|c| c.is_whitespace());
        let code: String = chars[start..i].iter().collect();
        if let Ok(code) = code.parse::<u16>()
            && (1000..=9999).contains(&code)
            && gap
            && followed_by_name
        {
            found = Some(code);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_knows_every_belgian_postcode_and_places_them_in_belgium() {
        assert!(known_postcodes() > 1100, "{}", known_postcodes());
        let gent = coordinates(9000).unwrap();
        assert!((gent.0 - 51.05).abs() < 0.05 && (gent.1 - 3.72).abs() < 0.05);
        for (lat, lon) in table().values() {
            assert!((49.4..51.6).contains(lat) && (2.5..6.5).contains(lon));
        }
        assert_eq!(coordinates(1), None);
    }

    #[test]
    fn the_postcode_is_found_in_the_ways_addresses_are_written() {
        assert_eq!(postcode_in("Kerkstraat 12, 9000 Gent"), Some(9000));
        assert_eq!(
            postcode_in("Kerkstraat 12\n9820 Merelbeke-Melle"),
            Some(9820)
        );
        assert_eq!(postcode_in("B-2000 Antwerpen"), Some(2000));
        assert_eq!(postcode_in("Rue de la Loi 16, 1000 Bruxelles"), Some(1000));
        assert_eq!(postcode_in("Lange Straat 1234"), None);
        assert_eq!(postcode_in("Dorp 3, 12345 Ergens"), None);
        assert_eq!(postcode_in("Dorp 3, 0999 Ergens"), None);
        assert_eq!(postcode_in(""), None);
    }
}
