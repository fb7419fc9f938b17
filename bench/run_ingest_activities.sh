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
# shellcheck source-path=SCRIPTDIR/..
source bench/lib.sh
bench_name=run_ingest_activities
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

bench_init
# A server with authentication needs a key: create an owner key for the fresh data directory
# unless RAPPORT_API_KEY is given (a binary without `apikey` runs without one).
if [[ -z ${RAPPORT_API_KEY:-} ]] &&
   key=$("$server_bin" apikey create --data "$work/data" --role owner --workspace default \
         2>/dev/null | tail -n 1) && [[ -n $key ]]; then
  export RAPPORT_API_KEY=$key
fi
start_server

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

# Runs wrk on one path; prints requests/s and p99; emits a JSON line named $1.
bench_get() {
  local name=$1 path=$2 rps p99
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" "$url$path" || true)
  [[ $code == 200 ]] || fail "GET $path answered $code"
  run_wrk "$path" " on $path" "   (goal < 5ms)"
  echo "{\"bench\":\"$name\",\"contact_activities\":$hot,\"requests_per_s\":${rps:-null},\"p99\":\"${p99:-}\"}"
}

bench_get contact_overview "/api/v1/contacts/$id/overview"
bench_get contact_timeline "/api/v1/contacts/$id/timeline"

stop_server || fail "server did not shut down cleanly on SIGTERM (status $?)"
echo "server stopped cleanly"
