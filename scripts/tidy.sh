#!/usr/bin/env bash
# Runs clang-tidy (the checks in .clang-tidy) over every harness/ source file and the harness/ headers they
# include, and exits 1 on any finding (docs/ci.md, "Habits"):
#   scripts/tidy.sh BUILD_DIR [FILE REGEX]
# BUILD_DIR is a configured build (it needs BUILD_DIR/compile_commands.json, which CMake always writes here, and
# the generated sources: build it first, e.g. scripts/build.sh and then scripts/tidy.sh build). FILE REGEX narrows
# the files, e.g. 'harness/transport/'. Uses clang-tidy 14 (Debian 12's clang-tidy package); CLANG_TIDY and
# RUN_CLANG_TIDY override the tools. About 10 minutes on 2 cores for the whole of harness/.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$#" -lt 1 ] || [ "$#" -gt 2 ]; then
  echo "usage: scripts/tidy.sh BUILD_DIR [FILE REGEX]" >&2
  exit 2
fi
build="$(cd "$1" && pwd)"
if [ ! -f "$build/compile_commands.json" ]; then
  echo "tidy.sh: $build/compile_commands.json not found: configure and build there first" >&2
  exit 2
fi

tidy="${CLANG_TIDY:-}"
runner="${RUN_CLANG_TIDY:-}"
for v in -14 ""; do
  [ -n "$tidy" ] || { command -v "clang-tidy$v" >/dev/null && tidy="clang-tidy$v"; } || true
  [ -n "$runner" ] || { command -v "run-clang-tidy$v" >/dev/null && runner="run-clang-tidy$v"; } || true
done
if [ -z "$tidy" ] || [ -z "$runner" ]; then
  echo "tidy.sh: clang-tidy / run-clang-tidy not found (apt-get install clang-tidy)" >&2
  exit 2
fi

# The sources of the build's own tree (the build may come from another checkout than this one): its harness/
# files only, not the tests, the benchmarks or the generated Lua sources.
src="$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build/CMakeCache.txt")"
src_re="$(printf '%s' "$src" | sed 's/[][\\.*^$+?(){}|]/\\&/g')"  # the path, as a regex
regex="^${src_re}/${2:-harness/}"
# The configuration is the .clang-tidy of that tree, found next to each file; -quiet drops the per-file
# banners, and run-clang-tidy exits non-zero when clang-tidy does (WarningsAsErrors makes every finding one).
# Boost 1.74 enables co_await for clang only with libc++'s <experimental/coroutine>: with libstdc++ (the one g++
# builds against) it must be told, or every awaitable is an error.
args=(-clang-tidy-binary "$(command -v "$tidy")" -p "$build" -quiet -j "$(nproc)"
      -extra-arg=-DBOOST_ASIO_HAS_CO_AWAIT=1 "$regex")
if [ -t 1 ]; then
  "$runner" "${args[@]}"
else
  "$runner" "${args[@]}" | sed -u 's/\x1b\[[0-9;]*m//g'  # run-clang-tidy always asks for colours
fi
