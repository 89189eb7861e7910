// Google Benchmark JSON (`--gbench F`), so existing tooling tracks lua-harness runs: google/benchmark's
// tools/compare.py and github-action-benchmark's `googlecpp` tool read it as they read a benchmark binary's
// --benchmark_format=json output.
//
// One benchmark per result row: name = run_name = "scenario/variant", run_type "iteration",
// iterations = ops total, real_time = cpu_time = mean latency, time_unit "us", threads = worker threads,
// plus the counters throughput_ops_s, p50_us, p99_us, p999_us, violations as extra numeric fields.
#pragma once
#include <nlohmann/json.hpp>

#include "reports/report.hpp"

namespace lh::reports {

nlohmann::json to_gbench_json(const Report& report);

}  // namespace lh::reports
