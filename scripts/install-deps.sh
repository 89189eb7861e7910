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
  libhiredis-dev libboost-dev libboost-program-options-dev nlohmann-json3-dev libssl-dev \
  libgtest-dev libbenchmark-dev \
  redis-server redis-tools \
  chromium >/dev/null
echo "dependencies installed"
