#!/usr/bin/env bash
# Throughput/latency of Tribune's article page and article JSON against nginx
# serving the very same bytes as static files. Everything stays on 127.0.0.1.
# Usage: bench/run.sh   (env: DURATION seconds per run, default 10; TRIBUNE_BIN;
#        COMMENTS=1: the newest article carries a conversation first (bench/gen_comments.py: 200 top-level
#        comments and 150 replies, so its page shows 200 comments), and the JSON run fetches a page of 200
#        comments, /api/v1/articles/{slug}/comments?limit=200, instead of the article)
#        LEAD_IMAGE=1: the newest article is one with a lead image (a 1600 x 1000 PNG made here, published
#        with `tribune article publish` and front matter `image:`), and two more runs fetch its 1024-pixel
#        WebP rendition from Tribune and from nginx)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRIBUNE_BIN="${TRIBUNE_BIN:-$ROOT/build/release/tribune}"
DURATION="${DURATION:-10}"
THREADS=2
CONNS=64
TARGET_RATIO=0.8

die() { echo "bench: $*" >&2; exit 1; }
[[ "$DURATION" =~ ^[1-9][0-9]*$ ]] || die "DURATION must be a positive integer (seconds)"
[[ -x "$TRIBUNE_BIN" ]] || die "no executable at $TRIBUNE_BIN (set TRIBUNE_BIN)"

