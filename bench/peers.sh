#!/usr/bin/env bash
# Side-by-side: lua-harness vs redis-benchmark on the same workload, on one redis-server this script starts
# on a free loopback port (and stops). Workload: the seed's rate limiter (lua/rate_limit.lua) by EVALSHA over 50
# keys, 50 clients, one client thread, latency recording on in both tools. Rounds alternate between the tools,
# and which tool goes first alternates too (ABBA), to spread machine noise; the ratio of medians is printed per
# pipeline depth. Beside throughput, CPU per op (user+sys microseconds) of each tool and of the server during
# its rounds: CPU counts are steadier than throughput on a shared machine, and show who the bottleneck is.
# With two or more CPUs and taskset, the server is pinned to CPU 0 and each tool to CPU 1, as memtier's docs
# advise: the scheduler then cannot put a tool beside the server on one core (PEERS_PIN=0 turns this off).
#
#   bench/peers.sh [ROUNDS] [REQUESTS]        defaults: 5 rounds, 200000 requests per round
#   PEERS_TLS=1 bench/peers.sh ...            the same over TLS: certificates made by openssl in the temp dir,
#                                             both tools verify the server against its CA
# Needs: build/lua-harness (scripts/build.sh), redis-server, redis-benchmark, redis-cli, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
. bench/common.sh
ROUNDS=${1:-5}
REQUESTS=${2:-200000}
BIN=build/lua-harness
SCRIPT=lua/rate_limit.lua
NOW=1700000000000   # a fixed timestamp: redis-benchmark cannot template one, so both tools send the same
[ -x "$BIN" ] || { echo "peers.sh: $BIN missing: run scripts/build.sh first" >&2; exit 2; }
for t in redis-server redis-benchmark redis-cli python3; do
  command -v $t >/dev/null || { echo "peers.sh: $t not found (scripts/install-deps.sh installs it)" >&2; exit 2; }
done

PIN_SERVER=(); PIN_TOOL=()
if [ "${PEERS_PIN:-1}" != 0 ] && command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
  PIN_SERVER=(taskset -c 0); PIN_TOOL=(taskset -c 1)
fi

DIR=$(mktemp -d)
PORT=$(free_port)
TLS_SERVER=(); H_TARGET=(--target "redis://127.0.0.1:$PORT"); B_TARGET=(-p "$PORT")
if [ "${PEERS_TLS:-0}" = 1 ]; then
  make_tls_certs "$DIR"
  TPORT=$(free_port)
  TLS_SERVER=(--tls-port "$TPORT" --tls-cert-file "$DIR/server.crt" --tls-key-file "$DIR/server.key"
              --tls-ca-cert-file "$DIR/ca.crt" --tls-auth-clients no)
  H_TARGET=(--target "rediss://127.0.0.1:$TPORT" --tls-ca "$DIR/ca.crt")
  B_TARGET=(-p "$TPORT" --tls --cacert "$DIR/ca.crt")
fi
"${PIN_SERVER[@]}" redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$DIR" --daemonize no \
  --logfile "$DIR/redis.log" "${TLS_SERVER[@]}" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 100); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.05; done
SHA=$(redis-cli -p "$PORT" script load "$(cat $SCRIPT)")

