#!/usr/bin/env bash
# Comment posting throughput: 64 concurrent writers (wrk connections) posting to one article on SQLite.
# Every 201 is an acknowledged, durably committed comment (WAL, synchronous=FULL, group commit).
# Usage: bench/post_comments.sh   (env: DURATION seconds, default 10; CONNS, default 64; TRIBUNE_BIN;
#        STORE=postgresql://...: post to that (empty) database instead of SQLite; bench/post_engines.sh compares;
#        WEBHOOK=1: an endpoint on this machine subscribes to comment.created, so every comment also writes its
#        webhook event and delivery, and the senders deliver them while the writers post)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRIBUNE_BIN="${TRIBUNE_BIN:-$ROOT/build/release/tribune}"
DURATION="${DURATION:-10}"
CONNS="${CONNS:-64}"
command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
WORK="$(mktemp -d /tmp/tribune-bench-post.XXXXXX)"
PID=
RECEIVER_PID=
cleanup() {
  [[ -n $PID ]] && kill "$PID" 2>/dev/null
  [[ -n $RECEIVER_PID ]] && kill "$RECEIVER_PID" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
cat > "$WORK/tribune.toml" <<'TOML'
[limits]
comments_per_reader_per_minute = 100000000
comments_per_ip_per_minute = 100000000
[webhooks]
allow_insecure = true
TOML
if [[ ${WEBHOOK:-0} == 1 ]]; then
  # A receiver that answers 204 at once, and an admin to register it.
  python3 - > "$WORK/receiver.port" <<'PY' &
import http.server, socketserver, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204); self.end_headers()
    def log_message(self, *a): pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer): daemon_threads = True
s = S(("127.0.0.1", 0), H); print(s.server_address[1], flush=True); s.serve_forever()
PY
  RECEIVER_PID=$!
  for _ in $(seq 1 50); do [[ -s $WORK/receiver.port ]] && break; sleep 0.1; done
  echo "the bench admin's password" | "$TRIBUNE_BIN" account create --data "$WORK/data" --email admin@example.org \
    --name "Bench Admin" --role admin > /dev/null
fi
STORE_ARGS=()
[[ -n ${STORE:-} ]] && STORE_ARGS=(--store "$STORE")
"$TRIBUNE_BIN" serve --data "$WORK/data" --listen 127.0.0.1:0 --demo --config "$WORK/tribune.toml" "${STORE_ARGS[@]}" > "$WORK/out" 2> "$WORK/err" &
PID=$!
for _ in $(seq 1 200); do grep -q 'listening on' "$WORK/out" && break; sleep 0.1; done
BASE=$(grep -o 'http://127.0.0.1:[0-9]*' "$WORK/out" | head -1)
[[ -n $BASE ]] || { echo "bench: server did not start" >&2; exit 1; }
SLUG=$(curl -s "$BASE/api/v1/articles?limit=50" | python3 -c 'import json,sys; print(next(a["slug"] for a in json.load(sys.stdin)["articles"] if a["comments_open"]))')
RESP=$(curl -s -D "$WORK/headers" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.org","display_name":"Bench Writer","password":"a benchmark writer password"}' "$BASE/api/v1/accounts")
COOKIE=$(grep -i '^set-cookie: tribune_session=' "$WORK/headers" | sed 's/^[^:]*: //; s/;.*//' | tr -d '\r')
CSRF=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["csrf_token"])' "$RESP")
if [[ ${WEBHOOK:-0} == 1 ]]; then
  ADMIN=$(curl -s -D "$WORK/admin_headers" -H 'Content-Type: application/json' \
    -d '{"email":"admin@example.org","password":"the bench admin'"'"'s password"}' "$BASE/api/v1/sessions")
  ADMIN_COOKIE=$(grep -i '^set-cookie: tribune_session=' "$WORK/admin_headers" | sed 's/^[^:]*: //; s/;.*//' | tr -d '\r')
  ADMIN_CSRF=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["csrf_token"])' "$ADMIN")
  curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -H "Cookie: $ADMIN_COOKIE" \
    -H "X-CSRF-Token: $ADMIN_CSRF" \
    -d "{\"url\":\"http://127.0.0.1:$(cat "$WORK/receiver.port")/in\",\"events\":[\"comment.created\"]}" \
    "$BASE/api/v1/webhooks" | grep -qx 201 || { echo "bench: could not register the webhook" >&2; exit 1; }
