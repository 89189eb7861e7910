#!/usr/bin/env bash
# Configures and builds lua-harness (Release) into ./build: the binary is ./build/lua-harness.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
