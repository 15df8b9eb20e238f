#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang (ASan + UBSan) in build/fuzz and runs each of them.
#
#   scripts/fuzz.sh --quick                  each target for a few seconds; exits non-zero on any crash
#   scripts/fuzz.sh --long [LIMIT...] [TARGET...]
#                                            each target (or the ones named: markdown, cursor...) until a limit:
#                                            executions ("10000000", "10M", "500k"; default 10M) and/or seconds
#                                            ("600s"), whichever comes first; one process, one core
#   scripts/fuzz.sh --build                  only builds
#
# Each target fuzzes a working corpus in build/fuzz/corpus/<target>/, seeded with a copy of fuzz/corpus/<target>/
# (the checked-in seeds are never written to); it grows from run to run. Crashing inputs are saved in
# build/fuzz/artifacts/<target>/, the fuzzer's output in build/fuzz/logs/<target>.log. At the end, one line per
# target: name, executions, crashes, seconds, executions per second, corpus files.
# FUZZ_JOBS sets the build's parallelism (default 1: the machine's cores are shared).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=build/fuzz
ALL_TARGETS=(request_target form multipart json_body cursor front_matter markdown)

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

mode=${1:-}
[[ $mode == --quick || $mode == --long || $mode == --build ]] || usage
shift

runs=0
seconds=0
targets=()
if [[ $mode == --quick ]]; then
  seconds=7
elif [[ $mode == --long ]]; then
  runs=10000000
  # Limits before the target names: executions, seconds, or both (whichever comes first).
  while [[ ${1:-} =~ ^[0-9]+[kKMs]?$ ]]; do
    case $1 in
      *s) seconds=${1%s} ;;
      *k|*K) runs=$((${1%[kK]} * 1000)) ;;
      *M) runs=$((${1%M} * 1000000)) ;;
      *) runs=$1 ;;
    esac
    shift
  done
fi
for t in "$@"; do
  [[ " ${ALL_TARGETS[*]} " == *" $t "* ]] || { echo "fuzz.sh: no target '$t' (${ALL_TARGETS[*]})" >&2; exit 2; }
  targets+=("$t")
done
((${#targets[@]})) || targets=("${ALL_TARGETS[@]}")

# Build: a project of its own (fuzz/CMakeLists.txt), configured once with clang.
if [[ ! -f $BUILD/build.ninja ]] || ! grep -q 'CMAKE_CXX_COMPILER:.*clang' "$BUILD/CMakeCache.txt" 2>/dev/null; then
  command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ not found (scripts/install-deps.sh --test)" >&2; exit 1; }
  rm -rf "$BUILD"
  CC=clang CXX=clang++ cmake -S fuzz -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$BUILD" -j "${FUZZ_JOBS:-1}"
[[ $mode == --build ]] && exit 0

# Readable stack traces: ASan looks for llvm-symbolizer on PATH, Debian installs it under a versioned name.
if ! command -v llvm-symbolizer >/dev/null; then
  for s in /usr/lib/llvm-*/bin/llvm-symbolizer; do [[ -x $s ]] && export ASAN_SYMBOLIZER_PATH=$s; done
fi
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Longest input per target: a request line, a form, a JSON body, a cursor, an article head, a comment.
max_len() {
  case $1 in
    request_target) echo 1024 ;;
    form) echo 1024 ;;
    multipart) echo 4096 ;;
    json_body) echo 2048 ;;
    cursor) echo 128 ;;
    front_matter) echo 2048 ;;
    markdown) echo 2048 ;;
  esac
}

summary=()
failed=0
for t in "${targets[@]}"; do
  bin=$BUILD/${t}_fuzz
  corpus=$BUILD/corpus/$t
  artifacts=$BUILD/artifacts/$t
  log=$BUILD/logs/$t.log
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  cp -n fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null || true
  args=(-max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$artifacts/")
  [[ -f fuzz/dict/$t.dict ]] && args+=(-dict="fuzz/dict/$t.dict")
  ((runs > 0)) && args+=(-runs="$runs")
  ((seconds > 0)) && args+=(-max_total_time="$seconds")
  before=$(find "$artifacts" -type f | wc -l)
  echo "== $t: ${args[*]}"
  start=$(date +%s.%N)
  status=0
  "$bin" "${args[@]}" "$corpus" >"$log" 2>&1 || status=$?
  end=$(date +%s.%N)
  after=$(find "$artifacts" -type f | wc -l)
  crashes=$((after - before))
  if ((status != 0)); then
    ((crashes > 0)) || crashes=1
    failed=1
    echo "!! $t failed (exit $status); the end of $log:"
    tail -n 60 "$log"
    ls -t "$artifacts" | head -n 3 | sed "s|^|   reproducer: $artifacts/|"
  fi
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*$' || true)
  [[ -n $execs ]] || execs=$(grep -o '^#[0-9]*' "$log" | tail -n 1 | tr -d '#' || true)
  execs=${execs:-0}
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
  rate=$(awk -v n="$execs" -v s="$secs" 'BEGIN { printf "%d", (s > 0 ? n / s : 0) }')
  files=$(find "$corpus" -type f | wc -l)
  summary+=("$(printf '%-15s %12s %8s %9s %10s %8s' "$t" "$execs" "$crashes" "$secs" "$rate" "$files")")
done

echo
printf '%-15s %12s %8s %9s %10s %8s\n' target executions crashes seconds exec/s corpus
printf '%s\n' "${summary[@]}"
exit $failed
