//! X servers for the cockpit's end-to-end tests: Xvfb as one monitor, Xorg with the dummy
//! driver as two (`xorg-dummy.conf` beside this crate's manifest).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// An X display that goes away when dropped.
pub struct Display {
    /// Its name, for `DISPLAY` (`:93`).
    pub name: String,
    child: Child,
}

impl Display {
    /// The X server's process id (benchmarks count its CPU: it does the drawing's last
    /// step for every program on it).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        // SIGTERM, so the server removes its lock file and socket.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

fn free_display_number() -> u32 {
    (90..200)
        .find(|n| {
            !Path::new(&format!("/tmp/.X{n}-lock")).exists()
                && !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
        })
        .expect("a free X display number")
}

fn wait_for_socket(n: u32, child: &mut Child) {
    let socket = format!("/tmp/.X11-unix/X{n}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !Path::new(&socket).exists() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("X server :{n} exited early: {status}");
        }
        assert!(Instant::now() < deadline, "X server :{n} did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Xvfb: one monitor of the given size.
pub fn one_monitor(width: u32, height: u32) -> Display {
    let n = free_display_number();
    let mut child = Command::new("Xvfb")
        .args([
            format!(":{n}"),
            "-screen".into(),
            "0".into(),
            format!("{width}x{height}x24"),
            "-nolisten".into(),
            "tcp".into(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb (package xvfb)");
    wait_for_socket(n, &mut child);
    Display {
        name: format!(":{n}"),
        child,
    }
}

/// Xorg with the dummy driver: two 1920x1080 monitors, DUMMY0 at 0,0 and DUMMY1 right of it.
pub fn two_monitors() -> Display {
    let n = free_display_number();
    let config = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("xorg-dummy.conf");
    let log = std::env::temp_dir().join(format!("balie-xorg-{n}.log"));
    let mut child = Command::new("Xorg")
        .arg(format!(":{n}"))
        .arg("-config")
        .arg(&config)
        .args(["-noreset", "-nolisten", "tcp", "-logfile"])
        .arg(&log)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xorg (packages xserver-xorg-core xserver-xorg-video-dummy)");
    wait_for_socket(n, &mut child);
    let display = Display {
        name: format!(":{n}"),
        child,
    };
    // The final query makes the server probe its outputs again; without it the X clients
    // that read the cached RandR configuration (GDK among them) see one monitor only.
    for args in [
        vec!["--addmode", "DUMMY1", "1920x1080"],
        vec![
            "--output",
            "DUMMY1",
            "--mode",
            "1920x1080",
            "--right-of",
            "DUMMY0",
        ],
        vec!["--query"],
    ] {
        let status = Command::new("xrandr")
            .env("DISPLAY", &display.name)
            .args(&args)
            .stdout(Stdio::null())
            .status()
            .expect("xrandr (package x11-xserver-utils)");
        assert!(status.success(), "xrandr {args:?}");
    }
    display
}
