#!/usr/bin/env bash
# Builds the wasm module into pkg/ (ES module, .d.ts, optimised wasm) and copies it to www/pkg/.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --target wasm32-unknown-unknown --lib
rm -rf pkg
.tools/bin/wasm-bindgen --target web --out-dir pkg target/wasm32-unknown-unknown/release/losslab.wasm
# binaryen from npm: Debian's wasm-opt 108 silently breaks wasm-bindgen's output.
node_modules/.bin/wasm-opt -O3 --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue pkg/losslab_bg.wasm -o pkg/losslab_bg.wasm
rm -rf www/pkg
cp -r pkg www/pkg
