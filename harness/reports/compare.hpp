// `lua-harness compare BASE.json CURRENT.json`: the CI gate against a baseline. A pure function over two
// Reports; the CLI (harness/cli/cmd_compare.cpp) only loads files, calls it and prints.
#pragma once
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "harness/model/report.hpp"

namespace lh::reports {

// --max-regression METRIC=PCT: how much worse METRIC may get, in percent of the base value. "Worse" follows
// the metric: throughput regresses when it drops, latencies/violations/error_rate/indeterminate when they
// rise.
struct RegressionLimit {
  std::string metric;  // one of all_metrics()
  double max_pct = 0;  // >= 0
};

// "throughput=10%", "p99_ms=15" (the % is optional). Throws std::invalid_argument with a one-line message
// naming the argument, e.g. `--max-regression 'p95_ms=10%': unknown metric 'p95_ms' (expected one of ...)`.
RegressionLimit parse_regression_limit(const std::string& arg);
// Used when no --max-regression is given: throughput=10%, p99_ms=20%, violations=0%.
std::vector<RegressionLimit> default_regression_limits();

struct CompareRow {
  std::string scenario, variant, metric;
  double base = 0, current = 0;
  std::optional<double>
      change_pct;  // (current - base) / base * 100; nullopt when base is 0 and current is not
  double limit_pct = 0;
  // "ok", "improved", "REGRESSED", "expected" (violations of a variant that is not safe by design: the
  // demonstration, never a regression), or "inconclusive" (the current row is inconclusive: its numbers
  // judge nothing, and the row is in CompareResult::failing).
  std::string verdict;
  bool regressed() const { return verdict == "REGRESSED"; }
  std::string name;  // a --workload row's entry name (empty otherwise)
};

struct CompareResult {
  std::vector<CompareRow> rows;       // one per (row in both reports) x (limited metric), in CURRENT's order
  std::vector<std::string> problems;  // rows only in one report, schema mismatch: the comparison is partial
  std::vector<std::string> notes;  // different configs, interrupted runs: the numbers may not be comparable
  // What fails in the current report on its own, whatever the base says: a row that fails its run
  // (reports::fails_run: inconclusive, or violations in a variant safe by design), a run that ended with an
  // error or was aborted. "SCENARIO/VARIANT is inconclusive: no op succeeded: ...".
  std::vector<std::string> failing;
  bool regressed() const;
  // 1 when a row regressed beyond its limit, or something in `failing` (or, with strict, when there are
  // problems); else 0.
  int exit_code(bool strict = false) const;
};

CompareResult compare_reports(const Report& base, const Report& current,
                              const std::vector<RegressionLimit>& limits);

// The table people read in a CI log (the change with two decimals, more when two would hide which side of
// the limit it fell: "-10.03%", "-10.004%"), then what fails on its own, problems and notes, then one
// summary line.
void print_comparison(const CompareResult& result, std::ostream& out);

}  // namespace lh::reports
