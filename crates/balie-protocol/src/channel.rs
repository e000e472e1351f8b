//! The data channel `balie` between the cockpit and the citizen page, opened by the
//! cockpit with the call. Each message is one JSON text, tagged by `type`, at most
//! [`MAX_DATA_MESSAGE_BYTES`] long. Unknown `type`s are ignored by the receiver, so a newer
//! side can add messages without breaking an older one.

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
    /// The clerk asks for a payment: the citizen page shows its card (cockpit → page).
    /// Sent whole on every change, and every card of the call again whenever the channel
    /// opens (the page was reloaded, or came back from a banking app).
    Payment {
        /// What the card shows.
        card: PaymentCard,
    },
}

/// Where a payment stands, as the citizen page shows it. `paid` is sent only after the
/// provider's API said so to the cockpit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CardStatus {
    /// Waiting for the payer (for a transfer: for the bank statement).
    Open,
    /// Received.
    Paid,
    /// The payer's bank or the provider refused it.
    Failed,
    /// The clerk or the payer stopped it.
    Canceled,
    /// Not paid in time.
    Expired,
    /// The provider's answer did not match what was asked: the clerk checks it. Not
    /// paid, and nothing to pay now.
    Review,
}

/// How the citizen pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PayMethod {
    /// On the provider's checkout page (`checkout_url`), or by scanning its QR code.
    Checkout,
    /// By bank transfer with the structured reference; the QR code is an EPC QR code.
    Transfer,
}

/// A payment card on the citizen page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PaymentCard {
    /// The cockpit's id of the payment.
    pub id: String,
    /// Who receives the money (the municipality).
    pub payee: String,
    /// The amount in euro cents (the page formats it in its language).
    #[ts(type = "number")]
    pub amount_cents: u64,
    /// What it is for.
    pub description: String,
    /// The structured reference as printed (`+++090/9337/55493+++`), if there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub reference: Option<String>,
    /// How to pay.
    pub method: PayMethod,
    /// The provider's checkout page (for [`PayMethod::Checkout`]); the page opens only
    /// allow-listed hosts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub checkout_url: Option<String>,
    /// The payee's IBAN, printed in groups (for [`PayMethod::Transfer`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub iban: Option<String>,
    /// The QR code's modules, one string of `0` and `1` per row (top row first): the
    /// checkout address, or the EPC QR payload of a transfer.
    pub qr: Vec<String>,
    /// A test payment (sandbox or a provider's test mode): no real money moves.
    pub test: bool,
    /// Where it stands.
    pub status: CardStatus,
    /// When the status last changed, RFC 3339.
    pub changed_at: String,
}

impl CardStatus {
    /// Every status a card can have.
    pub const ALL: [CardStatus; 6] = [
        Self::Open,
        Self::Paid,
        Self::Failed,
        Self::Canceled,
        Self::Expired,
        Self::Review,
    ];
}

/// The only hosts a card's *Betalen* may lead to, besides the relay's own test checkout:
/// the providers' checkout pages (Mollie, Stripe, Bancontact Pay). The citizen page opens
/// nothing else, whoever sent it.
pub const CHECKOUT_HOSTS: [&str; 3] = [
    "www.mollie.com",
    "checkout.stripe.com",
    "pay.bancontact.net",
];

/// What the citizen page's script must agree on with the relay and the cockpit. The relay
/// writes it into the page (a JSON data block, `#protocol`), so the script keeps no copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PageConstants {
    /// [`crate::signaling::SIGNALING_VERSION`].
    pub signaling_version: u32,
    /// [`DATA_CHANNEL_LABEL`].
    pub data_channel_label: String,
    /// [`MAX_CHAT_CHARS`].
    pub max_chat_chars: u32,
    /// [`crate::impact::MAX_COMMENT_CHARS`]: the survey's longest comment.
    pub max_comment_chars: u32,
    /// [`CardStatus::ALL`].
    pub card_statuses: Vec<CardStatus>,
    /// [`CHECKOUT_HOSTS`].
    pub checkout_hosts: Vec<String>,
}

