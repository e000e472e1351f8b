//! The checked-in TypeScript bindings match the Rust types.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

#[test]
fn checked_in_typescript_bindings_are_fresh() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/bindings/protocol.ts");
    balie_protocol::assert_bindings_fresh(&path, &balie_protocol::typescript_bindings());
}

#[test]
fn create_room_request_refuses_unknown_fields() {
    let err = serde_json::from_str::<balie_protocol::CreateRoomRequest>(r#"{"valid_for":5}"#);
    assert!(err.is_err());
    let ok: balie_protocol::CreateRoomRequest = serde_json::from_str("{}").unwrap();
    assert_eq!(ok, Default::default());
}
