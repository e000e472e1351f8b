//! The project sheet's fourteen indicators for one period, computed from [`Facts`].
//! Numbers only: what they are called and how they are defined, in the reader's
//! language, is [`crate::present`]'s.

use crate::facts::{
    Channel, Facts, FigureKind, IncidentKind, Origin, Place, ProductId, Request, Score,
};
use crate::period::{Period, day_of, monday_of};
use crate::stats::{mean_milli, mean_rounded, median, p90};
use crate::trips::Assumptions;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use ts_rs::TS;

/// Every indicator for one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Figures {
    /// The period.
    pub period: Period,
    /// 1. Trips, CO2 and travel cost avoided.
    pub trips: Trips,
    /// 2. Appointments and conversations outside opening hours.
    pub after_hours: AfterHours,
    /// 3. Time from question to handling, overall and per product.
    pub throughput: Vec<Throughput>,
    /// 4. Citizen satisfaction.
    pub citizen_satisfaction: Satisfaction,
    /// 5. Complaints about service outside opening hours.
    pub complaints: Complaints,
    /// 6. Work independent of place and time.
    pub clerk_work: ClerkWork,
    /// 7. Front-desk visitors against digital conversations, per week.
    pub visitors: Vec<WeekVisitors>,
    /// 8. Throughput per product on the digital counter and on other channels.
    pub throughput_channels: Vec<ChannelThroughput>,
    /// 9. Clerk satisfaction, and the other channels' figure when imported.
    pub clerk_satisfaction: ClerkSatisfaction,
    /// 10. Aggression incidents per channel.
    pub aggression: Vec<ChannelCount>,
    /// 11. Products on the digital counter at each month's end, and how many take a
    ///     payment.
    pub catalog: Vec<CatalogPoint>,
    /// 12. Use of the digital counter against the other channels.
    pub channels: Vec<ChannelCount>,
    /// 13. Questions handled in one go, overall and per product.
    pub one_go: Vec<OneGo>,
    /// 14. Payments collected in the call.
    pub payments: Payments,
}

/// Indicator 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Trips {
    /// Conversations that took place: each a round trip avoided.
    pub conversations: u32,
    /// Of those, how many had the citizen's postcode (the rest use the average).
    pub from_postcode: u32,
    /// The round trips' length, in metres.
    #[ts(type = "number")]
    pub round_trip_m: u64,
    /// Grams of CO2 avoided.
    #[ts(type = "number")]
    pub co2_g: u64,
    /// Travel cost avoided, in euro cents.
    #[ts(type = "number")]
    pub cost_cents: i64,
}

/// Indicator 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AfterHours {
    /// Conversations that took place.
    pub conversations: u32,
    /// Of those, outside opening hours.
    pub outside: u32,
    /// Of those, with the opening hours not known (neither inside nor outside).
    pub unknown: u32,
    /// Conversations from appointments.
    pub appointments: u32,
    /// Of those, outside opening hours.
    pub appointments_outside: u32,
}

/// A duration distribution (indicators 3 and 8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Throughput {
    /// The product, or `None` for all together.
    pub product: Option<ProductId>,
    /// Questions handled in the period.
    pub handled: u32,
    /// Median time from question to handling, in seconds.
    #[ts(type = "number | null")]
    pub median_s: Option<i64>,
    /// 90th percentile (nearest rank), in seconds.
    #[ts(type = "number | null")]
    pub p90_s: Option<i64>,
}

/// A survey's answers (indicators 4 and 9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Satisfaction {
    /// Conversations that could have been answered about.
    pub conversations: u32,
    /// Answers given.
    pub answered: u32,
    /// Mean score in thousandths (4250 = 4.25).
    #[ts(type = "number | null")]
    pub average_milli: Option<i64>,
    /// How many answered 1, 2, 3, 4 and 5.
    pub distribution: [u32; 5],
}

