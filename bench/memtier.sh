#!/usr/bin/env bash
# Side-by-side with memtier_benchmark, the second peer (bench/peers.sh has redis-benchmark): the same workload
# (the seed's rate limiter by EVALSHA over 50 keys, 50 clients, one client thread, 100000 requests per round),
# rounds alternating between the tools, the server on CPU 0 and each tool on CPU 1; medians of client CPU per
# op (user+sys) and throughput per pipeline depth. PEERS_TLS=1: over TLS (certificates made by openssl here,
# both tools verifying the server). memtier_benchmark is not in Debian: build it from its repository
# (github.com/RedisLabs/memtier_benchmark: apt-get install libevent-dev autoconf automake zlib1g-dev;
# autoreconf -ivf && ./configure && make) and point MEMTIER at the binary.
#   MEMTIER=/path/to/memtier_benchmark [PEERS_TLS=1] bench/memtier.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
. bench/common.sh
ROUNDS=${1:-3}
REQUESTS=100000
BIN=build/lua-harness
MT=${MEMTIER:-memtier_benchmark}
command -v "$MT" >/dev/null || { echo "memtier.sh: $MT not found: set MEMTIER (see the comment at the top)" >&2; exit 2; }
[ -x "$BIN" ] || { echo "memtier.sh: $BIN missing: run scripts/build.sh first" >&2; exit 2; }
NOW=1700000000000
DIR=$(mktemp -d)
PORT=$(free_port)
SERVER_ARGS=(); H=(--target "redis://127.0.0.1:$PORT"); M=(-p "$PORT")
if [ "${PEERS_TLS:-0}" = 1 ]; then
  make_tls_certs "$DIR"
  TPORT=$(free_port)
  SERVER_ARGS=(--tls-port "$TPORT" --tls-cert-file "$DIR/server.crt" --tls-key-file "$DIR/server.key"
               --tls-ca-cert-file "$DIR/ca.crt" --tls-auth-clients no)
  H=(--target "rediss://127.0.0.1:$TPORT" --tls-ca "$DIR/ca.crt")
  M=(-p "$TPORT" --tls --cacert "$DIR/ca.crt")
fi
taskset -c 0 redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$DIR" \
  --logfile "$DIR/redis.log" "${SERVER_ARGS[@]}" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 100); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.05; done
SHA=$(redis-cli -p "$PORT" script load "$(cat lua/rate_limit.lua)")
cpu() {  # command... -> "cpu_seconds" on stdout, the command's output discarded
  python3 -c 'import resource,subprocess,sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
r=resource.getrusage(resource.RUSAGE_CHILDREN); print(r.ru_utime+r.ru_stime)' "$@"
}
echo "memtier$([ "${PEERS_TLS:-0}" = 1 ] && echo ' over TLS'): rate limiter EVALSHA, 50 keys, 50 clients, 1 thread, $REQUESTS requests x $ROUNDS rounds"
printf '%-9s %-22s %-22s\n' pipeline 'ops/s (h|m)' 'client CPU us/op (h|m)'
for P in 1 16; do
  HO=(); HC=(); MO=(); MC=()
  for _ in $(seq "$ROUNDS"); do
    HC+=("$(cpu taskset -c 1 "$BIN" run "${H[@]}" --script lua/rate_limit.lua --key 'ratelimit:user:${rand:1-50}' \
      --arg 60 --arg 100 --arg "$NOW" --clients 50 --threads 1 --pipeline "$P" --requests "$REQUESTS" \
      --report "$DIR/h.json" --quiet)")
    HO+=("$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["throughput_ops_s"])' "$DIR/h.json")")
    MC+=("$(cpu taskset -c 1 "$MT" -s 127.0.0.1 "${M[@]}" --protocol=redis -c 50 -t 1 --pipeline="$P" \
      -n $((REQUESTS / 50)) --command="EVALSHA $SHA 1 __key__ 60 100 $NOW" --command-key-pattern=R \
      --key-prefix=ratelimit:user: --key-minimum=1 --key-maximum=50 --hide-histogram --json-out-file="$DIR/m.json")")
    MO+=("$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["ALL STATS"]["Totals"]["Ops/sec"])' "$DIR/m.json")")
  done
  printf '%-9s %-22s %-22s\n' "$P" "$(median "${HO[@]}" | cut -d. -f1) | $(median "${MO[@]}" | cut -d. -f1)" \
    "$(python3 -c "print(f'{1e6*$(median "${HC[@]}")/$REQUESTS:.1f} | {1e6*$(median "${MC[@]}")/$REQUESTS:.1f}')")"
done
