#!/usr/bin/env bash
# The full injection scan: every sqlmap technique (boolean, error, union, stacked, time-based, inline queries),
# level 3, risk 2, against every route with parameters, signed in and not (tests/security/sqlmap_scan.py; CI
# runs the brief scan). Prints one verdict a route and the total; exits 1 on any finding. About 90 s on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 tests/security/sqlmap_scan.py --full "$@"
