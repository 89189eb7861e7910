#include "harness/reports/junit.hpp"

#include <algorithm>
#include <sstream>
#include <vector>

#include "harness/reports/format.hpp"
#include "harness/reports/xml.hpp"

namespace lh::reports {

namespace {

struct Case {
  std::string name, classname;
  double time_s = 0;
  // At most one outcome element: <failure> (the check failed), <error> (the test could not run or ended
  // abnormally) or <skipped>. All empty = passed.
  std::string failure_message, failure_type = "failure", failure_body;
  std::string error_message, error_type = "error", error_body;
  std::string skipped;
  std::string system_out;
};

struct Suite {
  std::string name;
  std::vector<Case> cases;
  std::string system_err;  // run-level warnings
  int failures() const {
    return static_cast<int>(
        std::count_if(cases.begin(), cases.end(), [](const Case& c) { return !c.failure_message.empty(); }));
  }
  int errors() const {
    return static_cast<int>(
        std::count_if(cases.begin(), cases.end(), [](const Case& c) { return !c.error_message.empty(); }));
  }
  int skipped() const {
    return static_cast<int>(
        std::count_if(cases.begin(), cases.end(), [](const Case& c) { return !c.skipped.empty(); }));
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
  // A --workload's row leads with its entry's name: two script entries are both custom/evalsha.
  c.name = (r.name.empty() ? r.variant : r.name + " (" + r.variant + ")") +
           (r.correctness.invariant.empty() ? "" : ": " + r.correctness.invariant);
  c.time_s = r.duration_s;
  std::ostringstream out;
  out << violation_sentence(r);
  if (r.correctness.violations > 0 && !r.correctness.safe_by_design)
    out << " (expected: " << r.variant << " is not safe by design)";
  out << "\n"
      << ops_per_s(r.throughput_ops_s) << " ops/s, p50 " << us_as_ms(static_cast<double>(r.latency_us.p50))
      << " ms, p99 " << us_as_ms(static_cast<double>(r.latency_us.p99)) << " ms; ops ok/failed/indeterminate "
      << r.ops_ok << "/" << r.ops_failed << "/" << r.ops_indeterminate;
  if (r.ops_dropped && *r.ops_dropped > 0)
    out << "; " << with_commas(*r.ops_dropped) << " scheduled ops dropped (every client busy)";
  if (!r.correctness.details.empty()) out << "\ndetails: " << r.correctness.details.dump();
  if (!r.correctness.reason.empty()) out << "\nreason: " << r.correctness.reason;
  c.system_out = out.str();
  if (is_inconclusive(r)) {  // before "not checked": an inconclusive row fails whether it was checked or not
    c.failure_message = "inconclusive: " + verdict_reason(r);
    c.failure_type = "inconclusive";
    c.failure_body = inconclusive_sentence(r) + "\nops ok/failed/indeterminate " + std::to_string(r.ops_ok) +
                     "/" + std::to_string(r.ops_failed) + "/" + std::to_string(r.ops_indeterminate) + "\n";
    for (const auto& [k, message] : r.error_examples)
      c.failure_body.append("first ").append(k).append(" error: ").append(message).append("\n");
  } else if (!r.correctness.checked || r.correctness.verdict == "not-checked") {
    c.skipped =
        "not checked: " + (r.correctness.reason.empty() ? "no checker for this run" : r.correctness.reason);
  } else if (fails_run(r)) {
    c.failure_message = violation_sentence(r) + " in a variant that is safe by design";
    std::ostringstream body;
    body << "invariant: " << r.correctness.invariant << "\n";
    if (!r.correctness.reason.empty()) body << "note: " << r.correctness.reason << "\n";
    for (const auto& e : r.correctness.examples) body << "example: " << e << "\n";
    c.failure_body = body.str();
  }
  return c;
}

Case not_run_case(const NotRun& n) {
  Case c;
  c.classname = "lua-harness." + n.scenario;
  c.name = n.variant;
  const std::string why =
      "not run: " + (n.reason.empty() ? (n.interrupted ? "interrupted" : "aborted") : n.reason);
  if (n.interrupted) {
    c.skipped = why;
  } else {
    c.error_message = why;
    c.error_type = "not-run";
  }
  c.system_out = not_run_sentence(n);
  return c;
}

Suite& suite_of(std::vector<Suite>& suites, const std::string& name) {
  auto it = std::find_if(suites.begin(), suites.end(), [&](const Suite& s) { return s.name == name; });
  if (it == suites.end()) it = suites.insert(suites.end(), Suite{name, {}, {}});
  return *it;
}

// The "run" suite: how the run as a whole ended, when that is not just its results.
Suite run_suite(const Report& r) {
  Suite s{"run", {}, {}};
  if (r.error || r.aborted) {
    Case c;
    c.classname = "lua-harness.run";
    c.name = "run";
    if (r.error && r.interrupted) {  // SIGINT before the load: the user's choice, as for not-run variants
      c.skipped = "interrupted before the load: " + *r.error;
    } else if (r.error) {
      c.error_message = "error: " + *r.error;
      c.error_type = "error";
    } else {
      c.error_message = "aborted: " + *r.aborted;
      c.error_type = "aborted";
    }
    std::ostringstream body;
    if (r.error) body << "the run ended before its load: " << *r.error << "\n";
    if (r.aborted) body << "the run was aborted: " << *r.aborted << "\n";
    body << "exit code " << r.exit_code << "; " << r.results.size() << " results, " << r.not_run.size()
         << " variants not run\n";
    (c.skipped.empty() ? c.error_body : c.system_out) = body.str();
    s.cases.push_back(std::move(c));
  }
  if (r.cleanup) {
    Case c;
    c.classname = "lua-harness.run";
    c.name = "cleanup";
    c.failure_message = cleanup_sentence(*r.cleanup, r.config.key_prefix);
    c.failure_type = "cleanup";
    c.failure_body = c.failure_message + "\n";
    s.cases.push_back(std::move(c));
  }
  if (s.cases.empty() && r.results.empty() && r.not_run.empty()) {
    // Nothing else to say: still one testcase, so the file is never tests="0" and the CI tab shows why.
    Case c;
    c.classname = "lua-harness.run";
    c.name = "run";
    if (r.interrupted) {
      c.skipped = "interrupted before any variant ran";
    } else {
      c.error_message = "the report holds no result";
      c.error_type = "no-results";
    }
    s.cases.push_back(std::move(c));
  }
  return s;
}

void write_case(std::ostringstream& x, const Case& c) {
  x << "    <testcase name=\"" << xml_escape(c.name) << "\" classname=\"" << xml_escape(c.classname)
    << "\" time=\"" << fixed(std::max(0.0, c.time_s), 3) << "\">\n";
  if (!c.skipped.empty()) x << "      <skipped message=\"" << xml_escape(c.skipped) << "\"/>\n";
  if (!c.error_message.empty())
    x << "      <error message=\"" << xml_escape(c.error_message) << "\" type=\"" << xml_escape(c.error_type)
      << "\">" << xml_escape(c.error_body) << "</error>\n";
  if (!c.failure_message.empty())
    x << "      <failure message=\"" << xml_escape(c.failure_message) << "\" type=\""
      << xml_escape(c.failure_type) << "\">" << xml_escape(c.failure_body) << "</failure>\n";
  if (!c.system_out.empty()) x << "      <system-out>" << xml_escape(c.system_out) << "</system-out>\n";
  x << "    </testcase>\n";
}

}  // namespace

std::string to_junit_xml(const Report& r) {
  std::vector<Suite> suites;
  for (const auto& res : r.results) suite_of(suites, res.scenario).cases.push_back(variant_case(res));
  for (const auto& n : r.not_run) suite_of(suites, n.scenario).cases.push_back(not_run_case(n));
  if (!r.thresholds.empty()) {
    Suite th{"thresholds", {}, {}};
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
  if (Suite run = run_suite(r); !run.cases.empty()) suites.push_back(std::move(run));
  if (!r.warnings.empty()) {
    std::string text;
    for (const auto& w : r.warnings) text += "warning: " + w + "\n";
    suites.back().system_err = text;  // never empty: no result and no not-run gives a "run" case
  }

  int tests = 0, failures = 0, errors = 0;
  double time_s = 0;
  for (const auto& s : suites) {
    tests += static_cast<int>(s.cases.size());
    failures += s.failures();
    errors += s.errors();
    time_s += s.time_s();
  }
  std::ostringstream x;
  x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  // junit-10.xsd allows name, tests, failures, errors and time here (not skipped).
  x << "<testsuites name=\"lua-harness\" tests=\"" << tests << "\" failures=\"" << failures << "\" errors=\""
    << errors << "\" time=\"" << fixed(time_s, 3) << "\">\n";
  for (const auto& s : suites) {
    x << "  <testsuite name=\"" << xml_escape(s.name) << "\" tests=\"" << s.cases.size() << "\" failures=\""
      << s.failures() << "\" errors=\"" << s.errors() << "\" skipped=\"" << s.skipped() << "\" time=\""
      << fixed(s.time_s(), 3) << "\"";
    if (!r.started_at.empty()) x << " timestamp=\"" << xml_escape(r.started_at) << "\"";
    x << ">\n";
    for (const auto& c : s.cases) write_case(x, c);
    if (!s.system_err.empty()) x << "    <system-err>" << xml_escape(s.system_err) << "</system-err>\n";
    x << "  </testsuite>\n";
  }
  x << "</testsuites>\n";
  return x.str();
}

}  // namespace lh::reports
