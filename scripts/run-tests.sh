#!/usr/bin/env bash
# Runs every test suite against the builds made by `make test` and prints one summary
# line at the end: "N passed, N failed". Exit status is non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
ASAN_BUILD=${ASAN_BUILD:-build-asan}
logdir=$(mktemp -d)
passed=0
failed=0
status=0

# ctest prints "N% tests passed, M tests failed out of T".
count_ctest() {
  local log=$1 line total fails
  line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
  if [ -z "$line" ]; then failed=$((failed + 1)); return; fi
  fails=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
  total=$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$line")
  passed=$((passed + total - fails))
  failed=$((failed + fails))
}

# node --test prints "# pass N" and "# fail N".
count_node() {
  local log=$1 p f
  p=$(grep -E '^# pass [0-9]+' "$log" | tail -n 1 | awk '{print $3}')
  f=$(grep -E '^# fail [0-9]+' "$log" | tail -n 1 | awk '{print $3}')
  if [ -z "$p" ]; then failed=$((failed + 1)); return; fi
  passed=$((passed + p))
  failed=$((failed + ${f:-0}))
}

# Vitest prints "Tests  N passed (T)" or "Tests  F failed | N passed (T)".
count_vitest() {
  local log=$1 line p f
  line=$(grep -E '^[[:space:]]*Tests[[:space:]]+[0-9]' "$log" | tail -n 1)
  if [ -z "$line" ]; then failed=$((failed + 1)); return; fi
  p=$(grep -oE '[0-9]+ passed' <<<"$line" | awk '{print $1}')
  f=$(grep -oE '[0-9]+ failed' <<<"$line" | awk '{print $1}')
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
}

section() { printf '\n=== %s ===\n' "$1"; }
took() { printf '(%s took %ds)\n' "$1" "$2"; }

section "unit tests (release build)"
ctest --test-dir "$BUILD" -L unit --output-on-failure -j2 2>&1 | tee "$logdir/unit.log" | tail -n 3
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
count_ctest "$logdir/unit.log"

section "unit tests (ASan + UBSan)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir "$ASAN_BUILD" -L unit --output-on-failure -j2 2>&1 | tee "$logdir/asan.log" | tail -n 3
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
count_ctest "$logdir/asan.log"

section "API tests against a running server"
# Every write runs twice (rolled back once), proving each handler survives a batch retry.
RAPPORT_TEST_REPLAY_WRITES=1 RAPPORT_BIN="$BUILD/rapport" node --test --test-concurrency=2 tests/api/ >"$logdir/api.log" 2>&1
api_status=$?
grep -E '^not ok|^# (tests|pass|fail)' "$logdir/api.log"
if [ $api_status -ne 0 ]; then
  status=1
  grep -B2 -A30 '^not ok' "$logdir/api.log" | head -n 200
fi
count_node "$logdir/api.log"

section "web unit tests (Vitest)"
start=$SECONDS
(cd web && NO_COLOR=1 FORCE_COLOR=0 npx --no-install vitest run) >"$logdir/vitest.log" 2>&1
vitest_status=$?
grep -E '^[[:space:]]*(Test Files|Tests)[[:space:]]' "$logdir/vitest.log"
if [ $vitest_status -ne 0 ]; then
  status=1
  grep -E -A20 'FAIL|Error' "$logdir/vitest.log" | head -n 120
fi
count_vitest "$logdir/vitest.log"
took "Vitest" $((SECONDS - start))

section "browser end-to-end tests"
start=$SECONDS
RAPPORT_BIN="$BUILD/rapport" bash tests/e2e/run.sh >"$logdir/e2e.log" 2>&1
e2e_status=$?
grep -E '^(not )?ok |^# (tests|pass|fail|skipped)' "$logdir/e2e.log"
if [ $e2e_status -ne 0 ]; then
  status=1
  grep -B2 -A40 '^not ok' "$logdir/e2e.log" | head -n 200
fi
count_node "$logdir/e2e.log"
echo "screenshots: build/screenshots/"
took "end-to-end" $((SECONDS - start))

section "benchmark smoke tests"
ctest --test-dir "$BUILD" -L bench --output-on-failure 2>&1 | tee "$logdir/bench.log" | tail -n 3
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
count_ctest "$logdir/bench.log"

rm -rf "$logdir"
echo
echo "$passed passed, $failed failed"
[ $failed -eq 0 ] || status=1
exit $status
