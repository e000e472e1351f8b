//! The parsers of what clerks type and providers send: money (the clerk's `12,50` and the
//! wire's `12.50`), the structured reference (OGM), the IBAN, the enterprise number, a
//! service URL, a join token, an enrolment code and `Accept-Language`. Each answers; what parses writes
//! back to the same value.
#![no_main]

use balie_domain::{
    EnterpriseNumber, Iban, InviteCode, JoinToken, Locale, Money, ServiceUrl,
    StructuredReference,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    if let Ok(money) = Money::parse(text) {
        assert_eq!(
            Money::from_decimal_str(&money.to_decimal_string()),
            Ok(money)
        );
        for locale in Locale::ALL {
            let _ = money.format(locale);
        }
    }
    if let Ok(money) = Money::from_decimal_str(text) {
        assert_eq!(
            Money::from_decimal_str(&money.to_decimal_string()),
            Ok(money)
        );
    }
    if let Ok(reference) = StructuredReference::parse(text) {
        assert_eq!(
            StructuredReference::parse(&reference.to_string()),
            Ok(reference)
        );
    }
    if let Ok(iban) = Iban::parse(text) {
        assert_eq!(Iban::parse(&iban.to_string()), Ok(iban));
    }
    if let Ok(number) = EnterpriseNumber::parse(text) {
        assert_eq!(EnterpriseNumber::parse(&number.to_string()), Ok(number));
    }
    let _ = ServiceUrl::parse(text);
    if let Ok(token) = JoinToken::parse(text) {
        assert_eq!(JoinToken::parse(&token.to_text()).ok(), Some(token));
    }
    if let Ok(code) = InviteCode::parse(text) {
        assert_eq!(InviteCode::parse(&code.to_string()).ok(), Some(code.clone()));
        assert_eq!(InviteCode::parse(code.canonical()).ok(), Some(code));
    }
    let _ = Locale::from_accept_language(text);
});
