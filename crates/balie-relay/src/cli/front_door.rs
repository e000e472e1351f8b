//! IT's commands for the front door: `balie-relay product …`, `balie-relay hours …` and
//! a clerk's teams.

use balie_domain::Money;
use balie_domain::agenda::DayHours;
use balie_store::relay::{hours, product};
use clap::{Args, Subcommand};
use jiff::civil::{Date, Weekday};
use rusqlite::Connection;
use std::io::Write as _;

/// `balie-relay product …`: what the digital counter offers.
#[derive(Debug, Subcommand)]
pub enum ProductCommand {
    /// Add a product (all three names, a price and a duration are required).
    Add {
        /// A short stable id for links (`?product=ID`), e.g. sociaal-restaurant.
        id: String,
        /// What to set.
        #[command(flatten)]
        fields: ProductFields,
    },
    /// List the products with who serves them.
    List,
    /// Change a product: only the options given change.
    Set {
        /// The product's id.
        id: String,
        /// What to change.
        #[command(flatten)]
        fields: ProductFields,
    },
    /// Stop offering a product (its appointments stay).
    Remove {
        /// The product's id.
        id: String,
    },
}

/// A product's fields as options.
#[derive(Debug, Args)]
pub struct ProductFields {
    /// Name in Dutch.
    #[arg(long)]
    pub name_nl: Option<String>,
    /// Name in French.
    #[arg(long)]
    pub name_fr: Option<String>,
    /// Name in English.
    #[arg(long)]
    pub name_en: Option<String>,
    /// What the citizen should have ready, in Dutch.
    #[arg(long)]
    pub prepare_nl: Option<String>,
    /// What the citizen should have ready, in French.
    #[arg(long)]
    pub prepare_fr: Option<String>,
    /// What the citizen should have ready, in English.
    #[arg(long)]
    pub prepare_en: Option<String>,
    /// Price in euro, e.g. 60 or 12,50 (0: free of charge).
    #[arg(long)]
    pub price: Option<String>,
    /// How long a conversation takes, in minutes (5 to 480).
    #[arg(long)]
    pub duration: Option<u32>,
    /// Whether it can be handled through the digital counter [default on add: true].
    #[arg(long)]
    pub digital: Option<bool>,
    /// Place in the list (lower first) [default on add: last].
    #[arg(long)]
    pub position: Option<i64>,
    /// Whether the citizen must prove who they are (itsme, eID) in the call: the relay
    /// asks by itself when they are let in [default on add: false]. Needs an identity
    /// provider ([[identity]] in the config file).
    #[arg(long)]
    pub identity_required: Option<bool>,
    /// A clerk (by name) who serves it (repeatable; on set, replaces the clerks).
    #[arg(long = "clerk")]
    pub clerks: Vec<String>,
    /// A team whose clerks serve it (repeatable; on set, replaces the teams).
    #[arg(long = "team")]
    pub teams: Vec<String>,
}

