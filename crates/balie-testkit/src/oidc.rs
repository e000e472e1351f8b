//! A real OpenID Provider on loopback (panva's `oidc-provider`, OpenID Certified, from the
//! repository's npm packages) standing in for the Flemish broker ACM/IDM: its means of
//! authentication as `acr` values, its claims (`given_name`, `family_name`, `birthdate`,
//! `rrn`, given at the user-info endpoint), PKCE required, the client authenticated with
//! `private_key_jwt`. Its sign-in page (`oidc/provider.mjs`) lets the test choose the
//! means (`#login` after a `means` radio: itsme, eid, password) or stop (`#abort`).

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// A provider that listens but has no client yet: its issuer is known, so the relay that
/// gives the redirect URI can be started.
pub struct Listening {
    issuer: String,
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

/// A running provider with its client; stopped when dropped.
pub struct OidcProvider {
    /// Its issuer, `http://127.0.0.1:<port>`.
    pub issuer: String,
    child: Child,
    _stdin: ChildStdin,
    // Kept open: the provider writes its warnings there, and a closed pipe would end it.
    _stdout: BufReader<ChildStdout>,
}

/// Starts the provider's process (Node.js with the repository's `node_modules`).
pub fn listen() -> Listening {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/oidc/provider.mjs");
    let mut child = Command::new("node")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node is needed for the OpenID provider (scripts/test.sh checks it)");
    let stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let port: u16 = line
        .strip_prefix("listening ")
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or_else(|| panic!("the OpenID provider did not start: {line:?} (npm ci?)"));
    Listening {
        issuer: format!("http://127.0.0.1:{port}"),
        child,
        stdin,
        stdout,
    }
}

impl Listening {
    /// The issuer it will serve.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Registers the one client and serves.
    pub fn register(
        mut self,
        client_id: &str,
        redirect_uri: &str,
        public_jwk: &serde_json::Value,
    ) -> OidcProvider {
        let setup = serde_json::json!({
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "jwk": public_jwk,
        });
        writeln!(self.stdin, "{setup}").unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        assert_eq!(
            line.trim(),
            "ready",
            "the OpenID provider did not take its client"
        );
        OidcProvider {
            issuer: self.issuer,
            child: self.child,
            _stdin: self.stdin,
            _stdout: self.stdout,
        }
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