fi
cat > "$WORK/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = "$COOKIE"
wrk.headers["X-CSRF-Token"] = "$CSRF"
-- Comments differ: the moderation rules reject one reader posting the same text again and again (the two
-- wrk threads count separately, so each text is posted at most twice).
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, nil, nil, '{"body":"Benchmark comment ' .. counter .. ' with *some* Markdown and a [link](https://example.org/)."}')
end
LUA
echo "bench: POST $BASE/api/v1/articles/$SLUG/comments, ${DURATION}s, $CONNS connections" >&2
# The server's CPU time (user + system, clock ticks) and context switches (all its threads), before and after.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
switches() { cat /proc/"$PID"/task/*/status 2>/dev/null | awk '/ctxt_switches/ {n += $2} END {print n}'; }
CPU0=$(cpu_ticks) SW0=$(switches)
wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s "$WORK/post.lua" "$BASE/api/v1/articles/$SLUG/comments" > "$WORK/wrk.txt"
CPU1=$(cpu_ticks) SW1=$(switches)
RPS=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.txt")
P50=$(awk '$1=="50%" {print $2}' "$WORK/wrk.txt")
P99=$(awk '$1=="99%" {print $2}' "$WORK/wrk.txt")
NON2XX=$(awk '/Non-2xx/ {print $5}' "$WORK/wrk.txt")
METRICS=$(curl -s "$BASE/metrics")
COMMITS=$(awk '/^tribune_store_commits_total/ {print $2}' <<<"$METRICS")
WRITES=$(awk '/^tribune_store_grouped_writes_total/ {print $2}' <<<"$METRICS")
MERGED=$(awk '/^tribune_store_merged_writes_total/ {print $2}' <<<"$METRICS")
TOTAL=$(curl -s "$BASE/api/v1/articles/$SLUG" | python3 -c 'import json,sys; print(json.load(sys.stdin)["comment_count"])')
echo
echo "comments acknowledged/s: $RPS (p50 $P50, p99 $P99, non-2xx ${NON2XX:-0})"
echo "stored comments on the article: $TOTAL"
REQUESTS=$(awk '/requests in/ {print $1}' "$WORK/wrk.txt")
python3 -c "import sys; cpu, sw, n, hz = map(float, sys.argv[1:]); print(f'server CPU a comment: {cpu / hz / n * 1e6:.0f} us; context switches a comment: {sw / n:.1f}')" \
  "$((CPU1 - CPU0))" "$((SW1 - SW0))" "$REQUESTS" "$(getconf CLK_TCK)"
echo "store commits: $COMMITS for $WRITES writes ($(python3 -c "print(round($WRITES/max($COMMITS,1),1))") writes per fsync; ${MERGED:-0} of them in merged statements)"
if [[ ${WEBHOOK:-0} == 1 ]]; then
  sleep 3  # the senders catch up
  DELIVERED=$(curl -s -H "Cookie: $ADMIN_COOKIE" "$BASE/api/v1/webhooks/1/deliveries?limit=1" |
    python3 -c 'import json,sys; d=json.load(sys.stdin)["deliveries"]; print(d[0]["id"] if d else 0)')
  echo "webhook deliveries queued (the newest id): $DELIVERED"
fi
python3 - "$RPS" "$P99" <<'PY'
import re, sys
rate, p99 = float(sys.argv[1]), sys.argv[2]
ms = float(re.sub(r"[a-z]+$", "", p99)) * {"us": 0.001, "ms": 1, "s": 1000}[re.search(r"[a-z]+$", p99).group(0)]
met = rate >= 10000 and ms <= 20
print(f"goal (issue 19, durable, 64 writers): >= 10,000 comments/s with p99 <= 20 ms: {rate:,.0f}/s, p99 {ms:.1f} ms: "
      + ("MET" if met else "NOT MET"))
PY