/// `balie-relay hours …`: the municipality's opening hours.
#[derive(Debug, Subcommand)]
pub enum HoursCommand {
    /// Show the week and the exceptions still to come.
    Show,
    /// Set a weekday's hours, e.g. `hours set monday 09:00-12:00,13:30-16:00` (`-`:
    /// closed).
    Set {
        /// monday … sunday (or maandag … zondag).
        weekday: String,
        /// Windows in Brussels time, comma-separated; `-` for closed.
        hours: String,
    },
    /// Make a date a holiday or give it other hours, e.g.
    /// `hours except 2026-12-25 - --note Kerstmis`.
    Except {
        /// YYYY-MM-DD.
        date: String,
        /// Windows, or `-` for closed.
        hours: String,
        /// What the day is (shown to citizens).
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Drop a date's exception.
    Unexcept {
        /// YYYY-MM-DD.
        date: String,
    },
}

/// Runs `product …`.
pub fn product(db: &Connection, command: ProductCommand) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match command {
        ProductCommand::Add { id, fields } => {
            check_id(&id)?;
            if product::get(db, &id)?.is_some() {
                anyhow::bail!("a product {id:?} exists already; change it with `product set`");
            }
            let required = |v: &Option<String>, what: &str| {
                v.clone()
                    .filter(|s| !s.trim().is_empty())
                    .ok_or_else(|| anyhow::anyhow!("--{what} is required"))
            };
            let new = product::Product {
                name: product::Texts {
                    nl: required(&fields.name_nl, "name-nl")?,
                    fr: required(&fields.name_fr, "name-fr")?,
                    en: required(&fields.name_en, "name-en")?,
                },
                prepare: product::Texts::default(),
                price: Money::from_cents(0),
                duration_minutes: fields
                    .duration
                    .ok_or_else(|| anyhow::anyhow!("--duration is required"))?,
                digital: true,
                position: product::next_position(db)?,
                served_by: Vec::new(),
                changed_at: 0,
                identity_required: false,
                id,
            };
            if fields.price.is_none() {
                anyhow::bail!("--price is required (0 for free of charge)");
            }
            let new = apply(new, fields)?;
            product::put(db, &new)?;
            writeln!(out, "added {}", new.id)?;
        }
        ProductCommand::List => {
            for p in product::list(db, false)? {
                let servers: Vec<String> = p
                    .served_by
                    .iter()
                    .map(|s| match s {
                        product::ServedBy::Clerk(name) => name.clone(),
                        product::ServedBy::Team(team) => format!("team:{team}"),
                    })
                    .collect();
                writeln!(
                    out,
                    "{}\t{}\t{}\t{} min\t{}{}\t{}",
                    p.id,
                    p.name.nl,
                    p.price.format(balie_domain::Locale::Nl),
                    p.duration_minutes,
                    if p.digital { "digital" } else { "not digital" },
                    if p.identity_required {
                        ", identity required"
                    } else {
                        ""
                    },
                    if servers.is_empty() {
                        "served by nobody".to_owned()
                    } else {
                        servers.join(", ")
                    },
                )?;
            }
        }
        ProductCommand::Set { id, fields } => {
            let current =
                product::get(db, &id)?.ok_or_else(|| anyhow::anyhow!("no product {id:?}"))?;
            let changed = apply(current, fields)?;
            product::put(db, &changed)?;
            writeln!(out, "changed {id}")?;
        }
        ProductCommand::Remove { id } => {
            if !product::remove(db, &id)? {
                anyhow::bail!("no product {id:?}");
            }
            writeln!(out, "removed {id}")?;
        }
    }
    Ok(())
}

