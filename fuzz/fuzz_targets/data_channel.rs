//! Data-channel messages (chat, payment cards) as either side reads them: parsing answers
//! with a message or a reason, and an accepted message written back is accepted again.
#![no_main]

use balie_protocol::channel::DataMessage;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(message) = DataMessage::parse(bytes) {
        let again = DataMessage::parse(message.to_json().as_bytes())
            .expect("an accepted message, written back, is accepted again");
        assert_eq!(again, message);
    }
});
