#!/usr/bin/env bash
# Builds and runs every test: unit (no server), then integration and cli (real redis-servers and clusters that
# the tests start on loopback and stop). Pass ctest arguments through, e.g. scripts/test.sh -L unit.
# LH_WERROR=ON builds with -Werror (see scripts/build.sh); CI sets it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
ctest --test-dir build --output-on-failure -j2 --timeout 600 "$@"
