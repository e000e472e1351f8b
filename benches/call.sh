#!/usr/bin/env bash
# The call benchmark (benches/call.rs): the whole cockpit (native pictures, and the WebGL
# fallback) against a Chromium tab doing the clerk's side of the same call, with the same
# camera clip and window: set-up to the first painted picture, CPU per call-minute (tree
# and X server), memory idle and in a call, what is sent and painted. Builds in release
# mode. Knobs: BALIE_BENCH_CALLS (default 5), BALIE_BENCH_SECONDS (default 60).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

ensure_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
ensure_toolchains
build_ui

say "Building in release mode"
cargo bench --locked --bench call --no-run
# The cockpit's camera is the clip (a GStreamer source), not the test pattern.
unset BALIE_MEDIA

keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
say "Running the call benchmark"
BALIE_KEYRING_HOME="$keyring_home" dbus-run-session -- bash -c '
  set -euo pipefail
  echo -n balie-bench | XDG_DATA_HOME="$BALIE_KEYRING_HOME" gnome-keyring-daemon --unlock --components=secrets >/dev/null
  unset DISPLAY WAYLAND_DISPLAY
  cargo bench --locked --bench call
' 2>&1 | grep -v "^dbus-daemon"
