use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::fmt;

/// The secret part of a citizen's join link: 128 random bits, written as 22 URL-safe
/// base64 characters.
///
/// Whoever holds it may knock on the room, so it prints redacted and is compared only
/// through its hash (the relay stores [`JoinToken::digest_input`] hashed, never the token).
#[derive(Clone, PartialEq, Eq)]
pub struct JoinToken([u8; 16]);

/// The text is not a join token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// Wrong length: a join token is 22 characters.
    #[error("a join token has 22 characters, got {0}")]
    Length(usize),
    /// Not URL-safe base64.
    #[error("a join token uses only A-Z, a-z, 0-9, '-' and '_'")]
    Alphabet,
}

impl JoinToken {
    /// Length of the written form.
    pub const TEXT_LEN: usize = 22;

    /// Makes a token from 16 random bytes (the caller owns the randomness).
    pub fn from_random_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// Parses the written form found in a link.
    pub fn parse(text: &str) -> Result<Self, TokenError> {
        if text.len() != Self::TEXT_LEN {
            return Err(TokenError::Length(text.chars().count()));
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| TokenError::Alphabet)?;
        let bytes: [u8; 16] = bytes.try_into().map_err(|_| TokenError::Alphabet)?;
        // Reject non-canonical encodings (trailing bits set) so one token has one spelling.
        let token = Self(bytes);
        if token.to_text() != text {
            return Err(TokenError::Alphabet);
        }
        Ok(token)
    }

    /// The written form, for the join link.
    pub fn to_text(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    /// The bytes to hash for storage and look-up.
    pub fn digest_input(&self) -> &[u8; 16] {
        &self.0
    }
}

impl fmt::Debug for JoinToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JoinToken({redacted})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn text_form_round_trips(bytes in any::<[u8; 16]>()) {
            let token = JoinToken::from_random_bytes(bytes);
            let text = token.to_text();
            prop_assert_eq!(text.len(), JoinToken::TEXT_LEN);
            prop_assert_eq!(JoinToken::parse(&text), Ok(token));
        }

        #[test]
        fn parse_never_panics(text in ".{0,40}") {
            let _ = JoinToken::parse(&text);
        }
    }

    #[test]
    fn rejects_wrong_length_and_alphabet() {
        assert_eq!(JoinToken::parse("abc"), Err(TokenError::Length(3)));
        assert_eq!(
            JoinToken::parse("aaaaaaaaaaaaaaaaaaaa/+"),
            Err(TokenError::Alphabet)
        );
    }

    #[test]
    fn debug_does_not_show_the_token() {
        let token = JoinToken::from_random_bytes([7; 16]);
        assert!(!format!("{token:?}").contains(&token.to_text()));
    }
}
