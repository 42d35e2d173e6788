#!/usr/bin/env bash
# Sets everything up, builds, and runs every test: formatting and lints (the Rust, then the
# JavaScript's types, lint and format), the native suite, the same suites in the browser
# (wasm-bindgen-test: the relaxed-SIMD build, compiled once, in headless Chromium and Firefox ESR),
# the JS API in Node, the README's examples, the package's suites in Chromium, Firefox and WebKit,
# and the browser end-to-end suites. Every step runs even after one fails (a failed setup or build
# stops at once); the end prints each step's result and time, and `test.sh: N passed, N failed`;
# the exit status is 1 if any step failed.
#
#   ./scripts/test.sh                   everything
#   ./scripts/test.sh --only TEXT       only the steps whose name contains TEXT (e.g. --only Node)
#   ./scripts/test.sh --no-build        skip setup and build: test the pkg/ already built
#   ./scripts/test.sh --list            print the steps' names and exit
#
# Temporary files (browser profiles, scratch npm projects) go to one folder of this run, removed
# at exit — kept, and named, when a step failed.
set -euo pipefail
cd "$(dirname "$0")/.."

only=""
build=1
list=0
while [ $# -gt 0 ]; do
  case "$1" in
    --only) only="${2:?--only needs a text}"; shift 2 ;;
    --no-build) build=0; shift ;;
    --list) list=1; shift ;;
    *) echo "usage: ./scripts/test.sh [--only TEXT] [--no-build] [--list]" >&2; exit 2 ;;
  esac
done

# name|command, in order. Each command is one line run by bash.
STEPS=(
  "rustfmt|cargo fmt --all -- --check"
  "clippy (native)|cargo clippy --all-targets -- -D warnings"
  "clippy (wasm32)|cargo clippy --all-targets --target wasm32-unknown-unknown -- -D warnings"
  "clippy (wasm32, trainer)|cargo clippy --all-targets --target wasm32-unknown-unknown --features trainer -- -D warnings"
  "JavaScript: types|npm run --silent check:types"
  "JavaScript: lint|npm run --silent lint"
  "JavaScript: format|npm run --silent format:check"
  "native: cargo test|cargo test"
  "headless Chromium: wasm-bindgen-test (simd128 + relaxed-simd build)|wasm_tests"
  "headless Firefox ESR: wasm-bindgen-test (the same build)|unset CHROMEDRIVER; GECKODRIVER=\"$PWD/.tools/bin/geckodriver\" wasm_tests"
  "Node: the JS API as users call it, and the README's examples|node_tests"
  "headless Chromium + WebGPU (SwiftShader): engine parity, big inputs, fallbacks, error contract|node tests/browser/run.mjs"
  "Firefox + WebKit: the package's golden table, error contract and CPU fallback|node tests/engines/run.mjs"
  "Firefox + WebKit: the front end's golden links, edits, shared link, embeds, hostile links|node tests/engines/e2e.mjs --no-screenshots"
  "benchmark smoke run (correctness of every peer, no timing)|node bench/run.mjs --smoke && node bench/train.mjs --smoke"
  "browser end-to-end: playground, embeds, hostile links, accessibility|node tests/e2e/run.mjs"
  "the npm package: pack, install into scratch projects (Node + TypeScript, Vite in Chromium, examples/headless-test in three engines)|node tests/package/run.mjs"
)

if [ "$list" = 1 ]; then
  for s in "${STEPS[@]}"; do echo "${s%%|*}"; done
  exit 0
fi


export PATH="$PWD/.tools/bin:$PATH"
# wasm-bindgen-test-runner takes the first driver named in the environment, geckodriver's before
# chromedriver's, then the first found on PATH (.tools/bin holds geckodriver): CHROMEDRIVER makes
# Chromium the default, and the Firefox step unsets it and names geckodriver instead.
export CHROMEDRIVER=/usr/bin/chromedriver

