#!/usr/bin/env bash
# Installs every Debian package the build, the tests and the benchmarks need.
# Idempotent: asks apt only for what is missing, and runs `apt-get update` only then.
set -euo pipefail

APT_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git curl ca-certificates python3 tzdata
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev sqlite3
  libsodium-dev libroaring-dev
  libcli11-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  wrk
  # libFuzzer (make fuzz) and the PostgreSQL comparison of the segment benchmark.
  clang postgresql libpq-dev
  # The browser the end-to-end tests drive headless (tests/e2e, playwright-core).
  chromium
)

# Node.js runs the API tests (node:test, fetch) and builds the web UI.
command -v node >/dev/null 2>&1 || APT_PACKAGES+=(nodejs npm)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all packages present"
fi

# npm packages of the web UI and the browser tests: `npm ci` only when node_modules is missing
# or older than package-lock.json (a changed lock file), so repeated runs cost nothing.
root=$(cd "$(dirname "$0")/.." && pwd)
for dir in web tests/e2e; do
  [ -f "$root/$dir/package.json" ] || continue
  lock="$root/$dir/package-lock.json"
  stamp="$root/$dir/node_modules/.package-lock.json"
  if [ ! -d "$root/$dir/node_modules" ] || { [ -f "$lock" ] && [ "$lock" -nt "$stamp" ]; }; then
    echo "install-deps: npm ci in $dir"
    if [ -f "$lock" ]; then
      (cd "$root/$dir" && npm ci --no-audit --no-fund --loglevel=error)
    else
      (cd "$root/$dir" && npm install --no-audit --no-fund --loglevel=error)
    fi
  fi
done
