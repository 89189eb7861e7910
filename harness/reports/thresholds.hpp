// --threshold EXPR: a gate on one metric over some result rows.
//
//   EXPR  := [SCOPE ':'] METRIC OP NUMBER
//   SCOPE := scenario | scenario '/' variant     ('*' matches any scenario or any variant: '*/atomic')
//            | name                              (a --workload entry's row, by its name; "total": the mix's)
//   METRIC:= p50_ms p90_ms p99_ms p999_ms max_ms mean_ms throughput violations error_rate indeterminate
//            dropped
//   OP    := < <= > >= == !=
//
// Examples: `p99_ms<5`, `throughput>=20000`, `SCENARIO/atomic:violations==0`, `*/atomic:violations==0`,
// `SCENARIO:error_rate<0.01`. An expression holds when it holds for EVERY row in its scope (unscoped = all rows),
// so `violations==0` fails on any naive variant (naive variants are expected to violate): scope it.
// A scope that holds an inconclusive row fails whatever the metric says: 0 violations among 0 successful
// ops proves nothing.
#pragma once
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "harness/model/report.hpp"

namespace lh::reports {

struct ThresholdSpec {
  std::string expr;      // as given (trimmed)
  std::string scenario;  // empty or "*" = every scenario
  std::string variant;   // empty or "*" = every variant
  std::string metric;    // one of all_metrics()
  std::string op;        // "<" "<=" ">" ">=" "==" "!="
  double number = 0;

  // "all", "SCENARIO", "SCENARIO/VARIANT", "*/VARIANT": what Threshold.scope says in the report.
  std::string scope() const;
  bool matches(const Result& r) const;
  bool holds(double value) const;  // value op number
};

// Throws std::invalid_argument with a one-line message naming the expression, e.g.
// `--threshold 'p99_ms<<5': unknown operator '<<' (expected one of < <= > >= == !=)`.
ThresholdSpec parse_threshold(const std::string& expr);

// Evaluates every spec (no short-circuit) over every row in its scope and replaces report.thresholds with one
// Threshold per spec: value = the worst value in the scope (the row that decides), detail = which row that
// was. A scope that matches no row fails ("no result row matches ...", naming the variants of the scope that
// did not run), and so does a scope holding an inconclusive row (the detail names it and says why). If any
// fails: verdict = "fail" and exit_code = max(exit_code, 1) (an interrupted run keeps 130). Passing
// thresholds change neither.
void evaluate_thresholds(const std::vector<ThresholdSpec>& specs, Report& report);

// Before the load: a one-line message when the spec's scope names no (scenario, variant) of the run's plan,
// e.g. "--threshold 'nosuch:p99_ms<5': no scenario or variant 'nosuch' in this run (it runs: SCENARIO/atomic,
// SCENARIO/naive)"; nullopt when some planned pair matches (an unscoped spec always matches). A --workload
// entry is planned as (name, "").
std::optional<std::string> threshold_scope_problem(
    const ThresholdSpec& spec, const std::vector<std::pair<std::string, std::string>>& planned);

}  // namespace lh::reports
