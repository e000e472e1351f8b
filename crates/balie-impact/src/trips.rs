//! Trips avoided: every conversation that took place is a round trip to the town hall the
//! citizen did not make. Its length comes from the citizen's postcode when it was known
//! (the straight line between the postcode's centre and the administrative centre, times
//! a road factor, at least a minimum), else from a configured average. CO2 and cost follow
//! per kilometre. Every number here is an assumption the municipality can set; the report
//! prints the ones it used.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The assumptions behind the trips, CO2 and travel cost avoided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Assumptions {
    /// One-way distance when the citizen's postcode is not known, in metres.
    pub average_one_way_m: u32,
    /// How much longer the road is than the straight line, in thousandths (1300 = 1.3).
    pub road_factor_milli: u32,
    /// The shortest one-way trip counted, in metres (someone living near the town hall
    /// still comes and goes).
    pub minimum_one_way_m: u32,
    /// Grams of CO2 per kilometre driven.
    pub co2_g_per_km: u32,
    /// Travel cost per kilometre, in hundredths of a euro cent (4320 is €0.4320).
    pub cost_per_km_centi_cents: u32,
}

impl Default for Assumptions {
    fn default() -> Self {
        Self {
            average_one_way_m: DEFAULT_AVERAGE_ONE_WAY_M,
            road_factor_milli: DEFAULT_ROAD_FACTOR_MILLI,
            minimum_one_way_m: DEFAULT_MINIMUM_ONE_WAY_M,
            co2_g_per_km: DEFAULT_CO2_G_PER_KM,
            cost_per_km_centi_cents: DEFAULT_COST_PER_KM_CENTI_CENTS,
        }
    }
}

/// The default average one-way trip: 5 km, an assumption for a Flemish municipality
/// (its own size); IT sets its own.
pub const DEFAULT_AVERAGE_ONE_WAY_M: u32 = 5_000;
/// The default road factor: roads are taken as 1.3 times the straight line, an assumption.
pub const DEFAULT_ROAD_FACTOR_MILLI: u32 = 1_300;
/// The default shortest trip: 1 km one way.
pub const DEFAULT_MINIMUM_ONE_WAY_M: u32 = 1_000;
/// The default CO2 per km; see [`CO2_SOURCE`].
pub const DEFAULT_CO2_G_PER_KM: u32 = 165;
/// Where [`DEFAULT_CO2_G_PER_KM`] comes from.
pub const CO2_SOURCE: &str = "UK DESNZ, Greenhouse gas reporting: conversion factors 2024, average petrol car: 0.16450 kg CO2e per km (as cited; not read from the spreadsheet itself), rounded to 165 g";
/// The default travel cost per km; see [`COST_SOURCE`].
pub const DEFAULT_COST_PER_KM_CENTI_CENTS: u32 = 4_320;
/// Where [`DEFAULT_COST_PER_KM_CENTI_CENTS`] comes from.
pub const COST_SOURCE: &str = "the Belgian federal kilometre allowance for staff, 1 April to 30 June 2025 (€0.4320 per km; revised every quarter by circular in the Belgisch Staatsblad)";

/// The assumptions IT can set, by name: what each one is, in the clerk's and IT's words.
pub const SETTABLE: [(&str, &str); 5] = [
    (
        "average-km",
        "one-way km when the postcode is not known (0.1 to 200)",
    ),
    (
        "road-factor",
        "road length over the straight line (1.0 to 3.0)",
    ),
    (
        "minimum-km",
        "the shortest one-way trip counted, km (0 to 50)",
    ),
    ("co2-g-per-km", "grams of CO2 per km (0 to 1000)"),
    ("cost-per-km", "euro per km (0 to 5)"),
];

/// `text` as thousandths (`.` or `,` as the decimal mark, at most three decimals).
fn thousandths(text: &str) -> Option<u64> {
    let text = text.trim().replace(',', ".");
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || fraction.len() > 4
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: u64 = whole.parse().ok()?;
    let fraction: u64 = format!("{fraction:0<4}").parse().ok()?;
    // Ten-thousandths, so a cost like 0.4320 keeps its four decimals.
    whole.checked_mul(10_000)?.checked_add(fraction)
}

