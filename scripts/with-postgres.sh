#!/usr/bin/env bash
# Runs a command against PostgreSQL: DATABASE_URL when given, else a throwaway cluster on a
# private port and socket, stopped and removed on exit whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -n "${DATABASE_URL:-}" ]]; then
  exec "$@"
fi

find_pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [[ -x "$dir/initdb" ]] && { echo "$dir"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

PG_BIN=$(find_pg_bin || true)
if [[ -z "$PG_BIN" ]]; then
  if [[ $(id -u) -eq 0 ]]; then
    echo "PostgreSQL absent : installation du paquet Debian postgresql…"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    PG_BIN=$(find_pg_bin)
  else
    echo "PostgreSQL introuvable : installez-le ou donnez DATABASE_URL." >&2
    exit 1
  fi
fi

PGDIR=$(mktemp -d /tmp/clas-pg.XXXXXX)
PORT=${PGPORT_TEST:-$(( 20000 + RANDOM % 20000 ))}
RUN_AS=()
if [[ $(id -u) -eq 0 ]]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$PGDIR"
  RUN_AS=(su postgres -s /bin/bash -c)
  run() { "${RUN_AS[@]}" "$*"; }
else
  run() { bash -c "$*"; }
fi

cleanup() {
  run "$PG_BIN/pg_ctl -D $PGDIR/data -m immediate stop" >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
}
trap cleanup EXIT

run "$PG_BIN/initdb -D $PGDIR/data -U postgres --auth-local=trust --auth-host=trust -E UTF8 --locale=C.UTF-8" >/dev/null
# autovacuum off: the suite's rows are rolled back, so an automatic ANALYZE saw empty tables and
# recorded 0 rows; later tests filling them in a transaction were planned as 1-row tables
# (nested loops over everything: minutes for the committee page's partner board, a CI run of
# 948 s instead of 300). Never analyzed, a table keeps PostgreSQL's size-based estimate.
run "$PG_BIN/pg_ctl -D $PGDIR/data -o '-h 127.0.0.1 -p $PORT -k $PGDIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100 -c autovacuum=off' -l $PGDIR/log -w start" >/dev/null
run "$PG_BIN/createdb -h 127.0.0.1 -p $PORT -U postgres clas"
export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/clas"
# For make stack-test, which restarts this PostgreSQL under load (pg_ctl restart as its owner).
export CLAS_TEST_PGDIR="$PGDIR" CLAS_TEST_PG_BIN="$PG_BIN"
"$@"
