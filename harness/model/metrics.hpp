// The metrics that gates speak about (--threshold, compare --max-regression), each read from one Result row.
// One table, so a threshold and a regression limit named "p99_ms" mean exactly the same number.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "harness/model/report.hpp"

namespace lh::reports {

enum class Better { lower, higher };

struct MetricInfo {
  std::string_view name;         // "p99_ms"
  std::string_view description;  // "99th percentile latency, milliseconds"
  Better better;                 // which direction is an improvement
  double (*value)(const Result&);
};

// p50_ms p90_ms p99_ms p999_ms max_ms mean_ms (latency_us / 1000), throughput (ops/s), violations (count),
// error_rate ((failed + indeterminate) / total, 0 when total is 0), indeterminate (count), dropped (open
// loop: scheduled ops that never started on time, Result::ops_dropped; 0 when absent, as in a closed-loop
// run).
const std::vector<MetricInfo>& all_metrics();
const MetricInfo* find_metric(std::string_view name);  // nullptr when unknown
std::string metric_names();                            // "p50_ms p90_ms ... indeterminate", for messages

}  // namespace lh::reports
