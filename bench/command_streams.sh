#!/usr/bin/env bash
# The commands lua-harness sends, per scenario, as redis-cli MONITOR sees them: one redis-server on a free
# loopback port (started and stopped here), one deterministic run per scenario (1 thread, 1 client, a fixed
# seed and request count, every variant, a fixed key prefix), and the MONITOR stream normalised (timestamps and
# client addresses dropped, digits in arguments replaced by N: tokens and times differ between runs).
# A refactoring that must not change behaviour compares the streams of two binaries:
#
#   bench/command_streams.sh OUTDIR [BIN]    writes OUTDIR/<scenario>.txt; default BIN build/lua-harness
#   diff -r before/ after/
# Needs: redis-server, redis-cli, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:?usage: bench/command_streams.sh OUTDIR [BIN]}
BIN=${2:-build/lua-harness}
REQUESTS=${REQUESTS:-60}
mkdir -p "$OUT"
DIR=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$DIR" --daemonize no \
  --logfile "$DIR/redis.log" &
SERVER=$!
MON=
trap '[ -n "$MON" ] && kill $MON 2>/dev/null; kill $SERVER 2>/dev/null; wait 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 100); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.05; done

capture() {  # NAME ARGS...: one run under MONITOR
  local name=$1; shift
  redis-cli -p "$PORT" monitor > "$DIR/mon.raw" &
  MON=$!
  for _ in $(seq 100); do redis-cli -p "$PORT" client list | grep -q 'cmd=monitor' && break; sleep 0.02; done
  "$BIN" run --target "redis://127.0.0.1:$PORT" --threads 1 --clients 1 --seed 7 --key-prefix lh:streams: \
    --report "$DIR/report.json" "$@" >/dev/null 2>&1 || true
  redis-cli -p "$PORT" ping >/dev/null   # a marker after the run's last command
  for _ in $(seq 100); do grep -q '"ping"' "$DIR/mon.raw" 2>/dev/null && tail -1 "$DIR/mon.raw" | grep -q '"ping"' && break; sleep 0.02; done
  kill $MON; wait $MON 2>/dev/null || true; MON=
  # drop: the timestamp and client, redis-cli's own commands (client list, ping), digits
  sed -E 's/^[0-9.]+ \[[0-9]+ [^]]*\] //' "$DIR/mon.raw" | grep -v -E '^"(client|ping)"' |
    sed -E 's/[0-9]+/N/g' > "$OUT/$name.txt"
  echo "$name: $(wc -l < "$OUT/$name.txt") commands"
}

for s in counter cas rate-limiter lock inventory leaderboard; do
  capture "$s" --scenario "$s" --variant atomic,naive,transaction,gt,atomic-server-clock --requests "$REQUESTS"
done
capture custom --script lua/counter_incr.lua --key 'c:{${rand:1-5}}' --requests "$REQUESTS"
