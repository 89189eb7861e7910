#!/usr/bin/env bash
# Real consumers of lua-harness's outputs (ctest `consumers`, label integration):
#   - Ajv (npm `ajv`, strict mode, the draft docs/report-schema.json declares) compiles the schema and
#     validates reports the binary wrote: a real run against the embedded redis-server, an interrupted run,
#     the minimal report of a run whose target cannot be reached (exit 3), and the golden reports of
#     tests/data/golden (aborted, inconclusive, ...);
#   - junit2json (npm) reads the JUnit files `lua-harness report X --junit J` writes for each of them, and
#     the testcase counts must match the report; xmllint validates each against Jenkins' junit-10.xsd;
#   - the gbench files must have a non-empty "benchmarks" list and say how the run ended in "context";
#   - kubernetes-models (npm) validates every object of deploy/kubernetes/*.yaml (read by js-yaml), and the
#     shards' and the merge's commands, exactly as the Indexed Job's pods would run them, run here against a
#     private redis-server: the merged report must hold every shard's ops and pass, its keys be gone.
# Usage: tests/consumers/run.sh PATH/TO/lua-harness
# npm packages go to tests/consumers/node_modules (package-lock.json pins them), never globally. When npm
# cannot install them: with CI=true the test fails; otherwise it is skipped (exit 77) with a message.
set -euo pipefail
BIN=${1:?usage: run.sh PATH/TO/lua-harness}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SCHEMA=$ROOT/docs/report-schema.json
XSD=$ROOT/tests/data/junit-10.xsd
GOLDEN=$ROOT/tests/data/golden

skip_or_fail() {  # $1: why
  if [ "${CI:-}" = "true" ]; then
    echo "consumers: FAIL: $1 (CI=true: no skipping)" >&2
    exit 1
  fi
  echo "consumers: SKIPPED: $1 (fails under CI=true)" >&2
  exit 77
}

command -v node >/dev/null || skip_or_fail "node is not installed"
command -v npm >/dev/null || skip_or_fail "npm is not installed"
command -v xmllint >/dev/null || skip_or_fail "xmllint is not installed (apt-get install libxml2-utils)"

# npm ci only when the lock file changed since the last install (the stamp holds its checksum): later runs
# start at once.
STAMP=$HERE/node_modules/.lh-lock-sha
want=$(sha256sum "$HERE/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$STAMP" 2>/dev/null || true)" != "$want" ]; then
  echo "consumers: npm ci in $HERE"
  if ! (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error); then
    skip_or_fail "npm ci failed in $HERE (no network or registry?)"
  fi
  echo "$want" >"$STAMP"
fi

