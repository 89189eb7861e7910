// Google Benchmark JSON (`--gbench F`), so existing tooling tracks lua-harness runs: google/benchmark's
// tools/compare.py and github-action-benchmark's `googlecpp` tool read it as they read a benchmark binary's
// --benchmark_format=json output.
//
// One benchmark per result row: name = run_name = "scenario/variant", run_type "iteration",
// iterations = ops total, real_time = cpu_time = mean latency, time_unit "us", threads = worker threads,
// plus the counters throughput_ops_s, p50_us, p99_us, p999_us, violations, dropped as extra numeric fields.
//
// What went wrong is said the way Google Benchmark says it for a benchmark that called SkipWithError:
// "error_occurred": true and "error_message" on the entry. An inconclusive row carries them ("inconclusive:
// REASON"). When the report has no result at all (the run ended before its load, or was interrupted or
// aborted before the first variant finished), one entry "lua-harness/run" with zero iterations carries the
// error, so "benchmarks" is never empty. Variants that did not run get no entry (github-action-benchmark
// would chart their zeros as real timings); the context lists them. The context says how the run ended:
// "lua_harness_interrupted" ("true"/"false"), "lua_harness_verdict", "lua_harness_exit_code", and when
// present "lua_harness_aborted", "lua_harness_error", "lua_harness_cleanup", "lua_harness_not_run" (text).
#pragma once
#include <nlohmann/json.hpp>

#include "harness/model/report.hpp"

namespace lh::reports {

nlohmann::json to_gbench_json(const Report& report);

}  // namespace lh::reports
