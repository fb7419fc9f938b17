#!/usr/bin/env bash
# Segment benchmark: starts a throwaway PostgreSQL 15 server on a temporary directory and a
# free port (when /usr/lib/postgresql/15/bin exists), runs bench/segments against it (the
# engine vs. the same rules compiled to SQL on SQLite and on PostgreSQL), and always stops
# the server and removes the directory. Builds and installs nothing.
#
#   bash bench/run_segments.sh            # 1,000,000 contacts, ~20,000,000 activities
#   bash bench/run_segments.sh --small    # 10,000 contacts, ~200,000 activities (ctest)
#   bash bench/run_segments.sh --db /tmp/segments.db --reuse   # keep / reuse the SQLite file
#
# Other arguments go to the program (see `segments --help`). Without PostgreSQL the run
# goes on with postgres_ms null. Environment: RAPPORT_BUILD_DIR (default: build),
# RAPPORT_PG_BIN (default: /usr/lib/postgresql/15/bin). Exits 77 (ctest: skipped) when the
# binary is not built, 1 when the evaluators disagree or anything fails.
set -euo pipefail

cd "$(dirname "$0")/.."
bench_name=run_segments
build_dir=${RAPPORT_BUILD_DIR:-build}
bench_bin=$build_dir/bench/segments
pg_bin=${RAPPORT_PG_BIN:-/usr/lib/postgresql/15/bin}

if [[ ! -x $bench_bin ]]; then
  echo "$bench_name: $bench_bin is not built (cmake --build $build_dir --target bench_segments); skipping" >&2
  exit 77
fi

work=$(mktemp -d)
pg_data=$work/pg
pg_started=""
as_pg=()

cleanup() {
  if [[ -n $pg_started ]]; then
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# A port nobody listens on (the server's own bind is the final check).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts the server; on any failure prints why and leaves pg_conninfo empty.
pg_conninfo=""
start_postgres() {
  if [[ ! -x $pg_bin/initdb || ! -x $pg_bin/pg_ctl ]]; then
    echo "$bench_name: no PostgreSQL 15 in $pg_bin (apt-get install postgresql); postgres_ms will be null" >&2
    return 0
  fi
  # PostgreSQL refuses to run as root: run it as the postgres user then.
  if [[ $(id -u) == 0 ]]; then
    if ! id postgres >/dev/null 2>&1; then
      echo "$bench_name: running as root and there is no postgres user; postgres_ms will be null" >&2
      return 0
    fi
    as_pg=(runuser -u postgres --)
    chown postgres "$work"
  fi
  mkdir -p "$pg_data"
  [[ $(id -u) == 0 ]] && chown postgres "$pg_data"
  if ! "${as_pg[@]}" "$pg_bin/initdb" -D "$pg_data" -A trust -U postgres --locale=C -E UTF8 \
       >"$work/initdb.log" 2>&1; then
    echo "$bench_name: initdb failed; postgres_ms will be null" >&2
    tail -n 5 "$work/initdb.log" >&2
    return 0
  fi
  # Throwaway data: no durability. Memory comparable to what SQLite gets from the page cache.
  local opts="-c listen_addresses=127.0.0.1 -k $work -c fsync=off -c synchronous_commit=off"
  opts+=" -c full_page_writes=off -c shared_buffers=1GB -c work_mem=64MB"
  opts+=" -c maintenance_work_mem=1GB -c max_wal_size=8GB -c checkpoint_timeout=30min"
  local port
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    if "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_data" -o "-p $port $opts" -l "$work/pg.log" -w \
         -t 60 start >/dev/null 2>&1; then
      pg_started=1
      pg_conninfo="host=127.0.0.1 port=$port user=postgres dbname=postgres"
      echo "postgres: $("$pg_bin/postgres" --version) on 127.0.0.1:$port (data $pg_data)" >&2
      return 0
    fi
  done
  echo "$bench_name: the PostgreSQL server did not start; postgres_ms will be null" >&2
  tail -n 5 "$work/pg.log" >&2 || true
  return 0
}

start_postgres

args=("$@")
if [[ -n $pg_conninfo ]]; then
  args+=(--pg "$pg_conninfo")
fi
# The SQLite file goes into the work directory unless --db says otherwise.
if ! printf '%s\n' "$@" | grep -qx -- --db; then
  args+=(--db "$work/segments.db")
fi

status=0
"$bench_bin" "${args[@]}" || status=$?
if [[ $status != 0 ]]; then
  echo "$bench_name: segments failed (status $status)" >&2
  exit 1
fi
