//! Against the real OS keyring. On Linux this needs a Secret Service on the session D-Bus;
#![allow(clippy::unwrap_used)]
//! the project's test command starts gnome-keyring inside `dbus-run-session`.

use balie_secrets::{SecretName, SecretStore};
use secrecy::{ExposeSecret, SecretString};

#[test]
fn a_secret_is_stored_read_back_replaced_and_deleted_in_the_os_keyring() {
    // A service name of its own, so the test never touches a real cockpit's secrets.
    let store = SecretStore::new(format!("be.balie.test.{}", std::process::id()));
    store
        .available()
        .expect("this test needs the OS keyring (run it through the README's test command)");

    assert!(store.get(SecretName::RelayClerkToken).unwrap().is_none());
    store
        .set(
            SecretName::RelayClerkToken,
            &SecretString::from("first-token"),
        )
        .unwrap();
    store
        .set(
            SecretName::RelayClerkToken,
            &SecretString::from("second-token"),
        )
        .unwrap();
    let back = store.get(SecretName::RelayClerkToken).unwrap().unwrap();
    assert_eq!(back.expose_secret(), "second-token");

    // Another store (another service name) does not see it.
    let other = SecretStore::new(format!("be.balie.test.other.{}", std::process::id()));
    assert!(other.get(SecretName::RelayClerkToken).unwrap().is_none());

    assert!(store.delete(SecretName::RelayClerkToken).unwrap());
    assert!(!store.delete(SecretName::RelayClerkToken).unwrap());
    assert!(store.get(SecretName::RelayClerkToken).unwrap().is_none());
}
