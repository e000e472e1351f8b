//! Tables `product`, `product_server` and `clerk_team`: what the front door offers and
//! who serves it.

use crate::{StoreError, now_unix};
use balie_domain::{Locale, Money};
use rusqlite::{Connection, OptionalExtension, params};

/// A text in the three languages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Texts {
    /// Dutch.
    pub nl: String,
    /// French.
    pub fr: String,
    /// English.
    pub en: String,
}

impl Texts {
    /// The text in `locale`.
    pub fn get(&self, locale: Locale) -> &str {
        match locale {
            Locale::Nl => &self.nl,
            Locale::Fr => &self.fr,
            Locale::En => &self.en,
        }
    }
}

/// Who serves a product.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum ServedBy {
    /// One clerk, by name.
    Clerk(String),
    /// Every clerk of a team.
    Team(String),
}

/// A product on the relay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    /// Stable id, e.g. `sociaal-restaurant`.
    pub id: String,
    /// Its name.
    pub name: Texts,
    /// What to have ready (may be empty).
    pub prepare: Texts,
    /// Its price (zero: free of charge).
    pub price: Money,
    /// How long a conversation about it takes, in minutes.
    pub duration_minutes: u32,
    /// Whether it can be handled through the digital counter.
    pub digital: bool,
    /// Its place in lists.
    pub position: i64,
    /// Who serves it.
    pub served_by: Vec<ServedBy>,
    /// Whether the citizen must prove who they are (the relay asks when they are let in).
    pub identity_required: bool,
    /// When it was last changed, unix seconds.
    pub changed_at: i64,
}

const SELECT: &str = "SELECT id, name_nl, name_fr, name_en, prepare_nl, prepare_fr, prepare_en,
    price_cents, duration_minutes, digital, position, changed_at, identity_required FROM product";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Product, i64, i64)> {
    Ok((
        Product {
            id: r.get(0)?,
            name: Texts {
                nl: r.get(1)?,
                fr: r.get(2)?,
                en: r.get(3)?,
            },
            prepare: Texts {
                nl: r.get(4)?,
                fr: r.get(5)?,
                en: r.get(6)?,
            },
            price: Money::from_cents(0),
            duration_minutes: 0,
            digital: r.get::<_, i64>(9)? != 0,
            position: r.get(10)?,
            served_by: Vec::new(),
            changed_at: r.get(11)?,
            identity_required: r.get::<_, i64>(12)? != 0,
        },
        r.get(7)?,
        r.get(8)?,
    ))
}

fn finish(
    conn: &Connection,
    (mut product, cents, minutes): (Product, i64, i64),
) -> Result<Product, StoreError> {
    let corrupt = |detail: &str| StoreError::Corrupt {
        table: "product",
        detail: format!("{detail} of {}", product.id),
    };
    product.price = Money::from_cents(u64::try_from(cents).map_err(|_| corrupt("price"))?);
    product.duration_minutes = u32::try_from(minutes).map_err(|_| corrupt("duration"))?;
    product.served_by = served_by(conn, &product.id)?;
    Ok(product)
}

