// The consumers' side of lua-harness's outputs, run by run.sh. Each command exits 1 with a message naming
// the file when a consumer would reject it or it says something other than the report it came from.
//
//   node check.mjs schema SCHEMA.json REPORT.json...      Ajv (strict) compiles the schema, validates each
//   node check.mjs junit JUNIT.xml REPORT.json [TESTS]    junit2json reads it; testcases match the report
//   node check.mjs gbench GBENCH.json REPORT.json         a non-empty benchmarks list, the run's end in context
//   node check.mjs hdr REPORT.json...                     hdr-histogram-js decodes each latency_hdr to the
//                                                         report's count and percentiles
//   node check.mjs k8s DIR OUT.json KEY=VALUE...          js-yaml reads DIR/*.yaml, kubernetes-models
//                                                         validates every object, and OUT.json gets the
//                                                         shards' and the merge's commands as the pods would
//                                                         run them (KEY=VALUE overrides the ConfigMap/Secret)
import fs from "node:fs";
import { createRequire } from "node:module";
import { parse } from "junit2json";

const require = createRequire(import.meta.url);
const [command, ...args] = process.argv.slice(2);
let failed = false;
const fail = (file, message) => {
  console.error(`${file}: ${message}`);
  failed = true;
};
const readJson = (file) => JSON.parse(fs.readFileSync(file, "utf8"));

function ajvFor(schema) {
  // The draft the schema declares: 2020-12 needs Ajv's 2020 build, draft-07 the default one.
  const draft2020 = String(schema.$schema || "").includes("2020-12");
  const Ajv = (draft2020 ? require("ajv/dist/2020") : require("ajv")).default;
  // strict: unknown keywords, ignored keywords, unconstrained types and undefined required properties are
  // errors, not warnings.
  return new Ajv({ strict: true, allErrors: true });
}

function checkSchema(schemaFile, reports) {
  const schema = readJson(schemaFile);
  let validate;
  try {
    validate = ajvFor(schema).compile(schema);
  } catch (e) {
    fail(schemaFile, `does not compile under Ajv strict mode: ${e.message}`);
    return;
  }
  console.log(`${schemaFile}: compiles under Ajv strict mode (${schema.$schema})`);
  for (const file of reports) {
    if (!validate(readJson(file)))
      fail(file, "does not match the schema:\n  " + validate.errors.map((e) => `${e.instancePath} ${e.message}`).join("\n  "));
    else console.log(`${file}: valid`);
  }
}

function outcome(tc) {
  if (tc.failure) return "failure";
  if (tc.error) return "error";
  if (tc.skipped) return "skipped";
  return "passed";
}

async function checkJunit(file, reportFile, expectedTests) {
  const xml = fs.readFileSync(file, "utf8");
  const report = readJson(reportFile);
  let doc;
  try {
    doc = await parse(xml);
  } catch (e) {
    fail(file, `junit2json cannot parse it: ${e.message}`);
    return;
  }
  if (!doc || !Array.isArray(doc.testsuite) || doc.testsuite.length === 0) {
    fail(file, "junit2json found no <testsuite>");
    return;
  }
  const cases = doc.testsuite.flatMap((s) => s.testcase || []);
  const count = (what) => cases.filter((c) => outcome(c) === what).length;
  if (doc.tests !== cases.length) fail(file, `<testsuites tests="${doc.tests}"> but ${cases.length} testcases`);
  if (doc.failures !== count("failure")) fail(file, `failures="${doc.failures}" but ${count("failure")} <failure>`);
  if (doc.errors !== count("error")) fail(file, `errors="${doc.errors}" but ${count("error")} <error>`);
  if (cases.length === 0) fail(file, "no testcase: CI would show an empty test tab");
  if (expectedTests !== undefined && cases.length !== expectedTests)
    fail(file, `${cases.length} testcases, expected ${expectedTests}`);

  // Every result and every planned variant that did not run is a testcase of its scenario's suite.
  const named = (scenario, variant) =>
    cases.filter((c) => c.classname === `lua-harness.${scenario}` && (c.name === variant || c.name.startsWith(variant + ": ")));
  for (const r of report.results) {
    // A --workload's row leads with its entry's name: "limiter (evalsha): ...".
    const found = named(r.scenario, r.name ? `${r.name} (${r.variant})` : r.variant);
    if (found.length !== 1) fail(file, `${r.scenario}/${r.variant}: ${found.length} testcases, expected 1`);
    else if (r.correctness.verdict === "inconclusive" && outcome(found[0]) !== "failure")
      fail(file, `${r.scenario}/${r.variant} is inconclusive but its testcase is ${outcome(found[0])}`);
  }
  for (const n of report.not_run || []) {
    const found = named(n.scenario, n.variant);
    const want = n.interrupted ? "skipped" : "error";
    if (found.length !== 1 || outcome(found[0]) !== want)
      fail(file, `${n.scenario}/${n.variant} did not run: expected one ${want} testcase`);
  }
  const run = cases.filter((c) => c.classname === "lua-harness.run" && c.name === "run");
  if ((report.error || report.aborted) && !report.interrupted && (run.length !== 1 || outcome(run[0]) !== "error"))
    fail(file, `the run ${report.error ? "ended with an error" : "was aborted"}: expected an error testcase "run"`);
  if (report.cleanup && !cases.some((c) => c.name === "cleanup" && outcome(c) === "failure"))
    fail(file, "cleanup left keys: expected a failing testcase \"cleanup\"");
  const expectedFromReport =
    report.results.length + (report.not_run || []).length + report.thresholds.length +
    (report.error || report.aborted ? 1 : 0) + (report.cleanup ? 1 : 0) +
    (!report.results.length && !(report.not_run || []).length && !report.error && !report.aborted && !report.cleanup ? 1 : 0);
  if (cases.length !== expectedFromReport)
    fail(file, `${cases.length} testcases for a report that calls for ${expectedFromReport}`);
  console.log(`${file}: junit2json read ${cases.length} testcases (${count("failure")} failures, ` +
              `${count("error")} errors, ${count("skipped")} skipped)`);
}

