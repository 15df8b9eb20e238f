#!/usr/bin/env bash
# Installs everything Tribune needs to build, run and test on Debian 12, as root. Idempotent.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=; [[ $(id -u) -ne 0 ]] && SUDO=sudo
PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git curl ca-certificates python3 sqlite3
  libboost1.81-all-dev libsqlite3-dev libsodium-dev liburing-dev libssl-dev zlib1g-dev
  libcmark-gfm-dev libcmark-gfm-extensions-dev libicu-dev libkainjow-mustache-dev libre2-dev
  libvips-dev libcurl4-openssl-dev libspdlog-dev libcli11-dev libtomlplusplus-dev libexpat1-dev
  libgtest-dev libgmock-dev libbenchmark-dev libpq-dev libsystemd-dev
)
if [[ ${1:-} == --test ]]; then
  PACKAGES+=(chromium chromium-driver fonts-dejavu-core wrk nginx-light postgresql)
  # The fuzz targets (fuzz/, scripts/fuzz.sh): clang; libFuzzer's runtime libclang_rt.fuzzer (libclang-rt-14-dev,
  # only recommended by clang's packages, so named here); llvm-symbolizer (llvm) for readable stack traces.
  PACKAGES+=(clang libclang-rt-dev llvm)
  PACKAGES+=(clang-format)  # scripts/check-format.sh
  PACKAGES+=(sqlmap)        # tests/security/sqlmap_scan.py
  PACKAGES+=(faketime)      # tests/durability/clock_jump_test.py: the wall clock stepped under a running node
  PACKAGES+=(debootstrap systemd dpkg-dev)  # tests/package/install_test.sh: a clean Debian 12 root, the unit's
                                            # exposure score, the package's Depends (dpkg-shlibdeps)
  command -v node >/dev/null 2>&1 || PACKAGES+=(nodejs npm)
fi
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
