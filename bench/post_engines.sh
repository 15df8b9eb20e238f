#!/usr/bin/env bash
# Durable comment posting, SQLite against PostgreSQL on the same machine: bench/post_comments.sh (64 writers on
# one article) once on SQLite and once on PostgreSQL, then the ratio and its goal (issue 19: PostgreSQL >= 0.5x
# SQLite's rate). Both engines are durable: SQLite synchronous=FULL; PostgreSQL a cluster of its own started
# here with fsync on (port $TRIBUNE_PG_PORT, default 55439; the test cluster runs with fsync off).
# FSYNC=off runs PostgreSQL as the tests do, for comparison.
# Usage: bench/post_engines.sh   (env: DURATION seconds per engine, default 10; TRIBUNE_BIN; FSYNC)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export TRIBUNE_PG_PORT="${TRIBUNE_PG_PORT:-55439}" TRIBUNE_PG_FSYNC="${FSYNC:-on}"
trap '"$ROOT/scripts/pg-cluster.sh" stop >/dev/null 2>&1 || true' EXIT
SERVER="$("$ROOT/scripts/pg-cluster.sh" start)"
DB="tribune_bench_post"
psql "$SERVER" -qc "CREATE DATABASE $DB" >/dev/null
[[ $(psql "$SERVER" -Atc "SHOW fsync") == "$TRIBUNE_PG_FSYNC" ]] || { echo "bench: fsync is not $TRIBUNE_PG_FSYNC" >&2; exit 1; }

SQLITE_OUT="$("$ROOT/bench/post_comments.sh" 2>/dev/null)"
PG_OUT="$(STORE="${SERVER%/*}/$DB" "$ROOT/bench/post_comments.sh" 2>/dev/null)"
rate() { awk '/^comments acknowledged\/s:/ {print $3}' <<<"$1"; }
echo "SQLite:                  $(grep '^comments acknowledged' <<<"$SQLITE_OUT")"
echo "PostgreSQL (fsync $TRIBUNE_PG_FSYNC): $(grep '^comments acknowledged' <<<"$PG_OUT")"
echo "PostgreSQL $(grep '^store commits' <<<"$PG_OUT")"
python3 -c "import sys; s, p = float(sys.argv[1]), float(sys.argv[2]); print(f'PostgreSQL / SQLite: {p / s:.2f}x (goal >= 0.5x)')" \
  "$(rate "$SQLITE_OUT")" "$(rate "$PG_OUT")"