/// Indicator 5.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Complaints {
    /// Complaints about service outside opening hours in the period.
    pub after_hours: u32,
    /// All complaints in the period.
    pub all: u32,
    /// The day the digital counter went into use, if known.
    #[ts(type = "string | null")]
    pub digital_since: Option<Date>,
    /// Complaints about service outside opening hours per month (thousandths) in the 12
    /// whole months before that day.
    #[ts(type = "number | null")]
    pub per_month_before_milli: Option<i64>,
    /// The same from that day to the end of the period (whole and part months counted by
    /// their days).
    #[ts(type = "number | null")]
    pub per_month_after_milli: Option<i64>,
}

/// Indicator 6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ClerkWork {
    /// Conversations that took place.
    pub conversations: u32,
    /// Held from the office.
    pub office: u32,
    /// Held from home.
    pub home: u32,
    /// Held elsewhere.
    pub elsewhere: u32,
    /// The clerk did not say.
    pub unknown: u32,
    /// Held outside opening hours.
    pub outside_hours: u32,
}

/// Indicator 7: one week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct WeekVisitors {
    /// The week's Monday.
    #[ts(type = "string")]
    pub week: Date,
    /// Front-desk visitors imported for the week, if any.
    #[ts(type = "number | null")]
    pub front_desk: Option<i64>,
    /// Digital counter conversations that week (inside the period).
    pub digital: u32,
}

/// Indicator 8: one product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChannelThroughput {
    /// The product, or `None` for all together.
    pub product: Option<ProductId>,
    /// The digital counter's median, in seconds.
    #[ts(type = "number | null")]
    pub digital_median_s: Option<i64>,
    /// Imported medians per channel, in seconds (the mean of the period's rows).
    pub other: Vec<ChannelValue>,
}

/// A channel's imported value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChannelValue {
    /// The channel.
    pub channel: Channel,
    /// The value (its unit is the indicator's).
    #[ts(type = "number")]
    pub value: i64,
}

/// A count per channel (indicators 10 and 12).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChannelCount {
    /// The channel.
    pub channel: Channel,
    /// The count.
    #[ts(type = "number")]
    pub count: i64,
}

/// Indicator 9.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ClerkSatisfaction {
    /// The digital counter's clerks.
    pub digital: Satisfaction,
    /// Imported mean scores per channel, in thousandths.
    pub other: Vec<ChannelValue>,
}

/// Indicator 11: the catalog at a month's end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CatalogPoint {
    /// The day.
    #[ts(type = "string")]
    pub day: Date,
    /// Products that can be handled through the digital counter.
    pub digital: u32,
    /// Of those, the ones that take a payment.
    pub takes_payment: u32,
}

/// Indicator 13: one product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OneGo {
    /// The product, or `None` for all together.
    pub product: Option<ProductId>,
    /// Questions handled in the period.
    pub handled: u32,
    /// Of those, handled in one go.
    pub in_one_go: u32,
}

/// Indicator 14.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Payments {
    /// Payments asked in a conversation.
    pub asked: u32,
    /// Of those, paid.
    pub paid: u32,
    /// What the paid ones brought in real money, in euro cents.
    #[ts(type = "number")]
    pub paid_cents: i64,
    /// Paid in test money (a sandbox or a test key), in euro cents: never real.
    #[ts(type = "number")]
    pub test_cents: i64,
    /// Median time from asking to paid, in seconds.
    #[ts(type = "number | null")]
    pub median_to_paid_s: Option<i64>,
    /// Paid while the conversation went on: no invoice, so no reminder either.
    pub reminders_avoided: u32,
}

