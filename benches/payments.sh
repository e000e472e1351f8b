#!/usr/bin/env bash
# The confirmation-latency benchmark (benches/payments.rs): a payment paid at the provider
# (a Mollie stand-in that answers and calls its webhook late) → painted as paid in the
# cockpit's call window and on the citizen's page in Chromium; p50/p95/max over
# BALIE_BENCH_PAYMENTS payments (default 30), with the webhook hint and with polling only.
# Knobs: BALIE_BENCH_API_MS (default 100), BALIE_BENCH_WEBHOOK_MS (default 1000). Builds in
# release mode.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

ensure_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
ensure_toolchains
build_ui

say "Building in release mode"
cargo bench --locked --bench payments --no-run

keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
say "Running the payment benchmark"
BALIE_KEYRING_HOME="$keyring_home" dbus-run-session -- bash -c '
  set -euo pipefail
  echo -n balie-bench | XDG_DATA_HOME="$BALIE_KEYRING_HOME" gnome-keyring-daemon --unlock --components=secrets >/dev/null
  unset DISPLAY WAYLAND_DISPLAY
  cargo bench --locked --bench payments 2>&1 | grep -vE "^(warning|\s+(Compiling|Finished|Running))"
' 2>&1 | grep -v "^dbus-daemon"
echo "Goals: p95 <= webhook delay + API answer + 300 ms with the hint; <= 2 s + API answer + 300 ms polling only."
