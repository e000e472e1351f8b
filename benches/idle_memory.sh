#!/usr/bin/env bash
# Idle memory of the cockpit (two windows, embedded relay) and of a standalone relay:
# PSS summed over each process tree from /proc/<pid>/smaps_rollup. Release builds. Needs
# the packages scripts/test.sh installs. The comparison with Chromium (idle against idle,
# in a call against in a call, each alone) is benches/call.sh.
#   benches/idle_memory.sh [seconds to settle, default 15]
set -euo pipefail
cd "$(dirname "$0")/.."
settle=${1:-15}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

npm run --silent build >/dev/null
cargo build --release --locked --features custom-protocol --bin balie-cockpit >&2
cargo build --release --locked -p balie-relay --bin balie-relay >&2
bin="$CARGO_TARGET_DIR/release"

work=$(mktemp -d)
cleanup() { kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# PSS (kB) of a process and all its descendants.
pss_tree() {
  local pids=("$1") all=() total=0
  while [ ${#pids[@]} -gt 0 ]; do
    local next=()
    for p in "${pids[@]}"; do
      all+=("$p")
      for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do next+=("$c"); done
    done
    pids=("${next[@]+"${next[@]}"}")
  done
  for p in "${all[@]}"; do
    kb=$(awk '/^Pss:/ {print $2}' /proc/"$p"/smaps_rollup 2>/dev/null || echo 0)
    total=$((total + ${kb:-0}))
  done
  echo "$total ${#all[@]}"
}

# The relay alone.
"$bin/balie-relay" --data-dir "$work/relay" serve --listen 127.0.0.1:0 2>"$work/relay.err" &
relay=$!
sleep 3
read -r relay_kb relay_n < <(pss_tree "$relay")
kill -TERM "$relay"; wait "$relay" 2>/dev/null || true

# The cockpit on a 1920x1080 Xvfb screen, with a session D-Bus and a Secret Service.
Xvfb :77 -screen 0 1920x1080x24 -nolisten tcp >/dev/null 2>&1 &
sleep 1
export work bin settle
dbus-run-session -- bash -c '
  echo -n bench | XDG_DATA_HOME="$work/keyring" gnome-keyring-daemon --unlock --components=secrets >/dev/null
  DISPLAY=:77 BALIE_DATA_DIR="$work/cockpit" "$bin/balie-cockpit" >/dev/null 2>&1 &
  app=$!
  sleep "$settle"
  '"$(declare -f pss_tree)"'
  read -r kb n < <(pss_tree "$app")
  echo "$kb $n" > "$work/cockpit.pss"
  kill -TERM "$app"; wait "$app" 2>/dev/null || true
'
read -r cockpit_kb cockpit_n < "$work/cockpit.pss"

awk -v kb="$relay_kb" -v n="$relay_n" 'BEGIN { printf "relay idle PSS:   %6.1f MiB (%d process)\n", kb / 1024, n }'
awk -v kb="$cockpit_kb" -v n="$cockpit_n" 'BEGIN { printf "cockpit idle PSS: %6.1f MiB (%d processes: app, WebKit network and web processes)\n", kb / 1024, n }'
echo "No peer here: the cockpit idle and in a call beside a Chromium tab idle and in the same call, each"
echo "measured alone on its own X server from the same run, is benches/call.sh (columns PSS idle / PSS call)."
