# Shared parts of the benchmark scripts (run_ingest.sh, run_ingest_activities.sh): checking the
# binaries, starting `rapport serve` on a temporary data directory and a free port, stopping it
# with SIGTERM, and running wrk. Sourced from the repository root; not run by itself.
#
# The sourcing script sets bench_name (the prefix of its messages), build_dir, server_bin,
# ingest_bin and wrk_duration, then calls bench_init; after creating an API key (if any) it
# calls start_server, which sets url, auth and wrk_args; run_wrk sets rps and p99.
# shellcheck shell=bash disable=SC2034,SC2154

# Exits 77 (ctest: skipped) unless the binaries, wrk and curl are there; makes the work
# directory ($work, with $server_log) and removes it on exit.
bench_init() {
  local bin
  for bin in "$server_bin" "$ingest_bin"; do
    if [[ ! -x $bin ]]; then
      echo "$bench_name: $bin is not built (cmake --build $build_dir); skipping" >&2
      exit 77
    fi
  done
  if ! command -v wrk >/dev/null || ! command -v curl >/dev/null; then
    echo "$bench_name: needs wrk and curl" >&2
    exit 77
  fi

  work=$(mktemp -d)
  server_log=$work/server.log
  server_pid=""
  trap cleanup EXIT
  mkdir -p "$work/data"
}

stop_server() {
  [[ -n $server_pid ]] || return 0
  kill -TERM "$server_pid" 2>/dev/null || true
  local status=0
  for _ in $(seq 1 100); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$server_pid" 2>/dev/null; then
    echo "$bench_name: server did not stop within 10 s of SIGTERM; killing it" >&2
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

fail() {
  echo "$bench_name: $*" >&2
  echo "--- last lines of the server log ---" >&2
  tail -n 20 "$server_log" >&2 || true
  exit 1
}

# Starts the server and waits until it listens and is ready; sets server_pid, url, auth (curl
# arguments) and wrk_args.
start_server() {
  "$server_bin" serve --data "$work/data" --listen 127.0.0.1:0 2>"$server_log" >/dev/null &
  server_pid=$!

  # The server logs {"message":"listening",...,"port":N} once the socket is bound.
  local port=""
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

  local ready="" code
  for _ in $(seq 1 300); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$url/readyz" || true)
    if [[ $code == 200 ]]; then ready=1; break; fi
    sleep 0.1
  done
  [[ -n $ready ]] || fail "GET /readyz did not answer 200 within 30 s"
  echo "server: $url (pid $server_pid, data $work/data)"

  wrk_args=(-t2 -c16 "-d$wrk_duration" --latency)
  [[ -n ${RAPPORT_API_KEY:-} ]] && wrk_args+=(-H "Authorization: Bearer $RAPPORT_API_KEY")
  return 0
}

# Runs wrk on $url$1 and prints its requests/s and p99 latency (the p99 line followed by $3);
# sets rps and p99. $2 follows "wrk failed" and "wrk saw non-2xx responses" in failures.
run_wrk() {
  local path=$1 where=$2 goal=$3 out
  out=$(wrk "${wrk_args[@]}" "$url$path") || fail "wrk failed$where"
  rps=$(sed -n 's/^Requests\/sec:[[:space:]]*\([0-9.]*\).*/\1/p' <<<"$out")
  p99=$(sed -n 's/^[[:space:]]*99%[[:space:]]*\([0-9.]*[a-z]*\).*/\1/p' <<<"$out")
  echo "wrk GET $path (2 threads, 16 connections, $wrk_duration):"
  echo "  requests/s: ${rps:-?}"
  echo "  p99 latency: ${p99:-?}$goal"
  if grep -q "Non-2xx or 3xx responses" <<<"$out"; then
    echo "$out" >&2
    fail "wrk saw non-2xx responses$where"
  fi
  if grep -q "Socket errors" <<<"$out"; then
    echo "  $(grep 'Socket errors' <<<"$out")"
  fi
}
