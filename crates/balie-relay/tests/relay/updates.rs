//! Cockpit updates IT publishes (`balie-relay updates publish`) and the relay serves to
//! clerks' cockpits only: the manifest with the packages' full URLs, the packages it
//! names and nothing else.

use crate::helpers::*;
use balie_protocol::updates::Manifest;

/// A package and its signature file in `dir` (the relay does not check signatures: the
/// cockpit does, against IT's key).
fn package(dir: &std::path::Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    std::fs::write(
        dir.join(format!("{name}.sig")),
        format!("signature of {name}\n"),
    )
    .unwrap();
    path
}

#[tokio::test]
async fn published_packages_are_served_to_clerks_and_nothing_else_is() {
    let built = tempfile::tempdir().unwrap();
    let updates = tempfile::tempdir().unwrap();
    let deb = package(built.path(), "Balie_0.2.0_amd64.deb", b"a debian package");
    let image = package(
        built.path(),
        "Balie_0.2.0_amd64.AppImage",
        b"\x7fELF an appimage",
    );
    let published = balie_relay::updates::publish(
        updates.path(),
        "v0.2.0",
        "Betalingen via overschrijving",
        &[deb, image],
        time::macros::datetime!(2026-12-01 10:00 UTC),
    )
    .unwrap();
    assert_eq!(published.version, "0.2.0");
    // A package without its signature, or of an unknown kind, is refused.
    let unsigned = built.path().join("Balie_0.3.0_amd64.deb");
    std::fs::write(&unsigned, b"x").unwrap();
    assert!(
        balie_relay::updates::publish(
            updates.path(),
            "0.3.0",
            "",
            &[unsigned],
            time::OffsetDateTime::now_utc()
        )
        .is_err()
    );
    assert!(
        balie_relay::updates::publish(
            updates.path(),
            "nieuw",
            "",
            &[],
            time::OffsetDateTime::now_utc()
        )
        .is_err()
    );

    let dir = updates.path().to_path_buf();
    let relay = spawn_with(|c| c.updates_dir = Some(dir)).await;
    let get = |path: &str, token: Option<&str>| {
        let mut request = relay.client.get(format!("{}{path}", relay.url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    assert_eq!(
        get("/api/updates/latest.json", None)
            .await
            .unwrap()
            .status(),
        401
    );
    let manifest: Manifest = get("/api/updates/latest.json", Some(&relay.token))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(manifest.version, "0.2.0");
    assert_eq!(manifest.notes, "Betalingen via overschrijving");
    assert_eq!(manifest.pub_date, "2026-12-01T10:00:00Z");
    let deb = &manifest.platforms["linux-x86_64-deb"];
    assert_eq!(
        deb.url,
        format!("{}/api/updates/files/Balie_0.2.0_amd64.deb", relay.url)
    );
    assert_eq!(deb.signature, "signature of Balie_0.2.0_amd64.deb");
    assert!(manifest.platforms.contains_key("linux-x86_64-appimage"));

    let file = get(
        "/api/updates/files/Balie_0.2.0_amd64.deb",
        Some(&relay.token),
    )
    .await
    .unwrap();
    assert_eq!(file.status(), 200);
    assert_eq!(file.bytes().await.unwrap().as_ref(), b"a debian package");
    assert_eq!(
        get("/api/updates/files/Balie_0.2.0_amd64.deb", None)
            .await
            .unwrap()
            .status(),
        401
    );
    for other in [
        "Balie_0.2.0_amd64.deb.sig",
        "latest.json",
        "..%2Flatest.json",
        "%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    ] {
        let response = get(&format!("/api/updates/files/{other}"), Some(&relay.token))
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{other}");
    }
    relay.stop().await;

    // A relay without an updates folder offers nothing.
    let plain = spawn_app().await;
    let none = plain
        .client
        .get(format!("{}/api/updates/latest.json", plain.url))
        .bearer_auth(&plain.token)
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 204);
    plain.stop().await;
}
