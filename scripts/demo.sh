#!/usr/bin/env bash
# Installs, builds and serves the demo publication on SQLite. LISTEN and DATA override the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release -DBUILD_TESTING=OFF -DTRIBUNE_UNITY=ON >/dev/null  # a first build in a third of the time (cmake/unity.cmake)
cmake --build --preset release --target tribune
exec build/release/tribune serve --data "${DATA:-$PWD/data}" --listen "${LISTEN:-127.0.0.1:8080}" --demo
