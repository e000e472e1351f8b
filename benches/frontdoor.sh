#!/usr/bin/env bash
# The front door under 500 concurrent visitors (crates/balie-relay/benches/frontdoor.rs):
# the front door, the week of free moments and /healthz as their peer, p50/p95/p99/max and
# errors; then 200 bookings sent at once and the bookings per second. Release build.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
ensure_toolchains
ulimit -n "$(ulimit -Hn)"
say "Building in release mode"
cargo bench --locked -p balie-relay --bench frontdoor --no-run
say "Running the front-door benchmark"
cargo bench --locked -p balie-relay --bench frontdoor 2>&1 | grep -vE "^\s*(Compiling|Finished|Running)"
