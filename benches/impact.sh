#!/usr/bin/env bash
# The impact benchmark (crates/balie-store/benches/impact.rs, beside the tables it reads): a year of a busy municipality (50,000
# conversations, 20,000 payments; BALIE_BENCH_CONVERSATIONS scales it), then the figures,
# the dashboard and the PDF report of one quarter, median and p95 of 15 runs. Builds in
# release mode.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

ensure_packages "${BUILD_PACKAGES[@]}"
ensure_toolchains

say "Building in release mode"
cargo bench --locked -p balie-store --bench impact --no-run
say "Running the impact benchmark"
cargo bench --locked -p balie-store --bench impact 2>&1 | grep -vE "^(warning|\s+(Compiling|Finished|Running))"
