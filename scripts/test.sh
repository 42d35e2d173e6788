#!/usr/bin/env bash
# Sets everything up, builds, and runs every test: formatting and lints (the Rust, then the
# JavaScript's types, lint and format), the native suite, the same suites in headless Chromium
# (wasm-bindgen-test), the JS API in Node, and the browser end-to-end suites. Stops at the first
# failure.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh

export PATH="$PWD/.tools/bin:$PATH"
export CHROMEDRIVER=/usr/bin/chromedriver
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "format and lints"
cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings
cargo clippy --all-targets --target wasm32-unknown-unknown -- -D warnings
cargo clippy --all-targets --target wasm32-unknown-unknown --features trainer -- -D warnings

step "JavaScript: types, lint, format"
npm run --silent check:types
npm run --silent lint
npm run --silent format:check

step "native: cargo test"
cargo test

step "headless Chromium: wasm-bindgen-test (simd128 build)"
cargo test --target wasm32-unknown-unknown

step "headless Chromium: wasm-bindgen-test (simd128 + relaxed-simd build)"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=+simd128,+relaxed-simd --cfg=web_sys_unstable_apis" \
  cargo test --target wasm32-unknown-unknown --target-dir target/relaxed

step "Node: the JS API as users call it"
node --test --test-reporter=dot tests/node/

step "headless Chromium + WebGPU (SwiftShader): engine parity, big inputs, fallbacks, error contract"
node tests/browser/run.mjs

step "benchmark smoke run (correctness of every peer, no timing)"
node bench/run.mjs --smoke
node bench/train.mjs --smoke

step "browser end-to-end: playground, embeds, hostile links, accessibility"
node tests/e2e/run.mjs

step "the npm package: pack, install into scratch projects (Node + TypeScript, Vite in Chromium, examples/headless-test)"
node tests/package/run.mjs