function checkGbench(file, reportFile) {
  const g = readJson(file);
  const report = readJson(reportFile);
  if (!Array.isArray(g.benchmarks) || g.benchmarks.length === 0) fail(file, "empty \"benchmarks\"");
  const ctx = g.context || {};
  if (ctx.lua_harness_interrupted !== String(report.interrupted))
    fail(file, `context.lua_harness_interrupted is ${ctx.lua_harness_interrupted}, the report says ${report.interrupted}`);
  if (report.error && ctx.lua_harness_error !== report.error.message) fail(file, "context.lua_harness_error missing");
  if (report.aborted && ctx.lua_harness_aborted !== report.aborted.reason) fail(file, "context.lua_harness_aborted missing");
  for (const b of g.benchmarks) {
    // What github-action-benchmark's googlecpp extractor reads from each entry.
    if (typeof b.name !== "string" || typeof b.real_time !== "number" || typeof b.time_unit !== "string")
      fail(file, `entry ${JSON.stringify(b.name)} lacks name/real_time/time_unit`);
  }
  if (!report.results.length && !(g.benchmarks[0] || {}).error_occurred)
    fail(file, "no result: the one entry must have error_occurred");
  console.log(`${file}: ${g.benchmarks.length} benchmarks, interrupted=${ctx.lua_harness_interrupted}`);
}

// hdr-histogram-js (HdrHistogram's JavaScript port) decodes each result's latency_hdr ("HISTF...") and must
// find the count of ops the result measured (the sum of its per-second series) and, at the rank the report
// defines (max(1, ceil(p * count / 100)), forgiving float noise), the report's own p50/p90/p99/p99.9 (capped at its max, as the report
// caps them). hdr-histogram-js ranks by floor(p/100 * count + 0.5): asked for (rank - 0.25) / count, it picks
// that same rank.
function checkHdr(reports) {
  const hdr = require("hdr-histogram-js");
  let decoded = 0;
  for (const file of reports) {
    const report = readJson(file);
    for (const r of report.results || []) {
      for (const [field, latency] of [["latency_hdr", r.latency_us], ["uncorrected_latency_hdr", r.uncorrected_latency_us]]) {
        if (!r[field]) continue;
        const name = `${file}: ${r.scenario}/${r.variant} ${field}`;
        let h;
        try {
          h = hdr.decodeFromCompressedBase64(r[field], 64, false);
        } catch (e) {
          fail(name, `hdr-histogram-js cannot decode it: ${e.message}`);
          continue;
        }
        ++decoded;
        const count = (r.series || []).reduce((n, p) => n + p.ops, 0);
        if (field === "latency_hdr" && h.totalCount !== count)
          fail(name, `decodes to ${h.totalCount} values, the result measured ${count} ops`);
        for (const [p, key] of [[50, "p50"], [90, "p90"], [99, "p99"], [99.9, "p999"]]) {
          const exact = (p * h.totalCount) / 100;  // the report's rank (stats/histogram.cpp rank_at)
          const rank = Math.min(h.totalCount, Math.max(1, Math.ceil(exact - Math.min(exact * 1e-12, 1e-3))));
          const value = Math.min(h.getValueAtPercentile(((rank - 0.25) / h.totalCount) * 100), latency.max);
          if (value !== latency[key]) fail(name, `${key}: hdr-histogram-js says ${value}, the report ${latency[key]}`);
        }
        if (h.maxValue < latency.max) fail(name, `max ${h.maxValue} below the report's ${latency.max}`);
      }
    }
  }
  if (!decoded) fail(reports.join(" "), "no latency_hdr to decode");
  console.log(`hdr-histogram-js decoded ${decoded} histograms to the reports' counts and percentiles`);
}

