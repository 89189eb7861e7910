#!/usr/bin/env bash
# Builds with a sanitizer and runs the unit and integration suites under it (docs/ci.md, "Habits"):
#   scripts/sanitize.sh address [CTEST ARGS...]   ASan + UBSan, into build-asan
#   scripts/sanitize.sh thread  [CTEST ARGS...]   TSan, into build-tsan
# The ctest arguments default to every unit and integration test (-L 'unit|integration', the cli tests
# included); pass your own to narrow it, e.g. `scripts/sanitize.sh thread -L unit` or `... -LE cli`.
# BUILD_DIR=/path overrides the build directory. Any sanitizer report, from a test or from a lua-harness the
# tests started, fails the script: reports go to files in BUILD_DIR/sanitizer-logs (printed at the end), so that
# one in a child process cannot hide behind a test that only checks an exit code.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

kind="${1:-}"
case "$kind" in
  address) dir="${BUILD_DIR:-build-asan}" ;;
  thread) dir="${BUILD_DIR:-build-tsan}" ;;
  *) echo "usage: scripts/sanitize.sh address|thread [ctest arguments...]" >&2; exit 2 ;;
esac
shift
if [ "$#" -eq 0 ]; then set -- -L 'unit|integration'; fi

# RelWithDebInfo: optimised like the real binary (the load tests run for a fixed time, a -O0 build would do a
# fraction of the ops), with the line numbers a report needs. No benchmarks: they prove nothing here.
cmake -S . -B "$dir" ${LH_CMAKE_ARGS:-} -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLH_SANITIZE="$kind" -DLH_BUILD_BENCH=OFF >/dev/null

logs="$(cd "$dir" && pwd)/sanitizer-logs"
rm -rf "$logs"
mkdir -p "$logs"
# halt_on_error: the first report ends the process, so the test fails there (with -fno-sanitize-recover for
# UBSan, set by CMake). Leak checking is on: a leak in the harness or in a test is a finding too.
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:log_path=$logs/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$logs/ubsan"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:history_size=4:log_path=$logs/tsan"
if [ -f "$root/scripts/tsan-suppressions.txt" ]; then
  TSAN_OPTIONS="$TSAN_OPTIONS:suppressions=$root/scripts/tsan-suppressions.txt"
fi

# The build runs each test binary once to list its tests (gtest_discover_tests): under the same options.
cmake --build "$dir" -j"$(nproc)"

status=0
ctest --test-dir "$dir" --output-on-failure -j2 --timeout 900 "$@" || status=$?

reports=("$logs"/*)
if [ -e "${reports[0]}" ]; then
  echo "sanitize.sh: sanitizer reports (${#reports[@]} files in $logs):" >&2
  for f in "${reports[@]}"; do
    echo "==== $f" >&2
    cat "$f" >&2
  done
  [ "$status" -ne 0 ] || status=1
fi
if [ "$status" -eq 0 ]; then echo "sanitize.sh: $kind: every test passed, no sanitizer report"; fi
exit "$status"
