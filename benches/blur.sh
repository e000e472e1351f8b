#!/usr/bin/env bash
# The background-blur benchmark (benches/blur.rs): one person segmentation by Balie's
# interpreter beside MediaPipe's own build of the same model in Chromium, and the cost of
# blurring a frame. Builds in release mode. Knob: BALIE_BENCH_RUNS (default 50).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

ensure_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
ensure_toolchains
build_ui

say "Building in release mode"
cargo bench --locked --bench blur --no-run
say "Running the blur benchmark"
unset DISPLAY WAYLAND_DISPLAY
cargo bench --locked --bench blur
