// The demo's conclusion in words, after its table: what each variant that showed violations got wrong (in
// its scenario's own sentence, Scenario::explain), what could not be judged, and one closing line that never
// says "everything held" about something the run did not see.
#pragma once
#include <ostream>
#include <string>

#include "harness/model/report.hpp"

namespace lh::reports {

// The scenario's explain() ("naive SCENARIO lost 37 of 10,000 acknowledged increments"); for --script runs
// and scenarios this build does not know, "naive x: 37 violations of \"<invariant>\"". No trailing period.
std::string violations_explained(const Result& r);

// The demo's closing lines, each indented two spaces, after a blank line.
void demo_summary(const Report& report, std::ostream& out);

}  // namespace lh::reports
