#!/usr/bin/env bash
# Builds the wasm module into pkg/ (an npm-ready package: ES module, .d.ts, optimised wasm,
# package.json with a Node entry) and copies it to www/pkg/.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --target wasm32-unknown-unknown --lib
rm -rf pkg
.tools/bin/wasm-bindgen --target web --out-dir pkg target/wasm32-unknown-unknown/release/losslab.wasm
# binaryen from npm: Debian's wasm-opt 108 silently breaks wasm-bindgen's output.
node_modules/.bin/wasm-opt -O3 --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue pkg/losslab_bg.wasm -o pkg/losslab_bg.wasm
node scripts/package.mjs
rm -rf www/pkg
cp -r pkg www/pkg

# Third-party assets the static pages load (no CDN at runtime): KaTeX's module, CSS and fonts.
rm -rf www/vendor/katex
mkdir -p www/vendor/katex
cp -r node_modules/katex/dist/katex.mjs node_modules/katex/dist/katex.min.css node_modules/katex/dist/fonts www/vendor/katex/
