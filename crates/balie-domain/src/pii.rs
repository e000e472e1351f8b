use std::fmt;

/// Citizen data (a name, an address, an IBAN…) that must never reach a log.
///
/// `Debug` and `Display` print `{redacted}`; the value is reached only through
/// [`Pii::expose`], so every place that reads it is visible in the code. Serde passes
/// the value through unchanged, because storage and the wire need it.
#[derive(Clone, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Pii<T>(T);

impl<T> Pii<T> {
    /// Wraps a value as citizen data.
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The wrapped value, for the code that really needs it (storage, the screen).
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// Unwraps the value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for Pii<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{redacted}")
    }
}

impl<T> fmt::Display for Pii<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{redacted}")
    }
}

impl<T> From<T> for Pii<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let iban = Pii::new("BE68539007547034".to_string());
        assert_eq!(format!("{iban}"), "{redacted}");
        assert_eq!(format!("{iban:?}"), "{redacted}");
        assert_eq!(format!("{:?}", Some(&iban)), "Some({redacted})");
    }

    #[test]
    fn serde_keeps_the_value_for_storage_and_the_wire() {
        let name = Pii::new("Jef".to_string());
        let json = serde_json::to_string(&name).unwrap();
        assert_eq!(json, "\"Jef\"");
        let back: Pii<String> = serde_json::from_str(&json).unwrap();
        assert_eq!(back.expose(), "Jef");
    }
}
