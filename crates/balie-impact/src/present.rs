//! The figures as a reader sees them, in their language: per indicator a title, the
//! number that matters, the comparison with the period before, its definition, a chart
//! and the same data as a table (for screen readers, and for the report). The cockpit's
//! dashboard, the relay's admin page and the report all show this, so they say the same.

use crate::facts::{Channel, ProductId};
use crate::figures::{Figures, Satisfaction};
use crate::period::{Period, PeriodKind};
use crate::trips::{self, Assumptions};
use balie_domain::Locale;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::OnceLock;
use ts_rs::TS;

/// Who an indicator is about, as the project sheet groups them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Citizens, entrepreneurs and associations.
    Citizens,
    /// The clerks.
    Clerks,
    /// The organisation.
    Organisation,
}

/// How a chart draws its series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    /// Bars, one group per category, one bar per series.
    Bars,
    /// Lines over the categories (weeks, months).
    Lines,
}

/// One series of a chart.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Series {
    /// Its name in the legend.
    pub name: String,
    /// One value per category; `None` where there is none.
    pub values: Vec<Option<f64>>,
}

/// A chart: categories along the bottom, one or two series.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Chart {
    /// Bars or lines.
    pub kind: ChartKind,
    /// What the values are in ("aantal", "uren", "%").
    pub unit: String,
    /// The labels along the bottom.
    pub categories: Vec<String>,
    /// The series.
    pub series: Vec<Series>,
}

/// The indicator's data as a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Table {
    /// The column headings.
    pub columns: Vec<String>,
    /// The rows; the first cell of each is its heading.
    pub rows: Vec<Vec<String>>,
}

/// One indicator, ready to show.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Indicator {
    /// 1 to 14, the project sheet's order.
    pub number: u8,
    /// Its stable id (`trips`, `after_hours`…).
    pub id: String,
    /// Who it is about.
    pub audience: Audience,
    /// Its title.
    pub title: String,
    /// The number that matters, as a sentence.
    pub headline: String,
    /// The same for the period before.
    pub previous: String,
    /// How it is computed and from what.
    pub definition: String,
    /// The chart.
    pub chart: Chart,
    /// The chart's data as a table.
    pub table: Table,
    /// Why part of it is not measured (nothing imported yet), if so.
    pub missing: Option<String>,
}

/// The whole set, for a period.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Report {
    /// The report's title.
    pub title: String,
    /// The period, in words.
    pub period: String,
    /// The period before, in words.
    pub previous_period: String,
    /// The indicators, 1 to 14.
    pub indicators: Vec<Indicator>,
    /// The assumptions behind the figures, each a sentence with its source.
    pub assumptions: Vec<String>,
}

