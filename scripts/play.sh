#!/usr/bin/env bash
# Sets everything up, builds, and serves the playground on http://127.0.0.1:${PORT:-8080}/.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh
exec node scripts/serve.mjs "${PORT:-8080}"
