#!/usr/bin/env bash
# Builds the segment rule fuzzers with clang in build-fuzz (libFuzzer + ASan + UBSan) and runs
# them for FUZZ_SECONDS in total (default 60): two thirds on the text parser
# (segment_rule_fuzz, seeded from fuzz/corpus), one third on the JSON decoder (rule_json_fuzz,
# seeded from fuzz/corpus-json), each on a scratch copy of its corpus plus the saved
# regressions. A crashing input is written to build-fuzz/crashes/ and the exit status is then
# non-zero; once fixed, keep it in fuzz/regressions (text) or fuzz/regressions/json (JSON),
# where rapport_segment_rules_test replays it.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
text_seconds=$((FUZZ_SECONDS * 2 / 3))
json_seconds=$((FUZZ_SECONDS - text_seconds))
[ "$text_seconds" -ge 1 ] || text_seconds=1
[ "$json_seconds" -ge 1 ] || json_seconds=1

CC=clang CXX=clang++ cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DRAPPORT_FUZZ=ON -DRAPPORT_UNIT_ONLY=ON >/dev/null
cmake --build "$BUILD_DIR" --target segment_rule_fuzz rule_json_fuzz -- -j2

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$BUILD_DIR/crashes"

# run_fuzzer NAME SECONDS CORPUS REGRESSIONS [extra libFuzzer flags...]
run_fuzzer() {
  local name=$1 seconds=$2 corpus=$3 regressions=$4 status=0
  shift 4
  mkdir -p "$scratch/$name"
  cp "$corpus"/* "$scratch/$name"/
  echo "== $name for ${seconds}s"
  "$BUILD_DIR/fuzz/$name" "$scratch/$name" "$regressions" -max_total_time="$seconds" \
    -max_len=4096 -timeout=10 -artifact_prefix="$BUILD_DIR/crashes/$name-" \
    -print_final_stats=1 "$@" 2>"$BUILD_DIR/$name.log" || status=$?
  grep -E '^(Done|stat::number_of_executed_units|stat::new_units_added)|ERROR|failed' \
    "$BUILD_DIR/$name.log" || true
  if [ "$status" -ne 0 ]; then
    tail -n 30 "$BUILD_DIR/$name.log" >&2
    echo "$name failed (status $status); the input is in $BUILD_DIR/crashes/" >&2
    return 1
  fi
}

mkdir -p fuzz/regressions/json
failed=0
run_fuzzer segment_rule_fuzz "$text_seconds" fuzz/corpus fuzz/regressions \
  -dict=fuzz/segment_rule.dict || failed=1
run_fuzzer rule_json_fuzz "$json_seconds" fuzz/corpus-json fuzz/regressions/json \
  -dict=fuzz/rule_json.dict || failed=1
if [ "$failed" -ne 0 ]; then exit 1; fi
echo "no crashes"