impl PageConstants {
    /// The constants of this build.
    pub fn current() -> Self {
        Self {
            signaling_version: crate::signaling::SIGNALING_VERSION,
            data_channel_label: DATA_CHANNEL_LABEL.into(),
            max_chat_chars: u32::try_from(MAX_CHAT_CHARS).unwrap_or(u32::MAX),
            max_comment_chars: u32::try_from(crate::impact::MAX_COMMENT_CHARS).unwrap_or(u32::MAX),
            card_statuses: CardStatus::ALL.to_vec(),
            checkout_hosts: CHECKOUT_HOSTS.iter().map(|h| (*h).to_owned()).collect(),
        }
    }
}

/// Longest description on a card, in characters.
pub const MAX_CARD_DESCRIPTION_CHARS: usize = 255;
/// Longest checkout address on a card.
pub const MAX_CHECKOUT_URL_BYTES: usize = 2048;
/// Most rows (and columns) of a card's QR code (version 40).
pub const MAX_QR_MODULES: usize = 177;

impl PaymentCard {
    fn is_valid(&self) -> bool {
        let qr_ok = self.qr.len() <= MAX_QR_MODULES
            && self.qr.iter().all(|row| {
                row.len() == self.qr.len() && row.bytes().all(|b| b == b'0' || b == b'1')
            });
        let chars = self.description.chars().count();
        qr_ok
            && chars > 0
            && chars <= MAX_CARD_DESCRIPTION_CHARS
            && self.amount_cents > 0
            && self.id.len() <= 64
            && self.payee.chars().count() <= 70
            && self.checkout_url.as_ref().is_none_or(|u| {
                u.len() <= MAX_CHECKOUT_URL_BYTES
                    && (u.starts_with("https://") || u.starts_with("http://127.0.0.1:"))
            })
    }
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
    /// A payment card outside its limits (amount, description, QR code, address).
    #[error("payment card out of bounds")]
    BadCard,
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
        if let Self::Payment { card } = &message
            && !card.is_valid()
        {
            return Err(DataMessageError::BadCard);
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

    fn card() -> PaymentCard {
        PaymentCard {
            id: "p1".into(),
            payee: "Gemeente Balie".into(),
            amount_cents: 4500,
            description: "Verkeersborden opendeurdag".into(),
            reference: Some("+++090/9337/55493+++".into()),
            method: PayMethod::Checkout,
            checkout_url: Some("https://www.mollie.com/checkout/select-method/7UhSN1zuXS".into()),
            iban: None,
            qr: vec!["101".into(), "010".into(), "111".into()],
            test: true,
            status: CardStatus::Open,
            changed_at: "2026-11-29T10:00:00Z".into(),
        }
    }

    #[test]
    fn a_payment_card_round_trips_and_its_limits_hold() {
        let good = DataMessage::Payment { card: card() };
        assert_eq!(DataMessage::parse(good.to_json().as_bytes()), Ok(good));
        let mut bad = Vec::new();
        let mut c = card();
        c.amount_cents = 0;
        bad.push(c);
        let mut c = card();
        c.qr = vec!["101".into(), "01".into(), "111".into()];
        bad.push(c);
        let mut c = card();
        c.qr[1] = "0x0".into();
        bad.push(c);
        let mut c = card();
        c.description = "x".repeat(256);
        bad.push(c);
        let mut c = card();
        c.checkout_url = Some("javascript:alert(1)".into());
        bad.push(c);
        let mut c = card();
        c.checkout_url = Some("http://evil.example/".into());
        bad.push(c);
        for card in bad {
            let json = DataMessage::Payment { card }.to_json();
            assert_eq!(
                DataMessage::parse(json.as_bytes()),
                Err(DataMessageError::BadCard),
                "{json}"
            );
        }
    }
}