const SOURCES: [(Locale, &str); 3] = [
    (Locale::Nl, include_str!("../locales/nl.json")),
    (Locale::Fr, include_str!("../locales/fr.json")),
    (Locale::En, include_str!("../locales/en.json")),
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

/// The text of `key` in `locale`, falling back to Dutch, then to the key itself.
pub fn text(locale: Locale, key: &str) -> String {
    let all = catalogs();
    all.get(&locale)
        .and_then(|c| c.get(key))
        .or_else(|| all.get(&Locale::Nl).and_then(|c| c.get(key)))
        .cloned()
        .unwrap_or_else(|| key.to_owned())
}

/// Numbers, money, durations and dates as a reader of `locale` writes them.
#[derive(Debug, Clone, Copy)]
pub struct Format(pub Locale);

impl Format {
    fn separators(self) -> (&'static str, &'static str) {
        match self.0 {
            Locale::Nl => (".", ","),
            Locale::Fr => ("\u{202f}", ","),
            Locale::En => (",", "."),
        }
    }

    /// A whole number with thousands separated.
    pub fn int(self, n: i64) -> String {
        let (thousands, _) = self.separators();
        let digits = n.unsigned_abs().to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(thousands);
            }
            out.push(c);
        }
        if n < 0 { format!("-{out}") } else { out }
    }

    /// `milli` thousandths with `places` decimals (rounded half up).
    pub fn decimal(self, milli: i64, places: u32) -> String {
        let (_, comma) = self.separators();
        let scale = 10i64.pow(3 - places.min(3));
        let rounded = (milli.abs() + scale / 2) / scale;
        let unit = 10i64.pow(places.min(3));
        let whole = self.int(rounded / unit);
        let sign = if milli < 0 && rounded > 0 { "-" } else { "" };
        if places == 0 {
            format!("{sign}{whole}")
        } else {
            format!(
                "{sign}{whole}{comma}{:0width$}",
                rounded % unit,
                width = places as usize
            )
        }
    }

    /// A share in thousandths as a percentage with one decimal.
    pub fn percent(self, per_mille: u32) -> String {
        let n = self.decimal(i64::from(per_mille) * 100, 1);
        match self.0 {
            Locale::Fr => format!("{n}\u{202f}%"),
            _ => format!("{n}%"),
        }
    }

    /// Euro cents as money.
    pub fn money(self, cents: i64) -> String {
        let n = self.decimal(cents * 10, 2);
        match self.0 {
            Locale::Nl => format!("€ {n}"),
            Locale::Fr => format!("{n}\u{a0}€"),
            Locale::En => format!("€{n}"),
        }
    }

    /// A duration in seconds, in the unit that reads best: minutes under two hours,
    /// hours under two days, days with one decimal beyond.
    pub fn duration(self, seconds: i64) -> String {
        let l = self.0;
        if seconds < 2 * 3600 {
            text(l, "unit.minutes").replace("{n}", &self.int((seconds + 30) / 60))
        } else if seconds < 2 * 86_400 {
            text(l, "unit.hours").replace("{n}", &self.decimal(seconds * 1000 / 3600, 1))
        } else {
            text(l, "unit.days").replace("{n}", &self.decimal(seconds * 1000 / 86_400, 1))
        }
    }

    /// A day (`2026-03-29`) as the reader writes it.
    pub fn day(self, day: jiff::civil::Date) -> String {
        match self.0 {
            Locale::En => format!("{}/{}/{}", day.day(), day.month(), day.year()),
            _ => format!("{}/{}/{}", day.day(), day.month(), day.year()),
        }
    }

    /// A period in words.
    pub fn period(self, period: &Period) -> String {
        let l = self.0;
        let first = self.day(period.first);
        let last = self.day(period.last);
        match period.kind {
            PeriodKind::Quarter => text(l, "period.quarter")
                .replace("{q}", &((period.first.month() - 1) / 3 + 1).to_string())
                .replace("{year}", &period.first.year().to_string()),
            PeriodKind::Year => {
                text(l, "period.year").replace("{year}", &period.first.year().to_string())
            }
            PeriodKind::Month => text(l, &format!("month.{}", period.first.month()))
                .replace("{year}", &period.first.year().to_string()),
            _ => text(l, "period.range")
                .replace("{first}", &first)
                .replace("{last}", &last),
        }
    }
}

/// The product's name for `id` (`None`: all products together).
pub type ProductNames<'a> = &'a dyn Fn(Option<&ProductId>) -> String;

