#!/usr/bin/env bash
# One long run, its memory sampled as it goes: is the harness's resident set flat over a run of any length?
# Usage: bench/memory_over_time.sh [BIN] DURATION EVERY_S -- RUN-FLAGS...
#   e.g. bench/memory_over_time.sh build/lua-harness 60m 60 -- --scenario counter --variant atomic --pipeline 16
# Starts its own redis-server on a free loopback port (the target), runs `BIN run --target ... --duration
# DURATION RUN-FLAGS`, and prints a markdown table of the harness's VmRSS and VmHWM (peak) every EVERY_S
# seconds, then the run's ops and verdict and the peak RSS of the whole process (/usr/bin/time).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"
BIN=$HERE/../build/lua-harness
if [ "${1:-}" != "" ] && [ -x "$1" ] && [ ! -d "$1" ]; then BIN=$1; shift; fi
DURATION=${1:?usage: memory_over_time.sh [BIN] DURATION EVERY_S -- RUN-FLAGS...}
EVERY=${2:?usage: memory_over_time.sh [BIN] DURATION EVERY_S -- RUN-FLAGS...}
shift 2
[ "${1:-}" = "--" ] && shift
WORK=$(mktemp -d /tmp/lh-memtime-XXXXXX)
PORT=$(free_port)
redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" >"$WORK/redis.log" 2>&1 &
REDIS=$!
RUN=
trap '[ -n "$RUN" ] && kill $RUN 2>/dev/null; kill $REDIS 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 500); do redis-cli -p "$PORT" ping 2>/dev/null | grep -q PONG && break; sleep 0.01; done
/usr/bin/time -f %M -o "$WORK/rss" "$BIN" run --target "redis://127.0.0.1:$PORT" --duration "$DURATION" \
  --quiet --report "$WORK/r.json" "$@" >"$WORK/out" 2>"$WORK/err" &
RUN=$!
echo "| elapsed s | VmRSS MiB | VmHWM MiB |"
echo "|---:|---:|---:|"
T0=$(date +%s)
while kill -0 $RUN 2>/dev/null; do
  sleep "$EVERY"
  # The harness is time's one child.
  PID=$(pgrep -P $RUN | head -1 || true)
  [ -n "$PID" ] || continue
  awk -v t=$(( $(date +%s) - T0 )) '/^VmRSS/ {r=$2} /^VmHWM/ {h=$2} END {if (r) printf "| %d | %.1f | %.1f |\n", t, r/1024, h/1024}' \
    "/proc/$PID/status" 2>/dev/null || true
done
wait $RUN || true
RUN=
python3 - "$WORK/r.json" "$WORK/rss" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
for x in r["results"]:
    c = x.get("correctness", {})
    print(f'{x.get("scenario", "script")}/{x.get("variant", "")}: {x["ops"]["total"]} ops, verdict {c.get("verdict")}, '
          f'violations {c.get("violations")}')
print(f'peak RSS of the process: {int(open(sys.argv[2]).read().split()[-1]) / 1024:.1f} MiB')
EOF