# One temporary folder for the whole run: Node's os.tmpdir(), the browsers, their drivers and
# cargo follow TMPDIR.
run_tmp=$(mktemp -d "${TMPDIR:-/tmp}/losslab-test-XXXXXX")
export TMPDIR="$run_tmp"
failed_names=()
cleanup() {
  if [ ${#failed_names[@]} -eq 0 ]; then rm -rf "$run_tmp"; else echo "test.sh: temporary files kept in $run_tmp"; fi
}
trap cleanup EXIT

# Set-up and build. The Debian packages (downloads and dpkg, mostly waiting on I/O) install beside
# the toolchain's set-up and the wasm build; their output follows the build's. Compiles do not
# overlap: two at once on this 2-core machine took longer than one after the other (wasm-bindgen-
# cli 6m51s beside geckodriver, against about 3.5 minutes alone).
setup_started=$SECONDS
if [ "$build" = 1 ]; then
  ./scripts/setup.sh --system >"$run_tmp/setup-system.log" 2>&1 &
  system_pid=$!
  build_ok=1
  { ./scripts/setup.sh --play && ./scripts/build.sh; } || build_ok=0
  system_ok=1
  wait "$system_pid" || system_ok=0
  cat "$run_tmp/setup-system.log"
  if [ "$build_ok" = 1 ] && [ "$system_ok" = 1 ]; then ./scripts/setup.sh --browsers || system_ok=0; fi
  if [ "$build_ok" = 0 ] || [ "$system_ok" = 0 ]; then
    failed_names+=("set-up and build")
    echo "test.sh: $([ "$build_ok" = 0 ] && echo "the build failed" || echo "the browsers' set-up failed"); nothing was tested" >&2
    exit 1
  fi
fi
setup_seconds=$((SECONDS - setup_started))

# The Rust suites in the browser, compiled once for both browsers: the relaxed-SIMD build, the one
# Chromium and Firefox load (WebKit loads the plain simd128 build, which Node's suites and the
# WebKit runs test through the package). The second browser's step finds the build done.
wasm_tests() {
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS='-C target-feature=+simd128,+relaxed-simd --cfg=web_sys_unstable_apis' \
    cargo test --target wasm32-unknown-unknown --target-dir target/relaxed
}

# node --test's dot reporter prints no totals: a TAP copy is counted instead. Two files at a time
# (Node's default is one fewer than the cores: one here), so the trainer's lesson, the longest
# file, runs beside the others; no Node test times anything.
node_tests() {
  node --test --test-concurrency=2 --test-reporter=dot --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$TMPDIR/node-tests.tap" tests/node/
  local rc=$?
  local pass fail skipped
  pass=$(sed -n 's/^# pass //p' "$TMPDIR/node-tests.tap" | tail -1)
  fail=$(sed -n 's/^# fail //p' "$TMPDIR/node-tests.tap" | tail -1)
  skipped=$(sed -n 's/^# skipped //p' "$TMPDIR/node-tests.tap" | tail -1)
  echo "node --test: ${pass:-?} passed, ${fail:-?} failed, ${skipped:-0} skipped"
  return $rc
}

results=()
passed=0
failed=0
for s in "${STEPS[@]}"; do
  name="${s%%|*}"
  cmd="${s#*|}"
  if [ -n "$only" ] && [[ "$name" != *"$only"* ]]; then continue; fi
  printf '\n\033[1m== %s\033[0m\n' "$name"
  started=$SECONDS
  # set -e does not apply inside a condition: each step's own status decides.
  if (set +e; eval "$cmd"); then
    passed=$((passed + 1))
    results+=("ok    $(printf '%5ss' $((SECONDS - started)))  $name")
  else
    failed=$((failed + 1))
    failed_names+=("$name")
    results+=("FAIL  $(printf '%5ss' $((SECONDS - started)))  $name")
  fi
done

printf '\n\033[1m== summary\033[0m\n'
[ "$build" = 1 ] && echo "set-up and build: ${setup_seconds}s"
for r in "${results[@]}"; do echo "$r"; done
echo "test.sh: $passed passed, $failed failed (${SECONDS}s in all)"
[ "$failed" -eq 0 ]