// The manifests as Kubernetes would read them, and the commands their pods would run, for a local rehearsal.
async function checkK8s(dir, outFile, overrides) {
  const yaml = await import("js-yaml");
  const kinds = {
    ConfigMap: "kubernetes-models/v1/ConfigMap",
    Secret: "kubernetes-models/v1/Secret",
    PersistentVolumeClaim: "kubernetes-models/v1/PersistentVolumeClaim",
    Job: "kubernetes-models/batch/v1/Job",
  };
  const objects = [];
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort()) {
    for (const doc of yaml.loadAll(fs.readFileSync(`${dir}/${name}`, "utf8"))) {
      if (!doc) continue;
      const where = `${name}: ${doc.kind}/${doc.metadata && doc.metadata.name}`;
      if (!kinds[doc.kind]) {
        fail(where, "a kind this check does not know");
        continue;
      }
      const { [doc.kind]: Model } = require(kinds[doc.kind]);
      try {
        new Model(doc).validate();
      } catch (e) {
        fail(where, `kubernetes-models refuses it: ${e.message}`);
        continue;
      }
      objects.push(doc);
    }
  }
  const find = (kind, name) => objects.find((o) => o.kind === kind && o.metadata.name === name);
  const config = find("ConfigMap", "lua-harness-run"), secret = find("Secret", "lua-harness-target");
  const shards = find("Job", "lua-harness-shards"), merge = find("Job", "lua-harness-merge");
  if (!config || !secret || !shards || !merge) {
    fail(dir, "expected ConfigMap lua-harness-run, Secret lua-harness-target, Jobs lua-harness-shards and -merge");
    return;
  }
  const spec = shards.spec;
  if (spec.completionMode !== "Indexed") fail("lua-harness-shards", "completionMode is not Indexed");
  if (spec.completions !== spec.parallelism) fail("lua-harness-shards", "completions != parallelism");
  const c = spec.template.spec.containers[0];
  const env = { ...config.data, ...secret.stringData };
  for (const e of c.env || []) if (e.value !== undefined) env[e.name] = e.value;
  if (Number(env.SHARDS) !== spec.completions) fail("lua-harness-shards", `SHARDS ${env.SHARDS} != completions`);
  for (const kv of overrides) {
    const i = kv.indexOf("=");
    env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  // Kubernetes' $(VAR) expansion of a container's args.
  const expand = (text, vars) => text.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, v) => (v in vars ? vars[v] : m));
  const plan = { shards: [], merge: null, env };
  for (let i = 0; i < spec.completions; ++i)
    plan.shards.push(c.args.map((a) => expand(a, { ...env, JOB_COMPLETION_INDEX: String(i) })));
  const m = merge.spec.template.spec.containers[0];
  plan.merge = [...(m.command || []), ...m.args.map((a) => expand(a, env))];
  // The shared volume, when rehearsed locally: REPORTS=DIR stands for /reports.
  if (env.REPORTS) {
    const local = (a) => a.split("/reports/").join(`${env.REPORTS}/`);
    plan.shards = plan.shards.map((argv) => argv.map(local));
    plan.merge = plan.merge.map(local);
  }
  fs.writeFileSync(outFile, JSON.stringify(plan, null, 2));
  console.log(`kubernetes-models validated ${objects.length} objects; ${spec.completions} shards planned`);
}

if (command === "schema") checkSchema(args[0], args.slice(1));
else if (command === "junit") await checkJunit(args[0], args[1], args[2] === undefined ? undefined : Number(args[2]));
else if (command === "gbench") checkGbench(args[0], args[1]);
else if (command === "hdr") checkHdr(args);
else if (command === "k8s") await checkK8s(args[0], args[1], args.slice(2));
else {
  console.error("usage: node check.mjs schema|junit|gbench|hdr|k8s ...");
  process.exit(2);
}
process.exit(failed ? 1 : 0);
