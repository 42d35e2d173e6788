#!/usr/bin/env bash
# Builds the wasm module into pkg/ (an npm-ready package: ES module, .d.ts, optimised wasm,
# package.json with entries that pick the wasm build) and copies it to www/pkg/.
#
# Two wasm builds of the same crate: losslab_bg.wasm (simd128, runs everywhere) and
# losslab_relaxed_bg.wasm (simd128 + relaxed-simd: fused multiply-add, ~20 % faster), chosen at
# load time by pkg/index.js. Their JS glue must be identical; the build checks that it is.
set -euo pipefail
cd "$(dirname "$0")/.."

features="--enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue"

cargo build --release --target wasm32-unknown-unknown --lib
rm -rf pkg target/relaxed-pkg
.tools/bin/wasm-bindgen --target web --out-dir pkg target/wasm32-unknown-unknown/release/losslab.wasm
# binaryen from npm: Debian's wasm-opt 108 silently breaks wasm-bindgen's output.
node_modules/.bin/wasm-opt -O3 $features pkg/losslab_bg.wasm -o pkg/losslab_bg.wasm

# Its own target dir, so the two builds' caches do not evict each other.
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=+simd128,+relaxed-simd --cfg=web_sys_unstable_apis" \
  cargo build --release --target wasm32-unknown-unknown --lib --target-dir target/relaxed
.tools/bin/wasm-bindgen --target web --out-dir target/relaxed-pkg target/relaxed/wasm32-unknown-unknown/release/losslab.wasm
if ! cmp -s pkg/losslab.js target/relaxed-pkg/losslab.js; then
  echo "build.sh: the relaxed-simd build's JS glue differs from the simd128 build's" >&2
  exit 1
fi
node_modules/.bin/wasm-opt -O3 $features --enable-relaxed-simd target/relaxed-pkg/losslab_bg.wasm -o pkg/losslab_relaxed_bg.wasm

# The trainer's build: the same crate with the `trainer` feature (the `Trainer` class), simd128
# only, so its arithmetic is the native build's bit for bit and a seeded run matches everywhere.
# Loaded only by pages that train: the loss module above does not grow.
cargo build --release --target wasm32-unknown-unknown --lib --features trainer --target-dir target/trainer
.tools/bin/wasm-bindgen --target web --out-dir pkg/train --out-name losslab_train target/trainer/wasm32-unknown-unknown/release/losslab.wasm
node_modules/.bin/wasm-opt -O3 $features pkg/train/losslab_train_bg.wasm -o pkg/train/losslab_train_bg.wasm
cp js/train/*.js js/train/*.d.ts pkg/train/

# The Engine in a module Web Worker (hand-written, no wasm of its own: it loads ../index.js).
mkdir -p pkg/engine
cp js/engine/*.js js/engine/*.d.ts pkg/engine/

node scripts/package.mjs
rm -rf www/pkg
cp -r pkg www/pkg

# Third-party assets the static pages load (no CDN at runtime): KaTeX's module, CSS and fonts.
rm -rf www/vendor/katex
mkdir -p www/vendor/katex
cp -r node_modules/katex/dist/katex.mjs node_modules/katex/dist/katex.min.css node_modules/katex/dist/fonts www/vendor/katex/
