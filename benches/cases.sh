#!/usr/bin/env bash
# The case-file benchmark (benches/cases.rs): a generated store of 100,000 and then one of
# 1,000,000 cases (BALIE_BENCH_CASES=N for one size, e.g. 20000 for a quick check), each
# measured cold (page cache dropped) and warm: search over a few hundred distinct queries,
# opening random cases, the recent list, the cockpit's core start and the whole
# application's start. Builds in release mode. Run it as root on an otherwise idle machine:
# without root the cold figures are left out (the run says so), and anything else reading
# or writing the disk makes them slower. About 20 minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

ensure_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
ensure_toolchains
build_ui

say "Building in release mode"
cargo bench --locked --bench cases --no-run

keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
say "Running the case-file benchmark"
BALIE_KEYRING_HOME="$keyring_home" dbus-run-session -- bash -c '
  set -euo pipefail
  echo -n balie-bench | XDG_DATA_HOME="$BALIE_KEYRING_HOME" gnome-keyring-daemon --unlock --components=secrets >/dev/null
  unset DISPLAY WAYLAND_DISPLAY
  cargo bench --locked --bench cases 2>&1 | grep -vE "^(warning|\s+(Compiling|Finished|Running))"
' 2>&1 | grep -v "^dbus-daemon"
