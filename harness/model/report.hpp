// The one report model (docs/contract.md "JSON report", schema_version 1). Every writer (JSON, console table,
// markdown, JUnit, gbench, HTML) and every gate (thresholds, compare) works from this model.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lh::reports {

struct LatencySummary {  // microseconds
  int64_t min = 0;
  double mean = 0;
  int64_t p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;
};

struct SeriesPoint {
  int64_t second = 0;
  uint64_t ops = 0;
  int64_t p50_us = 0;
  int64_t p99_us = 0;
  // Seconds of the run this point covers, in (0, 1]: 1 for every whole second; less for the last point when
  // the run ended mid-second. Rates are ops / span_s. Written to JSON only when < 1.
  double span_s = 1.0;
};

struct CurvePoint {
  double percentile = 0;
  int64_t value_us = 0;
};

struct Correctness {
  std::string invariant;
  bool safe_by_design = false;
  bool checked = false;
  int64_t violations = 0;
  // pass | violated | not-checked | inconclusive (no op succeeded, or failed + indeterminate above
  // --max-error-rate: nothing can be concluded, and the run fails)
  std::string verdict = "not-checked";
  nlohmann::json details = nlohmann::json::object();
  std::vector<std::string> examples;
  // Why the verdict is not-checked or inconclusive, in words ("no op succeeded: NOPERM ... for 258,960 of
  // 258,960 ops"); why violations of a safe variant may not be the script's (a failover). Written when not empty.
  std::string reason;
  // What the checker's history and final state cover: "measured" (no warmup), or "warmup+measured" (the final
  // state includes the warmup's ops, so the checker judges both while `ops` counts the measured period only).
  std::string period = "measured";
};

// True when a variant that is safe by design shows violations: a failure of the script (or of the target: a
// failover), never the expected demonstration a naive variant gives.
bool safe_violated(const Correctness& c);
// The one definition of "this result fails the run" (exit 1): a safe-by-design variant that shows violations
// (safe_violated), or an inconclusive one (nothing could be concluded). The runner's exit code, the gates
// (compare) and every writer's failed row ask this, so they cannot disagree.
bool fails_run(const Correctness& c);

struct Result {
  std::string scenario;  // a built-in scenario's name, or "custom" for --script
  std::string variant;   // "atomic" | "naive" | "transaction" | "gt" | "eval" ...
  // --workload: the entry's name (its row), or "total" for the mix's total row (scenario "workload", variant
  // "mix"). Empty outside a workload; JSON "name", written when not empty.
  std::string name;
  uint64_t ops_total = 0, ops_ok = 0, ops_failed = 0, ops_indeterminate = 0;
  // Open loop (--rate): ops scheduled in the measured period, and those of them that never started because the
  // client meant to send them was still busy (k6's dropped_iterations). Written only for open-loop runs.
  std::optional<uint64_t> ops_scheduled, ops_dropped;
  // The pipeline depth this variant ran with: --pipeline for single-call variants, 1 for multi-step ones.
  uint32_t pipeline = 1;
  std::map<std::string, uint64_t> errors;  // every contract class present, zero or not
  // The first message of each error class seen (only classes with errors > 0 and a message; passwords never
  // appear: addresses are host:port). Written to JSON only when not empty.
  std::map<std::string, std::string> error_examples;
  double commands_per_op = 1.0;
  uint64_t retries = 0;  // transaction variants: EXEC conflicts retried
  double duration_s = 0;
  double throughput_ops_s = 0;
  LatencySummary latency_us;
  std::optional<LatencySummary> uncorrected_latency_us;  // open loop (--rate) only
  std::vector<SeriesPoint> series;
  std::vector<CurvePoint> percentile_curve;
  std::map<std::string, uint64_t> ops_per_node;  // cluster runs
  Correctness correctness;
  // HdrHistogram's V2 compressed encoding, base64 ("HISTF..."; stats/hdr_encoding.hpp) of the latency
  // histogram behind latency_us (and uncorrected_latency_us), in microseconds; empty when not recorded.
  std::string latency_hdr, uncorrected_latency_hdr;
  // A shard's result (run --shard): everything `lua-harness merge` needs to merge it exactly (the histograms,
  // the series, the counts, the checker's state: engine/load_state.hpp). Absent in an unsharded run.
  std::optional<nlohmann::json> merge_state;
};

// fails_run(r.correctness): everything that decides it is in the result's correctness.
bool fails_run(const Result& r);

struct Threshold {
  std::string expr;   // as given
  std::string scope;  // "SCENARIO/VARIANT", "SCENARIO", "*/VARIANT", or "all"
  bool ok = false;
  double value = 0;    // the measured value that decided (worst over the scope)
  std::string detail;  // which row decided, when the scope holds several
};

