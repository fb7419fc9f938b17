#!/usr/bin/env bash
# Activity-ingest benchmark against a fresh server: starts `rapport serve` on a temporary data
# directory and a free port, runs ingest_activities (rapport vs. the plain-SQLite peer), then
# wrk on GET /api/v1/contacts/{id}/overview and on the first page of
# GET /api/v1/contacts/{id}/timeline of a contact with 10,000 activities, and stops the server
# with SIGTERM. Builds nothing.
#
#   bash bench/run_ingest_activities.sh           # 5,000,000 activities, 200,000 contacts, wrk 10 s
#   bash bench/run_ingest_activities.sh --small   # 20,000 activities, 2,000 contacts, wrk 2 s (ctest)
#   bash bench/run_ingest_activities.sh --activities 1000000 [--contacts 200000] [--connections 4] \
#       [--batch 5000]
#
# Environment: RAPPORT_BUILD_DIR (default: build), RAPPORT_API_KEY (sent as a bearer token;
# when unset, an owner key is created with `rapport apikey create` if the binary has it).
# Exits 77 (ctest: skipped) when the binaries are not built, 1 on any failure.
set -euo pipefail

cd "$(dirname "$0")/.."
build_dir=${RAPPORT_BUILD_DIR:-build}
server_bin=$build_dir/rapport
ingest_bin=$build_dir/bench/ingest_activities

activities=5000000
contacts=200000
connections=4
batch=5000
hot=10000
wrk_duration=10s
while [[ $# -gt 0 ]]; do
  case "$1" in
    --small) activities=20000; contacts=2000; wrk_duration=2s ;;
    --activities) activities=${2:?}; shift ;;
    --contacts) contacts=${2:?}; shift ;;
    --connections) connections=${2:?}; shift ;;
    --batch) batch=${2:?}; shift ;;
    *) echo "usage: $0 [--small] [--activities N] [--contacts N] [--connections N] [--batch N]" >&2
       exit 2 ;;
  esac
  shift
done

for bin in "$server_bin" "$ingest_bin"; do
  if [[ ! -x $bin ]]; then
    echo "run_ingest_activities: $bin is not built (cmake --build $build_dir); skipping" >&2
    exit 77
  fi
done
if ! command -v wrk >/dev/null || ! command -v curl >/dev/null; then
  echo "run_ingest_activities: needs wrk and curl" >&2
  exit 77
fi

work=$(mktemp -d)
server_log=$work/server.log
server_pid=""

stop_server() {
  [[ -n $server_pid ]] || return 0
  kill -TERM "$server_pid" 2>/dev/null || true
  local status=0
  for _ in $(seq 1 100); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$server_pid" 2>/dev/null; then
    echo "run_ingest_activities: server did not stop within 10 s of SIGTERM; killing it" >&2
    kill -KILL "$server_pid" 2>/dev/null || true
    status=1
  fi
  wait "$server_pid" 2>/dev/null || status=$?
  server_pid=""
  return $status
}

cleanup() {
  stop_server || true
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "run_ingest_activities: $*" >&2
  echo "--- last lines of the server log ---" >&2
  tail -n 20 "$server_log" >&2 || true
  exit 1
}

mkdir -p "$work/data"
# A server with authentication needs a key: create an owner key for the fresh data directory
# unless RAPPORT_API_KEY is given (a binary without `apikey` runs without one).
if [[ -z ${RAPPORT_API_KEY:-} ]] &&
   key=$("$server_bin" apikey create --data "$work/data" --role owner --workspace default \
         2>/dev/null | tail -n 1) && [[ -n $key ]]; then
  export RAPPORT_API_KEY=$key
fi
"$server_bin" serve --data "$work/data" --listen 127.0.0.1:0 2>"$server_log" >/dev/null &
server_pid=$!

# The server logs {"message":"listening",...,"port":N} once the socket is bound.
port=""
for _ in $(seq 1 300); do
  port=$(grep -E '"message": *"listening"' "$server_log" 2>/dev/null |
         sed -n 's/.*"port": *\([0-9][0-9]*\).*/\1/p' | head -n 1) || true
  [[ -n $port ]] && break
  kill -0 "$server_pid" 2>/dev/null || fail "server exited before listening"
  sleep 0.1
done
[[ -n $port ]] || fail "no \"listening\" log line with a port within 30 s"
url=http://127.0.0.1:$port

auth=()
[[ -n ${RAPPORT_API_KEY:-} ]] && auth=(-H "Authorization: Bearer $RAPPORT_API_KEY")

ready=""
for _ in $(seq 1 300); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$url/readyz" || true)
  if [[ $code == 200 ]]; then ready=1; break; fi
  sleep 0.1
done
[[ -n $ready ]] || fail "GET /readyz did not answer 200 within 30 s"
echo "server: $url (pid $server_pid, data $work/data)"

ingest_out=$work/ingest.out
"$ingest_bin" --url "$url" --activities "$activities" --contacts "$contacts" \
  --connections "$connections" --batch "$batch" --seed 1 --hot-activities "$hot" | tee "$ingest_out" ||
  fail "ingest_activities failed"

# The contact with $hot activities, from the summary line.
id=$(grep '^{"bench":"ingest_activities"' "$ingest_out" |
     sed -n 's/.*"hot_contact_id":\([0-9][0-9]*\).*/\1/p') || true
[[ -n $id ]] || fail "no hot_contact_id in the ingest_activities summary"
n=$(curl -s "${auth[@]}" "$url/api/v1/contacts/$id/timeline?limit=1000" | grep -o '"id":' | wc -l)
[[ $n -gt 0 ]] || fail "the timeline of contact $id is empty"

wrk_args=(-t2 -c16 "-d$wrk_duration" --latency)
[[ -n ${RAPPORT_API_KEY:-} ]] && wrk_args+=(-H "Authorization: Bearer $RAPPORT_API_KEY")

# Runs wrk on one path; prints requests/s and p99; emits a JSON line named $1.
bench_get() {
  local name=$1 path=$2 out rps p99
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" "$url$path" || true)
  [[ $code == 200 ]] || fail "GET $path answered $code"
  out=$(wrk "${wrk_args[@]}" "$url$path") || fail "wrk failed on $path"
  rps=$(sed -n 's/^Requests\/sec:[[:space:]]*\([0-9.]*\).*/\1/p' <<<"$out")
  p99=$(sed -n 's/^[[:space:]]*99%[[:space:]]*\([0-9.]*[a-z]*\).*/\1/p' <<<"$out")
  echo "wrk GET $path (2 threads, 16 connections, $wrk_duration):"
  echo "  requests/s: ${rps:-?}"
  echo "  p99 latency: ${p99:-?}   (goal < 5ms)"
  if grep -q "Non-2xx or 3xx responses" <<<"$out"; then
    echo "$out" >&2
    fail "wrk saw non-2xx responses on $path"
  fi
  if grep -q "Socket errors" <<<"$out"; then
    echo "  $(grep 'Socket errors' <<<"$out")"
  fi
  echo "{\"bench\":\"$name\",\"contact_activities\":$hot,\"requests_per_s\":${rps:-null},\"p99\":\"${p99:-}\"}"
}

bench_get contact_overview "/api/v1/contacts/$id/overview"
bench_get contact_timeline "/api/v1/contacts/$id/timeline"

stop_server || fail "server did not shut down cleanly on SIGTERM (status $?)"
echo "server stopped cleanly"
