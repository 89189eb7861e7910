#include "harness/reports/gbench.hpp"

#include "harness/reports/format.hpp"

namespace lh::reports {

namespace {

using nlohmann::json;

// The fields every entry has; error_occurred/error_message as Google Benchmark's JSONReporter writes them
// for a benchmark that called SkipWithError.
json entry(const std::string& name, int family, uint32_t threads, const std::string& error) {
  json b = {{"name", name},          {"family_index", family},  {"per_family_instance_index", 0},
            {"run_name", name},      {"run_type", "iteration"}, {"repetitions", 1},
            {"repetition_index", 0}, {"threads", threads}};
  if (!error.empty()) {
    b["error_occurred"] = true;
    b["error_message"] = error;
  }
  return b;
}

}  // namespace

json to_gbench_json(const Report& r) {
  // Host facts (CPU, caches, load) are not in the report: a report may be rendered on another machine.
  json context = {{"date", r.started_at},
                  {"executable", r.tool_name},
                  {"lua_harness_version", r.tool_version},
                  {"library_build_type", "release"},
                  {"json_schema_version", 1},
                  {"redis_version", r.target.redis_version},
                  {"target_mode", r.target.mode},
                  {"clients", r.config.clients},
                  {"threads", r.config.threads},
                  {"pipeline", r.config.pipeline},
                  {"seed", r.config.seed},
                  // Strings, as Google Benchmark's own context values mostly are (library_build_type).
                  {"lua_harness_interrupted", r.interrupted ? "true" : "false"},
                  {"lua_harness_verdict", r.verdict},
                  {"lua_harness_exit_code", std::to_string(r.exit_code)}};
  if (r.aborted) context["lua_harness_aborted"] = *r.aborted;
  if (r.error) context["lua_harness_error"] = *r.error;
  if (r.cleanup) context["lua_harness_cleanup"] = cleanup_sentence(*r.cleanup, r.config.key_prefix);
  if (!r.not_run.empty()) {
    std::string text;
    for (const auto& n : r.not_run) text += (text.empty() ? "" : "; ") + not_run_sentence(n);
    context["lua_harness_not_run"] = text;
  }

  json benchmarks = json::array();
  int family = 0;
  for (const auto& x : r.results) {
    json b = entry(row_name(x), family++, r.config.threads,
                   is_inconclusive(x) ? "inconclusive: " + verdict_reason(x) : "");
    b["iterations"] = x.ops_total;
    b["real_time"] = x.latency_us.mean;
    b["cpu_time"] = x.latency_us.mean;
    b["time_unit"] = "us";
    b["throughput_ops_s"] = x.throughput_ops_s;
    b["p50_us"] = x.latency_us.p50;
    b["p99_us"] = x.latency_us.p99;
    b["p999_us"] = x.latency_us.p999;
    b["violations"] = x.correctness.violations;
    if (x.ops_dropped) b["dropped"] = *x.ops_dropped;
    benchmarks.push_back(std::move(b));
  }
  if (benchmarks.empty()) {  // consumers break on an empty list: one errored entry says why
    std::string why = r.error         ? "error: " + *r.error
                      : r.aborted     ? "aborted: " + *r.aborted
                      : r.interrupted ? "interrupted before any variant ran"
                                      : "the report holds no result";
    json b = entry("lua-harness/run", family, r.config.threads, why);
    b["iterations"] = 0;
    b["real_time"] = 0;
    b["cpu_time"] = 0;
    b["time_unit"] = "us";
    benchmarks.push_back(std::move(b));
  }
  return {{"context", context}, {"benchmarks", benchmarks}};
}

}  // namespace lh::reports
