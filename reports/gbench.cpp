#include "reports/gbench.hpp"

namespace lh::reports {

nlohmann::json to_gbench_json(const Report& r) {
  using nlohmann::json;
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
                  {"seed", r.config.seed}};
  json benchmarks = json::array();
  int family = 0;
  for (const auto& x : r.results) {
    std::string name = x.scenario + "/" + x.variant;
    benchmarks.push_back({{"name", name},
                          {"family_index", family++},
                          {"per_family_instance_index", 0},
                          {"run_name", name},
                          {"run_type", "iteration"},
                          {"repetitions", 1},
                          {"repetition_index", 0},
                          {"threads", r.config.threads},
                          {"iterations", x.ops_total},
                          {"real_time", x.latency_us.mean},
                          {"cpu_time", x.latency_us.mean},
                          {"time_unit", "us"},
                          {"throughput_ops_s", x.throughput_ops_s},
                          {"p50_us", x.latency_us.p50},
                          {"p99_us", x.latency_us.p99},
                          {"p999_us", x.latency_us.p999},
                          {"violations", x.correctness.violations}});
  }
  return {{"context", context}, {"benchmarks", benchmarks}};
}

}  // namespace lh::reports
