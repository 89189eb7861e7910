#!/usr/bin/env bash
# Real consumers of lua-harness's outputs (ctest `consumers`, label integration):
#   - Ajv (npm `ajv`, strict mode, the draft docs/report-schema.json declares) compiles the schema and
#     validates reports the binary wrote: a real run against the embedded redis-server, an interrupted run,
#     the minimal report of a run whose target cannot be reached (exit 3), and the golden reports of
#     tests/data/golden (aborted, inconclusive, ...);
#   - junit2json (npm) reads the JUnit files `lua-harness report X --junit J` writes for each of them, and
#     the testcase counts must match the report; xmllint validates each against Jenkins' junit-10.xsd;
#   - the gbench files must have a non-empty "benchmarks" list and say how the run ended in "context".
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
cleanup() {
  if [ -n "$RUN_PID" ] && kill -0 "$RUN_PID" 2>/dev/null; then kill -TERM "$RUN_PID" 2>/dev/null || true; fi
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

REPORTS=("$WORK/run.json" "$WORK/open-loop.json" "$WORK/interrupted.json" "$WORK/error.json" "$GOLDEN"/*.report.json)

# The schema: strict compile, every report valid.
check schema "$SCHEMA" "${REPORTS[@]}"
# ... and the check can fail: a report with a wrong type is refused.
node -e 'const fs=require("fs");const j=JSON.parse(fs.readFileSync(process.argv[1]));j.results[0].ops.total="many";
  fs.writeFileSync(process.argv[2],JSON.stringify(j))' "$WORK/run.json" "$WORK/broken.json"
if check schema "$SCHEMA" "$WORK/broken.json" >/dev/null 2>&1; then fail "Ajv accepted a report with ops.total \"many\""; fi

# HdrHistogram's own reader: hdr-histogram-js decodes every latency_hdr to the report's numbers ...
check hdr "$WORK/run.json" "$WORK/open-loop.json" "$WORK/interrupted.json"
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
for report in "$GOLDEN"/*.report.json; do
  check junit "$WORK/$(basename "$report" .json).junit.xml" "$report"
done
# ... and these checks can fail: what the old writer wrote for an interrupt before the first result.
printf '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="lua-harness" tests="0" failures="0" errors="0" skipped="0" time="0.000">\n</testsuites>\n' \
  >"$WORK/old.junit.xml"
if xmllint --noout --schema "$XSD" "$WORK/old.junit.xml" 2>/dev/null; then fail "junit-10.xsd accepted skipped= on <testsuites>"; fi
if check junit "$WORK/old.junit.xml" "$WORK/error.json" >/dev/null 2>&1; then fail "junit2json check accepted tests=\"0\""; fi

echo "consumers: ok (${#REPORTS[@]} reports: schema, JUnit, gbench, HdrHistogram)"