fn check_id(id: &str) -> anyhow::Result<()> {
    let ok = (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !ok {
        anyhow::bail!("a product id is 1 to 64 of a-z, 0-9 and -, got {id:?}");
    }
    Ok(())
}

/// `current` with the options that were given.
fn apply(mut p: product::Product, f: ProductFields) -> anyhow::Result<product::Product> {
    let text = |v: Option<String>, what: &str, max: usize| -> anyhow::Result<Option<String>> {
        match v {
            Some(s) if s.chars().count() > max => {
                anyhow::bail!("--{what} is longer than {max} characters")
            }
            other => Ok(other.map(|s| s.trim().to_owned())),
        }
    };
    for (slot, value, what) in [
        (&mut p.name.nl, f.name_nl, "name-nl"),
        (&mut p.name.fr, f.name_fr, "name-fr"),
        (&mut p.name.en, f.name_en, "name-en"),
    ] {
        if let Some(v) = text(value, what, 200)? {
            if v.is_empty() {
                anyhow::bail!("--{what} may not be empty");
            }
            *slot = v;
        }
    }
    for (slot, value, what) in [
        (&mut p.prepare.nl, f.prepare_nl, "prepare-nl"),
        (&mut p.prepare.fr, f.prepare_fr, "prepare-fr"),
        (&mut p.prepare.en, f.prepare_en, "prepare-en"),
    ] {
        if let Some(v) = text(value, what, 1000)? {
            *slot = v;
        }
    }
    if let Some(price) = f.price {
        p.price = if price.trim() == "0" {
            Money::from_cents(0)
        } else {
            Money::parse(&price).map_err(|e| anyhow::anyhow!("--price {price:?}: {e}"))?
        };
    }
    if let Some(minutes) = f.duration {
        if !(5..=480).contains(&minutes) {
            anyhow::bail!("--duration must be 5 to 480 minutes, got {minutes}");
        }
        p.duration_minutes = minutes;
    }
    if let Some(digital) = f.digital {
        p.digital = digital;
    }
    if let Some(position) = f.position {
        p.position = position;
    }
    if let Some(required) = f.identity_required {
        p.identity_required = required;
    }
    if !f.clerks.is_empty() {
        p.served_by
            .retain(|s| !matches!(s, product::ServedBy::Clerk(_)));
        p.served_by
            .extend(f.clerks.into_iter().map(product::ServedBy::Clerk));
    }
    if !f.teams.is_empty() {
        p.served_by
            .retain(|s| !matches!(s, product::ServedBy::Team(_)));
        p.served_by
            .extend(f.teams.into_iter().map(product::ServedBy::Team));
    }
    Ok(p)
}

/// Runs `hours …`.
pub fn hours(db: &Connection, command: HoursCommand) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match command {
        HoursCommand::Show => {
            let opening = hours::opening(db)?;
            for n in 1..=7 {
                let day = Weekday::from_monday_one_offset(n)?;
                writeln!(
                    out,
                    "{}\t{}",
                    weekday_name(day),
                    opening.calendar.weekday(day)
                )?;
            }
            let tz = balie_domain::agenda::brussels()?;
            let today = tz.to_datetime(jiff::Timestamp::now()).date();
            for (date, day) in opening.calendar.exceptions().range(today..) {
                let note = opening.notes.get(date).map_or("", String::as_str);
                writeln!(out, "{date}\t{day}\t{note}")?;
            }
        }
        HoursCommand::Set { weekday, hours: h } => {
            let day = parse_weekday(&weekday)?;
            let h: DayHours = h.parse()?;
            hours::set_opening_weekday(db, day, &h)?;
            writeln!(out, "{}\t{h}", weekday_name(day))?;
        }
        HoursCommand::Except {
            date,
            hours: h,
            note,
        } => {
            let date = parse_date(&date)?;
            let h: DayHours = h.parse()?;
            if note.chars().count() > 200 {
                anyhow::bail!("--note is longer than 200 characters");
            }
            hours::set_opening_exception(db, date, &h, note.trim())?;
            writeln!(out, "{date}\t{h}\t{}", note.trim())?;
        }
        HoursCommand::Unexcept { date } => {
            let date = parse_date(&date)?;
            if !hours::remove_opening_exception(db, date)? {
                anyhow::bail!("{date} has no exception");
            }
            writeln!(out, "{date}\tas its weekday again")?;
        }
    }
    Ok(())
}

fn parse_date(text: &str) -> anyhow::Result<Date> {
    text.parse()
        .map_err(|_| anyhow::anyhow!("{text:?} is not a date (YYYY-MM-DD)"))
}

fn parse_weekday(text: &str) -> anyhow::Result<Weekday> {
    let names = [
        ("monday", "maandag", Weekday::Monday),
        ("tuesday", "dinsdag", Weekday::Tuesday),
        ("wednesday", "woensdag", Weekday::Wednesday),
        ("thursday", "donderdag", Weekday::Thursday),
        ("friday", "vrijdag", Weekday::Friday),
        ("saturday", "zaterdag", Weekday::Saturday),
        ("sunday", "zondag", Weekday::Sunday),
    ];
    let lower = text.trim().to_lowercase();
    names
        .iter()
        .find(|(en, nl, _)| lower == *en || lower == *nl)
        .map(|(_, _, d)| *d)
        .ok_or_else(|| anyhow::anyhow!("{text:?} is not a weekday (monday … sunday)"))
}

fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "monday",
        Weekday::Tuesday => "tuesday",
        Weekday::Wednesday => "wednesday",
        Weekday::Thursday => "thursday",
        Weekday::Friday => "friday",
        Weekday::Saturday => "saturday",
        Weekday::Sunday => "sunday",
    }
}
