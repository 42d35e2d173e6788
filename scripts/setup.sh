#!/usr/bin/env bash
# Installs what losslab needs, idempotently.
#   ./scripts/setup.sh --play   what the build and the playground need: the wasm32 target, the
#                               wasm-bindgen CLI matching Cargo.toml's pin (into .tools/) and the
#                               npm packages (wasm-opt from binaryen, ...). No browser, no apt.
#   ./scripts/setup.sh --browsers  only what the tests add: Debian's Chromium and ChromeDriver, a
#                               CJK font for the 中文 screenshots, Firefox ESR with geckodriver
#                               (into .tools/), and WebKitGTK's WebKitWebDriver and MiniBrowser
#                               with Xvfb to give it a display. (test.sh runs this beside the
#                               build: it is mostly downloading, and the build leaves time.)
#   ./scripts/setup.sh --system    only the Debian packages of --browsers (no compiling).
#   ./scripts/setup.sh          both.
# Fails at once, in one line, on a Node.js older than the pinned tools accept.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=all
case "${1:-}" in
  --play) mode=play ;;
  --browsers) mode=browsers ;;
  --system) mode=system ;;
  "") ;;
  *) echo "usage: ./scripts/setup.sh [--play | --browsers | --system]" >&2; exit 2 ;;
esac

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# The pinned Vite and ESLint need Node ^20.19 or >= 22.13; older ones fail later and cryptically.
node_version=$(node -p 'process.versions.node' 2>/dev/null || true)
if [ -z "$node_version" ]; then
  echo "setup: Node.js is not installed; losslab needs Node 20.19+ (or 22.13+) and npm" >&2
  exit 1
fi
IFS=. read -r node_major node_minor _ <<<"$node_version"
if ! { [ "$node_major" -eq 20 ] && [ "$node_minor" -ge 19 ]; } &&
  ! { [ "$node_major" -eq 22 ] && [ "$node_minor" -ge 13 ]; } &&
  ! [ "$node_major" -ge 23 ]; then
  echo "setup: Node $node_version is too old; losslab needs Node 20.19+ (or 22.13+)" >&2
  exit 1
fi

play_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi

  # The CLI must equal the crate's pinned version, or the generated glue will not match.
  wb_version=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
  if [ "$(.tools/bin/wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)" != "$wb_version" ]; then
    say "installing wasm-bindgen-cli $wb_version into .tools/ (2-3 minutes, once)"
    # No --locked: one of its locked dependencies is missing from the registry mirror.
    # Without TLS (its default feature pulls in rustls and ring; the test runner only speaks
    # http to a local WebDriver) and at -O1. CPU time to compile, measured on this 2-core machine
    # kind: 4m55s, against 6m52s without TLS at -O3 and 7m50s with TLS at -O1. The -O1 build
    # converts our wasm as fast (0.1 s) and the largest test binary in 3.2 s instead of 2.5 s.
    CARGO_PROFILE_RELEASE_OPT_LEVEL=1 \
      cargo install wasm-bindgen-cli --version "$wb_version" --no-default-features --root .tools
  fi

  if [ ! -x node_modules/.bin/wasm-opt ] || [ package.json -nt node_modules/.package-lock.json ]; then
    say "installing npm packages"
    if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
  fi
}

system_packages() {
  # Chromium + ChromeDriver for the browser suites; a CJK font so the 中文 UI renders in screenshots;
  # Firefox ESR (Gecko) and WebKitGTK (WebKit, Safari's engine: its WebKitWebDriver starts
  # MiniBrowser, which needs a display, hence Xvfb) for the same suites in the other two engines.
  missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
  dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || missing+=(fonts-wqy-microhei)
  [ -x /usr/bin/firefox-esr ] || missing+=(firefox-esr)
  [ -x /usr/bin/WebKitWebDriver ] || missing+=(webkit2gtk-driver)
  [ -x /usr/bin/xvfb-run ] || missing+=(xvfb)
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
  fi

}

browsers() {
  system_packages
  # geckodriver, pinned, from crates.io (under 2 minutes of compiling, once): Debian has no package
  # for it, and npm's geckodriver wrapper downloads a release binary from GitHub at install time.
  # An unoptimised build: it only relays WebDriver commands, and --debug compiles in 108 s here
  # against about 3 minutes for --release.
  gecko_version=0.37.1
  if [ "$(.tools/bin/geckodriver --version 2>/dev/null | sed -n '1s/^geckodriver \([0-9.]*\).*/\1/p')" != "$gecko_version" ]; then
    say "installing geckodriver $gecko_version into .tools/ (under 2 minutes, once)"
    cargo install --debug geckodriver --version "$gecko_version" --root .tools
  fi
}

case "$mode" in
  play) play_tools ;;
  browsers) browsers ;;
  system) system_packages ;;
  all) play_tools; browsers ;;
esac
