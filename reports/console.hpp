// The human table that `run` and `demo` print: one line per result row, then the thresholds.
#pragma once
#include <ostream>

#include "reports/report.hpp"

namespace lh::reports {

// Columns: scenario, variant, ops/s, p50 ms, p99 ms, ok/failed/indet, violations, verdict (pass, VIOLATED,
// "violated (expected)" for variants not safe by design, "not checked"). Below: each threshold with
// PASS/FAIL, its value and the row that decided. Prints nothing for thresholds when there are none.
void print_table(const Report& report, std::ostream& out);

}  // namespace lh::reports
