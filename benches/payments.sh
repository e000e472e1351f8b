#!/usr/bin/env bash
# The confirmation-latency benchmark (benches/payments.rs): the sandbox flips a payment to
# paid → the cockpit has it paid, and → the citizen page in Chromium shows it paid; p50/p95
# over BALIE_BENCH_PAYMENTS payments (default 50), first with the webhook hint, then with
# polling only. Builds in release mode.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

ensure_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
ensure_toolchains
build_ui

say "Building in release mode"
cargo bench --locked --bench payments --no-run
export BALIE_MEDIA=synthetic

keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
say "Running the payment benchmark"
BALIE_KEYRING_HOME="$keyring_home" dbus-run-session -- bash -c '
  set -euo pipefail
  echo -n balie-bench | XDG_DATA_HOME="$BALIE_KEYRING_HOME" gnome-keyring-daemon --unlock --components=secrets >/dev/null
  unset DISPLAY WAYLAND_DISPLAY
  cargo bench --locked --bench payments 2>&1 | grep -E "^confirmation|panicked|^error"
  BALIE_PAYMENT_HINTS=off cargo bench --locked --bench payments 2>&1 | grep -E "^confirmation|panicked|^error"
' 2>&1 | grep -v "^dbus-daemon"
echo "Goals: p95 <= 300 ms with the hint; <= 2300 ms (poll interval + 300 ms) polling only."