struct Target {
  std::string mode = "standalone";  // standalone | cluster
  bool embedded = false;
  std::vector<std::string> nodes;  // host:port, or redacted URLs
  std::string redis_version;
  bool failover_detected = false;  // cluster: the topology changed during the run
  // Cluster: the masters when the run ended, when they differ from `nodes` (the masters at its start).
  std::vector<std::string> nodes_at_end;
  // JSON "tls" (written when true): rediss://; "tls_verified": the certificate and name were checked (false
  // with --tls-insecure).
  bool tls = false;
  bool tls_verified = false;
};

// One stage of --stages: the open-loop rate moves linearly from the previous stage's target (0 before the
// first) to `rate` over `duration_s`.
struct Stage {
  double duration_s = 0;
  double rate = 0;
};

struct Config {
  uint32_t clients = 0, threads = 0, pipeline = 1;
  double duration_s = 0;
  std::optional<uint64_t> requests;
  std::optional<double> rate;
  std::optional<uint64_t> keys;
  uint64_t seed = 0;
  double warmup_s = 0;
  double think_time_ms = 0;
  double max_error_rate = 0.01;  // --max-error-rate: above it a variant is inconclusive
  std::string key_prefix;
  std::vector<std::string> scenarios, variants;
  std::string script;  // --script path, when used
  bool eval = false;
  std::string function, fcall;  // --function LIB.lua and --fcall NAME, when used
  int64_t lock_ttl_ms = 0;      // --lock-ttl, when given (0: the scenario's default)
  // --shard INDEX/COUNT and --start-at (unix microseconds), when given; a merged report keeps COUNT (index
  // absent) and the start.
  std::optional<uint32_t> shard_index, shard_count;
  std::optional<int64_t> start_at_unix_us;
  std::vector<Stage> stages;  // --stages, when given (JSON "stages": [{"duration_s", "rate"}])
  std::string workload;       // --workload FILE.json, when given
};

// One measured step of `lua-harness capacity`: an open-loop run at `rate` with its own warmup.
struct CapacityStep {
  double rate = 0;      // the target, ops/s
  double achieved = 0;  // measured throughput, ops/s
  double p50_ms = 0, p99_ms = 0;
  double error_rate = 0;  // (failed + indeterminate) / total
  uint64_t dropped = 0;
  int64_t violations = 0;
  bool met = false;
  // Why the step did not meet the SLOs, one line each ("p99_ms<2: 3.41", "achieved 71 % of the target: the
  // generator was the limit (raise --clients or --threads)"). Empty when met.
  std::vector<std::string> failed;
};

// `lua-harness capacity`: the highest open-loop rate whose step met every SLO, and every step it ran.
struct Capacity {
  std::optional<double> max_rate;  // null: even --rate-start failed
  // What bounded the answer, in words: the SLO that failed first ("p99_ms<2"), the generator ("generator: ..."),
  // "--rate-max" when no step failed, or "interrupted".
  std::string limited_by;
  std::vector<std::string> slos;
  double rate_start = 0, rate_max = 0, precision = 0.02;
  double step_duration_s = 0, step_warmup_s = 0;
  std::vector<CapacityStep> steps;  // in the order they ran
};

// A (scenario, variant) of the plan that did not run, and why ("interrupted", "aborted: target lost").
struct NotRun {
  std::string scenario, variant, reason;
  bool interrupted = false;  // true: skipped because of SIGINT/SIGTERM/SIGHUP; false: the run was aborted
};

// Present when cleanup could not delete every key under the run's prefix.
struct Cleanup {
  int64_t keys_left = -1;  // -1: unknown (the target could not be asked)
  std::string reason;
};

struct Report {
  int schema_version = 1;
  std::string tool_name = "lua-harness";
  std::string tool_version = LH_VERSION;
  std::string started_at, finished_at;  // ISO 8601 UTC
  bool interrupted = false;
  Target target;
  Config config;
  std::vector<Result> results;
  std::vector<Threshold> thresholds;
  std::string verdict = "pass";  // pass | fail
  int exit_code = 0;
  std::vector<NotRun> not_run;         // JSON "not_run", when not empty
  std::optional<std::string> aborted;  // JSON "aborted": {"reason"}: the target was lost mid-run (exit 3)
  std::optional<Cleanup> cleanup;      // JSON "cleanup": {"keys_left", "reason"}
  std::optional<std::string> error;    // JSON "error": {"message"}: the run ended before its load (exit 2/3)
  std::vector<std::string> warnings;   // JSON "warnings", when not empty: said on stderr too
  std::optional<Capacity> capacity;    // JSON "capacity": `lua-harness capacity` only
};

nlohmann::json to_json(const Report& r);
// Throws std::runtime_error with a message naming the field when the document is not a schema-1 report.
Report report_from_json(const nlohmann::json& j);

}  // namespace lh::reports
