# Shared by scripts/run.sh and scripts/test.sh: install what is missing.
# Source it; it defines functions only.

# Debian packages to build the cockpit (Tauri 2 on WebKitGTK), the relay and the call
# engine (nasm: OpenH264's assembly, 3x faster than its C fallback; libopus-dev: Opus;
# libasound2-dev: sound devices through ALSA, PulseAudio or PipeWire; GStreamer: the
# camera).
BUILD_PACKAGES=(
  build-essential pkg-config file curl jq nasm libopus-dev libasound2-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  libwebkit2gtk-4.1-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev
  librsvg2-dev libayatana-appindicator3-dev libssl-dev libxdo-dev
)
# And to run the tests: X servers (one monitor: Xvfb; two: Xorg with the dummy driver),
# the WebDriver for WebKitGTK, a session D-Bus with a real Secret Service, and Debian's
# Chromium with its driver as the citizen's browser; procps for `kill`, which clears up after
# a browser; iproute2, nftables and tinyproxy for the clerk behind a firewall (a network
# namespace) and a web proxy.
TEST_PACKAGES=(
  xvfb xauth x11-xserver-utils xserver-xorg-core xserver-xorg-video-dummy
  webkit2gtk-driver dbus dbus-x11 gnome-keyring
  chromium chromium-driver coturn procps poppler-utils python3-venv
  iproute2 nftables tinyproxy-bin
)

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# ensure_packages PKG...: installs missing Debian packages (as root), or prints the line.
ensure_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    say "Installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Some system packages are missing. Install them with:" >&2
    echo "  sudo apt-get install --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
}

ensure_toolchains() {
  if ! command -v cargo >/dev/null; then
    echo "Rust is missing: install it from https://rustup.rs (stable, 1.95 or newer)." >&2
    exit 1
  fi
  if ! command -v node >/dev/null || ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
    echo "Node.js 20.19 or newer is needed to build the UI (found: $(node --version 2>/dev/null || echo none))." >&2
    exit 1
  fi
}

# A Python environment with the test tools of scripts/test-requirements.txt (an SMTP
# server, an iCalendar parser), outside the clone and made again when the list changes.
# Its interpreter is exported as BALIE_TEST_PYTHON.
ensure_python_tools() {
  local venv="${BALIE_TEST_VENV:-$HOME/.cache/balie-test-venv}"
  local stamp="$venv/.balie-requirements-stamp"
  if [ ! -x "$venv/bin/python3" ] || ! cmp -s scripts/test-requirements.txt "$stamp"; then
    say "Installing the Python test tools"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r scripts/test-requirements.txt
    cp scripts/test-requirements.txt "$stamp"
  fi
  export BALIE_TEST_PYTHON="$venv/bin/python3"
}

# Installs npm packages when package-lock.json changed, then builds the cockpit UI.
build_ui() {
  local stamp=node_modules/.balie-lock-stamp
  if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
    say "Installing npm packages"
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json "$stamp"
  fi
  say "Building the cockpit UI"
  npm run --silent build >/dev/null
}
