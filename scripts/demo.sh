#!/usr/bin/env bash
# Installs, builds and serves the demo publication on SQLite. LISTEN and DATA override the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release -DBUILD_TESTING=OFF >/dev/null
cmake --build --preset release --target tribune
exec build/release/tribune serve --data "${DATA:-$PWD/data}" --listen "${LISTEN:-127.0.0.1:8080}" --demo
