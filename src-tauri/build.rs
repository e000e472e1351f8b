//! Build script: Tauri's code generation, with this layout's capability directory.
//!
//! The windows' pages are built by Vite (`npm run build`, which both README commands run)
//! into `ui/cockpit/dist`, and Tauri embeds them. So that a plain `cargo build` works in a
//! fresh clone before any `npm ci`, a missing `dist` gets two placeholder pages that say
//! how to build the real ones; Vite's build replaces them.

/// The page each window shows until the UI is built.
const PLACEHOLDER: &str = r#"<!doctype html>
<html lang="nl">
<head><meta charset="utf-8"><title>Balie</title></head>
<body>
<h1>Balie</h1>
<p>De vensters van de cockpit zijn nog niet gebouwd: voer <code>npm ci &amp;&amp; npm run build</code> uit (of <code>scripts/run.sh</code>) en bouw opnieuw.</p>
<p lang="fr">Les fenêtres du cockpit ne sont pas encore construites : lancez <code>npm ci &amp;&amp; npm run build</code> (ou <code>scripts/run.sh</code>) puis reconstruisez.</p>
<p lang="en">The cockpit's windows are not built yet: run <code>npm ci &amp;&amp; npm run build</code> (or <code>scripts/run.sh</code>) and build again.</p>
</body>
</html>
"#;

fn placeholder_pages() {
    let dist = std::path::Path::new("ui/cockpit/dist");
    if dist.join("gesprek.html").exists() {
        return;
    }
    for page in ["gesprek.html", "dossier.html", "aanmelden.html"] {
        std::fs::create_dir_all(dist)
            .and_then(|()| std::fs::write(dist.join(page), PLACEHOLDER))
            .expect("ui/cockpit/dist is writable");
    }
}

fn main() {
    placeholder_pages();
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
        "video_areas",
        "video_painted",
        "agenda",
        "availability",
        "set_availability",
        "walk_in_queue",
        "set_clerk_status",
        "open_appointment",
        "take_next_citizen",
        "follow_front_door",
        "identity_view",
        "ask_identity",
        "complete_party_from_identity",
        "follow_identity",
        "impact_dashboard",
        "impact_report",
        "impact_import",
        "impact_add_register_entry",
        "impact_register",
        "impact_remove_register_entry",
        "impact_clerk_day",
        "impact_set_place",
        "impact_clerk_survey_due",
        "impact_answer_clerk_survey",
        "enrol_view",
        "enrol",
        "test_connection",
        "open_enrolment",
        "check_update",
        "install_update",
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
