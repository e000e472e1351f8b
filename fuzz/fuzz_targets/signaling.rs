//! Signaling frames as the relay reads them from either side, and as the cockpit reads the
//! relay's: whatever arrives, parsing answers (never panics), and what parses is written
//! back to JSON that parses again.
#![no_main]

use balie_protocol::signaling::{
    CitizenMessage, ClerkMessage, MAX_SIGNAL_BYTES, RelayToCitizen, RelayToClerk,
};
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;

fn again<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(bytes: &[u8]) {
    if let Ok(message) = serde_json::from_slice::<T>(bytes) {
        let text = serde_json::to_string(&message).expect("a parsed message writes back");
        let read = serde_json::from_str::<T>(&text).expect("what was written parses again");
        assert_eq!(read, message);
    }
}

fuzz_target!(|bytes: &[u8]| {
    // The relay refuses larger frames before parsing.
    if bytes.len() > MAX_SIGNAL_BYTES {
        return;
    }
    again::<ClerkMessage>(bytes);
    again::<CitizenMessage>(bytes);
    again::<RelayToClerk>(bytes);
    again::<RelayToCitizen>(bytes);
});
