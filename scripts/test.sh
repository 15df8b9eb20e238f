#!/usr/bin/env bash
# Installs, builds and runs the whole test suite: release build + tests, debug build with AddressSanitizer
# and UndefinedBehaviorSanitizer + tests, the browser tests in Chromium, and the API contract smoke test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test

echo "== release build and tests"
cmake --preset release -DBUILD_TESTING=ON >/dev/null
cmake --build --preset release
ctest --preset release

echo "== debug build (ASan + UBSan) and tests"
cmake --preset debug -DBUILD_TESTING=ON >/dev/null
cmake --build --preset debug
ctest --preset debug

echo "== browser tests (Chromium)"
(cd tests/browser && npm ci --no-audit --no-fund --silent && TRIBUNE_BIN="$PWD/../../build/release/tribune" node --test)

if [[ -f ../shared/contract-smoke.py ]]; then
  echo "== API contract smoke test"
  python3 ../shared/contract-smoke.py
fi
