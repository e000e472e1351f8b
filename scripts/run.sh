#!/usr/bin/env bash
# Runs the Balie cockpit. With nothing configured it starts its own relay on 127.0.0.1,
# so the whole flow works on this one machine.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

ensure_packages "${BUILD_PACKAGES[@]}"
ensure_toolchains
build_ui
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display: run this from a desktop session (or set DISPLAY)." >&2
  exit 1
fi
say "Building and starting the cockpit"
exec cargo run --locked --bin balie-cockpit