/// Computes every indicator of `facts` for `period` in `tz` (Europe/Brussels), with
/// `assumptions` for the trips.
pub fn compute(
    facts: &Facts,
    period: &Period,
    tz: &TimeZone,
    assumptions: &Assumptions,
) -> Figures {
    let (start, end) = period.bounds_ms(tz);
    let within = |ms: i64| start <= ms && ms < end;
    let talks: Vec<_> = facts
        .conversations
        .iter()
        .filter(|c| within(c.at_ms))
        .collect();
    let handled: Vec<&Request> = facts
        .requests
        .iter()
        .filter(|r| r.handled_at_ms.is_some_and(within))
        .collect();
    let figures_in = |kind: FigureKind| {
        facts
            .figures
            .iter()
            .filter(move |f| f.kind == kind && period.contains_day(f.from))
    };

    // 1.
    let mut trips = Trips {
        conversations: count(talks.len()),
        from_postcode: 0,
        round_trip_m: 0,
        co2_g: 0,
        cost_cents: 0,
    };
    for c in &talks {
        if c.trip_m.is_some() {
            trips.from_postcode += 1;
        }
        trips.round_trip_m += 2 * u64::from(c.trip_m.unwrap_or(assumptions.average_one_way_m));
    }
    trips.co2_g = assumptions.co2_g(trips.round_trip_m);
    trips.cost_cents = assumptions.cost_cents(trips.round_trip_m);

    // 2.
    let appointments: Vec<_> = talks
        .iter()
        .filter(|c| c.origin == Origin::Appointment)
        .collect();
    let after_hours = AfterHours {
        conversations: count(talks.len()),
        outside: count(
            talks
                .iter()
                .filter(|c| c.outside_hours == Some(true))
                .count(),
        ),
        unknown: count(talks.iter().filter(|c| c.outside_hours.is_none()).count()),
        appointments: count(appointments.len()),
        appointments_outside: count(
            appointments
                .iter()
                .filter(|c| c.outside_hours == Some(true))
                .count(),
        ),
    };

    // 3 and 13.
    let products: BTreeSet<Option<ProductId>> = std::iter::once(None)
        .chain(handled.iter().filter_map(|r| r.product.clone()).map(Some))
        .collect();
    let of_product = |p: &Option<ProductId>| -> Vec<&Request> {
        handled
            .iter()
            .filter(|r| p.is_none() || r.product == *p)
            .copied()
            .collect()
    };
    let throughput: Vec<Throughput> = products
        .iter()
        .map(|p| {
            let mut waits: Vec<i64> = of_product(p)
                .into_iter()
                .filter_map(|r| Some((r.handled_at_ms? - r.requested_at_ms).max(0) / 1000))
                .collect();
            Throughput {
                product: p.clone(),
                handled: count(waits.len()),
                median_s: median(&mut waits),
                p90_s: p90(&mut waits),
            }
        })
        .collect();
    let one_go = products
        .iter()
        .map(|p| OneGo {
            product: p.clone(),
            handled: count(of_product(p).len()),
            in_one_go: count(of_product(p).iter().filter(|r| r.in_one_go).count()),
        })
        .collect();

    // 4.
    let citizen_satisfaction = satisfaction(talks.len(), talks.iter().map(|c| c.citizen_score));

    // 5.
    let complaints = complaints(facts, period, tz, start, end);

    // 6.
    let place = |p: Place| count(talks.iter().filter(|c| c.place == Some(p)).count());
    let clerk_work = ClerkWork {
        conversations: count(talks.len()),
        office: place(Place::Office),
        home: place(Place::Home),
        elsewhere: place(Place::Elsewhere),
        unknown: count(talks.iter().filter(|c| c.place.is_none()).count()),
        outside_hours: after_hours.outside,
    };

    // 7.
    let mut by_week: BTreeMap<Date, (Option<i64>, u32)> =
        period.weeks().into_iter().map(|w| (w, (None, 0))).collect();
    for c in &talks {
        if let Some(week) = by_week.get_mut(&monday_of(day_of(tz, c.at_ms))) {
            week.1 += 1;
        }
    }
    for f in figures_in(FigureKind::Visitors).filter(|f| f.channel == Channel::FrontDesk) {
        if let Some(week) = by_week.get_mut(&monday_of(f.from)) {
            week.0 = Some(week.0.unwrap_or(0) + f.value_milli / 1000);
        }
    }
    let visitors = by_week
        .into_iter()
        .map(|(week, (front_desk, digital))| WeekVisitors {
            week,
            front_desk,
            digital,
        })
        .collect();

    // 8.
    let throughput_channels = throughput
        .iter()
        .map(|t| (t.product.clone(), t.median_s))
        .chain(
            figures_in(FigureKind::ThroughputDays)
                .filter(|f| !products.contains(&f.product))
                .map(|f| (f.product.clone(), None)),
        )
        .collect::<BTreeMap<_, _>>()
        .into_iter()
        .map(|(product, digital_median_s)| {
            let rows = figures_in(FigureKind::ThroughputDays).filter(|f| f.product == product);
            ChannelThroughput {
                other: channel_means(rows.map(|f| (f.channel, f.value_milli * 86_400 / 1000))),
                product,
                digital_median_s,
            }
        })
        .collect();

    // 9.
    let clerk_satisfaction = ClerkSatisfaction {
        digital: satisfaction(talks.len(), talks.iter().map(|c| c.clerk_score)),
        other: channel_means(
            figures_in(FigureKind::ClerkSatisfaction).map(|f| (f.channel, f.value_milli)),
        ),
    };

    // 10.
    let mut aggression: BTreeMap<Channel, i64> = BTreeMap::new();
    for i in facts
        .incidents
        .iter()
        .filter(|i| i.kind == IncidentKind::Aggression && within(i.at_ms))
    {
        *aggression.entry(i.channel).or_default() += 1;
    }

    // 11.
    let catalog = period
        .month_ends()
        .into_iter()
        .map(|day| catalog_at(facts, tz, day))
        .collect();

    // 12.
    let mut channels: BTreeMap<Channel, i64> = BTreeMap::new();
    channels.insert(Channel::Digital, i64::from(count(talks.len())));
    for f in figures_in(FigureKind::Contacts).filter(|f| f.channel != Channel::Digital) {
        *channels.entry(f.channel).or_default() += f.value_milli / 1000;
    }

    // 14.
    let in_call: Vec<_> = facts
        .payments
        .iter()
        .filter(|p| p.in_call && within(p.asked_at_ms))
        .collect();
    let paid: Vec<_> = in_call.iter().filter(|p| p.paid_at_ms.is_some()).collect();
    let mut to_paid: Vec<i64> = paid
        .iter()
        .filter_map(|p| Some((p.paid_at_ms? - p.asked_at_ms).max(0) / 1000))
        .collect();
    let payments = Payments {
        asked: count(in_call.len()),
        paid: count(paid.len()),
        paid_cents: paid
            .iter()
            .filter(|p| !p.test_money)
            .map(|p| p.amount_cents)
            .sum(),
        test_cents: paid
            .iter()
            .filter(|p| p.test_money)
            .map(|p| p.amount_cents)
            .sum(),
        median_to_paid_s: median(&mut to_paid),
        reminders_avoided: count(paid.iter().filter(|p| p.paid_in_call).count()),
    };

    Figures {
        period: *period,
        trips,
        after_hours,
        throughput,
        citizen_satisfaction,
        complaints,
        clerk_work,
        visitors,
        throughput_channels,
        clerk_satisfaction,
        aggression: counts(aggression),
        catalog,
        channels: counts(channels),
        one_go,
        payments,
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn counts(map: BTreeMap<Channel, i64>) -> Vec<ChannelCount> {
    map.into_iter()
        .map(|(channel, count)| ChannelCount { channel, count })
        .collect()
}

fn satisfaction(conversations: usize, scores: impl Iterator<Item = Option<Score>>) -> Satisfaction {
    let mut distribution = [0u32; 5];
    let mut sum = 0i64;
    let mut answered = 0u32;
    for s in scores.flatten() {
        distribution[usize::from(s.get() - 1)] += 1;
        sum += i64::from(s.get());
        answered += 1;
    }
    Satisfaction {
        conversations: count(conversations),
        answered,
        average_milli: mean_milli(sum, u64::from(answered)),
        distribution,
    }
}

/// The mean value per channel of `rows` (channel, value), rounded half up.
fn channel_means(rows: impl Iterator<Item = (Channel, i64)>) -> Vec<ChannelValue> {
    let mut sums: BTreeMap<Channel, (i64, u64)> = BTreeMap::new();
    for (channel, value) in rows {
        let e = sums.entry(channel).or_default();
        e.0 += value;
        e.1 += 1;
    }
    sums.into_iter()
        .filter_map(|(channel, (sum, n))| {
            Some(ChannelValue {
                channel,
                value: mean_rounded(sum, n)?,
            })
        })
        .collect()
}

fn complaints(facts: &Facts, period: &Period, tz: &TimeZone, start: i64, end: i64) -> Complaints {
    let is_complaint = |k: IncidentKind| {
        matches!(
            k,
            IncidentKind::Complaint | IncidentKind::ComplaintAfterHours
        )
    };
    let after_hours_between = |from: i64, until: i64| {
        facts
            .incidents
            .iter()
            .filter(|i| i.kind == IncidentKind::ComplaintAfterHours)
            .filter(|i| from <= i.at_ms && i.at_ms < until)
            .count()
    };
    let in_period = facts
        .incidents
        .iter()
        .filter(|i| start <= i.at_ms && i.at_ms < end);
    let mut out = Complaints {
        after_hours: count(after_hours_between(start, end)),
        all: count(in_period.filter(|i| is_complaint(i.kind)).count()),
        digital_since: facts.digital_since,
        per_month_before_milli: None,
        per_month_after_milli: None,
    };
    let Some(since) = facts.digital_since else {
        return out;
    };
    // Before: the twelve whole months before the month it started in.
    let since_month = since.first_of_month();
    if let Ok(year_before) = since_month.checked_sub(jiff::Span::new().years(1)) {
        let from = crate::period::day_start_ms(tz, year_before);
        let until = crate::period::day_start_ms(tz, since_month);
        out.per_month_before_milli = mean_milli(
            i64::try_from(after_hours_between(from, until)).unwrap_or(i64::MAX),
            12,
        );
    }
    // After: from that day to the period's end, in months of 30.44 days (365.25 / 12).
    if period.last >= since {
        let from = crate::period::day_start_ms(tz, since);
        let days = since
            .until(period.last)
            .map(|s| s.get_days() + 1)
            .unwrap_or(0);
        let n = after_hours_between(from, end) as i64;
        if days > 0 {
            // n per month = n × 365.25 / 12 / days, in thousandths.
            let v = (i128::from(n) * 365_250 * 2 + i128::from(days) * 12) / (i128::from(days) * 24);
            out.per_month_after_milli = i64::try_from(v).ok();
        }
    }
    out
}

/// The catalog as it stood at the end of `day`.
fn catalog_at(facts: &Facts, tz: &TimeZone, day: Date) -> CatalogPoint {
    let end = day
        .tomorrow()
        .map(|d| crate::period::day_start_ms(tz, d))
        .unwrap_or(i64::MAX);
    let mut state: BTreeMap<&ProductId, (bool, bool, bool)> = BTreeMap::new();
    let mut changes: Vec<_> = facts.catalog.iter().filter(|c| c.at_ms < end).collect();
    changes.sort_by_key(|c| c.at_ms);
    for c in changes {
        state.insert(&c.product, (c.digital, c.takes_payment, c.removed));
    }
    let live = state
        .values()
        .filter(|(digital, _, removed)| *digital && !removed);
    CatalogPoint {
        day,
        digital: count(live.clone().count()),
        takes_payment: count(live.filter(|(_, paid, _)| *paid).count()),
    }
}
