// lua-harness capacity without a server: the search's steps (doubling, then halving the bracket to
// --precision), a step's judgement from its results, and the answer's sentence.
#include <gtest/gtest.h>

#include <functional>

#include "harness/app/capacity.hpp"
#include "harness/reports/console.hpp"

namespace lh::app {
namespace {

// Runs the search against a target that meets the SLOs up to `limit` ops/s; returns the rates tried.
std::vector<double> search(CapacityConfig c, const std::function<bool(double)>& meets,
                           std::optional<double>* best = nullptr) {
  CapacitySearch s(c);
  std::vector<double> tried;
  while (auto r = s.next()) {
    tried.push_back(*r);
    s.record(*r, meets(*r));
    if (tried.size() > 100) break;  // a search that never ends fails below
  }
  if (best) *best = s.best();
  return tried;
}

TEST(CapacitySearch, DoublesUntilAStepFailsThenHalvesTheBracketToPrecision) {
  CapacityConfig c;
  c.rate_start = 100;
  c.rate_max = 1e6;
  c.precision = 0.02;
  std::optional<double> best;
  const auto tried = search(
      c, [](double r) { return r <= 4321; }, &best);
  ASSERT_GE(tried.size(), 8u);
  EXPECT_EQ(std::vector<double>(tried.begin(), tried.begin() + 8),
            (std::vector<double>{100, 200, 400, 800, 1600, 3200, 6400, 4800}));
  ASSERT_TRUE(best);
  EXPECT_LE(*best, 4321);
  EXPECT_GE(*best, 4321 * (1 - 0.02));  // within the precision of the true limit
  EXPECT_LT(tried.size(), 20u);
}

TEST(CapacitySearch, ATighterPrecisionTakesMoreStepsAndComesCloser) {
  CapacityConfig loose, tight;
  loose.precision = 0.10;
  tight.precision = 0.005;
  std::optional<double> a, b;
  const auto la = search(
      loose, [](double r) { return r <= 7777; }, &a);
  const auto lb = search(
      tight, [](double r) { return r <= 7777; }, &b);
  EXPECT_LT(la.size(), lb.size());
  ASSERT_TRUE(a && b);
  EXPECT_GE(*b, *a);
  EXPECT_GE(*b, 7777 * 0.995);
}

TEST(CapacitySearch, StopsAtRateMaxWhenNothingFails) {
  CapacityConfig c;
  c.rate_start = 1000;
  c.rate_max = 5000;
  std::optional<double> best;
  const auto tried = search(
      c, [](double) { return true; }, &best);
  EXPECT_EQ(tried, (std::vector<double>{1000, 2000, 4000, 5000}));
  EXPECT_EQ(best, 5000);
}

TEST(CapacitySearch, NoAnswerWhenTheFirstStepFails) {
  CapacityConfig c;
  std::optional<double> best;
  const auto tried = search(
      c, [](double) { return false; }, &best);
  EXPECT_EQ(tried, std::vector<double>{100});
  EXPECT_FALSE(best);
}

reports::Result row(double rate, int64_t p99_us, uint64_t dropped = 0) {
  reports::Result r;
  r.scenario = "custom";
  r.variant = "evalsha";
  r.ops_total = r.ops_ok = static_cast<uint64_t>(rate * 3);
  r.ops_scheduled = r.ops_total + dropped;
  r.ops_dropped = dropped;
  r.duration_s = 3;
  r.throughput_ops_s = rate;
  r.latency_us.p50 = p99_us / 4;
  r.latency_us.p99 = p99_us;
  r.correctness.verdict = "not-checked";
  return r;
}

TEST(CapacityStep, MetWhenEverySloHoldsAndTheRateWasOffered) {
  const auto slos = {reports::parse_threshold("p99_ms<2")};
  std::string cause;
  auto s = judge_step(1000, {row(999, 1500)}, slos, 50, 1, 3, &cause);
  EXPECT_TRUE(s.met);
  EXPECT_TRUE(s.failed.empty());
  EXPECT_DOUBLE_EQ(s.p99_ms, 1.5);
  EXPECT_DOUBLE_EQ(s.achieved, 999);
  EXPECT_TRUE(cause.empty());
}

TEST(CapacityStep, TheDrainTailOfASlowScriptIsNoShortfall) {
  // 3 s of 1,000 ops/s whose last op completed 400 ms after the step: 3,000 ops over 3.4 s is 88 % of the
  // target, yet every op was sent on its slot. Achieved counts the ops over the step.
  auto r = row(1000, 900);
  r.duration_s = 3.4;
  r.throughput_ops_s = 3000 / 3.4;
  auto s = judge_step(1000, {r}, {reports::parse_threshold("p99_ms<2")}, 50, 1, 3);
  EXPECT_TRUE(s.met) << (s.failed.empty() ? "" : s.failed[0]);
  EXPECT_DOUBLE_EQ(s.achieved, 1000);
}

TEST(CapacityStep, FailsTheSloFirstThenSaysWhyElse) {
  const auto slos = {reports::parse_threshold("p99_ms<2")};
  std::string cause;
  auto s = judge_step(1000, {row(1000, 2500)}, slos, 50, 1, 3, &cause);
  EXPECT_FALSE(s.met);
  EXPECT_EQ(cause, "p99_ms<2");
  ASSERT_EQ(s.failed.size(), 1u);
  EXPECT_NE(s.failed[0].find("p99_ms=2.5"), std::string::npos) << s.failed[0];

  cause.clear();
  s = judge_step(1000, {row(990, 900, 30)}, slos, 16, 1, 3, &cause);  // dropped: the rate was not offered
  EXPECT_FALSE(s.met);
  EXPECT_EQ(s.dropped, 30u);
  EXPECT_EQ(cause, "dropped ops (all clients busy)");
  EXPECT_NE(s.failed[0].find("all 16 clients were busy"), std::string::npos) << s.failed[0];

  cause.clear();
  s = judge_step(1000, {row(700, 900)}, slos, 16, 3, 3, &cause);  // nothing dropped, yet 70 %: the generator
  EXPECT_FALSE(s.met);
  EXPECT_EQ(cause, "the generator");
  EXPECT_NE(s.failed[0].find("--threads, now 3"), std::string::npos) << s.failed[0];
}

TEST(CapacityStep, ASafeVariantsViolationOrAnInconclusiveRowFailsTheStep) {
  auto r = row(1000, 500);
  r.scenario = "counter";
  r.variant = "atomic";
  r.correctness.safe_by_design = true;
  r.correctness.checked = true;
  r.correctness.violations = 3;
  r.correctness.verdict = "violated";
  auto s = judge_step(1000, {r}, {reports::parse_threshold("p99_ms<2")}, 50, 1, 3);
  EXPECT_FALSE(s.met);
  EXPECT_EQ(s.violations, 3);
  r.correctness.violations = 0;
  r.correctness.verdict = "inconclusive";
  s = judge_step(1000, {r}, {reports::parse_threshold("p99_ms<2")}, 50, 1, 3);
  EXPECT_FALSE(s.met);
}

TEST(CapacityStep, AWorkloadIsJudgedOnItsTotalAndItsNamedEntries) {
  auto a = row(600, 900), b = row(400, 3000), total = row(1000, 2000);
  a.name = "limiter";
  b.name = "lock";
  total.name = "total";
  total.scenario = "workload";
  total.variant = "mix";
  std::string cause;
  // The total's p99 and rate decide the step's figures; an entry's own SLO fails it.
  auto s = judge_step(1000, {a, b, total}, {reports::parse_threshold("limiter:p99_ms<1")}, 50, 1, 3, &cause);
  EXPECT_TRUE(s.met) << (s.failed.empty() ? "" : s.failed[0]);
  EXPECT_DOUBLE_EQ(s.p99_ms, 2.0);
  s = judge_step(1000, {a, b, total}, {reports::parse_threshold("lock:p99_ms<1")}, 50, 1, 3, &cause);
  EXPECT_FALSE(s.met);
  EXPECT_EQ(cause, "lock:p99_ms<1");
}

TEST(CapacitySentence, SaysTheAnswerAndWhatBoundedIt) {
  reports::Capacity c;
  c.slos = {"p99_ms<2"};
  c.rate_start = 100;
  c.rate_max = 1e6;
  reports::CapacityStep good, bad;
  good.rate = 4000;
  good.met = true;
  bad.rate = 4500;
  bad.failed = {"p99_ms<2 (custom/evalsha: p99_ms=2.4)"};
  c.steps = {good, bad};
  c.max_rate = 4000;
  c.limited_by = "p99_ms<2";
  EXPECT_EQ(reports::capacity_sentence(c),
            "4,000 ops/s is the highest rate that met every SLO (p99_ms<2); 4,500 ops/s failed: p99_ms<2 "
            "(custom/evalsha: p99_ms=2.4).");
  c.max_rate.reset();
  c.steps = {bad};
  EXPECT_EQ(reports::capacity_sentence(c),
            "No rate met every SLO (p99_ms<2): even the first step, 4,500 ops/s, failed: p99_ms<2 "
            "(custom/evalsha: p99_ms=2.4).");
}

}  // namespace
}  // namespace lh::app
