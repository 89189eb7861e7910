#!/usr/bin/env bash
# Scaling: ops/s and CPU per op for `--threads 1..N` against a cluster of N masters, every one a redis-server
# this script starts on free loopback ports (and stops). The harness's CPU per op (user + sys of the
# lua-harness process alone) and the servers' (the sum over every master, from /proc) say how many harness
# cores a cluster needs: cores = server cores x (harness us/op / server us/op).
#
#   bench/scaling.sh [MAX_MASTERS] [DURATION] [PIPELINE] [BIN]   defaults: 2, 5s, 1, build/lua-harness
# Needs: redis-server, redis-cli, python3. The workload: the counter's atomic script over 256 keys (all slots
# busy), 50 clients per thread.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
MAX=${1:-2}
DURATION=${2:-5s}
PIPELINE=${3:-1}
BIN=${4:-build/lua-harness}
DIR=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$DIR"
}
trap cleanup EXIT
cpu_ticks() { local t=0; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$t"; }

echo "| masters | --threads | ops/s | harness CPU us/op | server CPU us/op | harness cores per server core |"
echo "|---:|---:|---:|---:|---:|---:|"
for n in $(seq 1 "$MAX"); do
  ports=(); masters=(); buses=()
  for i in $(seq 1 "$n"); do
    p=$(free_port); b=$(free_port); mkdir -p "$DIR/$n-$i"
    redis-server --port "$p" --bind 127.0.0.1 --save '' --appendonly no --dir "$DIR/$n-$i" --cluster-enabled yes \
      --cluster-config-file nodes.conf --cluster-port "$b" --logfile "$DIR/$n-$i/redis.log" &
    PIDS+=($!); masters+=($!); ports+=("$p"); buses+=("$b")
  done
  for p in "${ports[@]}"; do for _ in $(seq 200); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.05; done; done
  # N masters by hand (redis-cli --cluster create wants 3 at least): an equal slot range each, then MEET.
  for i in "${!ports[@]}"; do
    lo=$((i * 16384 / n)); hi=$(((i + 1) * 16384 / n - 1))
    redis-cli -p "${ports[$i]}" cluster addslotsrange "$lo" "$hi" >/dev/null
    [ "$i" = 0 ] || redis-cli -p "${ports[$i]}" cluster meet 127.0.0.1 "${ports[0]}" "${buses[0]}" >/dev/null
  done
  for p in "${ports[@]}"; do
    for _ in $(seq 400); do
      info=$(redis-cli -p "$p" cluster info)
      grep -q "cluster_slots_assigned:16384" <<<"$info" && grep -q "cluster_known_nodes:$n" <<<"$info" && grep -q "cluster_state:ok" <<<"$info" && break
      sleep 0.05
    done
    grep -q "cluster_slots_assigned:16384" <<<"$info" || { echo "scaling.sh: the $n-master cluster did not form" >&2; exit 3; }
  done
  for t in $(seq 1 "$n"); do
    before=$(cpu_ticks "${masters[@]}")
    line=$(python3 - "$DIR/r.json" "$BIN" run --target "redis://127.0.0.1:${ports[0]}" --scenario counter \
      --variant atomic --keys 256 --threads "$t" --clients $((50 * t)) --pipeline "$PIPELINE" --duration "$DURATION" \
      --report "$DIR/r.json" --quiet <<'PY'
import json, resource, subprocess, sys
subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, check=True)
cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
res = json.load(open(sys.argv[1]))["results"][0]
print(res["ops"]["total"], res["throughput_ops_s"], 1e6 * (cpu.ru_utime + cpu.ru_stime) / res["ops"]["total"])
PY
)
    after=$(cpu_ticks "${masters[@]}")
    read -r ops rate us <<<"$line"
    hz=$(getconf CLK_TCK)
    server_us=$(python3 -c "print(1e6*($after-$before)/$hz/$ops)")
    printf '| %d | %d | %.0f | %.2f | %.2f | %.2f |\n' "$n" "$t" "$rate" "$us" "$server_us" \
      "$(python3 -c "print($us/$server_us)")"
  done
  for m in "${masters[@]}"; do kill "$m"; wait "$m" 2>/dev/null || true; done
done