WORK=$(mktemp -d /tmp/lh-consumers-XXXXXX)
RUN_PID=""
REDIS_PID=""
cleanup() {
  if [ -n "$RUN_PID" ] && kill -0 "$RUN_PID" 2>/dev/null; then kill -TERM "$RUN_PID" 2>/dev/null || true; fi
  if [ -n "$REDIS_PID" ]; then
    kill -TERM "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
check() { node "$HERE/check.mjs" "$@"; }
fail() {
  echo "consumers: FAIL: $*" >&2
  exit 1
}
expect_exit() {  # $1: expected code, $2: what, rest: the command
  local want=$1 what=$2 got=0
  shift 2
  "$@" >"$WORK/$what.out" 2>"$WORK/$what.err" || got=$?
  [ "$got" = "$want" ] || { cat "$WORK/$what.err" >&2; fail "$what: exit $got, expected $want"; }
}

# 1. A real run against the embedded redis-server, and an open-loop one (its uncorrected histogram too).
expect_exit 0 run "$BIN" run --scenario counter --variant atomic --duration 300ms --report "$WORK/run.json"
expect_exit 0 open-loop "$BIN" run --scenario counter,lock --variant atomic,naive --rate 5000 --duration 1s \
  --report "$WORK/open-loop.json"

# 2. An interrupted run: SIGINT once the first variant has finished (its line is on stderr), while others
#    are still to run.
"$BIN" run --scenario counter,cas --variant atomic,naive --duration 2s --report "$WORK/interrupted.json" \
  >"$WORK/interrupted.out" 2>"$WORK/interrupted.err" &
RUN_PID=$!
for _ in $(seq 1 1000); do
  grep -q '^counter/atomic:' "$WORK/interrupted.err" 2>/dev/null && break
  kill -0 "$RUN_PID" 2>/dev/null || break
  sleep 0.01
done
grep -q '^counter/atomic:' "$WORK/interrupted.err" || fail "interrupted: the first variant never finished"
kill -INT "$RUN_PID"
code=0
wait "$RUN_PID" || code=$?
RUN_PID=""
[ "$code" = 130 ] || { cat "$WORK/interrupted.err" >&2; fail "interrupted: exit $code, expected 130"; }

# 3. A target that cannot be reached: exit 3 and the minimal report.
expect_exit 3 error "$BIN" run --target redis://127.0.0.1:1 --scenario counter --variant atomic \
  --report "$WORK/error.json"
[ -s "$WORK/error.json" ] || fail "error: exit 3 wrote no report"

# 4. A capacity search (three steps, every one met up to --rate-max), a ramp of stages and a workload mix.
expect_exit 0 capacity "$BIN" capacity --script "$ROOT/lua/counter_incr.lua" --key 'c:${rand:1-10}' \
  --slo 'p99_ms<100' --rate-start 500 --rate-max 2000 --step-duration 300ms --step-warmup 100ms \
  --report "$WORK/capacity.json"
expect_exit 0 stages "$BIN" run --script "$ROOT/lua/counter_incr.lua" --key 'c:${rand:1-10}' \
  --stages 300ms:2000,300ms:0 --report "$WORK/stages.json"
printf '{"scripts": [{"name": "incr", "script": "%s", "keys": ["c"], "weight": 2},\n  {"name": "ctr", "scenario": "counter", "variant": "atomic"}]}\n' \
  "$ROOT/lua/counter_incr.lua" >"$WORK/mix.json"
expect_exit 0 workload "$BIN" run --workload "$WORK/mix.json" --duration 300ms --report "$WORK/workload.json"

REPORTS=("$WORK/run.json" "$WORK/open-loop.json" "$WORK/interrupted.json" "$WORK/error.json"
  "$WORK/capacity.json" "$WORK/stages.json" "$WORK/workload.json" "$GOLDEN"/*.report.json)

# The schema: strict compile, every report valid.
check schema "$SCHEMA" "${REPORTS[@]}"
# ... and the check can fail: a report with a wrong type is refused.
node -e 'const fs=require("fs");const j=JSON.parse(fs.readFileSync(process.argv[1]));j.results[0].ops.total="many";
  fs.writeFileSync(process.argv[2],JSON.stringify(j))' "$WORK/run.json" "$WORK/broken.json"
if check schema "$SCHEMA" "$WORK/broken.json" >/dev/null 2>&1; then fail "Ajv accepted a report with ops.total \"many\""; fi

# HdrHistogram's own reader: hdr-histogram-js decodes every latency_hdr to the report's numbers ...
check hdr "$WORK/run.json" "$WORK/open-loop.json" "$WORK/interrupted.json" "$WORK/capacity.json" "$WORK/workload.json"
# ... and the check can fail: a histogram with one count changed (p50 of another run) is refused.
node -e 'const fs=require("fs");const a=JSON.parse(fs.readFileSync(process.argv[1]));const b=JSON.parse(fs.readFileSync(process.argv[2]));
  a.results[0].latency_hdr=b.results[1].latency_hdr;fs.writeFileSync(process.argv[3],JSON.stringify(a))' \
  "$WORK/run.json" "$WORK/open-loop.json" "$WORK/swapped.json"
if check hdr "$WORK/swapped.json" >/dev/null 2>&1; then fail "the hdr check accepted another result's histogram"; fi

# JUnit and gbench from the binary, for each report.
for report in "${REPORTS[@]}"; do
  name=$(basename "$report" .json)
  expect_exit 0 "render-$name" "$BIN" report "$report" --junit "$WORK/$name.junit.xml" --gbench "$WORK/$name.gbench.json"
  xmllint --noout --schema "$XSD" "$WORK/$name.junit.xml" 2>"$WORK/$name.xmllint" ||
    { cat "$WORK/$name.xmllint" >&2; fail "$name.junit.xml is not valid against junit-10.xsd"; }
  check gbench "$WORK/$name.gbench.json" "$report"
done
# Hard numbers for the runs of this script (the rest are checked against their reports).
check junit "$WORK/run.junit.xml" "$WORK/run.json" 1
check junit "$WORK/interrupted.junit.xml" "$WORK/interrupted.json" 4
check junit "$WORK/error.junit.xml" "$WORK/error.json" 1
check junit "$WORK/capacity.junit.xml" "$WORK/capacity.json" 1
check junit "$WORK/workload.junit.xml" "$WORK/workload.json" 3
for report in "$GOLDEN"/*.report.json; do
  check junit "$WORK/$(basename "$report" .json).junit.xml" "$report"
done
# ... and these checks can fail: what the old writer wrote for an interrupt before the first result.
printf '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="lua-harness" tests="0" failures="0" errors="0" skipped="0" time="0.000">\n</testsuites>\n' \
  >"$WORK/old.junit.xml"
if xmllint --noout --schema "$XSD" "$WORK/old.junit.xml" 2>/dev/null; then fail "junit-10.xsd accepted skipped= on <testsuites>"; fi
if check junit "$WORK/old.junit.xml" "$WORK/error.json" >/dev/null 2>&1; then fail "junit2json check accepted tests=\"0\""; fi

# 4. The Kubernetes manifests: validated, then rehearsed locally with the pods' own commands (4 shards, 1 s).
K8S=$WORK/k8s
mkdir -p "$K8S/reports"
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$K8S" >"$K8S/redis.log" 2>&1 &
REDIS_PID=$!
for _ in $(seq 1 500); do redis-cli -p "$PORT" ping 2>/dev/null | grep -q PONG && break; sleep 0.01; done
redis-cli -p "$PORT" ping | grep -q PONG || fail "k8s: the private redis-server did not start"
PREFIX="lh:k8s-rehearsal:"
check k8s "$ROOT/deploy/kubernetes" "$K8S/plan.json" "TARGET=redis://127.0.0.1:$PORT" \
  "START_AT=$(($(date +%s) + 4))" DURATION=1s CLIENTS=8 "PREFIX=$PREFIX" "REPORTS=$K8S/reports"
argv_of() { node -e 'const p=require(process.argv[1]);const a=process.argv[2]==="merge"?p.merge:p.shards[+process.argv[2]];
  process.stdout.write(a.join("\0")+"\0")' "$K8S/plan.json" "$1"; }
SHARDS=$(node -p 'require(process.argv[1]).shards.length' "$K8S/plan.json")
pids=()
for i in $(seq 0 $((SHARDS - 1))); do
  mapfile -d '' -t argv < <(argv_of "$i")
  "$BIN" "${argv[@]}" >"$K8S/shard-$i.out" 2>"$K8S/shard-$i.err" &
  pids+=($!)
done
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || { cat "$K8S/shard-$i.err" >&2; fail "k8s: shard $i failed"; }
done
mapfile -d '' -t argv < <(argv_of merge)
# The merge pod's shell command, with this build's binary as `lua-harness` and the Secret's TARGET.
PATH="$(cd "$(dirname "$BIN")" && pwd):$PATH" TARGET="redis://127.0.0.1:$PORT" "${argv[@]}" \
  >"$K8S/merge.out" 2>"$K8S/merge.err" || { cat "$K8S/merge.err" >&2; fail "k8s: the merge failed"; }
check schema "$SCHEMA" "$K8S/reports/run.json" "$K8S"/reports/shard-*.json
xmllint --noout --schema "$XSD" "$K8S/reports/junit.xml" || fail "k8s: the merge's junit.xml is not valid"
node -e 'const fs=require("fs");const dir=process.argv[1];const n=+process.argv[2];
  const m=JSON.parse(fs.readFileSync(dir+"/run.json"));const r=m.results[0];let ops=0;
  for(let i=0;i<n;++i)ops+=JSON.parse(fs.readFileSync(dir+"/shard-"+i+".json")).results[0].ops.total;
  const bad=[];if(r.ops.total!==ops)bad.push("ops "+r.ops.total+" != the shards\x27 "+ops);
  if(r.correctness.verdict!=="pass")bad.push("verdict "+r.correctness.verdict);
  if(r.correctness.details.final!==r.correctness.details.acknowledged)bad.push("final != acknowledged");
  if(m.config.shard.count!==n||m.exit_code!==0)bad.push("shard count or exit code");
  if(bad.length){console.error("k8s merge: "+bad.join("; "));process.exit(1)}' "$K8S/reports" "$SHARDS" ||
  fail "k8s: the merged report does not add up"
[ "$(redis-cli -p "$PORT" --scan --pattern "$PREFIX*" | wc -l)" = 0 ] || fail "k8s: the merge left the run's keys"
# ... and the validation can fail: a Job whose completions is not a number is refused.
mkdir -p "$K8S/broken"
sed 's/^  completions: 4$/  completions: "four"/' "$ROOT/deploy/kubernetes/lua-harness.yaml" >"$K8S/broken/lua-harness.yaml"
cp "$ROOT/deploy/kubernetes/merge-job.yaml" "$ROOT/deploy/kubernetes/run-config.yaml" "$K8S/broken/"
if check k8s "$K8S/broken" "$K8S/broken.json" >"$K8S/broken.out" 2>&1; then fail "kubernetes-models accepted completions: \"four\""; fi
grep -q "kubernetes-models refuses it" "$K8S/broken.out" || { cat "$K8S/broken.out" >&2; fail "k8s: refused for another reason"; }

echo "consumers: ok (${#REPORTS[@]} reports: schema, JUnit, gbench, HdrHistogram; Kubernetes manifests rehearsed)"
