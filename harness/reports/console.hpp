// The human table that `run` and `demo` print: one line per result row, then what else the reader must know.
#pragma once
#include <ostream>

#include "harness/model/report.hpp"

namespace lh::reports {

// Columns: scenario, variant, ops/s, p50 ms, p99 ms, ok/failed/indet, violations, verdict (pass, VIOLATED,
// "violated (expected)" for variants not safe by design, "not checked", "inconclusive"). Below, each only
// when there is something to say: why each inconclusive row is inconclusive (in words), any other row's
// correctness reason (why it was not checked, a failover behind violations), the variants that did not run
// and why, the run's error or abort reason, a cleanup that left keys, warnings; then each threshold
// with PASS/FAIL, its value and the row that decided.
void print_table(const Report& report, std::ostream& out);

}  // namespace lh::reports
