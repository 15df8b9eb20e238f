#!/usr/bin/env bash
# Signed-in readers' article page against anonymous readers' (issue 19, item 5): the same cached page, once
# with no cookie and once as READERS registered readers (each request a different reader's session cookie,
# round-robin; the page then carries that reader's slots: their name in the masthead, the badge count, the
# comment form with their CSRF token), in both encodings a client may ask for: identity, and gzip as every
# browser does. Runs alternate so that drift on a shared machine falls on both. Prints each run, the medians
# and the ratio signed-in / anonymous with its goal.
#
# What it measures is readers who viewed a page within the slots' lifetime (web/reader_slots.h: 60 s on one
# node): their pages come from memory. A reader's first page after that goes through the blocking pool and
# the store (the figure before issue 19's item 5, ~0.33x).
# Usage: bench/signed_in.sh   (env: DURATION seconds per run, default 10; ROUNDS, default 3; READERS, default
# 64; TRIBUNE_BIN)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRIBUNE_BIN="${TRIBUNE_BIN:-$ROOT/build/release/tribune}"
DURATION="${DURATION:-10}"
ROUNDS="${ROUNDS:-3}"
READERS="${READERS:-64}"
GOAL=0.7
UA="Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"

source "$ROOT/bench/lib.sh"
[[ -x "$TRIBUNE_BIN" ]] || die "no executable at $TRIBUNE_BIN (set TRIBUNE_BIN)"
for tool in wrk curl; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "bench: installing $tool" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null
    }
done

WORK="$(mktemp -d /tmp/tribune-signed-in.XXXXXX)"
trap 'bench_stop; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/data"
printf '[limits]\nregistrations_per_ip_per_hour = %d\n' "$((READERS + 10))" > "$WORK/tribune.toml"
bench_serve --config "$WORK/tribune.toml"
ARTICLE="$(curl -sf "$URL/api/v1/articles?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["articles"][0]["url"])')"
for i in $(seq "$READERS"); do
    curl -sf -o /dev/null -D - -H 'Content-Type: application/json' \
        -d "{\"email\":\"bench$i@example.org\",\"display_name\":\"Bench Reader $i\",\"password\":\"a bench reader password\"}" \
        "$URL/api/v1/accounts" | session_cookie
done > "$WORK/cookies"
[[ "$(grep -c . "$WORK/cookies")" == "$READERS" ]] || die "registering $READERS readers gave $(grep -c . "$WORK/cookies") session cookies"
# The signed-in page must really be the reader's: their name in it, and not in the anonymous one.
curl -sf -H "Cookie: $(sed -n 2p "$WORK/cookies")" "$URL$ARTICLE" | grep -q "Bench Reader 2<" || die "the signed-in page does not name the reader"
curl -sf "$URL$ARTICLE" | grep -q "Bench Reader" && die "the anonymous page names a reader"
cat > "$WORK/readers.lua" <<LUA
local cookies = {}
for line in io.lines("$WORK/cookies") do cookies[#cookies + 1] = line end
local i = math.random(#cookies)
request = function()
  i = i % #cookies + 1
  wrk.headers["Cookie"] = cookies[i]
  return wrk.format(nil)
end
LUA

run() { # $1: identity|gzip, $2: anonymous|signed; prints requests/s
    local args=(-t2 -c64 -d"${DURATION}s" -H "User-Agent: $UA")
    [[ "$1" == gzip ]] && args+=(-H "Accept-Encoding: gzip, deflate, br")
    [[ "$2" == signed ]] && args+=(-s "$WORK/readers.lua")
    wrk "${args[@]}" "$URL$ARTICLE" | awk '/Requests\/sec/ {print $2}'
}
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
for encoding in identity gzip; do
    anon=() signed=()
    for r in $(seq "$ROUNDS"); do
        a="$(run "$encoding" anonymous)"; s="$(run "$encoding" signed)"
        anon+=("$a"); signed+=("$s")
        printf '%-8s round %d: anonymous %10.0f req/s   %d signed-in readers %10.0f req/s\n' "$encoding" "$r" "$a" "$READERS" "$s"
    done
    A="$(median "${anon[@]}")"; S="$(median "${signed[@]}")"
    awk -v e="$encoding" -v a="$A" -v s="$S" -v g="$GOAL" 'BEGIN {
        r = s / a
        printf "%-8s median: anonymous %.0f req/s, signed in %.0f req/s: ratio %.3f (goal >= %.1f: %s)\n", e, a, s, r, g, (r >= g) ? "MET" : "NOT MET"
    }'
done
