//! Build script: Tauri's code generation, with this layout's capability directory.

fn main() {
    const COMMANDS: &[&str] = &[
        "cockpit_status",
        "new_conversation",
        "admit",
        "decline",
        "send_chat",
        "set_mic_muted",
        "set_camera_off",
        "set_background_blur",
        "end_conversation",
        "frame_url",
        "list_devices",
        "choose_devices",
        "open_join_link",
        "swap_screens",
        "payment_setup",
        "request_payment",
        "cancel_payment",
        "mark_payment_received",
        "conversation_payments",
        "follow_payments",
        "set_product_price",
        "provider_keys",
        "set_provider_key",
        "test_provider_key",
        "remove_provider_key",
        "search_cases",
        "open_case",
        "refresh_case",
        "add_case_note",
        "set_case_status",
        "mark_case_handled",
        "link_case_to_call",
        "request_case_payment",
        "follow_dossier",
        "import_cases",
        "export_case",
        "create_case",
        "attach_document",
        "open_document",
    ];
    // Capabilities live beside the Rust sources; each window gets only the commands it uses.
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed: check tauri.conf.json and src-tauri/capabilities");
}
