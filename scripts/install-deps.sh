#!/usr/bin/env bash
# Installs everything lua-harness needs to build, test and run, from Debian/Ubuntu packages.
# Run as root or as a user with sudo.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  g++ cmake make pkg-config \
  libhiredis-dev libboost-dev libboost-program-options-dev nlohmann-json3-dev libssl-dev zlib1g-dev \
  libgtest-dev libbenchmark-dev \
  redis-server redis-tools \
  chromium libxml2-utils clang-format openssl >/dev/null
# Node.js and npm run the tests' standard consumers of our outputs (Ajv, a JUnit reader; tests/consumers).
# A machine that has them (Node 20 here, whose nodejs package bundles npm) keeps its own.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
echo "dependencies installed"
