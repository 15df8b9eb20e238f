#!/usr/bin/env bash
# The cost of counting page views (docs/dashboard.md): the cached article page's throughput with
# [analytics] count_views on and off, on the same data, the runs alternated (off, on, off, on, ...) so that
# drift on a shared machine falls on both. wrk sends a browser's User-Agent (without one a request is a bot's
# and not counted). Afterwards it checks that the views were really counted: the store's total for the
# article equals the requests wrk made while counting was on.
# Usage: bench/page_views.sh   (env: DURATION seconds per run, default 10; ROUNDS, default 3; TRIBUNE_BIN)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRIBUNE_BIN="${TRIBUNE_BIN:-$ROOT/build/release/tribune}"
DURATION="${DURATION:-10}"
ROUNDS="${ROUNDS:-3}"
GOAL=0.95
UA="Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"

source "$ROOT/bench/lib.sh"
[[ -x "$TRIBUNE_BIN" ]] || die "no executable at $TRIBUNE_BIN (set TRIBUNE_BIN)"
for tool in wrk sqlite3 curl; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "bench: installing $tool" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null
    }
done

WORK="$(mktemp -d /tmp/tribune-views.XXXXXX)"
trap 'bench_stop; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/data"

start() { # count_views: true|false; sets URL
    printf '[analytics]\ncount_views = %s\nflush_seconds = 5\n' "$1" >"$WORK/tribune.toml"
    bench_serve --config "$WORK/tribune.toml"
}

start false
ARTICLE="$(curl -sf "$URL/api/v1/articles?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["articles"][0]["url"])')"
SLUG="${ARTICLE##*/}"
bench_stop

run() { # prints requests/s and adds the request count to COUNTED when counting
    local out
    out="$(wrk -t2 -c64 -d"${DURATION}s" -H "User-Agent: $UA" "$URL$ARTICLE")"
    awk '/Requests\/sec/ {print $2}' <<<"$out"
    awk '/requests in/ {print $1}' <<<"$out" >"$WORK/last_count"
}

declare -a OFF ON
REQUESTS_ON=0
for round in $(seq "$ROUNDS"); do
    for mode in false true; do
        start "$mode"
        curl -sf -A "$UA" "$URL$ARTICLE" -o /dev/null  # warm the page cache (counted when on)
        rps="$(run)"
        if [[ "$mode" == true ]]; then
            ON+=("$rps")
            REQUESTS_ON=$((REQUESTS_ON + $(cat "$WORK/last_count") + 1))
        else
            OFF+=("$rps")
        fi
        bench_stop  # a node stopped in order writes its last views
        echo "round $round count_views=$mode: $rps requests/s" >&2
    done
done

STORED="$(sqlite3 "$WORK/data/tribune.db" "SELECT coalesce(sum(v.views), 0) FROM article_views v JOIN articles a ON a.id = v.article_id WHERE a.slug = '$SLUG'")"
python3 - "$GOAL" "$REQUESTS_ON" "$STORED" "${OFF[*]}" "${ON[*]}" <<'PY'
import statistics, sys
goal, made, stored = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
off = [float(x) for x in sys.argv[4].split()]
on = [float(x) for x in sys.argv[5].split()]
m_off, m_on = statistics.median(off), statistics.median(on)
ratio = m_on / m_off
print(f"article page, cached, wrk -t2 -c64, median of {len(off)} runs each")
print(f"  counting off: {m_off:10.0f} requests/s   runs: {', '.join(f'{x:.0f}' for x in off)}")
print(f"  counting on:  {m_on:10.0f} requests/s   runs: {', '.join(f'{x:.0f}' for x in on)}")
print(f"ratio on/off: {ratio:.3f} (goal >= {goal}: {'MET' if ratio >= goal else 'NOT MET'})")
# wrk counts the responses it read; requests in flight when a run stops (at most 64, one per connection) are
# served and counted but not in wrk's total.
slack = 64 * len(on)
ok = made <= stored <= made + slack
print(f"views counted: {stored} for {made} requests wrk saw answered while counting "
      f"({'all, with ' + str(stored - made) + ' in flight at the ends of runs' if ok else 'MISMATCH'})")
sys.exit(0 if ok else 1)
PY
