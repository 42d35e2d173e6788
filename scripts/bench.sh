#!/usr/bin/env bash
# Sets everything up, builds, and runs the browser benchmark (bench/run.mjs): losslab's CPU and
# WebGPU kernels against tfjs-wasm SIMD, plain JavaScript and the memory ceilings, in headless
# Chromium. Prints a Markdown table; writes bench/out/results.json and results.md.
# Options pass through: --quick, --shapes 4x512x32000, --runs N, --peers ..., --smoke, --help.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh && ./scripts/build.sh && node bench/run.mjs "$@"
