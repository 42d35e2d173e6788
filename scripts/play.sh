#!/usr/bin/env bash
# Sets up what the build needs (no browser, no apt), builds, and serves the playground on
# http://127.0.0.1:${PORT:-8080}/ (PORT=9000 ./scripts/play.sh for another port).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --play
./scripts/build.sh
exec node scripts/serve.mjs "${PORT:-8080}"
