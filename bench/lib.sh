# Shared by the shell benchmarks that run one Tribune: sourced, not run. The caller sets TRIBUNE_BIN and WORK
# (a scratch directory) and traps EXIT with `bench_stop; rm -rf "$WORK"`.

die() { echo "bench: $*" >&2; exit 1; }

PID=""
URL=""

# Stops the running Tribune: TERM, up to 10 s to drain, then KILL.
bench_stop() {
    [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null || { PID=""; return 0; }
    kill -TERM "$PID" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
    PID=""
}

# Serves the demo from $WORK/data on a free port with these extra arguments; sets PID and URL once listening.
bench_serve() {
    "$TRIBUNE_BIN" serve --data "$WORK/data" --listen 127.0.0.1:0 --demo "$@" >"$WORK/out" 2>"$WORK/err" &
    PID=$!
    URL=""
    for _ in $(seq 200); do
        URL="$(grep -om1 'http://127\.0\.0\.1:[0-9]*' "$WORK/out" || true)"
        [[ -n "$URL" ]] && return 0
        kill -0 "$PID" 2>/dev/null || { cat "$WORK/err" >&2; die "tribune did not start"; }
        sleep 0.1
    done
    die "tribune did not print its address"
}

# The session cookie (name=value) in the Set-Cookie headers of a curl -D dump on stdin.
session_cookie() { sed -n 's/^[Ss]et-[Cc]ookie: \(tribune_session=[^;]*\).*/\1/p' | head -1; }
