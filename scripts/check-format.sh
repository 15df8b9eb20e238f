#!/usr/bin/env bash
# Fails when a tracked C++ file differs from what clang-format (.clang-format) would write; run by
# scripts/test.sh. `scripts/check-format.sh --fix` rewrites them instead.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.h')
if [[ "${1:-}" == "--fix" ]]; then
  clang-format -i "${files[@]}"
  exit 0
fi
if ! clang-format --dry-run --Werror "${files[@]}" 2>/tmp/tribune-format.$$; then
  grep -E '^[^ ].*: (error|warning):' /tmp/tribune-format.$$ | cut -d: -f1 | sort -u | sed 's/^/not formatted: /'
  rm -f /tmp/tribune-format.$$
  echo "run scripts/check-format.sh --fix" >&2
  exit 1
fi
rm -f /tmp/tribune-format.$$
echo "format: ${#files[@]} files as clang-format writes them"
