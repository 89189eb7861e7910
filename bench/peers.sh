#!/usr/bin/env bash
# Side-by-side: lua-harness vs redis-benchmark on the same workload, on one redis-server this script starts
# on a free loopback port (and stops). Workload: the seed's rate limiter (lua/rate_limit.lua) by EVALSHA over 50
# keys, 50 clients, one client thread, latency recording on in both tools. Rounds alternate between the tools
# to spread machine noise; the ratio of medians is printed per pipeline depth.
#
#   bench/peers.sh [ROUNDS] [REQUESTS]        defaults: 3 rounds, 300000 requests per round
# Needs: build/lua-harness (scripts/build.sh), redis-server, redis-benchmark, redis-cli, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
REQUESTS=${2:-300000}
BIN=build/lua-harness
SCRIPT=lua/rate_limit.lua
NOW=1700000000000   # a fixed timestamp: redis-benchmark cannot template one, so both tools send the same
[ -x "$BIN" ] || { echo "peers.sh: $BIN missing: run scripts/build.sh first" >&2; exit 2; }
for t in redis-server redis-benchmark redis-cli python3; do
  command -v $t >/dev/null || { echo "peers.sh: $t not found (scripts/install-deps.sh installs it)" >&2; exit 2; }
done

DIR=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$DIR" --daemonize no \
  --logfile "$DIR/redis.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 100); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.05; done
SHA=$(redis-cli -p "$PORT" script load "$(cat $SCRIPT)")

median() { python3 -c 'import sys,statistics; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }

harness_round() {  # pipeline -> ops/s
  "$BIN" run --target "redis://127.0.0.1:$PORT" --script "$SCRIPT" --key 'ratelimit:user:${rand:1-50}' \
    --arg 60 --arg 100 --arg "$NOW" --clients 50 --threads 1 --pipeline "$1" --requests "$REQUESTS" \
    --report "$DIR/h.json" --quiet >/dev/null
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["throughput_ops_s"])' "$DIR/h.json"
}

benchmark_round() {  # pipeline -> ops/s
  redis-benchmark -h 127.0.0.1 -p "$PORT" -c 50 --threads 1 -P "$1" -n "$REQUESTS" -r 50 --csv \
    EVALSHA "$SHA" 1 'ratelimit:user:__rand_int__' 60 100 "$NOW" | tail -n 1 | cut -d, -f2 | tr -d '"'
}

echo "peers: rate limiter EVALSHA, 50 keys, 50 clients, 1 client thread, $REQUESTS requests x $ROUNDS rounds"
printf '%-9s %-18s %-18s %s\n' pipeline lua-harness redis-benchmark ratio
for P in 1 16; do
  H=(); B=()
  for _ in $(seq "$ROUNDS"); do
    H+=("$(harness_round "$P")")
    B+=("$(benchmark_round "$P")")
    redis-cli -p "$PORT" --scan --pattern 'ratelimit:user:*' | xargs -r redis-cli -p "$PORT" unlink >/dev/null
  done
  MH=$(median "${H[@]}"); MB=$(median "${B[@]}")
  printf '%-9s %-18.0f %-18.0f %.2fx   (rounds: harness %s | benchmark %s)\n' "$P" "$MH" "$MB" \
    "$(python3 -c "print($MH/$MB)")" "${H[*]}" "${B[*]}"
done
echo "targets: >= 1.2x at pipeline 1, >= 0.95x at pipeline 16"
