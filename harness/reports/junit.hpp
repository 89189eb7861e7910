// JUnit XML (`--junit F`) for CI test tabs: one <testsuite> per scenario with one <testcase> per variant's
// invariant, a "thresholds" suite with one <testcase> per threshold, and a "run" suite for what happened to
// the run as a whole. The file is valid against Jenkins' junit-10.xsd (tests/data/junit-10.xsd): <testsuites>
// carries only name, tests, failures, errors and time (the xsd refuses `skipped` there); each <testsuite>
// also carries skipped and timestamp.
//
// A variant's testcase fails when the variant is safe by design (atomic, transaction) and shows violations,
// or when its verdict is inconclusive (the message says why in words: "inconclusive: no op succeeded: ...").
// A naive variant's violations are the expected demonstration: its testcase passes and says how many in
// <system-out> ("naive SCENARIO: 37 lost updates of 10,000 ops"). An unchecked variant is <skipped>.
//
// A planned variant that did not run (Report::not_run) is a testcase too, so an interrupted run never looks
// complete: <skipped message="not run: interrupted"/> after SIGINT/SIGTERM/SIGHUP, else <error message="not
// run: REASON"/>. An aborted run (target lost) or one that ended before its load (Report::error) has an
// <error> testcase "run" (<skipped> when that end was an interrupt); keys left by cleanup are a failing
// testcase "cleanup". A report without any of
// these still has one testcase, so the file is never `tests="0"` (which some readers cannot parse).
#pragma once
#include <string>

#include "harness/model/report.hpp"

namespace lh::reports {

std::string to_junit_xml(const Report& report);

}  // namespace lh::reports
