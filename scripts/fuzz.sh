#!/usr/bin/env bash
# Fuzzes the parsers with libFuzzer (docs/ci.md, "Fuzzing"): builds fuzz/*_fuzz.cpp with clang
# (-fsanitize=fuzzer,address) into build-fuzz and runs each target for SECONDS (default 60), starting
# from its kept inputs in tests/fuzz/TARGET/. A crash or a leak stops that target and
# fails the script; the input that did it is saved as build-fuzz/crashes/TARGET-crash-<sha1>. Fix the bug,
# then keep the input as a regression test: cp build-fuzz/crashes/TARGET-crash-... tests/fuzz/TARGET/
# (ctest replays every kept input through each target: FuzzRegressions.TARGET).
#   scripts/fuzz.sh [SECONDS] [TARGET...]      targets: url templates threshold report (default: all)
# Needs clang++ (clang-14 with libFuzzer: apt-get install clang). LH_CMAKE_ARGS adds configure arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(url templates threshold report)
cxx="${CXX_FUZZ:-}"
for c in clang++-14 clang++; do [ -n "$cxx" ] || { command -v "$c" >/dev/null && cxx="$c"; } || true; done
[ -n "$cxx" ] || { echo "fuzz.sh: clang++ not found (apt-get install clang)" >&2; exit 2; }

# shellcheck disable=SC2086
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$cxx" -DLH_SANITIZE=fuzzer \
  -DLH_BUILD_TESTS=OFF -DLH_BUILD_BENCH=OFF ${LH_CMAKE_ARGS:-} >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target "${targets[@]/%/_fuzz}" >/dev/null

mkdir -p build-fuzz/crashes
failed=()
for t in "${targets[@]}"; do
  corpus="build-fuzz/corpus/$t"
  mkdir -p "$corpus"
  cp -n tests/fuzz/"$t"/* "$corpus"/ 2>/dev/null || true
  echo "fuzz.sh: $t for ${seconds}s"
  if ASAN_OPTIONS=detect_leaks=1 build-fuzz/fuzz/"${t}_fuzz" -max_total_time="$seconds" -max_len=4096 \
      -timeout=10 -print_final_stats=1 -artifact_prefix="build-fuzz/crashes/$t-" "$corpus" \
      >"build-fuzz/$t.log" 2>&1; then
    grep -E '^(stat::number_of_executed_units|stat::new_units_added|#[0-9]+ *DONE)' "build-fuzz/$t.log" | \
      tr '\n' ' '; echo
  else
    echo "fuzz.sh: $t FAILED: see build-fuzz/$t.log; the input is in build-fuzz/crashes/" >&2
    grep -E 'ERROR|SUMMARY|runtime error' "build-fuzz/$t.log" | head -5 >&2
    failed+=("$t")
  fi
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz.sh: ${failed[*]} failed" >&2
  exit 1
fi
echo "fuzz.sh: ${targets[*]}: no fault in ${seconds}s each"
