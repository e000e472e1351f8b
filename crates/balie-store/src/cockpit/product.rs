//! Table `product`: what a clerk can ask payment for, and its price.

use crate::StoreError;
use balie_domain::{Locale, Money};
use rusqlite::{Connection, params};

/// A product as the payment panel lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    /// Stable id.
    pub id: String,
    /// Its name in the asked language.
    pub name: String,
    /// Its price.
    pub price: Money,
    /// Whether it can be handled through the digital counter.
    pub digital: bool,
}

/// Every product, in catalog order, named in `locale`.
pub fn list(conn: &Connection, locale: Locale) -> Result<Vec<Product>, StoreError> {
    let column = match locale {
        Locale::Nl => "name_nl",
        Locale::Fr => "name_fr",
        Locale::En => "name_en",
    };
    let mut statement = conn.prepare(&format!(
        "SELECT id, {column}, price_cents, digital FROM product ORDER BY position, id"
    ))?;
    let rows = statement.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })?;
    rows.map(|r| {
        let (id, name, cents, digital) = r?;
        let cents = u64::try_from(cents).map_err(|_| StoreError::Corrupt {
            table: "product",
            detail: "price".into(),
        })?;
        Ok(Product {
            id,
            name,
            price: Money::from_cents(cents),
            digital: digital != 0,
        })
    })
    .collect()
}

/// Changes product `id`'s price. A zero price is refused by the table.
pub fn set_price(conn: &Connection, id: &str, price: Money) -> Result<(), StoreError> {
    let cents =
        i64::try_from(price.cents()).map_err(|_| StoreError::Forbidden("price too large"))?;
    if conn.execute(
        "UPDATE product SET price_cents = ?2 WHERE id = ?1",
        params![id, cents],
    )? == 0
    {
        return Err(StoreError::NotFound {
            table: "product",
            id: id.to_owned(),
        });
    }
    Ok(())
}

/// A product as the relay publishes it, to be written into the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upsert {
    /// Stable id (the relay's).
    pub id: String,
    /// Name in Dutch.
    pub name_nl: String,
    /// Name in French.
    pub name_fr: String,
    /// Name in English.
    pub name_en: String,
    /// Its price (not zero: the table refuses it).
    pub price: Money,
    /// Whether it can be handled through the digital counter.
    pub digital: bool,
    /// Place in the list.
    pub position: i64,
}

/// Writes `p` into the catalog: a new product, or the names, price, place and digital flag
/// of the one with its id.
pub fn upsert(conn: &Connection, p: &Upsert) -> Result<(), StoreError> {
    let cents =
        i64::try_from(p.price.cents()).map_err(|_| StoreError::Forbidden("price too large"))?;
    conn.execute(
        "INSERT INTO product (id, name_nl, name_fr, name_en, price_cents, position, digital)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (id) DO UPDATE SET name_nl = ?2, name_fr = ?3, name_en = ?4,
             price_cents = ?5, position = ?6, digital = ?7",
        params![
            p.id,
            p.name_nl,
            p.name_fr,
            p.name_en,
            cents,
            p.position,
            i64::from(p.digital)
        ],
    )?;
    Ok(())
}
