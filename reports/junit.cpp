#include "reports/junit.hpp"

#include <algorithm>
#include <sstream>
#include <vector>

#include "reports/format.hpp"
#include "reports/xml.hpp"

namespace lh::reports {

namespace {

struct Case {
  std::string name, classname;
  double time_s = 0;
  std::string failure_message, failure_body;  // empty message = passed
  std::string skipped;                        // non-empty = skipped, with this message
  std::string system_out;
};

struct Suite {
  std::string name;
  std::vector<Case> cases;
  int failures() const {
    int n = 0;
    for (const auto& c : cases) n += !c.failure_message.empty();
    return n;
  }
  int skipped() const {
    int n = 0;
    for (const auto& c : cases) n += !c.skipped.empty();
    return n;
  }
  double time_s() const {
    double t = 0;
    for (const auto& c : cases) t += c.time_s;
    return t;
  }
};

Case variant_case(const Result& r) {
  Case c;
  c.classname = "lua-harness." + r.scenario;
  c.name = r.variant + (r.correctness.invariant.empty() ? "" : ": " + r.correctness.invariant);
  c.time_s = r.duration_s;
  std::ostringstream out;
  out << violation_sentence(r);
  if (r.correctness.violations > 0 && !r.correctness.safe_by_design)
    out << " (expected: " << r.variant << " is not safe by design)";
  out << "\n"
      << with_commas(static_cast<uint64_t>(r.throughput_ops_s + 0.5)) << " ops/s, p50 "
      << us_as_ms(static_cast<double>(r.latency_us.p50)) << " ms, p99 "
      << us_as_ms(static_cast<double>(r.latency_us.p99)) << " ms; ops ok/failed/indeterminate " << r.ops_ok
      << "/" << r.ops_failed << "/" << r.ops_indeterminate;
  if (!r.correctness.details.empty()) out << "\ndetails: " << r.correctness.details.dump();
  c.system_out = out.str();
  if (!r.correctness.checked || r.correctness.verdict == "not-checked") {
    c.skipped = "not checked: no checker for this run";
  } else if (row_failed(r)) {
    c.failure_message = violation_sentence(r) + " in a variant that is safe by design";
    std::ostringstream body;
    body << "invariant: " << r.correctness.invariant << "\n";
    for (const auto& e : r.correctness.examples) body << "example: " << e << "\n";
    c.failure_body = body.str();
  }
  return c;
}

void write_case(std::ostringstream& x, const Case& c) {
  x << "    <testcase name=\"" << xml_escape(c.name) << "\" classname=\"" << xml_escape(c.classname)
    << "\" time=\"" << fixed(c.time_s, 3) << "\">\n";
  if (!c.skipped.empty()) x << "      <skipped message=\"" << xml_escape(c.skipped) << "\"/>\n";
  if (!c.failure_message.empty())
    x << "      <failure message=\"" << xml_escape(c.failure_message) << "\" type=\"failure\">"
      << xml_escape(c.failure_body) << "</failure>\n";
  if (!c.system_out.empty()) x << "      <system-out>" << xml_escape(c.system_out) << "</system-out>\n";
  x << "    </testcase>\n";
}

}  // namespace

std::string to_junit_xml(const Report& r) {
  std::vector<Suite> suites;
  for (const auto& res : r.results) {
    auto it =
        std::find_if(suites.begin(), suites.end(), [&](const Suite& s) { return s.name == res.scenario; });
    if (it == suites.end()) it = suites.insert(suites.end(), Suite{res.scenario, {}});
    it->cases.push_back(variant_case(res));
  }
  if (!r.thresholds.empty()) {
    Suite th{"thresholds", {}};
    for (const auto& t : r.thresholds) {
      Case c;
      c.classname = "lua-harness.thresholds";
      c.name = t.expr;
      c.system_out = "scope " + t.scope + ", value " + compact_number(t.value) +
                     (t.detail.empty() ? "" : "; " + t.detail);
      if (!t.ok) {
        c.failure_message =
            "threshold " + t.expr + " failed: " + (t.detail.empty() ? compact_number(t.value) : t.detail);
        c.failure_body = c.failure_message + "\n";
      }
      th.cases.push_back(std::move(c));
    }
    suites.push_back(std::move(th));
  }

  int tests = 0, failures = 0, skipped = 0;
  double time_s = 0;
  for (const auto& s : suites) {
    tests += static_cast<int>(s.cases.size());
    failures += s.failures();
    skipped += s.skipped();
    time_s += s.time_s();
  }
  std::ostringstream x;
  x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x << "<testsuites name=\"lua-harness\" tests=\"" << tests << "\" failures=\"" << failures
    << "\" errors=\"0\" skipped=\"" << skipped << "\" time=\"" << fixed(time_s, 3) << "\">\n";
  for (const auto& s : suites) {
    x << "  <testsuite name=\"" << xml_escape(s.name) << "\" tests=\"" << s.cases.size() << "\" failures=\""
      << s.failures() << "\" errors=\"0\" skipped=\"" << s.skipped() << "\" time=\"" << fixed(s.time_s(), 3)
      << "\" timestamp=\"" << xml_escape(r.started_at) << "\">\n";
    for (const auto& c : s.cases) write_case(x, c);
    x << "  </testsuite>\n";
  }
  x << "</testsuites>\n";
  return x.str();
}

}  // namespace lh::reports