impl Assumptions {
    /// Sets assumption `name` (one of [`SETTABLE`]) to `value` as IT writes it
    /// (`6`, `1,3`, `0.4320`); a name or value out of range changes nothing.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        let v = thousandths(value).ok_or_else(|| format!("{value:?} is not a number"))?;
        let within = |low: u64, high: u64| {
            if (low..=high).contains(&v) {
                Ok(v)
            } else {
                Err(format!("{name} must be {}", describe(name)))
            }
        };
        // `v` is in ten-thousandths.
        match name {
            "average-km" => {
                self.average_one_way_m =
                    u32::try_from(within(1_000, 2_000_000)? / 10).unwrap_or(u32::MAX)
            }
            "road-factor" => {
                self.road_factor_milli =
                    u32::try_from(within(10_000, 30_000)? / 10).unwrap_or(u32::MAX)
            }
            "minimum-km" => {
                self.minimum_one_way_m = u32::try_from(within(0, 500_000)? / 10).unwrap_or(u32::MAX)
            }
            "co2-g-per-km" => {
                self.co2_g_per_km =
                    u32::try_from(within(0, 10_000_000)? / 10_000).unwrap_or(u32::MAX)
            }
            "cost-per-km" => {
                self.cost_per_km_centi_cents = u32::try_from(within(0, 50_000)?).unwrap_or(u32::MAX)
            }
            _ => return Err(format!("unknown assumption {name:?}")),
        }
        Ok(())
    }
}

fn describe(name: &str) -> &'static str {
    SETTABLE
        .iter()
        .find(|(n, _)| *n == name)
        .map_or("", |(_, d)| d)
}

/// The straight-line distance between two points on the earth, in metres (haversine, on
/// a sphere of the earth's mean radius).
pub fn straight_line_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    const EARTH_RADIUS_M: f64 = 6_371_008.8;
    let (lat1, lon1) = (a.0.to_radians(), a.1.to_radians());
    let (lat2, lon2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

impl Assumptions {
    /// The one-way trip in metres between a citizen at `from` and the centre at `centre`
    /// (latitude, longitude in degrees).
    pub fn one_way_m(&self, from: (f64, f64), centre: (f64, f64)) -> u32 {
        let road = straight_line_m(from, centre) * f64::from(self.road_factor_milli) / 1000.0;
        // A distance on earth fits a u32 of metres; `as` saturates.
        (road.round() as u32).max(self.minimum_one_way_m)
    }

    /// Grams of CO2 for `metres` driven.
    pub fn co2_g(&self, metres: u64) -> u64 {
        (metres * u64::from(self.co2_g_per_km) + 500) / 1000
    }

    /// Euro cents for `metres` driven, rounded half up.
    pub fn cost_cents(&self, metres: u64) -> i64 {
        // metres / 1000 km × centi-cents / 100 cents.
        let v = (u128::from(metres) * u128::from(self.cost_per_km_centi_cents) + 50_000) / 100_000;
        i64::try_from(v).unwrap_or(i64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gent_to_antwerp_is_about_fifty_km_in_a_straight_line() {
        let gent = (51.0543, 3.7174);
        let antwerpen = (51.2194, 4.4025);
        let d = straight_line_m(gent, antwerpen);
        assert!((49_000.0..52_000.0).contains(&d), "{d}");
    }

    #[test]
    fn a_trip_has_its_road_factor_and_minimum() {
        let a = Assumptions::default();
        let here = (51.0, 4.0);
        assert_eq!(a.one_way_m(here, here), 1_000);
        let ten_km_north = (51.0 + 10_000.0 / 111_195.0, 4.0);
        let m = a.one_way_m(ten_km_north, here);
        assert!((12_990..=13_010).contains(&m), "{m}");
    }

    #[test]
    fn it_sets_the_assumptions_in_its_own_words_and_nothing_out_of_range() {
        let mut a = Assumptions::default();
        a.set("average-km", "6,5").unwrap();
        a.set("road-factor", "1.2").unwrap();
        a.set("co2-g-per-km", "120").unwrap();
        a.set("cost-per-km", "0,4280").unwrap();
        a.set("minimum-km", "0").unwrap();
        assert_eq!(
            (
                a.average_one_way_m,
                a.road_factor_milli,
                a.co2_g_per_km,
                a.cost_per_km_centi_cents,
                a.minimum_one_way_m
            ),
            (6_500, 1_200, 120, 4_280, 0)
        );
        let before = a;
        for (name, value) in [
            ("average-km", "0"),
            ("road-factor", "0.5"),
            ("cost-per-km", "9"),
            ("co2-g-per-km", "-3"),
            ("speed", "3"),
            ("average-km", "veel"),
        ] {
            assert!(a.set(name, value).is_err(), "{name}={value}");
        }
        assert_eq!(a, before);
    }

    #[test]
    fn co2_and_cost_per_kilometre() {
        let a = Assumptions::default();
        assert_eq!(a.co2_g(10_000), 1_650);
        // 100 km at €0.4320 = €43.20.
        assert_eq!(a.cost_cents(100_000), 4_320);
        assert_eq!(a.cost_cents(1_000), 43);
    }
}
