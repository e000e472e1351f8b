#!/usr/bin/env bash
# The case-file benchmark (benches/cases.rs): generated data (100,000 cases, 1,000,000
# notes; BALIE_BENCH_CASES scales it), then search p50/p95, opening a case, the recent list
# and the cockpit's start with that database. Builds in release mode.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

ensure_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
ensure_toolchains
build_ui

say "Building in release mode"
cargo bench --locked --bench cases --no-run

keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
say "Running the case-file benchmark"
BALIE_KEYRING_HOME="$keyring_home" dbus-run-session -- bash -c '
  set -euo pipefail
  echo -n balie-bench | XDG_DATA_HOME="$BALIE_KEYRING_HOME" gnome-keyring-daemon --unlock --components=secrets >/dev/null
  unset DISPLAY WAYLAND_DISPLAY
  cargo bench --locked --bench cases 2>&1 | grep -vE "^(warning|\s+(Compiling|Finished|Running))"
' 2>&1 | grep -v "^dbus-daemon"
