// JUnit XML (`--junit F`) for CI test tabs: one <testsuite> per scenario with one <testcase> per variant's
// invariant, and a "thresholds" suite with one <testcase> per threshold.
//
// A variant's testcase fails only when the variant is safe by design (atomic, transaction) and shows
// violations. A naive variant's violations are the expected demonstration: its testcase passes and says
// how many in <system-out> ("naive counter: 37 lost updates of 10,000 ops"). An unchecked variant is
// <skipped>.
#pragma once
#include <string>

#include "reports/report.hpp"

namespace lh::reports {

std::string to_junit_xml(const Report& report);

}  // namespace lh::reports
