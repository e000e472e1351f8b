//! The one check of a party and its case, whether they come from the clerk's form
//! (*Nieuw dossier*) or from an import row: every field is trimmed, every problem is
//! named with its field in the clerk's language, and only a checked case is written.

use balie_domain::{EnterpriseNumber, Locale};
use balie_store::cockpit::case::{CaseStatus, NewParty, PartyKind};

/// The longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 10_000;
/// The longest party name, in characters.
pub const MAX_PARTY_NAME_CHARS: usize = 200;
/// The longest case title, in characters.
pub const MAX_TITLE_CHARS: usize = 300;
/// The longest case number, in characters (a municipality's own numbers on import).
pub const MAX_NUMBER_CHARS: usize = 40;
/// The longest e-mail address (RFC 5321's path limit).
pub const MAX_EMAIL_BYTES: usize = 254;

/// A party and its case as text, as the clerk's form or an import row gives them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFields {
    /// `citizen`, `company` or `association`.
    pub party_kind: Option<String>,
    /// The applicant's name.
    pub party_name: Option<String>,
    /// The enterprise number (required for a company).
    pub enterprise_number: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Postal address.
    pub address: Option<String>,
    /// The party's id in the municipality's own system.
    pub external_id: Option<String>,
    /// The case number (empty: the next free one).
    pub case_number: Option<String>,
    /// What the case is about.
    pub title: Option<String>,
    /// Where it stands (empty: new).
    pub status: Option<String>,
    /// A product id from the catalog.
    pub product: Option<String>,
    /// The clerk handling it.
    pub assigned_clerk: Option<String>,
    /// Notes to add.
    pub notes: Vec<String>,
}

/// A party and its case, checked: ready to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedCase {
    /// The party (found again by enterprise number or external id, else new).
    pub party: NewParty,
    /// The case number; `None`: the next free one.
    pub number: Option<String>,
    /// What it is about.
    pub title: String,
    /// Where it stands.
    pub status: CaseStatus,
    /// A product id from the catalog.
    pub product: Option<String>,
    /// The clerk handling it.
    pub assigned_clerk: Option<String>,
    /// Notes to add.
    pub notes: Vec<String>,
}

/// What is wrong with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name (the import's column).
    pub field: &'static str,
    /// What is wrong, in the clerk's language.
    pub message: String,
}

/// The value of a field, trimmed; `None` when empty.
pub fn clean(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

fn text(locale: Locale, key: &str) -> String {
    crate::i18n::text(locale, &format!("import.{key}"))
}

/// Checks `fields` against the rules; `products` are the catalog's product ids. Every
/// problem is returned, in the order of the form.
pub fn check(
    locale: Locale,
    fields: &CaseFields,
    products: &[String],
) -> Result<CheckedCase, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut fail = |field: &'static str, message: String| {
        errors.push(FieldError { field, message });
    };
    let title = clean(fields.title.as_deref()).unwrap_or_default();
    if title.is_empty() {
        fail("title", text(locale, "title_missing"));
    } else if title.chars().count() > MAX_TITLE_CHARS {
        fail("title", text(locale, "title_long"));
    }
    let status = match clean(fields.status.as_deref()) {
        None => Some(CaseStatus::New),
        Some(s) => CaseStatus::from_name(&s),
    };
    if status.is_none() {
        fail("status", text(locale, "status_unknown"));
    }
    let kind = clean(fields.party_kind.as_deref()).and_then(|k| PartyKind::from_name(&k));
    if kind.is_none() {
        fail("party_kind", text(locale, "party_kind_unknown"));
    }
    let name = clean(fields.party_name.as_deref()).unwrap_or_default();
    if name.is_empty() || name.chars().count() > MAX_PARTY_NAME_CHARS {
        fail("party_name", text(locale, "party_name_missing"));
    }
    let number_text = clean(fields.enterprise_number.as_deref());
    let enterprise_number = match &number_text {
        None => None,
        Some(n) => match EnterpriseNumber::parse(n) {
            Ok(n) => Some(n),
            Err(e) => {
                let key = format!("error.{}", e.catalog_key());
                fail("enterprise_number", crate::i18n::text(locale, &key));
                None
            }
        },
    };
    if kind == Some(PartyKind::Company) && number_text.is_none() {
        fail(
            "enterprise_number",
            text(locale, "enterprise_number_missing"),
        );
    }
    let product = clean(fields.product.as_deref());
    if product.as_ref().is_some_and(|p| !products.contains(p)) {
        fail("product", text(locale, "product_unknown"));
    }
    let number = clean(fields.case_number.as_deref());
    if number
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_NUMBER_CHARS)
    {
        fail("case_number", text(locale, "number_long"));
    }
    let notes: Vec<String> = fields.notes.iter().filter_map(|n| clean(Some(n))).collect();
    if notes.iter().any(|n| n.chars().count() > MAX_NOTE_CHARS) {
        fail("note", text(locale, "note_long"));
    }
    let email = clean(fields.email.as_deref());
    if email
        .as_ref()
        .is_some_and(|e| !e.contains('@') || e.len() > MAX_EMAIL_BYTES)
    {
        fail("email", text(locale, "email_invalid"));
    }
    let (Some(kind), Some(status), true) = (kind, status, errors.is_empty()) else {
        return Err(errors);
    };
    Ok(CheckedCase {
        party: NewParty {
            kind,
            name,
            enterprise_number,
            email,
            phone: clean(fields.phone.as_deref()),
            address: clean(fields.address.as_deref()),
            external_id: clean(fields.external_id.as_deref()),
        },
        number,
        title,
        status,
        product,
        assigned_clerk: clean(fields.assigned_clerk.as_deref()),
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(kind: &str, name: &str, number: Option<&str>, title: &str) -> CaseFields {
        CaseFields {
            party_kind: Some(kind.into()),
            party_name: Some(name.into()),
            enterprise_number: number.map(Into::into),
            title: Some(title.into()),
            ..CaseFields::default()
        }
    }

    #[test]
    fn every_problem_is_named_with_its_field() {
        let mut bad = fields("company", " ", Some("0203.201.341"), "");
        bad.email = Some("geen-adres".into());
        bad.product = Some("kermis".into());
        bad.status = Some("misschien".into());
        let errors = check(Locale::Nl, &bad, &["feestzaal".into()]).unwrap_err();
        let named: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            named,
            [
                "title",
                "status",
                "party_name",
                "enterprise_number",
                "product",
                "email"
            ]
        );
        assert!(
            errors.iter().all(|e| !e.message.starts_with("import.")),
            "{errors:?}"
        );
    }

    #[test]
    fn a_company_needs_its_enterprise_number_and_a_citizen_does_not() {
        let company = check(
            Locale::Fr,
            &fields("company", "Garage Peeters", None, "Opendeurdag"),
            &[],
        );
        assert_eq!(company.unwrap_err()[0].field, "enterprise_number");
        let citizen = check(
            Locale::Nl,
            &fields("citizen", " Dirk ", None, " Maaltijden "),
            &[],
        )
        .unwrap();
        assert_eq!(citizen.party.name, "Dirk");
        assert_eq!(citizen.title, "Maaltijden");
        assert_eq!(citizen.status, CaseStatus::New);
    }
}
