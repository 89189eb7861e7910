#include "harness/reports/summary.hpp"

#include <algorithm>

#include "harness/reports/format.hpp"
#include "harness/scenarios/scenario.hpp"

namespace lh::reports {

std::string violations_explained(const Result& r) {
  if (const scenarios::Scenario* s = scenarios::find_scenario(r.scenario)) return s->explain(r);
  const int64_t v = std::max<int64_t>(r.correctness.violations, 0);
  return r.variant + " " + r.scenario + ": " + with_commas(static_cast<uint64_t>(v)) + " violations of \"" +
         r.correctness.invariant + "\"";
}

void demo_summary(const Report& report, std::ostream& out) {
  out << "\n";
  bool clean = !report.aborted && report.not_run.empty() && !report.interrupted;
  bool safe_failed = false;  // a variant safe by design showed violations
  for (const auto& r : report.results) {
    const std::string who = r.variant + " " + r.scenario;
    if (r.correctness.verdict == "inconclusive") {
      out << "  " << who << " is inconclusive: " << r.correctness.reason << ".\n";
      clean = false;
    } else if (!r.correctness.checked) {
      out << "  " << who << " was not checked"
          << (r.correctness.reason.empty() ? "" : ": " + r.correctness.reason) << ".\n";
      clean = false;
    } else if (r.correctness.violations > 0) {
      out << "  " << violations_explained(r) << ".\n";
      if (safe_violated(r.correctness)) safe_failed = true;
    }
  }
  for (const auto& n : report.not_run)
    out << "  " << n.variant << " " << n.scenario << " did not run: " << n.reason << ".\n";
  if (safe_failed) out << "  A variant that is safe by design showed violations: see the table above.\n";
  else if (clean) out << "  Every atomic script and transaction held its invariant.\n";
  else out << "  Not every variant could be judged: nothing is concluded about those above.\n";
}

}  // namespace lh::reports
