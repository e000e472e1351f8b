//! The data channel `balie` between the cockpit and the citizen page, opened by the
//! cockpit with the call. Each message is one JSON text, tagged by `type`, at most
//! [`MAX_DATA_MESSAGE_BYTES`] long. Unknown `type`s are ignored by the receiver, so a newer
//! side can add messages (payments come next) without breaking an older one.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Label of the one data channel of a call.
pub const DATA_CHANNEL_LABEL: &str = "balie";

/// Longest data-channel message a side accepts.
pub const MAX_DATA_MESSAGE_BYTES: usize = 16 * 1024;

/// Longest chat message, in characters (Unicode scalar values).
pub const MAX_CHAT_CHARS: usize = 2000;

/// One message on the data channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum DataMessage {
    /// A chat line.
    Chat {
        /// Chosen by the sender, unique within the call; the receiver acknowledges it.
        id: String,
        /// The text, 1 to [`MAX_CHAT_CHARS`] characters.
        text: String,
    },
    /// The chat line with this id arrived.
    ChatReceived {
        /// From [`DataMessage::Chat`].
        id: String,
    },
}

/// Why a data-channel message was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DataMessageError {
    /// Longer than [`MAX_DATA_MESSAGE_BYTES`].
    #[error("message too large")]
    TooLarge,
    /// Not one of the messages above, or not JSON.
    #[error("malformed message")]
    Malformed,
    /// A chat message that is empty or longer than [`MAX_CHAT_CHARS`].
    #[error("chat text empty or too long")]
    BadChat,
}

impl DataMessage {
    /// Reads one message as it arrived on the channel, checking size and chat length.
    pub fn parse(bytes: &[u8]) -> Result<Self, DataMessageError> {
        if bytes.len() > MAX_DATA_MESSAGE_BYTES {
            return Err(DataMessageError::TooLarge);
        }
        let message: Self =
            serde_json::from_slice(bytes).map_err(|_| DataMessageError::Malformed)?;
        if let Self::Chat { text, .. } = &message {
            let chars = text.chars().count();
            if chars == 0 || chars > MAX_CHAT_CHARS || text.trim().is_empty() {
                return Err(DataMessageError::BadChat);
            }
        }
        Ok(message)
    }

    /// The message as it goes on the channel.
    pub fn to_json(&self) -> String {
        // A plain enum of strings always serializes.
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_round_trips_and_limits_hold() {
        let chat = DataMessage::Chat {
            id: "c1".into(),
            text: "Goedemiddag, Dirk".into(),
        };
        assert_eq!(DataMessage::parse(chat.to_json().as_bytes()), Ok(chat));
        let long = format!(
            r#"{{"type":"chat","id":"x","text":"{}"}}"#,
            "é".repeat(2001)
        );
        assert_eq!(
            DataMessage::parse(long.as_bytes()),
            Err(DataMessageError::BadChat)
        );
        let blank = r#"{"type":"chat","id":"x","text":"  "}"#;
        assert_eq!(
            DataMessage::parse(blank.as_bytes()),
            Err(DataMessageError::BadChat)
        );
        assert_eq!(
            DataMessage::parse(b"{\"type\":\"pay\"}"),
            Err(DataMessageError::Malformed)
        );
        assert_eq!(
            DataMessage::parse(&vec![b' '; MAX_DATA_MESSAGE_BYTES + 1]),
            Err(DataMessageError::TooLarge)
        );
    }
}
