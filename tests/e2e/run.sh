#!/usr/bin/env bash
# Runs the browser end-to-end tests: installs playwright-core when needed, then node --test
# over tests/e2e (one file at a time: the scenarios share one server and one browser).
# Env: RAPPORT_BIN (default build/rapport), RAPPORT_WEB (default web/dist), CHROMIUM
# (default /usr/bin/chromium), SCREENSHOTS (default build/screenshots).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
if [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
cd "$here/../.."
exec node --test --test-concurrency=1 --test-timeout=180000 tests/e2e/