fn served_by(conn: &Connection, product_id: &str) -> Result<Vec<ServedBy>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT clerk.name, product_server.team FROM product_server
         LEFT JOIN clerk ON clerk.id = product_server.clerk_id
         WHERE product_id = ?1",
    )?;
    let rows = stmt.query_map(params![product_id], |r| {
        Ok((
            r.get::<_, Option<String>>(0)?,
            r.get::<_, Option<String>>(1)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        match row? {
            (Some(clerk), None) => out.push(ServedBy::Clerk(clerk)),
            (None, Some(team)) => out.push(ServedBy::Team(team)),
            _ => {
                return Err(StoreError::Corrupt {
                    table: "product_server",
                    detail: format!("a server of {product_id} is neither a clerk nor a team"),
                });
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Every product that is not removed, in list order; with `digital_only`, only those
/// handled through the digital counter.
pub fn list(conn: &Connection, digital_only: bool) -> Result<Vec<Product>, StoreError> {
    let filter = if digital_only { " AND digital = 1" } else { "" };
    let mut stmt = conn.prepare(&format!(
        "{SELECT} WHERE removed_at IS NULL{filter} ORDER BY position, id"
    ))?;
    let rows: Vec<_> = stmt.query_map([], from_row)?.collect::<Result<_, _>>()?;
    rows.into_iter().map(|r| finish(conn, r)).collect()
}

/// Product `id` if it exists and is not removed.
pub fn get(conn: &Connection, id: &str) -> Result<Option<Product>, StoreError> {
    let row = conn
        .query_row(
            &format!("{SELECT} WHERE id = ?1 AND removed_at IS NULL"),
            params![id],
            from_row,
        )
        .optional()?;
    row.map(|r| finish(conn, r)).transpose()
}

/// Product `id`, removed or not (an appointment names its product after it is removed).
pub fn get_any(conn: &Connection, id: &str) -> Result<Option<Product>, StoreError> {
    let row = conn
        .query_row(&format!("{SELECT} WHERE id = ?1"), params![id], from_row)
        .optional()?;
    row.map(|r| finish(conn, r)).transpose()
}

/// Adds `product`, or replaces it when it exists (a removed one comes back). Every
/// clerk named in `served_by` must exist. Returns whether it was new.
pub fn put(conn: &Connection, product: &Product) -> Result<bool, StoreError> {
    let tx = conn.unchecked_transaction()?;
    let cents = i64::try_from(product.price.cents())
        .map_err(|_| StoreError::Forbidden("price too large"))?;
    let existed = tx
        .query_row(
            "SELECT 1 FROM product WHERE id = ?1",
            params![product.id],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    tx.execute(
        "INSERT INTO product (id, name_nl, name_fr, name_en, prepare_nl, prepare_fr,
            prepare_en, price_cents, duration_minutes, digital, position, changed_at,
            identity_required)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT (id) DO UPDATE SET name_nl = ?2, name_fr = ?3, name_en = ?4,
            prepare_nl = ?5, prepare_fr = ?6, prepare_en = ?7, price_cents = ?8,
            duration_minutes = ?9, digital = ?10, position = ?11, changed_at = ?12,
            identity_required = ?13, removed_at = NULL",
        params![
            product.id,
            product.name.nl,
            product.name.fr,
            product.name.en,
            product.prepare.nl,
            product.prepare.fr,
            product.prepare.en,
            cents,
            product.duration_minutes,
            product.digital,
            product.position,
            now_unix(),
            product.identity_required,
        ],
    )?;
    tx.execute(
        "DELETE FROM product_server WHERE product_id = ?1",
        params![product.id],
    )?;
    for server in &product.served_by {
        match server {
            ServedBy::Clerk(name) => {
                let clerk: Option<i64> = tx
                    .query_row("SELECT id FROM clerk WHERE name = ?1", params![name], |r| {
                        r.get(0)
                    })
                    .optional()?;
                let clerk = clerk.ok_or_else(|| StoreError::NotFound {
                    table: "clerk",
                    id: name.clone(),
                })?;
                tx.execute(
                    "INSERT INTO product_server (product_id, clerk_id) VALUES (?1, ?2)",
                    params![product.id, clerk],
                )?;
            }
            ServedBy::Team(team) => {
                tx.execute(
                    "INSERT INTO product_server (product_id, team) VALUES (?1, ?2)",
                    params![product.id, team],
                )?;
            }
        }
    }
    tx.commit()?;
    Ok(!existed)
}

/// Stops offering product `id`; its appointments stay. False when there was none.
pub fn remove(conn: &Connection, id: &str) -> Result<bool, StoreError> {
    let now = now_unix();
    Ok(conn.execute(
        "UPDATE product SET removed_at = ?2, changed_at = ?2 WHERE id = ?1 AND removed_at IS NULL",
        params![id, now],
    )? > 0)
}

/// The next free list position (after the last product).
pub fn next_position(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row(
        "SELECT COALESCE(MAX(position), 0) + 1 FROM product",
        [],
        |r| r.get(0),
    )?)
}

/// The active (not revoked) clerks who serve product `id`, directly or through a team,
/// by id.
pub fn server_ids(conn: &Connection, product_id: &str) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT DISTINCT clerk.id FROM clerk
         JOIN product_server ps ON ps.product_id = ?1
         LEFT JOIN clerk_team ct ON ct.clerk_id = clerk.id AND ct.team = ps.team
         WHERE clerk.revoked_at IS NULL
           AND (ps.clerk_id = clerk.id OR ct.team IS NOT NULL)
         ORDER BY clerk.id",
    )?;
    let rows = stmt.query_map(params![product_id], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The ids of the products clerk `clerk_id` serves (directly or through a team) that
/// are offered, in list order.
pub fn served_by_clerk(conn: &Connection, clerk_id: i64) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT DISTINCT p.id FROM product p
         JOIN product_server ps ON ps.product_id = p.id
         LEFT JOIN clerk_team ct ON ct.team = ps.team AND ct.clerk_id = ?1
         WHERE p.removed_at IS NULL AND p.digital = 1
           AND (ps.clerk_id = ?1 OR ct.clerk_id IS NOT NULL)
         ORDER BY p.position, p.id",
    )?;
    let rows = stmt.query_map(params![clerk_id], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Sets the teams of the clerk called `name`. False when there is no such clerk.
pub fn set_teams(conn: &Connection, name: &str, teams: &[String]) -> Result<bool, StoreError> {
    let tx = conn.unchecked_transaction()?;
    let clerk: Option<i64> = tx
        .query_row("SELECT id FROM clerk WHERE name = ?1", params![name], |r| {
            r.get(0)
        })
        .optional()?;
    let Some(clerk) = clerk else {
        return Ok(false);
    };
    tx.execute("DELETE FROM clerk_team WHERE clerk_id = ?1", params![clerk])?;
    for team in teams {
        tx.execute(
            "INSERT OR IGNORE INTO clerk_team (clerk_id, team) VALUES (?1, ?2)",
            params![clerk, team],
        )?;
    }
    tx.commit()?;
    Ok(true)
}

/// The teams of clerk `clerk_id`, sorted.
pub fn teams(conn: &Connection, clerk_id: i64) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare("SELECT team FROM clerk_team WHERE clerk_id = ?1 ORDER BY team")?;
    let rows = stmt.query_map(params![clerk_id], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
