// The demo's conclusion (reports::demo_summary) says what each scenario's naive twin got wrong in the
// scenario's own sentence (Scenario::explain). Its text is pinned against the sentences cmd_run.cpp wrote
// before they moved into the scenarios: `legacy_sentence` below is that code, kept as the reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "harness/reports/format.hpp"
#include "harness/reports/summary.hpp"
#include "harness/scenarios/scenario.hpp"
#include "support/sample_report.hpp"

using namespace lh::reports;
using nlohmann::json;

namespace {

// cmd_run.cpp's sentence(), as it was: the reference the scenarios' explain() must reproduce byte for byte.
std::string legacy_sentence(const Result& r) {
  const auto n = [](int64_t v) { return with_commas(static_cast<uint64_t>(std::max<int64_t>(v, 0))); };
  const auto& d = r.correctness.details;
  const int64_t v = r.correctness.violations;
  const std::string who = r.variant + " " + r.scenario;
  if (r.scenario == "counter")
    return who + " lost " + n(v) + " of " + n(d.value("acknowledged", int64_t{0})) +
           " acknowledged increments";
  if (r.scenario == "cas") {
    const int64_t values = d.value("values_with_several_winners", int64_t{0});
    const int64_t extra = d.value("values_consumed_twice", int64_t{0});
    const int64_t breaks = d.value("chain_breaks", int64_t{0});
    std::string out = who + ": " + n(values) + (values == 1 ? " value was" : " values were") +
                      " consumed by more than one winning swap (" + n(extra) + " extra winners)";
    if (breaks > 0) out += ", and " + n(breaks) + " acknowledged swaps fell off the chain";
    return out;
  }
  if (r.scenario == "rate-limiter") return who + " admitted " + n(v) + " requests beyond its limit";
  if (r.scenario == "lock") return who + " let two clients hold the lock at once " + n(v) + " times";
  if (r.scenario == "inventory") return who + " oversold " + n(v) + " units";
  if (r.scenario == "leaderboard") return who + " lost the best score of " + n(v) + " members";
  return who + ": " + n(v) + " violations of \"" + r.correctness.invariant + "\"";
}

Result violated(const std::string& scenario, const std::string& variant, int64_t violations, json details) {
  Result r = lh::test::sample_result(scenario, variant, 1000, 900, violations);
  r.correctness.invariant = "the " + scenario + " invariant";
  r.correctness.details = std::move(details);
  return r;
}

// Results that exercise every branch of the old sentences: counts above 999 (commas), one value, the
// optional cas clause, details missing.
std::vector<Result> cases() {
  std::vector<Result> out;
  for (const lh::scenarios::Scenario* s : lh::scenarios::all_scenarios()) {
    const std::string name(s->name());
    out.push_back(violated(name, "naive", 1843, {{"acknowledged", 142800}, {"final", 140957}}));
    out.push_back(violated(name, "naive", 1, json::object()));
  }
  out.push_back(
      violated("cas", "naive", 205,
               {{"values_with_several_winners", 1}, {"values_consumed_twice", 1}, {"chain_breaks", 0}}));
  out.push_back(violated(
      "cas", "naive", 4100,
      {{"values_with_several_winners", 2050}, {"values_consumed_twice", 2050}, {"chain_breaks", 1234}}));
  out.push_back(violated("custom", "evalsha", 12345, json::object()));
  out.push_back(violated("a-scenario-this-build-lacks", "naive", 7, {{"anything", 1}}));
  return out;
}

std::string summary_of(const Report& r) {
  std::ostringstream out;
  demo_summary(r, out);
  return out.str();
}

}  // namespace

TEST(FactsDemoSummary, EachScenarioExplainsItsViolationsAsTheDemoDidBefore) {
  for (const Result& r : cases()) EXPECT_EQ(violations_explained(r), legacy_sentence(r)) << row_name(r);
}

TEST(FactsDemoSummary, SaysEachViolationThenThatASafeVariantFailed) {
  Report rep;
  rep.results = {violated("counter", "naive", 1843, {{"acknowledged", 142800}}),
                 lh::test::sample_result("counter", "atomic", 1000, 900, 0),
                 violated("custom", "evalsha", 3, json::object())};
  rep.results[2].correctness.safe_by_design = true;
  EXPECT_EQ(summary_of(rep),
            "\n  " + legacy_sentence(rep.results[0]) + ".\n  " + legacy_sentence(rep.results[2]) +
                ".\n  A variant that is safe by design showed violations: see the table above.\n");
}

TEST(FactsDemoSummary, ConcludesOnlyAboutWhatItSaw) {
  Report clean;
  clean.results = {violated("counter", "naive", 5, {{"acknowledged", 10}}),
                   lh::test::sample_result("counter", "atomic", 1000, 900, 0)};
  EXPECT_EQ(summary_of(clean), "\n  " + legacy_sentence(clean.results[0]) +
                                   ".\n  Every atomic script and transaction held its invariant.\n");

  Report partial = lh::test::sample_report();
  partial.results.resize(1);
  partial.results[0].correctness.checked = false;
  partial.results[0].correctness.verdict = "not-checked";
  partial.results[0].correctness.reason = "interrupted";
  Result inconclusive = lh::test::inconclusive_result("counter", "naive");
  partial.results.push_back(inconclusive);
  partial.not_run = {{"cas", "atomic", "interrupted", true}};
  EXPECT_EQ(summary_of(partial),
            "\n  atomic counter was not checked: interrupted.\n"
            "  naive counter is inconclusive: " +
                inconclusive.correctness.reason +
                ".\n"
                "  atomic cas did not run: interrupted.\n"
                "  Not every variant could be judged: nothing is concluded about those above.\n");

  Report interrupted;
  interrupted.interrupted = true;
  EXPECT_EQ(summary_of(interrupted),
            "\n  Not every variant could be judged: nothing is concluded about those above.\n");
}
