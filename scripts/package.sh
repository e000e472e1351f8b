#!/usr/bin/env bash
# Builds the cockpit's Linux packages with Tauri's bundler from a release build: the .deb
# and the .rpm (in target/release/bundle/, or under $CARGO_TARGET_DIR).
#
#   scripts/package.sh              build the .deb and the .rpm
#   scripts/package.sh --appimage   also the AppImage (the bundler downloads linuxdeploy
#                                   and its AppImage plugin from GitHub, or takes them from
#                                   ~/.cache/tauri)
#   scripts/package.sh --test       then, as root: install the .deb with dpkg -i, start it
#                                   as the desktop menu does under Xvfb, update it from a
#                                   relay, remove it (tests/package)
#
# Installs what is missing on Debian 12, as scripts/test.sh does. Prints how long each
# step took.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

bundles=deb,rpm
run_test=
for arg in "$@"; do
  case "$arg" in
    --appimage) bundles+=",appimage" ;;
    --test) run_test=1 ;;
    *) echo "usage: scripts/package.sh [--appimage] [--test]" >&2; exit 2 ;;
  esac
done

ensure_packages "${BUILD_PACKAGES[@]}"
ensure_toolchains
build_ui

say "Building the packages ($bundles): a release build"
start=$(date +%s)
npx tauri build --ci --bundles "$bundles"
say "Packages built in $(( $(date +%s) - start )) s:"
bundle_dir="${CARGO_TARGET_DIR:-target}/release/bundle"
ls -l "$bundle_dir"/deb/*.deb "$bundle_dir"/rpm/*.rpm "$bundle_dir"/appimage/*.AppImage 2>/dev/null || true

[ -z "$run_test" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "--test installs the .deb with dpkg: run it as root (on a test machine)." >&2
  exit 1
fi
ensure_packages "${TEST_PACKAGES[@]}"
deb=$(ls -t "$bundle_dir"/deb/*.deb | head -1)
export BALIE_PACKAGE_DEB="$(realpath "$deb")"
say "Testing the installed package ($deb)"
start=$(date +%s)
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
BALIE_KEYRING_HOME="$keyring_home" dbus-run-session -- bash -c '
  set -euo pipefail
  echo -n balie-test | XDG_DATA_HOME="$BALIE_KEYRING_HOME" gnome-keyring-daemon --unlock --components=secrets >/dev/null
  unset DISPLAY WAYLAND_DISPLAY
  cargo test --locked -p balie-desktop --features package-test --test package
'
say "Package test finished in $(( $(date +%s) - start )) s"
