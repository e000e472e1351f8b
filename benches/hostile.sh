#!/usr/bin/env bash
# Slow and hostile clients against the relay (crates/balie-relay/benches/hostile.rs):
# 10,000 idle WebSockets, unfinished headers and bodies, 1 MiB frames, while a clerk and
# a citizen keep signaling; the signaling time and the relay's memory beside the baseline,
# from one run. Release build; raises the open-file limit the sockets need.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
ensure_toolchains
ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" -lt 12000 ]; then
  echo "The open-file limit is $(ulimit -n); 12000 are needed (ulimit -Hn)." >&2
  exit 1
fi
say "Building in release mode"
cargo bench --locked -p balie-relay --bench hostile --no-run
say "Running the hostile-client benchmark"
cargo bench --locked -p balie-relay --bench hostile 2>&1 | grep -vE "^\s*(Compiling|Finished|Running)"
