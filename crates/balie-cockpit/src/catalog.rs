//! The product catalog: what the municipality asks money for (seeded with the social
//! restaurant's meal subscription, traffic signs for an event on public land and the party
//! hall's rent), named in the clerk's language. The payment panel offers its products; a
//! case may be about one.

use crate::error::CockpitError;
use crate::store::SharedStore;
use balie_domain::{Locale, Money};
use balie_store::cockpit::product;
use serde::Serialize;
use ts_rs::TS;

/// A product from the catalog, named in the clerk's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ProductView {
    /// Stable id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its price in cents.
    #[ts(type = "number")]
    pub price_cents: u64,
    /// Its price as the clerk reads it (`€ 45,00`).
    pub price_text: String,
    /// Whether it can be handled through the digital counter.
    pub digital: bool,
}

/// The catalog in the cockpit database.
#[derive(Clone)]
pub struct Catalog {
    store: SharedStore,
    locale: Locale,
}

impl Catalog {
    /// The catalog in `store`, named in `locale`.
    pub fn new(store: SharedStore, locale: Locale) -> Self {
        Self { store, locale }
    }

    /// Every product, in catalog order.
    pub fn list(&self) -> Result<Vec<ProductView>, CockpitError> {
        let locale = self.locale;
        Ok(self
            .store
            .with(|c| product::list(c, locale))?
            .into_iter()
            .map(|p| ProductView {
                id: p.id,
                name: p.name,
                price_cents: p.price.cents(),
                price_text: p.price.format(locale),
                digital: p.digital,
            })
            .collect())
    }

    /// The products' ids.
    pub fn ids(&self) -> Result<Vec<String>, CockpitError> {
        Ok(self.list()?.into_iter().map(|p| p.id).collect())
    }

    /// Changes product `id`'s price to `price` as the clerk typed it, in their language;
    /// a zero or unreadable price is refused in that language and changes nothing.
    pub fn set_price(&self, id: &str, price: &str) -> Result<ProductView, CockpitError> {
        let locale = self.locale;
        let price = Money::parse(price)
            .map_err(|e| CockpitError::rejected(locale, &format!("error.{}", e.catalog_key())))?;
        if price.is_zero() {
            return Err(CockpitError::rejected(locale, "error.money.zero"));
        }
        self.store.with(|c| product::set_price(c, id, price))?;
        self.list()?
            .into_iter()
            .find(|p| p.id == id)
            .ok_or_else(|| CockpitError::InvalidInput("no such product".into()))
    }
}
