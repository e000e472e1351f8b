//! Who is on the other side, end to end (issue 15): the municipality's relay with a
//! certified OpenID provider on loopback standing in for ACM/IDM, the real cockpit under
//! WebDriver, real Chromium as Dirk. In a call about his case the clerk asks for his
//! identity; he signs in with itsme in a tab of his own and comes back to the call; the
//! cockpit shows who it is (the national number masked) beside the picture, compared with
//! the case's party, and completes the party when the clerk says so; the case's timeline
//! records that the identity was checked, by what means and at what level.

use super::COCKPIT;
use super::front_door::Municipality;
use balie_relay::identity::config::{ClientAuthKind, Preset, ProviderFile};
use balie_testkit::chromium;
use balie_testkit::cockpit::serial;
use balie_testkit::display::two_monitors;
use balie_testkit::seen;

const CLIENT_ID: &str = "balie-zonnedorp";

/// Dirk's case: a citizen party without a national number yet.
fn seed_dirk(data: &std::path::Path) {
    use balie_store::cockpit::case;
    let mut conn =
        balie_store::open(&data.join("cockpit.sqlite3"), &balie_store::cockpit::SCHEMA).unwrap();
    let now_ms = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
        - 3_600_000;
    let party = case::add_party(
        &conn,
        &case::NewParty {
            kind: case::PartyKind::Citizen,
            name: "Dirk Peeters".into(),
            enterprise_number: None,
            email: None,
            phone: None,
            address: None,
            external_id: None,
        },
        now_ms,
    )
    .unwrap();
    case::add_case(
        &mut conn,
        &case::NewCase {
            number: "2026-000201".into(),
            party_id: party,
            product_id: None,
            title: "Maaltijden sociaal restaurant".into(),
            status: case::CaseStatus::InProgress,
            assigned_clerk: None,
        },
        "import",
        now_ms,
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clerk_asks_dirk_who_he_is_he_signs_in_with_itsme_and_the_case_records_it() {
    let _serial = serial().await;
    let keys = tempfile::tempdir().unwrap();
    let key_file = keys.path().join("oidc-key.pem");
    let jwk =
        balie_relay::identity::keys::keygen(&key_file, balie_relay::identity::keys::KeyKind::Rs256)
            .unwrap();
    let op = balie_testkit::oidc::listen();
    let provider = ProviderFile {
        id: "acm".into(),
        label: "itsme of eID".into(),
        preset: Preset::Acm,
        issuer: op.issuer().to_owned(),
        client_id: CLIENT_ID.into(),
        client_auth: ClientAuthKind::PrivateKeyJwt,
        key_file: Some(key_file.clone()),
        client_secret: None,
        scopes: None,
        min_level: None,
        send_acr_values: None,
        means: None,
        claims: None,
    }
    .resolve(|_| None)
    .unwrap();
    let municipality =
        Municipality::start("00:00-23:59", |config| config.identity = vec![provider]).await;
    let _op = op.register(
        CLIENT_ID,
        &format!("{}/id/callback", municipality.url),
        &serde_json::to_value(&jwk).unwrap(),
    );
    let display = two_monitors();
    let data = tempfile::tempdir().unwrap();
    seed_dirk(data.path());
    let (cockpit, _data) = {
        let cockpit = balie_testkit::cockpit::Cockpit::start_with(
            COCKPIT,
            &display,
            data.path(),
            &[("BALIE_RELAY_URL", &municipality.url)],
        )
        .await;
        (cockpit, data)
    };

    // A conversation about Dirk's case.
    let url = cockpit.new_conversation().await;
    cockpit.window("dossier").await;
    cockpit
        .value("document.querySelector('#search').value = 'Peeters'; document.querySelector('#search-form').requestSubmit(); return true;")
        .await;
    cockpit
        .wait_until("#results", "el.textContent.includes('2026-000201')")
        .await;
    cockpit.click("#results .case-item").await;
    cockpit.click("#case-link").await;
    cockpit.wait_until("#case-call", "!el.hidden").await;

    let (browser, _driver) = chromium::chromium_with(chromium::FAKE_MEDIA).await;
    seen::set_viewport(&browser, 360, 640).await;
    browser.goto(&format!("{url}?lang=nl")).await.unwrap();
    chromium::click(&browser, "#knock").await;
    cockpit.window("gesprek").await;
    cockpit.wait_until("#knock", "!el.hidden").await;
    cockpit.click("#admit").await;

    // The relay offers identity: the clerk asks.
    cockpit.wait_until("#identity-ask", "!el.hidden").await;
    seen::scroll_and_see(&cockpit.client, "#identity-ask").await;
    cockpit.click("#identity-ask").await;
    cockpit
        .wait_until("#identity-state", "el.dataset.state === 'asked'")
        .await;

    // Dirk: the question over the call, itsme in a tab of its own, back to the call.
    let link = "#identity-providers a";
    seen::wait_seen(&browser, link).await;
    let call_tab = browser.window().await.unwrap();
    chromium::click(&browser, link).await;
    chromium::switch_to_new_tab(&browser, &call_tab).await;
    chromium::wait_for_text(&browser, "h1", "testprovider").await;
    chromium::click(&browser, "#login").await;
    chromium::wait_for_text(&browser, "h1", "Uw identiteit is bevestigd").await;
    browser.close_window().await.unwrap();
    browser.switch_to_window(call_tab).await.unwrap();
    chromium::wait_for_text(&browser, "#identity-status", "Uw identiteit is bevestigd").await;

    // The clerk sees who it is, beside the picture, the number masked.
    cockpit
        .wait_until("#identity-state", "el.dataset.state === 'confirmed'")
        .await;
    let panel = cockpit
        .value("return document.querySelector('#identity').innerText")
        .await;
    let panel = panel.as_str().unwrap().to_owned();
    for needle in [
        "Identiteit bevestigd via itsme",
        "Dirk Peeters",
        "30 juli 1985",
        "85.07.30-***.**",
        "itsme, niveau hoog",
        "Het dossier heeft nog geen rijksregisternummer.",
    ] {
        assert!(
            panel.contains(needle),
            "{needle:?} not in the panel: {panel}"
        );
    }
    let whole = cockpit.value("return document.body.innerText").await;
    assert!(
        !whole.as_str().unwrap().contains("033.28")
            && !whole.as_str().unwrap().contains("85073003328"),
        "the full national number is shown"
    );
    for css in ["#identity-state", "#identity-facts", "#identity-complete"] {
        seen::scroll_and_see(&cockpit.client, css).await;
    }
    seen::screenshot(&cockpit.client, "cockpit-identity-confirmed").await;

    // *Dossier aanvullen*: the party gets the number; now it matches.
    cockpit.click("#identity-complete").await;
    cockpit
        .wait_until("#identity-party", "el.dataset.match === 'match'")
        .await;
    cockpit.wait_until("#identity-complete", "el.hidden").await;
    seen::scroll_and_see(&cockpit.client, "#identity-party").await;
    seen::screenshot(&cockpit.client, "cockpit-identity-party-completed").await;

    // The case records the check (means, level), no name or number in the timeline.
    cockpit.window("dossier").await;
    cockpit.click("#results .case-item").await;
    cockpit
        .wait_until(
            "#case-timeline",
            "el.querySelector('[data-kind=\"identity\"]')?.textContent.includes('Identiteit gecontroleerd via itsme (niveau hoog)')",
        )
        .await;
    let entry = cockpit
        .value(
            "return document.querySelector('#case-timeline [data-kind=\"identity\"]').textContent",
        )
        .await;
    assert!(!entry.as_str().unwrap().contains("Dirk"), "{entry}");
    cockpit
        .wait_until("#case-facts", "el.textContent.includes('85.07.30-***.**')")
        .await;
    cockpit
        .wait_until(
            "#case-audit",
            "el.textContent.includes('identiteit gecontroleerd')",
        )
        .await;
    seen::scroll_and_see(&cockpit.client, "#case-timeline [data-kind=\"identity\"]").await;
    seen::screenshot(&cockpit.client, "dossier-timeline-identity").await;
    seen::assert_hidden_means_gone(&cockpit.client).await;
    let _ = browser.close().await;
    cockpit.stop().await;
}
