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

for bin in "$server_bin" "$ingest_bin"; do
  if [[ ! -x $bin ]]; then
    echo "run_ingest: $bin is not built (cmake --build $build_dir); skipping" >&2
    exit 77
  fi
done
if ! command -v wrk >/dev/null || ! command -v curl >/dev/null; then
  echo "run_ingest: needs wrk and curl" >&2
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
    echo "run_ingest: server did not stop within 10 s of SIGTERM; killing it" >&2
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
  echo "run_ingest: $*" >&2
  echo "--- last lines of the server log ---" >&2
  tail -n 20 "$server_log" >&2 || true
  exit 1
}

mkdir -p "$work/data"
# The API needs credentials: an owner key for this throwaway workspace, unless one is given.
if [[ -z ${RAPPORT_API_KEY:-} ]]; then
  RAPPORT_API_KEY=$("$server_bin" apikey create --data "$work/data" --role owner 2>/dev/null | tail -n 1)
  export RAPPORT_API_KEY
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

"$ingest_bin" --url "$url" --contacts "$contacts" --connections 8 --batch 1000 --seed 1 ||
  fail "ingest_contacts failed"

# A contact in the middle of the ingested range for the read benchmark.
id=$(curl -s "${auth[@]}" "$url/api/v1/contacts?limit=1&sort=id" |
     grep -o '"id": *[0-9][0-9]*' | head -n 1 | grep -o '[0-9][0-9]*$') || true
[[ -n $id ]] || id=1
id=$((id + contacts / 2))
code=$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" "$url/api/v1/contacts/$id" || true)
[[ $code == 200 ]] || fail "GET /api/v1/contacts/$id answered $code"

wrk_args=(-t2 -c16 "-d$wrk_duration" --latency)
[[ -n ${RAPPORT_API_KEY:-} ]] && wrk_args+=(-H "Authorization: Bearer $RAPPORT_API_KEY")
wrk_out=$(wrk "${wrk_args[@]}" "$url/api/v1/contacts/$id") || fail "wrk failed"
rps=$(sed -n 's/^Requests\/sec:[[:space:]]*\([0-9.]*\).*/\1/p' <<<"$wrk_out")
p99=$(sed -n 's/^[[:space:]]*99%[[:space:]]*\([0-9.]*[a-z]*\).*/\1/p' <<<"$wrk_out")
echo "wrk GET /api/v1/contacts/$id (2 threads, 16 connections, $wrk_duration):"
echo "  requests/s: ${rps:-?}"
echo "  p99 latency: ${p99:-?}"
if grep -q "Non-2xx or 3xx responses" <<<"$wrk_out"; then
  echo "$wrk_out" >&2
  fail "wrk saw non-2xx responses"
fi
if grep -q "Socket errors" <<<"$wrk_out"; then
  echo "  $(grep 'Socket errors' <<<"$wrk_out")"
fi
echo "{\"bench\":\"get_contact\",\"requests_per_s\":${rps:-null},\"p99\":\"${p99:-}\"}"

stop_server || fail "server did not shut down cleanly on SIGTERM (status $?)"
echo "server stopped cleanly"
