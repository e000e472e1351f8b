#!/usr/bin/env bash
# The drawing-route benchmark (benches/drawing.rs): the candidate ways to draw the call's
# pictures natively over the web view, each alone on its own Xvfb: CPU of the process and
# of the X server, pictures drawn. Builds in release mode. Knob: BALIE_BENCH_SECONDS
# (default 20).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

ensure_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
ensure_toolchains

say "Building in release mode"
cargo bench --locked --bench drawing --no-run
say "Running the drawing benchmark"
unset DISPLAY WAYLAND_DISPLAY
cargo bench --locked --bench drawing
