#!/usr/bin/env bash
# Contact-ingest benchmark against a fresh server: starts `rapport serve` on a temporary data
# directory and a free port, runs ingest_contacts (rapport vs. the plain-SQLite peer), then
# wrk on GET /api/v1/contacts/{id}, and stops the server with SIGTERM. Builds nothing.
#
#   bash bench/run_ingest.sh           # 200,000 contacts, wrk 10 s
#   bash bench/run_ingest.sh --small   # 2,000 contacts, wrk 2 s (the ctest smoke test)
#
# Environment: RAPPORT_BUILD_DIR (default: build), RAPPORT_API_KEY (sent as a bearer token
# when set). Exits 77 (ctest: skipped) when the binaries are not built, 1 on any failure.
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source-path=SCRIPTDIR/..
source bench/lib.sh
bench_name=run_ingest
build_dir=${RAPPORT_BUILD_DIR:-build}
server_bin=$build_dir/rapport
ingest_bin=$build_dir/bench/ingest_contacts

contacts=200000
wrk_duration=10s
case "${1:-}" in
  "") ;;
  --small) contacts=2000; wrk_duration=2s ;;
  *) echo "usage: $0 [--small]" >&2; exit 2 ;;
esac

bench_init
# The API needs credentials: an owner key for this throwaway workspace, unless one is given.
if [[ -z ${RAPPORT_API_KEY:-} ]]; then
  RAPPORT_API_KEY=$("$server_bin" apikey create --data "$work/data" --role owner 2>/dev/null | tail -n 1)
  export RAPPORT_API_KEY
fi
start_server

"$ingest_bin" --url "$url" --contacts "$contacts" --connections 8 --batch 1000 --seed 1 ||
  fail "ingest_contacts failed"

# A contact in the middle of the ingested range for the read benchmark.
id=$(curl -s "${auth[@]}" "$url/api/v1/contacts?limit=1&sort=id" |
     grep -o '"id": *[0-9][0-9]*' | head -n 1 | grep -o '[0-9][0-9]*$') || true
[[ -n $id ]] || id=1
id=$((id + contacts / 2))
code=$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" "$url/api/v1/contacts/$id" || true)
[[ $code == 200 ]] || fail "GET /api/v1/contacts/$id answered $code"

run_wrk "/api/v1/contacts/$id" "" ""
echo "{\"bench\":\"get_contact\",\"requests_per_s\":${rps:-null},\"p99\":\"${p99:-}\"}"

stop_server || fail "server did not shut down cleanly on SIGTERM (status $?)"
echo "server stopped cleanly"
