#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for tests: `start` creates it in a temporary directory, listening only on
# 127.0.0.1:${TRIBUNE_PG_PORT:-55432} with trust authentication (local test use only), and prints its URL;
# `stop` stops it and deletes the directory; `pause` and `resume` stop and start the server in between (fault
# tests); `standby` makes a streaming replica (hot standby) of the cluster on ${TRIBUNE_PG_PRIMARY_PORT:-55432}
# listening on $TRIBUNE_PG_PORT (read-replica tests). fsync is off (nothing in it has to survive a crash) unless
# TRIBUNE_PG_FSYNC=on (durable benchmarks). TRIBUNE_PG_OPTIONS adds server options to `start` (profiling:
# "-c shared_preload_libraries=pg_stat_statements"). Uses Debian's
# postgresql-15 binaries; as root, runs them as the postgres system user (initdb refuses root).
set -euo pipefail
PORT=${TRIBUNE_PG_PORT:-55432}
FSYNC=${TRIBUNE_PG_FSYNC:-off}
BIN=${TRIBUNE_PG_BIN:-/usr/lib/postgresql/15/bin}
STATE=${TRIBUNE_PG_STATE:-/tmp/tribune-pg-$PORT}   # holds the path of the cluster directory
URL="postgresql://postgres@127.0.0.1:$PORT/postgres"

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case ${1:-} in
  start)
    [[ -x $BIN/initdb ]] || { echo "pg-cluster: $BIN/initdb not found (apt-get install postgresql)" >&2; exit 1; }
    if [[ -f $STATE ]] && as_owner "$BIN/pg_ctl" -D "$(cat "$STATE")/data" status >/dev/null 2>&1; then
      echo "$URL"
      exit 0
    fi
    dir=$(mktemp -d /tmp/tribune-pg.XXXXXX)
    [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
    as_owner "$BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $PORT -k $dir -c max_connections=300 -c fsync=$FSYNC ${TRIBUNE_PG_OPTIONS:-}" start >/dev/null ||
      { cat "$dir/server.log" >&2; exit 1; }
    echo "$dir" >"$STATE"
    echo "$URL"
    ;;
  standby)
    PRIMARY=${TRIBUNE_PG_PRIMARY_PORT:-55432}
    [[ $PRIMARY != "$PORT" ]] || { echo "pg-cluster: the standby needs its own TRIBUNE_PG_PORT" >&2; exit 2; }
    if [[ -f $STATE ]] && as_owner "$BIN/pg_ctl" -D "$(cat "$STATE")/data" status >/dev/null 2>&1; then
      echo "$URL"
      exit 0
    fi
    dir=$(mktemp -d /tmp/tribune-pg.XXXXXX)
    [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
    # -R writes primary_conninfo and standby.signal: the copy starts as a standby streaming from the primary.
    as_owner "$BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY" -U postgres -D "$dir/data" -R -X stream -c fast \
      >"$dir/basebackup.log" 2>&1 || { cat "$dir/basebackup.log" >&2; exit 1; }
    as_owner "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $PORT -k $dir -c max_connections=300 -c fsync=$FSYNC -c hot_standby=on" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "$dir" >"$STATE"
    echo "$URL"
    ;;
  pause)    # stops the server, keeping the cluster (fault tests: PostgreSQL going away)
    as_owner "$BIN/pg_ctl" -D "$(cat "$STATE")/data" -m immediate -w stop >/dev/null
    ;;
  resume)
    dir=$(cat "$STATE")
    as_owner "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $PORT -k $dir -c max_connections=300 -c fsync=$FSYNC ${TRIBUNE_PG_OPTIONS:-}" start >/dev/null
    ;;
  stop)
    [[ -f $STATE ]] || exit 0
    dir=$(cat "$STATE")
    as_owner "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir" "$STATE"
    ;;
  *)
    echo "usage: $0 start|standby|stop|pause|resume" >&2
    exit 2
    ;;
esac
