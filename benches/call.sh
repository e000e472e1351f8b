#!/usr/bin/env bash
# The call benchmark (benches/call.rs): set-up time, clerk CPU per call-minute and memory,
# each beside the same figure for a Chromium tab doing the clerk's side of the same call.
# Builds in release mode. Knobs: BALIE_BENCH_CALLS (default 10), BALIE_BENCH_SECONDS
# (default 60).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

ensure_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
ensure_toolchains
build_ui

say "Building in release mode"
cargo build --release --locked -p balie-call --bin balie-call-cli
cargo bench --locked --bench call --no-run
target_dir=$(cargo metadata --format-version 1 --no-deps | jq -r .target_directory)
export BALIE_CALL_CLI="$target_dir/release/balie-call-cli"
# The cockpit sends the test pattern and tone, like the engine alone and the Chromium tab
# (fake devices): the same work on every side.
export BALIE_MEDIA=synthetic

keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
say "Running the call benchmark"
BALIE_KEYRING_HOME="$keyring_home" dbus-run-session -- bash -c '
  set -euo pipefail
  echo -n balie-bench | XDG_DATA_HOME="$BALIE_KEYRING_HOME" gnome-keyring-daemon --unlock --components=secrets >/dev/null
  unset DISPLAY WAYLAND_DISPLAY
  cargo bench --locked --bench call
' 2>&1 | grep -v "^dbus-daemon"
