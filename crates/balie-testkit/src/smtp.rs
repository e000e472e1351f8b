//! A real SMTP server on loopback (Python's `aiosmtpd`, from `scripts/test-requirements.txt`)
//! with STARTTLS and authentication required. Each mail it takes is parsed by Python's
//! `email` package and the `icalendar` parser and handed to the test as JSON.

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running SMTP server; stopped when dropped.
pub struct SmtpServer {
    /// Its port on 127.0.0.1 (host name `localhost` in its certificate).
    pub port: u16,
    /// The PEM certificate it presents (self-signed): the relay's extra CA.
    pub ca_file: PathBuf,
    /// The user it accepts.
    pub user: String,
    /// That user's password.
    pub password: String,
    dir: tempfile::TempDir,
    child: Child,
}

/// The Python of the test tools: `BALIE_TEST_PYTHON` (set by `scripts/test.sh`), or the
/// place `scripts/setup.sh` makes it.
pub fn python() -> PathBuf {
    let path = std::env::var_os("BALIE_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                .join(".cache/balie-test-venv/bin/python3")
        });
    assert!(
        path.exists(),
        "the Python test tools are missing ({}): run scripts/test.sh, which installs them",
        path.display()
    );
    path
}

impl SmtpServer {
    /// Starts a server that answers the first `fail_first` mails with a temporary error
    /// (451) and takes the rest.
    pub fn start(fail_first: u32) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let ca_file = dir.path().join("smtp-cert.pem");
        let key_file = dir.path().join("smtp-key.pem");
        std::fs::write(&ca_file, cert.cert.pem()).unwrap();
        std::fs::write(&key_file, cert.signing_key.serialize_pem()).unwrap();
        let out = dir.path().join("mail");
        std::fs::create_dir(&out).unwrap();
        let (user, password) = ("balie-relay".to_owned(), "smtp-test-password".to_owned());
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/smtp_server.py");
        let mut child = Command::new(python())
            .arg(script)
            .arg(&out)
            .arg(&ca_file)
            .arg(&key_file)
            .arg(&user)
            .arg(&password)
            .args(["--fail-first", &fail_first.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .strip_prefix("ready ")
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("the SMTP server did not start: {line:?}"));
        Self {
            port,
            ca_file,
            user,
            password,
            dir,
            child,
        }
    }

    /// The mails taken so far, in order.
    pub fn mails(&self) -> Vec<serde_json::Value> {
        let mut files: Vec<_> = std::fs::read_dir(self.dir.path().join("mail"))
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap())
            .collect()
    }

    /// Waits (up to `within`) until `n` mails were taken, and returns them.
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<serde_json::Value> {
        let deadline = Instant::now() + within;
        loop {
            let mails = self.mails();
            if mails.len() >= n {
                return mails;
            }
            assert!(
                Instant::now() < deadline,
                "{n} mails expected within {within:?}, {} came: {mails:#?}",
                mails.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        // Closing stdin stops it; kill in case it hangs.
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
