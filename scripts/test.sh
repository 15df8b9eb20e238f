#!/usr/bin/env bash
# Installs, builds and runs the whole test suite: the format and clang-tidy checks, release build + tests (on
# SQLite, then the HTTP suites on PostgreSQL), a 60 s soak on one node and on two, the Debian package installed
# on a clean Debian 12 root, debug build with AddressSanitizer and UndefinedBehaviorSanitizer + tests, a brief
# sqlmap injection scan, the fuzz targets briefly, the browser tests in Chromium, and the API contract smoke test.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each phase's heading says when it began, so that a slow run shows where its time went.
phase() { printf '== %s (at %dm%02ds)\n' "$1" $((SECONDS / 60)) $((SECONDS % 60)); }
scripts/install-deps.sh --test

# A throwaway PostgreSQL cluster (127.0.0.1:55432) so that the store suites run on both engines.
TRIBUNE_TEST_PG=$(scripts/pg-cluster.sh start)
export TRIBUNE_TEST_PG
trap 'scripts/pg-cluster.sh stop' EXIT

phase "format (clang-format) and clang-tidy"
scripts/check-format.sh
scripts/tidy.sh

phase "release build and tests"
cmake --preset release -DBUILD_TESTING=ON -DTRIBUNE_UNITY=ON >/dev/null  # unity: cmake/unity.cmake
cmake --build --preset release
ctest --preset release
phase "release: the HTTP suites on PostgreSQL"
TRIBUNE_TEST_STORE_PG=1 ctest --preset release -E 'cli_test|kill9_durability_test|pg_restart_test|node_loss_test|replica_test|disk_full_test|clock_jump_test'

phase "soak: 60 s of mixed load on one node, then on two PostgreSQL nodes (10 minutes: --seconds 600)"
python3 tests/soak/soak.py build/release/tribune --seconds 60
python3 tests/soak/soak.py build/release/tribune --seconds 60 --nodes 2

phase "the Debian package, installed on a clean Debian 12 root"
rm -f build/release/tribune_*.deb
cmake --build --preset release --target package
tests/package/install_test.sh build/release/tribune_*.deb || [[ $? -eq 77 ]]  # 77: not root, skipped

phase "debug build (ASan + UBSan) and tests"
cmake --preset debug -DBUILD_TESTING=ON -DTRIBUNE_UNITY=ON >/dev/null
cmake --build --preset debug --target tribune tribune_tests  # the benches are release-only
ctest --preset debug

phase "injection scan (sqlmap, brief; --full from bench/)"
python3 tests/security/sqlmap_scan.py

phase "fuzz targets (a few seconds each)"
FUZZ_JOBS=$(nproc) scripts/fuzz.sh --quick

phase "browser tests (Chromium)"
(cd tests/browser && npm ci --no-audit --no-fund --silent && TRIBUNE_BIN="$PWD/../../build/release/tribune" node --test)

if [[ -f ../shared/contract-smoke.py ]]; then
  phase "API contract smoke test"
  python3 ../shared/contract-smoke.py
fi
phase "all passed"
