#!/usr/bin/env bash
# The Debian package on a clean Debian 12 root (issue 18): a minimal bookworm made with debootstrap, the .deb
# installed there by apt (which must pull every library the binary links, from its declared Depends alone),
# then the binary started as the unit starts it (its ExecStart, as the tribune user the package made, with a
# notify socket as systemd gives) and the demo reached over HTTP. Also: the unit's systemd-analyze security
# exposure (goal <= 2.0), the settings file's owner and mode, the man page, and `tribune doctor` as the
# service's user.
#
# Usage (root): tests/package/install_test.sh build/release/tribune_*.deb
# Downloads from Debian's mirror; the minimal root and apt's downloads are kept in /var/cache/tribune-test
# so that later runs on this machine take seconds (TRIBUNE_PACKAGE_CACHE moves it). Stops itself in 10 min.
set -euo pipefail
if [[ $(id -u) -ne 0 ]]; then
  echo "skipped: needs root (debootstrap, chroot, mounts)"
  exit 77
fi
if [[ -z ${TRIBUNE_INSTALL_TEST_TIMED:-} ]]; then
  TRIBUNE_INSTALL_TEST_TIMED=1 exec timeout --kill-after=10 600 "$0" "$@"
fi
DEB=$(readlink -f "${1:?usage: install_test.sh tribune_VERSION_ARCH.deb}")
HERE=$(cd "$(dirname "$0")" && pwd)
MIRROR=${TRIBUNE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
CACHE=${TRIBUNE_PACKAGE_CACHE:-/var/cache/tribune-test}
WORK=$(mktemp -d /var/tmp/tribune-package.XXXXXX)
ROOT=$WORK/root
SERVER_PID= NOTIFY_PID=
cleanup() {  # every step may fail (a process already gone, nothing mounted): none may stop the others
  [[ -n $SERVER_PID ]] && { kill -9 "$SERVER_PID" 2>/dev/null || true; }
  [[ -n $NOTIFY_PID ]] && { kill "$NOTIFY_PID" 2>/dev/null || true; }
  for m in "$ROOT/var/cache/apt/archives" "$ROOT/dev" "$ROOT/proc"; do
    mountpoint -q "$m" 2>/dev/null && { umount -l "$m" || true; }
  done
  rm -rf --one-file-system "$WORK" || true
}
trap cleanup EXIT

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $1"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }

mkdir -p "$CACHE/archives/partial"
TARBALL=$CACHE/bookworm-minbase.tgz
if [[ ! -s $TARBALL ]]; then
  echo "install_test: making a minimal Debian 12 root (once per machine)"
  debootstrap --variant=minbase --make-tarball="$TARBALL.new" bookworm "$WORK/tarball" "$MIRROR" >/dev/null
  mv "$TARBALL.new" "$TARBALL"
  rm -rf "$WORK/tarball"
fi
debootstrap --variant=minbase --unpack-tarball="$TARBALL" bookworm "$ROOT" "$MIRROR" >/dev/null
cat >"$ROOT/etc/apt/sources.list" <<SOURCES
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb ${MIRROR%/debian}/debian-security bookworm-security main
SOURCES
mount -t proc proc "$ROOT/proc"
mount --bind /dev "$ROOT/dev"
mount --bind "$CACHE/archives" "$ROOT/var/cache/apt/archives"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
cp "$DEB" "$ROOT/tmp/"
in_root() { chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }

check "the root has no tribune and none of its libraries before" \
  bash -c "! chroot '$ROOT' dpkg -s tribune >/dev/null 2>&1 && ! chroot '$ROOT' dpkg -s libvips42 >/dev/null 2>&1"
in_root apt-get update -q >/dev/null
check "apt installs the package and what it depends on" \
  in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "/tmp/$(basename "$DEB")"
check "the binary runs there (every library found)" bash -c "chroot '$ROOT' /usr/bin/tribune --version | grep -q '^tribune '"
check "the tribune user exists, without a login shell" \
  bash -c "chroot '$ROOT' getent passwd tribune | grep -q ':/var/lib/tribune:/usr/sbin/nologin$'"
check "the settings are a conffile, root:tribune 0640" \
  bash -c "[[ \$(chroot '$ROOT' stat -c '%U:%G %a' /etc/tribune/tribune.toml) == 'root:tribune 640' ]] &&
           grep -qx /etc/tribune/tribune.toml '$ROOT/var/lib/dpkg/info/tribune.conffiles'"
check "the data directory belongs to tribune" bash -c "[[ \$(chroot '$ROOT' stat -c '%U %a' /var/lib/tribune) == 'tribune 750' ]]"
check "the man page is installed" test -s "$ROOT/usr/share/man/man1/tribune.1.gz"
UNIT=$ROOT/lib/systemd/system/tribune.service
check "the unit is installed" test -s "$UNIT"
exposure() {
  local score
  score=$(systemd-analyze security --offline=true --no-pager "$UNIT" 2>/dev/null |
    sed -n 's/.*Overall exposure level for tribune.service: \([0-9.]*\).*/\1/p')
  echo "  exposure score: $score"
  [[ -n $score ]] && awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'
}
check "systemd-analyze security: exposure <= 2.0" exposure

# Start it as the unit does: its ExecStart (on a free port, with the demo) and Environment=, as its user, told
# where to notify, with /proc as ProtectProc=invisible and ProcSubset=pid leave it (its own processes only, no
# /proc/meminfo and the like). The rest of the unit's sandbox needs systemd, which does not run here.
umount -l "$ROOT/proc"
mount -t proc -o subset=pid,hidepid=invisible proc "$ROOT/proc"
EXEC=$(sed -n 's/^ExecStart=//p' "$UNIT")
UNIT_ENV=$(sed -n 's/^Environment=//p' "$UNIT")
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
EXEC=${EXEC/127.0.0.1:8080/127.0.0.1:$PORT}
mkdir -p "$ROOT/run/tribune-test"
python3 "$HERE/notify_listen.py" "$ROOT/run/tribune-test/notify" >"$WORK/notify.log" 2>&1 &
NOTIFY_PID=$!
sleep 0.3
# shellcheck disable=SC2086  # the unit's ExecStart is split into words as systemd splits it
chroot "$ROOT" /usr/bin/setpriv --reuid=tribune --regid=tribune --init-groups --reset-env \
  env $UNIT_ENV NOTIFY_SOCKET=/run/tribune-test/notify WATCHDOG_USEC=2000000 $EXEC --demo \
  >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
reached() {
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  cat "$WORK/serve.log" >&2
  return 1
}
check "it serves as the unit starts it" reached
check "the demo's front page is there" \
  bash -c "curl -fsS 'http://127.0.0.1:$PORT/' | grep -q 'Our cities must learn to hold water'"
check "readiness and the watchdog's keep-alive reached the notify socket" \
  bash -c "for _ in \$(seq 1 30); do grep -q WATCHDOG=1 '$WORK/notify.log' && grep -q READY=1 '$WORK/notify.log' && exit 0; sleep 0.2; done; cat '$WORK/notify.log'; exit 1"
check "what it wrote belongs to tribune" \
  bash -c "[[ \$(chroot '$ROOT' stat -c %U /var/lib/tribune/tribune.db) == tribune ]]"
as_service() {  # a command of the package's, as the service's user with the unit's environment
  # shellcheck disable=SC2086
  chroot "$ROOT" /usr/bin/setpriv --reuid=tribune --regid=tribune --init-groups --reset-env env $UNIT_ENV "$@"
}
# A 64 x 48 PNG, made here (no image tools in the root).
python3 - "$ROOT/tmp/photo.png" <<'PNG'
import struct, sys, zlib
w, h = 64, 48
rows = b"".join(b"\0" + bytes(v for x in range(w) for v in (x * 4 % 256, y * 5 % 256, 128)) for y in range(h))
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
PNG
chmod 0644 "$ROOT/tmp/photo.png"
check "a picture is added as the service (libvips with the unit's environment)" \
  bash -c "$(declare -f as_service); ROOT='$ROOT' UNIT_ENV='$UNIT_ENV';
           as_service /usr/bin/tribune image add --data /var/lib/tribune --alt 'A test picture' /tmp/photo.png |
           grep -q '!\['"
check "a backup is taken as the service" \
  bash -c "$(declare -f as_service); ROOT='$ROOT' UNIT_ENV='$UNIT_ENV';
           as_service /usr/bin/tribune backup --data /var/lib/tribune --to /var/lib/tribune/test.backup >/dev/null &&
           test -s '$ROOT/var/lib/tribune/test.backup'"
doctor_as_service() {
  local out
  out=$(chroot "$ROOT" /usr/bin/setpriv --reuid=tribune --regid=tribune --init-groups \
    /usr/bin/tribune doctor --data /var/lib/tribune --config /etc/tribune/tribune.toml 2>&1) || true
  echo "$out" | sed 's/^/  /'
  # No error; among the warnings, what a fresh install leaves unset: the mail server and the public address.
  [[ $out == *"ok       config: /etc/tribune/tribune.toml read"* && $out == *"store: integrity check ok"* &&
     $out == *"0 errors, "* && $out == *"warning  mail"* && $out == *"warning  public url"* ]]
}
check "tribune doctor runs as the service's user and finds the store and settings" doctor_as_service
kill -TERM "$SERVER_PID" || true
stopped() { for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || return 0; sleep 0.1; done; return 1; }
check "SIGTERM stops it" stopped
SERVER_PID=
check "it said STOPPING=1 while draining" bash -c "sleep 0.3; grep -q STOPPING=1 '$WORK/notify.log'"
kill "$NOTIFY_PID" 2>/dev/null || true
NOTIFY_PID=

echo "install_test: $passed passed, $failed failed"
((failed == 0))
