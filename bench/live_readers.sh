#!/usr/bin/env bash
# Many live readers on one node (issue 19, item 3): READERS Server-Sent Events connections on one article, held
# by the native client bench/live_readers.cpp (tribune_bench_live), then COMMENTS comments posted one after the
# other. Prints the server's RSS per reader, each comment's delivery latency to every reader (p50/p99/max),
# deliveries per server core-second, and whether every reader got every frame in order.
# Goals: 100,000 readers at <= 8 KB each, p99 <= 1 s, >= 200,000 deliveries per core-second.
# Usage: bench/live_readers.sh   (env: READERS, default 100000; COMMENTS, default 10; TRIBUNE_BIN, CLIENT_BIN)
# Needs an open-file hard limit above 4/3 x READERS + 1000 (a node gives streams three quarters of its limit;
# it raises the limits where it may, and otherwise runs as many readers as the limit allows, saying so).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRIBUNE_BIN="${TRIBUNE_BIN:-$ROOT/build/release/tribune}"
CLIENT_BIN="${CLIENT_BIN:-$ROOT/build/release/tribune_bench_live}"
READERS="${READERS:-100000}"
COMMENTS="${COMMENTS:-10}"

source "$ROOT/bench/lib.sh"
[[ -x "$TRIBUNE_BIN" ]] || die "no executable at $TRIBUNE_BIN (set TRIBUNE_BIN)"
[[ -x "$CLIENT_BIN" ]] || die "no client at $CLIENT_BIN (cmake --build --preset release --target tribune_bench_live)"
# A node gives streams at most three quarters of its open-file limit (app/app.cpp).
want=$((READERS * 4 / 3 + 1000))
if (($(ulimit -Hn) < want)) && ! ulimit -Hn "$want" 2>/dev/null; then
    # A container without CAP_SYS_RESOURCE cannot raise its hard limit, even as root: run as many as it allows.
    READERS=$(($(ulimit -Hn) / 4 * 3 - 100))
    echo "bench: the open-file hard limit is $(ulimit -Hn) and cannot be raised here: $READERS readers instead" >&2
fi
ulimit -n "$(ulimit -Hn)"

WORK="$(mktemp -d /tmp/tribune-live.XXXXXX)"
trap 'bench_stop; rm -rf "$WORK"' EXIT
cat >"$WORK/tribune.toml" <<TOML
[server]
max_streams = $want
max_streams_per_address = $want
[limits]
comments_per_reader_per_minute = 100000
comments_per_ip_per_minute = 100000
TOML
bench_serve --config "$WORK/tribune.toml"
SLUG="$(curl -sf "$URL/api/v1/articles?limit=50" |
    python3 -c 'import json,sys; print(next(a["slug"] for a in json.load(sys.stdin)["articles"] if a["comments_open"]))')"
RESP="$(curl -sf -D "$WORK/headers" -H 'Content-Type: application/json' \
    -d '{"email":"live@example.org","display_name":"Live Writer","password":"a live writer password"}' "$URL/api/v1/accounts")"
COOKIE="$(session_cookie <"$WORK/headers")"
CSRF="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["csrf_token"])' "$RESP")"
[[ -n "$COOKIE" && -n "$CSRF" ]] || die "registering the writer gave no session"
echo "bench: $READERS readers on $URL/api/v1/articles/$SLUG/events, $COMMENTS comments" >&2
set +e
"$CLIENT_BIN" "${URL##*:}" "$SLUG" "$READERS" "$COMMENTS" "$PID" "$COOKIE" "$CSRF"
status=$?
set -e
kill -0 "$PID" 2>/dev/null || { tail -20 "$WORK/err" >&2; die "tribune died"; }
# How the frames went out: through io_uring, or a send() each where it is refused (src/live/send_batch.h).
grep -ho "live readers' frames go out .*" "$WORK/out" "$WORK/err" | head -1 || true
echo "goals: 100,000 readers at <= 8 KB each; p99 <= 1000 ms; >= 200,000 deliveries per core-second"
exit "$status"
