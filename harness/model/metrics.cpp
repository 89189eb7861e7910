#include "harness/model/metrics.hpp"

namespace lh::reports {

namespace {
double ms(int64_t us) { return static_cast<double>(us) / 1000.0; }
}  // namespace

const std::vector<MetricInfo>& all_metrics() {
  static const std::vector<MetricInfo> metrics = {
      {"p50_ms", "median latency, ms", Better::lower, [](const Result& r) { return ms(r.latency_us.p50); }},
      {"p90_ms", "90th percentile latency, ms", Better::lower,
       [](const Result& r) { return ms(r.latency_us.p90); }},
      {"p99_ms", "99th percentile latency, ms", Better::lower,
       [](const Result& r) { return ms(r.latency_us.p99); }},
      {"p999_ms", "99.9th percentile latency, ms", Better::lower,
       [](const Result& r) { return ms(r.latency_us.p999); }},
      {"max_ms", "maximum latency, ms", Better::lower, [](const Result& r) { return ms(r.latency_us.max); }},
      {"mean_ms", "mean latency, ms", Better::lower,
       [](const Result& r) { return r.latency_us.mean / 1000.0; }},
      {"throughput", "completed ops per second", Better::higher,
       [](const Result& r) { return r.throughput_ops_s; }},
      {"violations", "invariant violations found by the checker", Better::lower,
       [](const Result& r) { return static_cast<double>(r.correctness.violations); }},
      {"error_rate", "(failed + indeterminate) / total ops", Better::lower,
       [](const Result& r) {
         if (r.ops_total == 0) return 0.0;
         return static_cast<double>(r.ops_failed + r.ops_indeterminate) / static_cast<double>(r.ops_total);
       }},
      {"indeterminate", "ops with an unknown outcome (timeouts, lost connections)", Better::lower,
       [](const Result& r) { return static_cast<double>(r.ops_indeterminate); }},
      {"dropped", "open loop: scheduled ops that could not start on time (every client busy); 0 closed loop",
       Better::lower, [](const Result& r) { return static_cast<double>(r.ops_dropped.value_or(0)); }},
  };
  return metrics;
}

const MetricInfo* find_metric(std::string_view name) {
  for (const auto& m : all_metrics())
    if (m.name == name) return &m;
  return nullptr;
}

std::string metric_names() {
  std::string s;
  for (const auto& m : all_metrics()) {
    if (!s.empty()) s += ' ';
    s += m.name;
  }
  return s;
}

}  // namespace lh::reports
