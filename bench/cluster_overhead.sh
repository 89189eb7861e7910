#!/usr/bin/env bash
# Routing overhead: the same lua-harness workload against a standalone redis-server and against a 1-master cluster
# (one cluster-enabled redis-server owning all 16384 slots), both started by this script on free loopback ports
# (and stopped). The server does the same work in both, so the difference is the harness's cluster path: key ->
# slot -> node lookup, per-node connections, redirect checks. Rounds alternate to spread machine noise; the ratio
# of median throughputs is printed.
#
#   bench/cluster_overhead.sh [ROUNDS] [DURATION] [BIN]   defaults: 3 rounds, 5s per round, build/lua-harness
# Needs: lua-harness (scripts/build.sh), redis-server, redis-cli, python3. Target: overhead <= 10%.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
. bench/common.sh
ROUNDS=${1:-3}
DURATION=${2:-5s}
BIN=${3:-build/lua-harness}
SCRIPT=lua/rate_limit.lua
[ -x "$BIN" ] || { echo "cluster_overhead.sh: $BIN missing: run scripts/build.sh first" >&2; exit 2; }
for t in redis-server redis-cli python3; do
  command -v $t >/dev/null || { echo "cluster_overhead.sh: $t not found (scripts/install-deps.sh installs it)" >&2; exit 2; }
done

DIR=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$DIR"
}
trap cleanup EXIT

start() {  # name port [args...]: a server in $DIR/name
  local name=$1 port=$2; shift 2
  mkdir -p "$DIR/$name"
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$DIR/$name" --daemonize no \
    --logfile "$DIR/$name/redis.log" "$@" &
  PIDS+=($!)
  for _ in $(seq 200); do redis-cli -p "$port" ping >/dev/null 2>&1 && return; sleep 0.05; done
  echo "cluster_overhead.sh: redis-server on $port did not start" >&2; exit 3
}

SPORT=$(free_port); CPORT=$(free_port); BUS=$(free_port)
start standalone "$SPORT"
start cluster "$CPORT" --cluster-enabled yes --cluster-config-file nodes.conf --cluster-port "$BUS"
redis-cli -p "$CPORT" cluster addslotsrange 0 16383 >/dev/null
for _ in $(seq 200); do
  redis-cli -p "$CPORT" cluster info | grep -q 'cluster_state:ok' && break; sleep 0.05
done


# One run; prints "mode ops/s cpu_us_per_op". The mode is detected from the server (cluster_enabled). The harness's
# own CPU time per op (user + sys, from getrusage of the child) is the noise-robust view of the routing cost: it
# does not depend on how much CPU the server or the machine's other tenants got during the round.
round() {  # port
  python3 - "$DIR/r.json" "$BIN" run --target "redis://127.0.0.1:$1" --script "$SCRIPT" --key 'rl:{${rand:1-1000}}' \
    --arg 60 --arg 1000000 --arg '${now_ms}' --arg '${client}:${seq}' --clients 50 --threads 1 \
    --duration "$DURATION" --report "$DIR/r.json" --quiet <<'PY'
import json, resource, subprocess, sys
subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, check=True)
cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
r = json.load(open(sys.argv[1]))
res = r["results"][0]
assert res["ops"]["failed"] == 0 and res["ops"]["indeterminate"] == 0, "ops failed"
print(r["target"]["mode"], res["throughput_ops_s"], 1e6 * (cpu.ru_utime + cpu.ru_stime) / res["ops"]["total"])
PY
}

echo "cluster overhead: rate limiter EVALSHA, 1000 keys, 50 clients, 1 client thread, $DURATION x $ROUNDS rounds"
S=(); C=(); SU=(); CU=()
for _ in $(seq "$ROUNDS"); do
  read -r mode ops us < <(round "$SPORT"); [ "$mode" = standalone ] || { echo "expected standalone, got $mode" >&2; exit 1; }
  S+=("$ops"); SU+=("$us")
  read -r mode ops us < <(round "$CPORT"); [ "$mode" = cluster ] || { echo "expected cluster, got $mode" >&2; exit 1; }
  C+=("$ops"); CU+=("$us")
done
MS=$(median "${S[@]}"); MC=$(median "${C[@]}"); MSU=$(median "${SU[@]}"); MCU=$(median "${CU[@]}")
printf 'throughput   standalone %.0f ops/s   1-master cluster %.0f ops/s   ratio %.3f   overhead %.1f%%\n' "$MS" "$MC" \
  "$(python3 -c "print($MC/$MS)")" "$(python3 -c "print(100*(1-$MC/$MS))")"
printf 'harness CPU  standalone %.2f us/op    1-master cluster %.2f us/op    ratio %.3f\n' "$MSU" "$MCU" \
  "$(python3 -c "print($MCU/$MSU)")"
printf '(rounds ops/s: standalone %s | cluster %s)\n' "$(printf '%.0f ' "${S[@]}")" "$(printf '%.0f ' "${C[@]}")"
echo "target: throughput overhead <= 10% (on a busy machine the CPU line is the steadier signal)"
