#!/usr/bin/env bash
# The fault matrix (issue 12): each fault is a test (crates/balie-cockpit/tests/core/faults.rs
# and integrity.rs, crates/balie-call/tests/call/video_call.rs, tests/cockpit_e2e) that
# prints its row and fails when a payment is lost, duplicated or wrongly shown paid, or
# when nothing recovers. This runs them and gathers the rows into one table.
#
# Columns: payments lost / duplicated / wrongly shown paid ("-" where the row has no
# payment), recovered, and in what time. Where each time is taken:
# - provider faults: from the moment the provider answers properly again to the
#   cockpit's broadcast of the payment's true status (not WebKit's paint);
# - webhooks: from the moment the provider has the payment paid to that broadcast; 0 s
#   where the row's point is that nothing changes;
# - wrong amount: from the moment the provider says "paid" for another amount to the
#   broadcast of `mismatch`;
# - SIGKILL rows: from the cockpit's restart (process start) to its database holding the
#   payment's true status ("after paid": to its call window being up);
# - media cuts: from the thaw of the frozen TURN server to the first second in which the
#   citizen page's video presents at least 10 pictures (requestVideoFrameCallback);
# - relay restart: from the relay's new start to the clerk knowing the citizen is back
#   without a new knock (CitizenBack, or the clerk's reconnect finding them present).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

ensure_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
ensure_toolchains
build_ui

say "Building the tests"
cargo test --locked -p balie-cockpit -p balie-call -p balie-desktop --no-run
export BALIE_MEDIA=synthetic

out=$(mktemp)
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home" "$out"' EXIT
say "Running the fault rows"
BALIE_KEYRING_HOME="$keyring_home" dbus-run-session -- bash -c '
  set -euo pipefail
  echo -n balie-bench | XDG_DATA_HOME="$BALIE_KEYRING_HOME" gnome-keyring-daemon --unlock --components=secrets >/dev/null
  unset DISPLAY WAYLAND_DISPLAY
  cargo test --locked -p balie-cockpit --test core -- --nocapture --test-threads 1 faults:: integrity::paid_for_another_amount
  cargo test --locked -p balie-call --test call -- --nocapture --test-threads 1 \
    video_call::an_ice_restart video_call::a_thirty_second video_call::a_relay_restart
  cargo test --locked -p balie-desktop --test cockpit_e2e -- --nocapture --test-threads 1 a_cockpit_killed_before
' > "$out" 2>&1 || { grep -E "panicked|^error|FAILED" "$out" >&2; echo "a fault row failed (above)" >&2; exit 1; }

echo
echo "Fault matrix, $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD), debug test builds,"
echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), loopback only"
{
  printf 'fault\tlost\tduplicated\twrongly paid\trecovered\ttime\n'
  # A row may follow the harness's "test … " on the same line (--nocapture).
  grep -o $'fault-matrix\t.*' "$out" | cut -f2-
} | column -t -s $'\t'
