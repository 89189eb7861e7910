#!/usr/bin/env bash
# Configures and builds lua-harness (Release) into ./build: the binary is ./build/lua-harness.
# LH_WERROR=ON makes every compiler warning an error (CI sets it; docs/ci.md, "Habits").
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DLH_WERROR="${LH_WERROR:-OFF}" >/dev/null
cmake --build build -j"$(nproc)"
