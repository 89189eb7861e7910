// The one report model (CONTRACT.md "JSON report", schema_version 1). Every writer (JSON, console table,
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
  std::string verdict = "not-checked";  // pass | violated | not-checked
  nlohmann::json details = nlohmann::json::object();
  std::vector<std::string> examples;
};

struct Result {
  std::string scenario;  // "counter", ..., or "custom" for --script
  std::string variant;   // "atomic" | "naive" | "transaction" | "gt" | "eval" ...
  uint64_t ops_total = 0, ops_ok = 0, ops_failed = 0, ops_indeterminate = 0;
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
};

struct Threshold {
  std::string expr;   // as given
  std::string scope;  // "counter/atomic", "counter", or "all"
  bool ok = false;
  double value = 0;   // the measured value that decided (worst over the scope)
  std::string detail; // which row decided, when the scope holds several
};

struct Target {
  std::string mode = "standalone";  // standalone | cluster
  bool embedded = false;
  std::vector<std::string> nodes;   // host:port, or redacted URLs
  std::string redis_version;
  bool failover_detected = false;   // cluster: the topology changed during the run
  // Cluster: the masters when the run ended, when they differ from `nodes` (the masters at its start).
  std::vector<std::string> nodes_at_end;
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
  std::string key_prefix;
  std::vector<std::string> scenarios, variants;
  std::string script;  // --script path, when used
  bool eval = false;
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
};

nlohmann::json to_json(const Report& r);
// Throws std::runtime_error with a message naming the field when the document is not a schema-1 report.
Report report_from_json(const nlohmann::json& j);

}  // namespace lh::reports
