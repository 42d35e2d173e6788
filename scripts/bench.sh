#!/usr/bin/env bash
# Sets everything up, builds, and runs the browser benchmark (bench/run.mjs): losslab's CPU and
# WebGPU kernels against tfjs-wasm SIMD, plain JavaScript and the memory ceilings, in headless
# Chromium. Prints a Markdown table; writes bench/out/results.json and results.md.
# Options pass through: --quick, --shapes 4x512x32000, --runs N, --peers ..., --smoke, --help.
# --train (first) runs the training benchmark instead (bench/train.mjs: losslab's Trainer against
# the same GPT in tfjs-wasm SIMD, PyTorch's figure from the golden file; bench/out/train.json and
# train.md); the options after it pass through to it: --runs N, --seconds S, --smoke, --help.
set -euo pipefail
cd "$(dirname "$0")/.."
bench=bench/run.mjs
if [[ "${1:-}" == "--train" ]]; then
  bench=bench/train.mjs
  shift
fi
./scripts/setup.sh && ./scripts/build.sh && node "$bench" "$@"
