#!/usr/bin/env bash
# Peak RSS of lua-harness (the harness alone: the target is a separate redis-server) per scenario, every
# variant in one process, at full speed, for each duration given: does memory grow with a run's length?
# Usage: bench/memory.sh [BIN] [DURATION...]     (default: build/lua-harness, 10s 60s)
# Prints a markdown table: scenario, duration, ops, peak RSS (MiB), and the growth against the first duration.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"
BIN=${1:-$HERE/../build/lua-harness}
shift || true
DURATIONS=("$@")
[ ${#DURATIONS[@]} -gt 0 ] || DURATIONS=(10s 60s)
SCENARIOS=${SCENARIOS:-counter cas rate-limiter lock inventory leaderboard}
WORK=$(mktemp -d /tmp/lh-memory-XXXXXX)
PORT=$(free_port)
redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" >"$WORK/redis.log" 2>&1 &
REDIS=$!
trap 'kill $REDIS 2>/dev/null; wait $REDIS 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 500); do redis-cli -p "$PORT" ping 2>/dev/null | grep -q PONG && break; sleep 0.01; done
echo "| scenario | variants | duration | ops | peak RSS MiB |"
echo "|---|---|---|---:|---:|"
for s in $SCENARIOS; do
  variants=$("$BIN" run --help >/dev/null 2>&1; case $s in
    leaderboard) echo atomic,gt,naive,transaction ;;
    rate-limiter) echo atomic,atomic-server-clock,naive,transaction ;;
    *) echo atomic,naive,transaction ;;
  esac)
  for d in "${DURATIONS[@]}"; do
    /usr/bin/time -f %M -o "$WORK/rss" "$BIN" run --target "redis://127.0.0.1:$PORT" --scenario "$s" \
      --variant "$variants" --duration "$d" --pipeline 16 --quiet --report "$WORK/r.json" >/dev/null 2>"$WORK/err" || true
    ops=$(python3 -c 'import json,sys; print(sum(r["ops"]["total"] for r in json.load(open(sys.argv[1]))["results"]))' "$WORK/r.json")
    rss=$(python3 -c 'import sys; print(f"{int(open(sys.argv[1]).read().split()[-1])/1024:.1f}")' "$WORK/rss")
    echo "| $s | $variants | $d | $ops | $rss |"
  done
done