server_cpu() { python3 -c 'import os,sys; f=open(f"/proc/{sys.argv[1]}/stat").read().rsplit(")",1)[1].split(); print((int(f[11])+int(f[12]))/os.sysconf("SC_CLK_TCK"))' "$SERVER"; }
# Runs a command; prints its own CPU seconds (user+sys of the command and its children) on fd 3.
timed() { python3 -c 'import resource,subprocess,sys
rc=subprocess.run(sys.argv[1:]).returncode
r=resource.getrusage(resource.RUSAGE_CHILDREN); print(r.ru_utime+r.ru_stime, file=open("/dev/fd/3","w")); sys.exit(rc)' "$@"; }

harness_round() {  # pipeline -> "ops/s client_cpu_s server_cpu_s"
  local s0 s1 cpu
  s0=$(server_cpu)
  cpu=$( { timed "${PIN_TOOL[@]}" "$BIN" run "${H_TARGET[@]}" --script "$SCRIPT" \
      --key 'ratelimit:user:${rand:1-50}' --arg 60 --arg 100 --arg "$NOW" --clients 50 --threads 1 \
      --pipeline "$1" --requests "$REQUESTS" --report "$DIR/h.json" --quiet >/dev/null; } 3>&1 )
  s1=$(server_cpu)
  echo "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["throughput_ops_s"])' \
    "$DIR/h.json") $cpu $(python3 -c "print($s1-$s0)")"
}

benchmark_round() {  # pipeline -> "ops/s client_cpu_s server_cpu_s"
  local s0 s1 cpu
  s0=$(server_cpu)
  cpu=$( { timed "${PIN_TOOL[@]}" redis-benchmark -h 127.0.0.1 "${B_TARGET[@]}" -c 50 --threads 1 -P "$1" -n "$REQUESTS" -r 50 --csv \
      EVALSHA "$SHA" 1 'ratelimit:user:__rand_int__' 60 100 "$NOW" | tail -n 1 | cut -d, -f2 | tr -d '"' \
      >"$DIR/b.txt"; } 3>&1 )
  s1=$(server_cpu)
  echo "$(cat "$DIR/b.txt") $cpu $(python3 -c "print($s1-$s0)")"
}

us_per_op() { python3 -c "print(f'{1e6*$1/$REQUESTS:.1f}')"; }

echo "peers$([ "${PEERS_TLS:-0}" = 1 ] && echo ' over TLS'): rate limiter EVALSHA, 50 keys, 50 clients, 1 client thread, $REQUESTS requests x $ROUNDS rounds," \
  "$([ ${#PIN_TOOL[@]} -gt 0 ] && echo 'server on CPU 0, tools on CPU 1' || echo 'not pinned')"
printf '%-9s %-12s %-16s %-7s %-22s %s\n' pipeline lua-harness redis-benchmark ratio \
  'client CPU us/op (h|b)' 'server CPU us/op (h|b)'
for P in 1 16; do
  H=(); B=(); HC=(); BC=(); HS=(); BS=()
  for r in $(seq "$ROUNDS"); do
    if (( r % 2 )); then h=$(harness_round "$P"); b=$(benchmark_round "$P")
    else b=$(benchmark_round "$P"); h=$(harness_round "$P"); fi
    read -r ho hc hs <<<"$h"; read -r bo bc bs <<<"$b"
    H+=("$ho"); HC+=("$hc"); HS+=("$hs"); B+=("$bo"); BC+=("$bc"); BS+=("$bs")
    redis-cli -p "$PORT" --scan --pattern 'ratelimit:user:*' | xargs -r redis-cli -p "$PORT" unlink >/dev/null
  done
  MH=$(median "${H[@]}"); MB=$(median "${B[@]}")
  printf '%-9s %-12.0f %-16.0f %-7s %-22s %s\n' "$P" "$MH" "$MB" "$(python3 -c "print(f'{$MH/$MB:.2f}x')")" \
    "$(us_per_op "$(median "${HC[@]}")") | $(us_per_op "$(median "${BC[@]}")")" \
    "$(us_per_op "$(median "${HS[@]}")") | $(us_per_op "$(median "${BS[@]}")")"
  printf '          rounds (ops/s): harness %s | benchmark %s\n' \
    "$(printf '%.0f ' "${H[@]}")" "$(printf '%.0f ' "${B[@]}")"
  # The best round of each tool: the least disturbed one, a second view on a noisy machine (not the target).
  BH=$(printf '%s\n' "${H[@]}" | sort -g | tail -1); BB=$(printf '%s\n' "${B[@]}" | sort -g | tail -1)
  printf '          best rounds: harness %.0f | benchmark %.0f (%s)\n' "$BH" "$BB" \
    "$(python3 -c "print(f'{$BH/$BB:.2f}x')")"
done
echo "targets: >= 1.2x at pipeline 1, >= 0.95x at pipeline 16"
