//! The `.deb` on this machine, as IT deploys it (`scripts/package.sh` builds it and runs
//! this test, as root, with `BALIE_PACKAGE_DEB` naming it): installed with `dpkg -i`;
//! started the way the desktop menu starts it (its `.desktop` entry's command, its icon
//! installed) under Xvfb, both windows shown; updated from the municipality's relay (a
//! package signed with another key refused, the genuine one installed after the clerk's
//! *Nu installeren*); removed with `dpkg -r`, leaving none of its files.
#![allow(clippy::unwrap_used, missing_docs)]

use balie_testkit::cockpit::Cockpit;
use balie_testkit::display::one_monitor;
use balie_testkit::seen;
use secrecy::ExposeSecret as _;
use std::path::{Path, PathBuf};
use std::process::Command;

const PACKAGE: &str = "balie";

fn run(program: &str, args: &[&str]) -> String {
    let output = Command::new(program).args(args).output().unwrap();
    assert!(
        output.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn installed_version() -> Option<String> {
    let output = Command::new("dpkg-query")
        .args(["-W", "-f", "${Status} ${Version}", PACKAGE])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    text.strip_prefix("install ok installed ")
        .map(str::to_owned)
}

/// The same package at `version`: unpacked, its control file's version changed, packed
/// again with `dpkg-deb`.
fn with_version(deb: &Path, version: &str, dir: &Path) -> PathBuf {
    let tree = dir.join(format!("tree-{version}"));
    run(
        "dpkg-deb",
        &["-R", deb.to_str().unwrap(), tree.to_str().unwrap()],
    );
    let control = tree.join("DEBIAN/control");
    let text = std::fs::read_to_string(&control).unwrap();
    let text: String = text
        .lines()
        .map(|l| {
            if l.starts_with("Version:") {
                format!("Version: {version}")
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    std::fs::write(&control, text).unwrap();
    let out = dir.join(format!("Balie_{version}_amd64.deb"));
    run(
        "dpkg-deb",
        &[
            "--root-owner-group",
            "-b",
            tree.to_str().unwrap(),
            out.to_str().unwrap(),
        ],
    );
    out
}

/// The command the desktop menu runs for the installed entry, and its icon name.
fn desktop_entry() -> (String, String) {
    let entries = run("dpkg", &["-L", PACKAGE]);
    let entry = entries
        .lines()
        .find(|l| l.starts_with("/usr/share/applications/") && l.ends_with(".desktop"))
        .unwrap_or_else(|| panic!("no desktop entry among {entries}"));
    let text = std::fs::read_to_string(entry).unwrap();
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name} in {text}"))
            .to_owned()
    };
    assert_eq!(field("Type"), "Application");
    assert_eq!(field("Name"), "Balie");
    let exec = field("Exec");
    let program = exec.split_whitespace().next().unwrap().to_owned();
    (program, field("Icon"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deb_installs_starts_from_the_menu_updates_from_the_relay_and_removes_cleanly() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let deb = PathBuf::from(
        std::env::var("BALIE_PACKAGE_DEB").expect("BALIE_PACKAGE_DEB: run scripts/package.sh"),
    );
    assert!(
        is_root(),
        "dpkg -i needs root: run scripts/package.sh as root"
    );
    if installed_version().is_some() {
        run("dpkg", &["-r", PACKAGE]);
    }

    // Installed: the program, its menu entry and its icon.
    run("dpkg", &["-i", deb.to_str().unwrap()]);
    let version = installed_version().expect("installed");
    let files = run("dpkg", &["-L", PACKAGE]);
    let (program, icon) = desktop_entry();
    let program = if program.starts_with('/') {
        PathBuf::from(program)
    } else {
        PathBuf::from("/usr/bin").join(program)
    };
    assert!(program.exists(), "{}", program.display());
    assert!(
        files
            .lines()
            .any(|l| l.starts_with("/usr/share/icons/hicolor/")
                && l.contains(&format!("/{icon}.png"))),
        "the menu's icon {icon} is installed: {files}"
    );

    // The municipality's relay, with this clerk and an update folder.
    let relay_dir = tempfile::tempdir().unwrap();
    let updates = tempfile::tempdir().unwrap();
    let mut config = balie_relay::RelayConfig::loopback(relay_dir.path().to_path_buf());
    config.municipality = "Gemeente Zonnedorp".into();
    config.updates_dir = Some(updates.path().to_path_buf());
    let token = {
        let db = balie_store::open(&config.database_path(), &balie_store::relay::SCHEMA).unwrap();
        balie_relay::add_clerk(&db, "an")
            .unwrap()
            .secret()
            .expose_secret()
            .to_string()
    };
    let relay = balie_relay::Relay::bind(config).await.unwrap();
    let url = relay.public_url().to_owned();
    tokio::spawn(relay.serve(std::future::pending()));

    // IT's machine settings: this relay and the update key.
    let key = balie_testkit::signing::UpdateKey::generate();
    let other = balie_testkit::signing::UpdateKey::generate();
    let public = key.public();
    let data = tempfile::tempdir().unwrap();
    let machine = data.path().join("cockpit.toml");
    std::fs::write(
        &machine,
        format!("relay_url = \"{url}\"\n[updates]\ncheck = true\npubkey = \"{public}\"\n"),
    )
    .unwrap();
    let service = format!("be.balie.e2e.{}", std::process::id());
    // The installed program's own command for IT puts the token in the keyring.
    let mut set = Command::new(&program)
        .args(["relay", "set", &url])
        .env("BALIE_DATA_DIR", data.path())
        .env("BALIE_KEYRING_SERVICE", &service)
        .env("BALIE_MACHINE_SETTINGS", &machine)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write as _;
        writeln!(set.stdin.take().unwrap(), "{token}").unwrap();
    }
    assert!(set.wait().unwrap().success());

    // First a package signed with someone else's key.
    let built = tempfile::tempdir().unwrap();
    let next = with_version(&deb, "99.0.0", built.path());
    other.sign_file(&next);
    balie_relay::updates::publish(
        updates.path(),
        "99.0.0",
        "Nieuwe versie",
        std::slice::from_ref(&next),
        time::OffsetDateTime::now_utc(),
    )
    .unwrap();

    eprintln!("package test: starting the installed cockpit");
    let display = one_monitor(1600, 900);
    let machine_env = machine.to_str().unwrap().to_owned();
    let cockpit = Cockpit::start_with(
        program.to_str().unwrap(),
        &display,
        data.path(),
        &[("BALIE_MACHINE_SETTINGS", &machine_env)],
    )
    .await;
    eprintln!("package test: both windows");
    cockpit.window("dossier").await;
    eprintln!("package test: dossier window found");
    seen::wait_seen(&cockpit.client, "#search").await;
    eprintln!("package test: dossier search seen");
    cockpit.window("gesprek").await;
    eprintln!("package test: gesprek window found");
    seen::wait_seen(&cockpit.client, "#new-conversation").await;
    eprintln!("package test: new conversation seen");
    cockpit
        .wait_until("#update-text", "el.textContent.includes('99.0.0')")
        .await;
    eprintln!("package test: update text");
    seen::wait_seen(&cockpit.client, "#update-install").await;
    eprintln!("package test: install seen");
    seen::screenshot(&cockpit.client, "package-update-offered").await;
    eprintln!("package test: installing the forged update");
    cockpit.click("#update-install").await;
    cockpit
        .wait_until(
            "#error",
            "!el.hidden && el.textContent.includes('niet ondertekend')",
        )
        .await;
    assert_eq!(installed_version().as_deref(), Some(version.as_str()));

    // Now the municipality's own: installed after the clerk's yes.
    eprintln!("package test: publishing the genuine update");
    key.sign_file(&next);
    balie_relay::updates::publish(
        updates.path(),
        "99.0.0",
        "Nieuwe versie",
        &[next],
        time::OffsetDateTime::now_utc(),
    )
    .unwrap();
    cockpit.click("#update-install").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while installed_version().as_deref() != Some("99.0.0") {
        assert!(
            std::time::Instant::now() < deadline,
            "the update was not installed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    eprintln!("package test: installed; stopping");
    cockpit.kill().await;
    // It restarted itself after the update, outside the WebDriver's care.
    let _ = Command::new("pkill")
        .args(["-f", &format!("^{}", program.display())])
        .status();

    // Removed: none of its files stay.
    eprintln!("package test: removing");
    run("dpkg", &["-r", PACKAGE]);
    assert_eq!(installed_version(), None);
    let stayed: Vec<&str> = files.lines().filter(|l| Path::new(l).is_file()).collect();
    assert!(stayed.is_empty(), "after dpkg -r: {stayed:?}");
    assert!(!program.exists());
    let _ = balie_secrets::SecretStore::new(&service)
        .delete(balie_secrets::SecretName::RelayClerkToken);
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}
