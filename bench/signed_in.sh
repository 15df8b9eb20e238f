#!/usr/bin/env bash
# A signed-in reader's article page against an anonymous reader's (issue 19, item 5): the same cached page,
# once with no cookie and once with a registered reader's session cookie (the page then carries the reader's
# slot: their name in the masthead, the badge count, the comment form), runs alternated so that drift on a
# shared machine falls on both. Prints each run, the medians, and the ratio signed-in / anonymous with its goal.
# Usage: bench/signed_in.sh   (env: DURATION seconds per run, default 10; ROUNDS, default 3; TRIBUNE_BIN)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRIBUNE_BIN="${TRIBUNE_BIN:-$ROOT/build/release/tribune}"
DURATION="${DURATION:-10}"
ROUNDS="${ROUNDS:-3}"
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
bench_serve
ARTICLE="$(curl -sf "$URL/api/v1/articles?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["articles"][0]["url"])')"
COOKIE="$(curl -sf -o /dev/null -D - -H 'Content-Type: application/json' \
    -d '{"email":"bench@example.org","display_name":"Bench Reader","password":"a bench reader password"}' \
    "$URL/api/v1/accounts" | session_cookie)"
[[ -n "$COOKIE" ]] || die "registering the reader gave no session cookie"
# The signed-in page must really be the reader's: their name in it, and not in the anonymous one.
curl -sf -H "Cookie: $COOKIE" "$URL$ARTICLE" | grep -q "Bench Reader" || die "the signed-in page does not name the reader"
curl -sf "$URL$ARTICLE" | grep -q "Bench Reader" && die "the anonymous page names the reader"

run() { # $1: extra wrk header args; prints requests/s
    wrk -t2 -c64 -d"${DURATION}s" -H "User-Agent: $UA" ${AE:+-H "Accept-Encoding: gzip, deflate, br"} "$@" "$URL$ARTICLE" | awk '/Requests\/sec/ {print $2}'
}
anon=() signed=()
for r in $(seq "$ROUNDS"); do
    a="$(run)"; s="$(run -H "Cookie: $COOKIE")"
    anon+=("$a"); signed+=("$s")
    printf 'round %d: anonymous %10.0f req/s   signed in %10.0f req/s\n' "$r" "$a" "$s"
done
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
A="$(median "${anon[@]}")"; S="$(median "${signed[@]}")"
awk -v a="$A" -v s="$S" -v g="$GOAL" 'BEGIN {
    r = s / a
    printf "median: anonymous %.0f req/s, signed in %.0f req/s: ratio %.3f (goal >= %.1f: %s)\n", a, s, r, g, (r >= g) ? "MET" : "NOT MET"
}'