/// Builds the report of `now` compared with `before` in `locale`; `names` gives a
/// product's name.
pub fn report(
    now: &Figures,
    before: &Figures,
    assumptions: &Assumptions,
    locale: Locale,
    names: ProductNames<'_>,
) -> Report {
    let f = Format(locale);
    let t = |key: &str| text(locale, key);
    let this = t("series.this_period");
    let prev = t("series.previous_period");
    let pair = |a: f64, b: f64| {
        vec![
            Series {
                name: this.clone(),
                values: vec![Some(a)],
            },
            Series {
                name: prev.clone(),
                values: vec![Some(b)],
            },
        ]
    };
    let mut out = Vec::new();

    // 1.
    let (a, b) = (now.trips, before.trips);
    let km = |m: u64| f.decimal(i64::try_from(m).unwrap_or(i64::MAX), 1);
    let kg = |g: u64| f.decimal(i64::try_from(g).unwrap_or(i64::MAX), 1);
    let trips_line = |x: &crate::figures::Trips| {
        t("trips.headline")
            .replace("{n}", &f.int(x.conversations.into()))
            .replace("{km}", &km(x.round_trip_m))
            .replace("{co2}", &kg(x.co2_g))
            .replace("{cost}", &f.money(x.cost_cents))
    };
    out.push(Indicator {
        number: 1,
        id: "trips".into(),
        audience: Audience::Citizens,
        title: t("trips.title"),
        headline: trips_line(&a),
        previous: trips_line(&b),
        definition: t("trips.definition")
            .replace("{average}", &km(u64::from(assumptions.average_one_way_m)))
            .replace("{co2}", &f.int(assumptions.co2_g_per_km.into()))
            .replace(
                "{cost}",
                &f.decimal(i64::from(assumptions.cost_per_km_centi_cents) / 10, 3),
            ),
        chart: Chart {
            kind: ChartKind::Bars,
            unit: t("unit.km"),
            categories: vec![t("trips.km")],
            series: pair(
                a.round_trip_m as f64 / 1000.0,
                b.round_trip_m as f64 / 1000.0,
            ),
        },
        table: Table {
            columns: vec![String::new(), this.clone(), prev.clone()],
            rows: vec![
                vec![
                    t("trips.row_trips"),
                    f.int(a.conversations.into()),
                    f.int(b.conversations.into()),
                ],
                vec![
                    t("trips.row_postcode"),
                    f.int(a.from_postcode.into()),
                    f.int(b.from_postcode.into()),
                ],
                vec![t("trips.row_km"), km(a.round_trip_m), km(b.round_trip_m)],
                vec![t("trips.row_co2"), kg(a.co2_g), kg(b.co2_g)],
                vec![
                    t("trips.row_cost"),
                    f.money(a.cost_cents),
                    f.money(b.cost_cents),
                ],
            ],
        },
        missing: None,
    });

    // 2.
    let share = |part: u32, whole: u32| {
        crate::stats::per_mille(part.into(), whole.into())
            .map_or_else(|| "–".to_owned(), |p| f.percent(p))
    };
    let share_value = |part: u32, whole: u32| {
        crate::stats::per_mille(part.into(), whole.into()).map(|p| f64::from(p) / 10.0)
    };
    let (a, b) = (now.after_hours, before.after_hours);
    let after_line = |x: &crate::figures::AfterHours| {
        t("after_hours.headline")
            .replace("{n}", &f.int(x.outside.into()))
            .replace("{share}", &share(x.outside, x.conversations))
            .replace("{appointments}", &f.int(x.appointments_outside.into()))
    };
    out.push(Indicator {
        number: 2,
        id: "after_hours".into(),
        audience: Audience::Citizens,
        title: t("after_hours.title"),
        headline: after_line(&a),
        previous: after_line(&b),
        definition: t("after_hours.definition"),
        chart: Chart {
            kind: ChartKind::Bars,
            unit: "%".into(),
            categories: vec![
                t("after_hours.conversations"),
                t("after_hours.appointments"),
            ],
            series: vec![
                Series {
                    name: this.clone(),
                    values: vec![
                        share_value(a.outside, a.conversations),
                        share_value(a.appointments_outside, a.appointments),
                    ],
                },
                Series {
                    name: prev.clone(),
                    values: vec![
                        share_value(b.outside, b.conversations),
                        share_value(b.appointments_outside, b.appointments),
                    ],
                },
            ],
        },
        table: Table {
            columns: vec![String::new(), this.clone(), prev.clone()],
            rows: vec![
                vec![
                    t("after_hours.row_conversations"),
                    f.int(a.conversations.into()),
                    f.int(b.conversations.into()),
                ],
                vec![
                    t("after_hours.row_outside"),
                    f.int(a.outside.into()),
                    f.int(b.outside.into()),
                ],
                vec![
                    t("after_hours.row_unknown"),
                    f.int(a.unknown.into()),
                    f.int(b.unknown.into()),
                ],
                vec![
                    t("after_hours.row_appointments"),
                    f.int(a.appointments.into()),
                    f.int(b.appointments.into()),
                ],
                vec![
                    t("after_hours.row_appointments_outside"),
                    f.int(a.appointments_outside.into()),
                    f.int(b.appointments_outside.into()),
                ],
            ],
        },
        missing: None,
    });

    // 3.
    let dur = |s: Option<i64>| s.map_or_else(|| "–".to_owned(), |s| f.duration(s));
    let overall = |x: &Figures| x.throughput.iter().find(|t| t.product.is_none()).cloned();
    let through_line = |x: &Figures| match overall(x) {
        Some(o) if o.handled > 0 => t("throughput.headline")
            .replace("{median}", &dur(o.median_s))
            .replace("{p90}", &dur(o.p90_s))
            .replace("{n}", &f.int(o.handled.into())),
        _ => t("throughput.none"),
    };
    let products: Vec<_> = now
        .throughput
        .iter()
        .filter(|t| t.product.is_some())
        .collect();
    out.push(Indicator {
        number: 3,
        id: "throughput".into(),
        audience: Audience::Citizens,
        title: t("throughput.title"),
        headline: through_line(now),
        previous: through_line(before),
        definition: t("throughput.definition"),
        chart: Chart {
            kind: ChartKind::Bars,
            unit: t("unit.hours_axis"),
            categories: products.iter().map(|p| names(p.product.as_ref())).collect(),
            series: vec![
                Series {
                    name: t("series.median"),
                    values: products
                        .iter()
                        .map(|p| p.median_s.map(|s| s as f64 / 3600.0))
                        .collect(),
                },
                Series {
                    name: t("series.p90"),
                    values: products
                        .iter()
                        .map(|p| p.p90_s.map(|s| s as f64 / 3600.0))
                        .collect(),
                },
            ],
        },
        table: Table {
            columns: vec![
                t("column.product"),
                t("column.handled"),
                t("series.median"),
                t("series.p90"),
            ],
            rows: now
                .throughput
                .iter()
                .map(|p| {
                    vec![
                        names(p.product.as_ref()),
                        f.int(p.handled.into()),
                        dur(p.median_s),
                        dur(p.p90_s),
                    ]
                })
                .collect(),
        },
        missing: None,
    });

    // 4.
    out.push(satisfaction_indicator(
        4,
        "citizen_satisfaction",
        Audience::Citizens,
        &now.citizen_satisfaction,
        &before.citizen_satisfaction,
        locale,
        Vec::new(),
    ));

    // 5.
    let c = &now.complaints;
    let per_month = |m: Option<i64>| m.map_or_else(|| "–".to_owned(), |m| f.decimal(m, 1));
    out.push(Indicator {
        number: 5,
        id: "complaints".into(),
        audience: Audience::Citizens,
        title: t("complaints.title"),
        headline: t("complaints.headline")
            .replace("{n}", &f.int(c.after_hours.into()))
            .replace("{all}", &f.int(c.all.into())),
        previous: t("complaints.headline")
            .replace("{n}", &f.int(before.complaints.after_hours.into()))
            .replace("{all}", &f.int(before.complaints.all.into())),
        definition: t("complaints.definition").replace(
            "{since}",
            &c.digital_since.map_or_else(|| "–".to_owned(), |d| f.day(d)),
        ),
        chart: Chart {
            kind: ChartKind::Bars,
            unit: t("unit.per_month"),
            categories: vec![t("complaints.before"), t("complaints.after")],
            series: vec![Series {
                name: t("complaints.series"),
                values: vec![
                    c.per_month_before_milli.map(|m| m as f64 / 1000.0),
                    c.per_month_after_milli.map(|m| m as f64 / 1000.0),
                ],
            }],
        },
        table: Table {
            columns: vec![String::new(), t("column.value")],
            rows: vec![
                vec![t("complaints.row_period"), f.int(c.after_hours.into())],
                vec![t("complaints.row_all"), f.int(c.all.into())],
                vec![t("complaints.before"), per_month(c.per_month_before_milli)],
                vec![t("complaints.after"), per_month(c.per_month_after_milli)],
            ],
        },
        missing: c.digital_since.is_none().then(|| t("complaints.missing")),
    });

    // 6.
    let (a, b) = (now.clerk_work, before.clerk_work);
    let away = |x: &crate::figures::ClerkWork| x.home + x.elsewhere;
    let work_line = |x: &crate::figures::ClerkWork| {
        t("clerk_work.headline")
            .replace("{share}", &share(away(x), x.conversations - x.unknown))
            .replace("{outside}", &share(x.outside_hours, x.conversations))
    };
    let places = [
        (t("place.office"), a.office, b.office),
        (t("place.home"), a.home, b.home),
        (t("place.elsewhere"), a.elsewhere, b.elsewhere),
        (t("place.unknown"), a.unknown, b.unknown),
    ];
    out.push(Indicator {
        number: 6,
        id: "clerk_work".into(),
        audience: Audience::Clerks,
        title: t("clerk_work.title"),
        headline: work_line(&a),
        previous: work_line(&b),
        definition: t("clerk_work.definition"),
        chart: Chart {
            kind: ChartKind::Bars,
            unit: t("unit.conversations"),
            categories: places.iter().map(|p| p.0.clone()).collect(),
            series: vec![
                Series {
                    name: this.clone(),
                    values: places.iter().map(|p| Some(f64::from(p.1))).collect(),
                },
                Series {
                    name: prev.clone(),
                    values: places.iter().map(|p| Some(f64::from(p.2))).collect(),
                },
            ],
        },
        table: Table {
            columns: vec![t("column.place"), this.clone(), prev.clone()],
            rows: places
                .iter()
                .map(|p| vec![p.0.clone(), f.int(p.1.into()), f.int(p.2.into())])
                .chain(std::iter::once(vec![
                    t("clerk_work.row_outside"),
                    f.int(a.outside_hours.into()),
                    f.int(b.outside_hours.into()),
                ]))
                .collect(),
        },
        missing: None,
    });

    // 7.
    let imported_visitors = now.visitors.iter().any(|w| w.front_desk.is_some());
    let sum_desk: i64 = now.visitors.iter().filter_map(|w| w.front_desk).sum();
    let sum_digital: i64 = now.visitors.iter().map(|w| i64::from(w.digital)).sum();
    let prev_desk: i64 = before.visitors.iter().filter_map(|w| w.front_desk).sum();
    let prev_digital: i64 = before.visitors.iter().map(|w| i64::from(w.digital)).sum();
    let visitors_line = |desk: i64, digital: i64| {
        t("visitors.headline")
            .replace("{desk}", &f.int(desk))
            .replace("{digital}", &f.int(digital))
    };
    out.push(Indicator {
        number: 7,
        id: "visitors".into(),
        audience: Audience::Clerks,
        title: t("visitors.title"),
        headline: visitors_line(sum_desk, sum_digital),
        previous: visitors_line(prev_desk, prev_digital),
        definition: t("visitors.definition"),
        chart: Chart {
            kind: ChartKind::Lines,
            unit: t("unit.per_week"),
            categories: now.visitors.iter().map(|w| f.day(w.week)).collect(),
            series: vec![
                Series {
                    name: t("channel.front_desk"),
                    values: now
                        .visitors
                        .iter()
                        .map(|w| w.front_desk.map(|v| v as f64))
                        .collect(),
                },
                Series {
                    name: t("channel.digital"),
                    values: now
                        .visitors
                        .iter()
                        .map(|w| Some(f64::from(w.digital)))
                        .collect(),
                },
            ],
        },
        table: Table {
            columns: vec![
                t("column.week"),
                t("channel.front_desk"),
                t("channel.digital"),
            ],
            rows: now
                .visitors
                .iter()
                .map(|w| {
                    vec![
                        f.day(w.week),
                        w.front_desk.map_or_else(|| "–".to_owned(), |v| f.int(v)),
                        f.int(w.digital.into()),
                    ]
                })
                .collect(),
        },
        missing: (!imported_visitors).then(|| t("missing.imported")),
    });

    // 8.
    let channels_of: Vec<Channel> = {
        let mut v: Vec<Channel> = now
            .throughput_channels
            .iter()
            .flat_map(|p| p.other.iter().map(|o| o.channel))
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let any_other = !channels_of.is_empty();
    out.push(Indicator {
        number: 8,
        id: "throughput_channels".into(),
        audience: Audience::Clerks,
        title: t("throughput_channels.title"),
        headline: through_line(now),
        previous: through_line(before),
        definition: t("throughput_channels.definition"),
        chart: Chart {
            kind: ChartKind::Bars,
            unit: t("unit.days_axis"),
            categories: now
                .throughput_channels
                .iter()
                .map(|p| names(p.product.as_ref()))
                .collect(),
            series: std::iter::once(Series {
                name: t("channel.digital"),
                values: now
                    .throughput_channels
                    .iter()
                    .map(|p| p.digital_median_s.map(|s| s as f64 / 86_400.0))
                    .collect(),
            })
            .chain(channels_of.iter().map(|ch| {
                Series {
                    name: t(&format!("channel.{}", ch.as_str())),
                    values: now
                        .throughput_channels
                        .iter()
                        .map(|p| {
                            p.other
                                .iter()
                                .find(|o| o.channel == *ch)
                                .map(|o| o.value as f64 / 86_400.0)
                        })
                        .collect(),
                }
            }))
            .collect(),
        },
        table: Table {
            columns: std::iter::once(t("column.product"))
                .chain(std::iter::once(t("channel.digital")))
                .chain(
                    channels_of
                        .iter()
                        .map(|ch| t(&format!("channel.{}", ch.as_str()))),
                )
                .collect(),
            rows: now
                .throughput_channels
                .iter()
                .map(|p| {
                    std::iter::once(names(p.product.as_ref()))
                        .chain(std::iter::once(dur(p.digital_median_s)))
                        .chain(channels_of.iter().map(|ch| {
                            dur(p.other.iter().find(|o| o.channel == *ch).map(|o| o.value))
                        }))
                        .collect()
                })
                .collect(),
        },
        missing: (!any_other).then(|| t("missing.imported")),
    });

    // 9.
    let others: Vec<Vec<String>> = now
        .clerk_satisfaction
        .other
        .iter()
        .map(|o| {
            vec![
                t(&format!("channel.{}", o.channel.as_str())),
                f.decimal(o.value, 2),
            ]
        })
        .collect();
    let mut clerk = satisfaction_indicator(
        9,
        "clerk_satisfaction",
        Audience::Clerks,
        &now.clerk_satisfaction.digital,
        &before.clerk_satisfaction.digital,
        locale,
        others,
    );
    if now.clerk_satisfaction.other.is_empty() {
        clerk.missing = Some(t("missing.imported"));
    }
    out.push(clerk);

    // 10.
    let mut all_channels: Vec<Channel> = now
        .aggression
        .iter()
        .chain(before.aggression.iter())
        .map(|c| c.channel)
        .collect();
    all_channels.sort();
    all_channels.dedup();
    let count_in = |list: &[crate::figures::ChannelCount], ch: Channel| {
        list.iter().find(|c| c.channel == ch).map_or(0, |c| c.count)
    };
    let total = |list: &[crate::figures::ChannelCount]| list.iter().map(|c| c.count).sum::<i64>();
    out.push(Indicator {
        number: 10,
        id: "aggression".into(),
        audience: Audience::Clerks,
        title: t("aggression.title"),
        headline: t("aggression.headline").replace("{n}", &f.int(total(&now.aggression))),
        previous: t("aggression.headline").replace("{n}", &f.int(total(&before.aggression))),
        definition: t("aggression.definition"),
        chart: Chart {
            kind: ChartKind::Bars,
            unit: t("unit.incidents"),
            categories: all_channels
                .iter()
                .map(|ch| t(&format!("channel.{}", ch.as_str())))
                .collect(),
            series: vec![
                Series {
                    name: this.clone(),
                    values: all_channels
                        .iter()
                        .map(|ch| Some(count_in(&now.aggression, *ch) as f64))
                        .collect(),
                },
                Series {
                    name: prev.clone(),
                    values: all_channels
                        .iter()
                        .map(|ch| Some(count_in(&before.aggression, *ch) as f64))
                        .collect(),
                },
            ],
        },
        table: Table {
            columns: vec![t("column.channel"), this.clone(), prev.clone()],
            rows: all_channels
                .iter()
                .map(|ch| {
                    vec![
                        t(&format!("channel.{}", ch.as_str())),
                        f.int(count_in(&now.aggression, *ch)),
                        f.int(count_in(&before.aggression, *ch)),
                    ]
                })
                .collect(),
        },
        missing: None,
    });

    // 11.
    let last = now.catalog.last();
    let catalog_line = |p: Option<&crate::figures::CatalogPoint>| {
        p.map_or_else(
            || t("catalog.none"),
            |p| {
                t("catalog.headline")
                    .replace("{n}", &f.int(p.digital.into()))
                    .replace("{paid}", &f.int(p.takes_payment.into()))
            },
        )
    };
    out.push(Indicator {
        number: 11,
        id: "catalog".into(),
        audience: Audience::Clerks,
        title: t("catalog.title"),
        headline: catalog_line(last),
        previous: catalog_line(before.catalog.last()),
        definition: t("catalog.definition"),
        chart: Chart {
            kind: ChartKind::Lines,
            unit: t("unit.products"),
            categories: now.catalog.iter().map(|p| f.day(p.day)).collect(),
            series: vec![
                Series {
                    name: t("catalog.series_digital"),
                    values: now
                        .catalog
                        .iter()
                        .map(|p| Some(f64::from(p.digital)))
                        .collect(),
                },
                Series {
                    name: t("catalog.series_paid"),
                    values: now
                        .catalog
                        .iter()
                        .map(|p| Some(f64::from(p.takes_payment)))
                        .collect(),
                },
            ],
        },
        table: Table {
            columns: vec![
                t("column.day"),
                t("catalog.series_digital"),
                t("catalog.series_paid"),
            ],
            rows: now
                .catalog
                .iter()
                .map(|p| {
                    vec![
                        f.day(p.day),
                        f.int(p.digital.into()),
                        f.int(p.takes_payment.into()),
                    ]
                })
                .collect(),
        },
        missing: None,
    });

    // 12.
    let mut use_channels: Vec<Channel> = now
        .channels
        .iter()
        .chain(before.channels.iter())
        .map(|c| c.channel)
        .collect();
    use_channels.sort();
    use_channels.dedup();
    let digital_share = |list: &[crate::figures::ChannelCount]| {
        let all = total(list);
        let digital = count_in(list, Channel::Digital);
        if all > digital {
            share(
                u32::try_from(digital).unwrap_or(u32::MAX),
                u32::try_from(all).unwrap_or(u32::MAX),
            )
        } else {
            "–".to_owned()
        }
    };
    let channels_line = |list: &[crate::figures::ChannelCount]| {
        t("channels.headline")
            .replace("{n}", &f.int(count_in(list, Channel::Digital)))
            .replace("{share}", &digital_share(list))
    };
    out.push(Indicator {
        number: 12,
        id: "channels".into(),
        audience: Audience::Organisation,
        title: t("channels.title"),
        headline: channels_line(&now.channels),
        previous: channels_line(&before.channels),
        definition: t("channels.definition"),
        chart: Chart {
            kind: ChartKind::Bars,
            unit: t("unit.contacts"),
            categories: use_channels
                .iter()
                .map(|ch| t(&format!("channel.{}", ch.as_str())))
                .collect(),
            series: vec![
                Series {
                    name: this.clone(),
                    values: use_channels
                        .iter()
                        .map(|ch| Some(count_in(&now.channels, *ch) as f64))
                        .collect(),
                },
                Series {
                    name: prev.clone(),
                    values: use_channels
                        .iter()
                        .map(|ch| Some(count_in(&before.channels, *ch) as f64))
                        .collect(),
                },
            ],
        },
        table: Table {
            columns: vec![t("column.channel"), this.clone(), prev.clone()],
            rows: use_channels
                .iter()
                .map(|ch| {
                    vec![
                        t(&format!("channel.{}", ch.as_str())),
                        f.int(count_in(&now.channels, *ch)),
                        f.int(count_in(&before.channels, *ch)),
                    ]
                })
                .collect(),
        },
        missing: (use_channels.len() < 2).then(|| t("missing.imported")),
    });

    // 13.
    let one_go_line = |x: &Figures| {
        x.one_go.iter().find(|o| o.product.is_none()).map_or_else(
            || t("throughput.none"),
            |o| {
                t("one_go.headline")
                    .replace("{share}", &share(o.in_one_go, o.handled))
                    .replace("{n}", &f.int(o.handled.into()))
            },
        )
    };
    out.push(Indicator {
        number: 13,
        id: "one_go".into(),
        audience: Audience::Organisation,
        title: t("one_go.title"),
        headline: one_go_line(now),
        previous: one_go_line(before),
        definition: t("one_go.definition"),
        chart: Chart {
            kind: ChartKind::Bars,
            unit: "%".into(),
            categories: now
                .one_go
                .iter()
                .map(|o| names(o.product.as_ref()))
                .collect(),
            series: vec![Series {
                name: this.clone(),
                values: now
                    .one_go
                    .iter()
                    .map(|o| share_value(o.in_one_go, o.handled))
                    .collect(),
            }],
        },
        table: Table {
            columns: vec![
                t("column.product"),
                t("column.handled"),
                t("one_go.column"),
                t("column.share"),
            ],
            rows: now
                .one_go
                .iter()
                .map(|o| {
                    vec![
                        names(o.product.as_ref()),
                        f.int(o.handled.into()),
                        f.int(o.in_one_go.into()),
                        share(o.in_one_go, o.handled),
                    ]
                })
                .collect(),
        },
        missing: None,
    });

    // 14.
    let (a, b) = (now.payments, before.payments);
    let pay_line = |x: &crate::figures::Payments| {
        let mut line = t("payments.headline")
            .replace("{paid}", &f.int(x.paid.into()))
            .replace("{asked}", &f.int(x.asked.into()))
            .replace("{amount}", &f.money(x.paid_cents))
            .replace("{median}", &dur(x.median_to_paid_s));
        if x.test_cents > 0 {
            line.push(' ');
            line.push_str(&t("payments.test").replace("{amount}", &f.money(x.test_cents)));
        }
        line
    };
    let rows = [
        (t("payments.row_asked"), a.asked, b.asked),
        (t("payments.row_paid"), a.paid, b.paid),
        (
            t("payments.row_reminders"),
            a.reminders_avoided,
            b.reminders_avoided,
        ),
    ];
    out.push(Indicator {
        number: 14,
        id: "payments".into(),
        audience: Audience::Organisation,
        title: t("payments.title"),
        headline: pay_line(&a),
        previous: pay_line(&b),
        definition: t("payments.definition"),
        chart: Chart {
            kind: ChartKind::Bars,
            unit: t("unit.payments"),
            categories: rows.iter().map(|r| r.0.clone()).collect(),
            series: vec![
                Series {
                    name: this.clone(),
                    values: rows.iter().map(|r| Some(f64::from(r.1))).collect(),
                },
                Series {
                    name: prev.clone(),
                    values: rows.iter().map(|r| Some(f64::from(r.2))).collect(),
                },
            ],
        },
        table: Table {
            columns: vec![String::new(), this.clone(), prev.clone()],
            rows: rows
                .iter()
                .map(|r| vec![r.0.clone(), f.int(r.1.into()), f.int(r.2.into())])
                .chain([
                    vec![
                        t("payments.row_amount"),
                        f.money(a.paid_cents),
                        f.money(b.paid_cents),
                    ],
                    vec![
                        t("payments.row_test"),
                        f.money(a.test_cents),
                        f.money(b.test_cents),
                    ],
                    vec![
                        t("payments.row_median"),
                        dur(a.median_to_paid_s),
                        dur(b.median_to_paid_s),
                    ],
                ])
                .collect(),
        },
        missing: None,
    });

    Report {
        title: t("report.title"),
        period: f.period(&now.period),
        previous_period: f.period(&before.period),
        indicators: out,
        assumptions: vec![
            t("assumption.average").replace("{km}", &km(u64::from(assumptions.average_one_way_m))),
            t("assumption.road").replace(
                "{factor}",
                &f.decimal(i64::from(assumptions.road_factor_milli), 1),
            ),
            t("assumption.minimum").replace("{km}", &km(u64::from(assumptions.minimum_one_way_m))),
            t("assumption.co2")
                .replace("{g}", &f.int(assumptions.co2_g_per_km.into()))
                .replace("{source}", trips::CO2_SOURCE),
            t("assumption.cost")
                .replace(
                    "{cost}",
                    &f.decimal(i64::from(assumptions.cost_per_km_centi_cents) / 10, 3),
                )
                .replace("{source}", trips::COST_SOURCE),
            t("assumption.postcodes"),
        ],
    }
}

fn satisfaction_indicator(
    number: u8,
    id: &str,
    audience: Audience,
    now: &Satisfaction,
    before: &Satisfaction,
    locale: Locale,
    other_rows: Vec<Vec<String>>,
) -> Indicator {
    let f = Format(locale);
    let t = |key: &str| text(locale, key);
    let line = |s: &Satisfaction| match s.average_milli {
        Some(avg) => t("satisfaction.headline")
            .replace("{average}", &f.decimal(avg, 2))
            .replace("{answered}", &f.int(s.answered.into()))
            .replace("{of}", &f.int(s.conversations.into())),
        None => t("satisfaction.none"),
    };
    let mut rows: Vec<Vec<String>> = (1..=5)
        .map(|score| {
            vec![
                score.to_string(),
                f.int(now.distribution[score - 1].into()),
                f.int(before.distribution[score - 1].into()),
            ]
        })
        .collect();
    for other in other_rows {
        rows.push(vec![
            t("satisfaction.other").replace("{channel}", &other[0]),
            other[1].clone(),
            String::new(),
        ]);
    }
    Indicator {
        number,
        id: id.into(),
        audience,
        title: t(&format!("{id}.title")),
        headline: line(now),
        previous: line(before),
        definition: t(&format!("{id}.definition")),
        chart: Chart {
            kind: ChartKind::Bars,
            unit: t("unit.answers"),
            categories: (1..=5).map(|s| s.to_string()).collect(),
            series: vec![
                Series {
                    name: t("series.this_period"),
                    values: now
                        .distribution
                        .iter()
                        .map(|n| Some(f64::from(*n)))
                        .collect(),
                },
                Series {
                    name: t("series.previous_period"),
                    values: before
                        .distribution
                        .iter()
                        .map(|n| Some(f64::from(*n)))
                        .collect(),
                },
            ],
        },
        table: Table {
            columns: vec![
                t("column.score"),
                t("series.this_period"),
                t("series.previous_period"),
            ],
            rows,
        },
        missing: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_as_their_readers_write_them() {
        let nl = Format(Locale::Nl);
        let fr = Format(Locale::Fr);
        let en = Format(Locale::En);
        assert_eq!(nl.int(1_234_567), "1.234.567");
        assert_eq!(en.int(1_234_567), "1,234,567");
        assert_eq!(fr.int(1_234), "1\u{202f}234");
        assert_eq!(nl.decimal(3_500, 2), "3,50");
        assert_eq!(en.decimal(54_400, 1), "54.4");
        assert_eq!(nl.money(2_350), "€ 23,50");
        assert_eq!(fr.money(2_350), "23,50\u{a0}€");
        assert_eq!(en.money(123_456), "€1,234.56");
        assert_eq!(nl.percent(333), "33,3%");
        assert_eq!(nl.duration(1_800), "30 min");
        assert_eq!(nl.duration(154_800), "43,0 uur");
        assert_eq!(nl.duration(5_878_200), "68,0 dagen");
        assert_eq!(en.duration(5_878_200), "68.0 days");
    }

    #[test]
    fn every_text_exists_in_every_language() {
        let all = catalogs();
        let nl: std::collections::BTreeSet<_> = all[&Locale::Nl].keys().collect();
        for locale in [Locale::Fr, Locale::En] {
            let other: std::collections::BTreeSet<_> = all[&locale].keys().collect();
            assert_eq!(nl, other, "{locale:?}");
        }
        assert!(nl.len() > 80, "{}", nl.len());
    }
}
