#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 10) with libFuzzer, starting from the
# corpus kept in fuzz/corpus/<target> (and, for the model reader, the real model). New
# inputs go to a scratch copy, so the kept corpus changes only when you choose (see the
# README, "Fuzzing"). A crash stops the run; its input is saved in fuzz/artifacts/<target>/.
#   fuzz/run.sh            # CI: 10 s a target
#   fuzz/run.sh 600 import # one target, ten minutes
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(signaling data_channel webhooks parsers import model)

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "Fuzzing needs Rust nightly (rustup toolchain install nightly)." >&2
  exit 1
fi
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cargo +nightly fuzz build -O
for target in "${targets[@]}"; do
  mkdir -p "$scratch/$target"
  cp -r "fuzz/corpus/$target/." "$scratch/$target/" 2>/dev/null || true
  seeds=()
  [ "$target" = model ] && seeds=(crates/balie-segment/model)
  echo "==> fuzzing $target for ${seconds}s" >&2
  if ! cargo +nightly fuzz run -O "$target" "$scratch/$target" "${seeds[@]}" -- \
      -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
      > "$scratch/$target.log" 2>&1; then
    tail -n 40 "$scratch/$target.log" >&2
    echo "fuzz target $target failed; its input is in fuzz/artifacts/$target/" >&2
    exit 1
  fi
  grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "$scratch/$target.log" | sed "s/^/$target /"
done
