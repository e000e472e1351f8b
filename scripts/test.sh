#!/usr/bin/env bash
# Runs every test of the workspace: unit, integration, the relay over HTTP(S), the OS
# keyring against a real Secret Service, and the cockpit end to end under WebDriver on
# real X servers. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

ensure_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
ensure_toolchains
build_ui
ensure_python_tools

say "Building the tests"
cargo test --workspace --locked --no-run

# A private session D-Bus with a fresh, unlocked GNOME Keyring as the Secret Service.
# Its keyring files live in a temporary directory, so no real keyring is touched.
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
say "Running the tests"
BALIE_KEYRING_HOME="$keyring_home" dbus-run-session -- bash -c '
  set -euo pipefail
  echo -n balie-test | XDG_DATA_HOME="$BALIE_KEYRING_HOME" gnome-keyring-daemon --unlock --components=secrets >/dev/null
  unset DISPLAY WAYLAND_DISPLAY
  cargo test --workspace --locked "$@"
' bash "$@"
