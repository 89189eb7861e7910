// The human table that `run` and `demo` print: one line per result row, then what else the reader must know.
#pragma once
#include <ostream>
#include <string>

#include "harness/model/report.hpp"

namespace lh::reports {

// Columns: scenario, variant, ops/s, p50 ms, p99 ms, ok/failed/indet, violations, verdict (pass, VIOLATED,
// "violated (expected)" for variants not safe by design, "not checked", "inconclusive"). Below, each only
// when there is something to say: why each inconclusive row is inconclusive (in words), any other row's
// correctness reason (why it was not checked, a failover behind violations), the variants that did not run
// and why, the run's error or abort reason, a cleanup that left keys, warnings; then each threshold
// with PASS/FAIL, its value and the row that decided.
void print_table(const Report& report, std::ostream& out);

// lua-harness capacity: the steps in the order they ran (target, achieved, p50, p99, error rate, dropped,
// met, why not), then the answer in one sentence. Nothing when the report has no capacity.
void print_capacity(const Report& report, std::ostream& out);
// The answer in one sentence: "41,200 ops/s is the highest rate that met every SLO (p99_ms<2); 42,000 ops/s
// failed: p99_ms<2 (...)", or why there is none.
std::string capacity_sentence(const Capacity& c);

}  // namespace lh::reports
