// A fixed, realistic Report for the writers' golden tests and the schema tests: counter and cas, each atomic
// (0 violations) and naive (lost updates / conflicting swaps), with per-second series, percentile curves,
// error examples on the atomic rows and three evaluated thresholds (two pass, `throughput>20000` fails on the naive rows, so verdict "fail", exit
// 1). Deterministic: the same bytes every build, so goldens stay stable.
#pragma once
#include "reports/report.hpp"

namespace lh::test {

reports::Report sample_report();

// One result row with every field filled, for tests that build their own reports.
reports::Result sample_result(const std::string& scenario, const std::string& variant,
                              double throughput_ops_s, int64_t p99_us, int64_t violations);

}  // namespace lh::test