# --- 1. tools ---------------------------------------------------------------
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
command -v jq >/dev/null 2>&1 || missing+=(jq)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if ((${#missing[@]})); then
    echo "bench: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq "${missing[@]}" >/dev/null
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

# --- cleanup ----------------------------------------------------------------
WORK="$(mktemp -d /tmp/tribune-bench.XXXXXX)"
TRIBUNE_PID=""
NGINX_PID=""
stop_pid() { # pid: TERM, wait up to 5 s, then KILL
    local pid="$1" i
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    stop_pid "$NGINX_PID"
    stop_pid "$TRIBUNE_PID"
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 2. Tribune -------------------------------------------------------------
mkdir -p "$WORK/data"
wait_listening() { # pid out-file: prints the base URL
    local pid="$1" out="$2" url=""
    for _ in $(seq 200); do
        url="$(grep -om1 'http://127\.0\.0\.1:[0-9]*' "$out" || true)"
        [[ -n "$url" ]] && { echo "$url"; return 0; }
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}
if [[ "${COMMENTS:-0}" == 1 ]]; then
    # The demo publication first, then the conversation written straight into the store (no server on it).
    "$TRIBUNE_BIN" serve --data "$WORK/data" --listen 127.0.0.1:0 --demo >"$WORK/seed.out" 2>"$WORK/seed.err" &
    TRIBUNE_PID=$!
    wait_listening "$TRIBUNE_PID" "$WORK/seed.out" >/dev/null || { cat "$WORK/seed.err" >&2; die "tribune did not start"; }
    stop_pid "$TRIBUNE_PID"; TRIBUNE_PID=""
    python3 "$ROOT/bench/gen_comments.py" "$WORK/data" --articles 0 --comments 0 --readers 500 \
        --target-top 200 --target-replies 150 >&2 || die "gen_comments failed"
fi
"$TRIBUNE_BIN" serve --data "$WORK/data" --listen 127.0.0.1:0 --demo \
    >"$WORK/tribune.out" 2>"$WORK/tribune.err" &
TRIBUNE_PID=$!
TRIBUNE=""
for _ in $(seq 200); do
    TRIBUNE="$(grep -om1 'http://127\.0\.0\.1:[0-9]*' "$WORK/tribune.out" || true)"
    [[ -n "$TRIBUNE" ]] && break
    kill -0 "$TRIBUNE_PID" 2>/dev/null || { cat "$WORK/tribune.err" >&2; die "tribune exited during startup"; }
    sleep 0.1
done
[[ -n "$TRIBUNE" ]] || die "tribune did not print its listening line within 20 s"

if [[ "${LEAD_IMAGE:-0}" == 1 ]]; then
    python3 - "$WORK/lead.png" <<'PY'
import random, struct, sys, zlib
random.seed(7)
w, h = 1600, 1000
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
rows = bytearray()
for y in range(h):
    rows.append(0)
    for x in range(w):
        n = random.randrange(24)
        rows += bytes(((x * 255 // w + n) % 256, (y * 255 // h + n) % 256, (90 + n) % 256))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + \
      chunk(b"IDAT", zlib.compress(bytes(rows), 6)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
PY
    printf -- '---\ntitle: A piece with a lead image\nauthors: [Bench]\nsection: Opinion\nimage: lead.png\nimage_alt: Gradients and noise\nimage_caption: A picture for the benchmark\nimage_credit: Photograph: bench/run.sh\n---\nThe page of an illustrated piece.\n' >"$WORK/lead.md"
    start=$(date +%s%N)
    "$TRIBUNE_BIN" article publish --data "$WORK/data" "$WORK/lead.md" >&2 || die "publishing the illustrated piece failed"
    echo "bench: publishing with a 1600 x 1000 lead image (renditions included) took $(( ($(date +%s%N) - start) / 1000000 )) ms" >&2
    sleep 1.5  # the server sees the new article within its poll interval
fi

# --- 3. newest article, exact bytes as wrk would receive them ---------------
# wrk sends no Accept-Encoding, so plain curl gets the same (uncompressed) body.
list="$(curl -sSf --max-time 10 "$TRIBUNE/api/v1/articles?limit=50")"
SLUG="$(jq -r '.articles | max_by(.published_at) | .slug' <<<"$list")"
PAGE="$(jq -r '.articles | max_by(.published_at) | .url' <<<"$list")"
[[ -n "$SLUG" && "$SLUG" != null && "$PAGE" == /* ]] || die "no article found in the listing"
API="/api/v1/articles/$SLUG"
[[ "${COMMENTS:-0}" == 1 ]] && API="/api/v1/articles/$SLUG/comments?limit=200"

mkdir -p "$WORK/nginx/html" "$WORK/nginx/logs" "$WORK/nginx/tmp"
curl -sSf --max-time 10 -o "$WORK/nginx/html/article.html" "$TRIBUNE$PAGE"
curl -sSf --max-time 10 -o "$WORK/nginx/html/article.json" "$TRIBUNE$API"
IMAGE=""
if [[ "${LEAD_IMAGE:-0}" == 1 ]]; then
    IMAGE="$(jq -r '.image.renditions[] | select(.format == "webp" and .width == 1024) | .url' <<<"$(curl -sSf --max-time 10 "$TRIBUNE/api/v1/articles/$SLUG")")"
    [[ "$IMAGE" == /media/* ]] || die "the newest article has no lead image"
    curl -sSf --max-time 10 -o "$WORK/nginx/html/image.webp" "$TRIBUNE$IMAGE"
fi
chmod -R a+rX "$WORK"   # nginx workers may run as an unprivileged user

# --- 4. nginx with its own prefix and config ----------------------------------
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
NGINX_URL=""
for _ in $(seq 5); do
    port=$((20000 + RANDOM % 40000))
    port_free "$port" || continue
    cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes 2;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    keepalive_requests 1000000;
    client_body_temp_path $WORK/nginx/tmp/body;
    proxy_temp_path $WORK/nginx/tmp/proxy;
    fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
    uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
    scgi_temp_path $WORK/nginx/tmp/scgi;
    types { }
    server {
        listen 127.0.0.1:$port;
        root $WORK/nginx/html;
        location = /article.html { default_type "text/html; charset=utf-8"; }
        location = /article.json { default_type "application/json; charset=utf-8"; }
        location = /image.webp { default_type "image/webp"; }
    }
}
EOF
    "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/logs/error.log" \
        >"$WORK/nginx/logs/stdout.log" 2>&1 &
    NGINX_PID=$!
    for _ in $(seq 50); do
        kill -0 "$NGINX_PID" 2>/dev/null || break
        if curl -sf --max-time 1 -o /dev/null "http://127.0.0.1:$port/article.json"; then
            NGINX_URL="http://127.0.0.1:$port"; break
        fi
        sleep 0.1
    done
    [[ -n "$NGINX_URL" ]] && break
    stop_pid "$NGINX_PID"; NGINX_PID=""
done
[[ -n "$NGINX_URL" ]] || { cat "$WORK/nginx/logs/error.log" >&2 || true; die "nginx did not start"; }

# --- 5. load -------------------------------------------------------------------
to_ms() { # wrk latency ("812.00us", "1.23ms", "1.02s") -> milliseconds
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
        printf "%.2f", n }'
}
declare -A RPS P50 P99 ERRS
run() { # name url
    local name="$1" url="$2" out
    echo "bench: $name <- $url (${DURATION}s, $THREADS threads, $CONNS connections)" >&2
    out="$(timeout $((DURATION + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency "$url")" \
        || die "wrk failed on $url"
    echo "$out" >"$WORK/wrk-$name.txt"
    RPS[$name]="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
    P50[$name]="$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")"
    P99[$name]="$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")"
    local non2xx sock
    non2xx="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")"
    sock="$(sed -n 's/^ *Socket errors: *//p' <<<"$out")"
    ERRS[$name]="${non2xx:+non-2xx=$non2xx }${sock:+socket: $sock}"
    if [[ "$name" == tribune-* ]] && ! kill -0 "$TRIBUNE_PID" 2>/dev/null; then
        cat "$WORK/tribune.err" >&2; die "tribune died during the $name run"
    fi
}
run tribune-page "$TRIBUNE$PAGE"
run nginx-page   "$NGINX_URL/article.html"
run tribune-json "$TRIBUNE$API"
run nginx-json   "$NGINX_URL/article.json"
if [[ -n "$IMAGE" ]]; then
    run tribune-image "$TRIBUNE$IMAGE"
    run nginx-image   "$NGINX_URL/image.webp"
fi
RSS="$(awk '/^VmRSS:/ {print $2, $3}' "/proc/$TRIBUNE_PID/status")"

# --- 6. report -------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
PAGE_RATIO="$(ratio "${RPS[tribune-page]}" "${RPS[nginx-page]}")"
JSON_RATIO="$(ratio "${RPS[tribune-json]}" "${RPS[nginx-json]}")"

echo
echo "article: $PAGE ($(wc -c <"$WORK/nginx/html/article.html") B html, $(wc -c <"$WORK/nginx/html/article.json") B json)"
echo "wrk -t$THREADS -c$CONNS -d${DURATION}s, latencies in ms"
echo
printf '%-14s %12s %9s %9s  %s\n' target "requests/s" p50 p99 errors
names=(tribune-page nginx-page tribune-json nginx-json)
[[ -n "$IMAGE" ]] && names+=(tribune-image nginx-image)
for n in "${names[@]}"; do
    printf '%-14s %12s %9s %9s  %s\n' "$n" "${RPS[$n]}" "${P50[$n]}" "${P99[$n]}" "${ERRS[$n]:-none}"
done
echo
echo "ratio tribune/nginx: page ${PAGE_RATIO}x, json ${JSON_RATIO}x"
[[ -n "$IMAGE" ]] && echo "ratio tribune/nginx: image $(ratio "${RPS[tribune-image]}" "${RPS[nginx-image]}")x ($IMAGE, $(wc -c <"$WORK/nginx/html/image.webp") B)"
verdict="$(awk -v r="$PAGE_RATIO" -v t="$TARGET_RATIO" 'BEGIN { print (r >= t ? "MET" : "NOT MET") }')"
echo "target: article page >= ${TARGET_RATIO}x nginx at $CONNS connections: ${PAGE_RATIO}x, $verdict"
echo "tribune RSS after runs: $RSS"
