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
