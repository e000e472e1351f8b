//! Installing a checked package the way the cockpit was installed.

use super::Installed;
use std::path::Path;
use std::process::Command;

/// Installs `bytes` (version `version`, signature already checked) for `installed`,
/// keeping the package in `dir` while the system's installer runs.
pub(super) fn package(
    installed: &Installed,
    dir: &Path,
    version: &str,
    bytes: &[u8],
) -> Result<(), String> {
    match installed {
        Installed::Deb => system_installer(dir, version, "deb", bytes, &["dpkg", "-i"]),
        Installed::Rpm => system_installer(dir, version, "rpm", bytes, &["rpm", "-U"]),
        Installed::AppImage(path) => replace_appimage(path, bytes),
        Installed::Msi | Installed::App | Installed::Unknown => {
            Err("this installation is updated by IT's own tools".into())
        }
    }
}

/// Whether this process runs as root (then no `pkexec`).
fn is_root() -> bool {
    #[cfg(unix)]
    {
        rustix::process::geteuid().is_root()
    }
    #[cfg(not(unix))]
    {
        false
    }
}

fn system_installer(
    dir: &Path,
    version: &str,
    extension: &str,
    bytes: &[u8],
    command: &[&str],
) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let file = dir.join(format!("balie-{version}.{extension}"));
    std::fs::write(&file, bytes).map_err(|e| e.to_string())?;
    let mut run = if is_root() {
        let mut c = Command::new(command[0]);
        c.args(&command[1..]);
        c
    } else {
        // The system asks an administrator's password (polkit).
        let mut c = Command::new("pkexec");
        c.args(command);
        c
    };
    let output = run
        .arg(&file)
        .output()
        .map_err(|e| format!("{}: {e}", command[0]))?;
    let _ = std::fs::remove_file(&file);
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{} ended with {}: {}",
            command.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// Writes the new AppImage beside the old one and renames it over: the running program
/// keeps its open file, the next start is the new version.
fn replace_appimage(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if !bytes.starts_with(b"\x7fELF") {
        return Err("the package is not an AppImage".into());
    }
    let new = path.with_extension("new");
    std::fs::write(&new, bytes).map_err(|e| e.to_string())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&new, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| e.to_string())?;
    }
    std::fs::rename(&new, path).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_appimage_is_replaced_whole_and_stays_executable() {
        let dir = tempfile::tempdir().unwrap();
        let app = dir.path().join("Balie.AppImage");
        std::fs::write(&app, b"\x7fELF old").unwrap();
        package(
            &Installed::AppImage(app.clone()),
            dir.path(),
            "0.2.0",
            b"\x7fELF new",
        )
        .unwrap();
        assert_eq!(std::fs::read(&app).unwrap(), b"\x7fELF new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(
                std::fs::metadata(&app).unwrap().permissions().mode() & 0o777,
                0o755
            );
        }
        // Not an executable: refused, the old one stays.
        assert!(
            package(
                &Installed::AppImage(app.clone()),
                dir.path(),
                "0.3.0",
                b"<html>"
            )
            .is_err()
        );
        assert_eq!(std::fs::read(&app).unwrap(), b"\x7fELF new");
        assert!(package(&Installed::Msi, dir.path(), "0.3.0", b"x").is_err());
    }
}
