// --threshold: parsing (grammar and one-line errors naming the expression) and evaluation over result rows.
#include "harness/reports/thresholds.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "support/sample_report.hpp"

using namespace lh::reports;
using lh::test::sample_result;

namespace {

// counter/atomic 20,000 ops/s p99 1.2 ms, counter/naive 9,000 ops/s p99 3 ms with 37 lost updates,
// cas/atomic 15,000 ops/s p99 2 ms.
Report three_rows() {
  Report r;
  r.results = {sample_result("counter", "atomic", 20000, 1200, 0),
               sample_result("counter", "naive", 9000, 3000, 37),
               sample_result("cas", "atomic", 15000, 2000, 0)};
  return r;
}

Threshold evaluate_one(const std::string& expr, Report r = three_rows()) {
  evaluate_thresholds({parse_threshold(expr)}, r);
  EXPECT_EQ(r.thresholds.size(), 1u);
  return r.thresholds.at(0);
}

std::string parse_error(const std::string& expr) {
  try {
    parse_threshold(expr);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(ThresholdParse, ReadsMetricOperatorAndNumber) {
  ThresholdSpec s = parse_threshold("p99_ms<5");
  EXPECT_EQ(s.metric, "p99_ms");
  EXPECT_EQ(s.op, "<");
  EXPECT_DOUBLE_EQ(s.number, 5);
  EXPECT_EQ(s.scope(), "all");
  EXPECT_EQ(s.expr, "p99_ms<5");
}

TEST(ThresholdParse, ReadsEveryOperator) {
  for (std::string op : {"<", "<=", ">", ">=", "==", "!="})
    EXPECT_EQ(parse_threshold("throughput" + op + "1.5e3").op, op);
  EXPECT_DOUBLE_EQ(parse_threshold("throughput>=1.5e3").number, 1500);
}

TEST(ThresholdParse, ReadsEveryMetric) {
  for (std::string m : {"p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms", "mean_ms", "throughput",
                        "violations", "error_rate", "indeterminate", "dropped"})
    EXPECT_EQ(parse_threshold(m + "<1").metric, m);
}

TEST(ThresholdParse, ReadsScenarioAndVariantScopes) {
  ThresholdSpec a = parse_threshold("counter/atomic:p99_ms<2");
  EXPECT_EQ(a.scenario, "counter");
  EXPECT_EQ(a.variant, "atomic");
  EXPECT_EQ(a.scope(), "counter/atomic");
  ThresholdSpec b = parse_threshold("cas:error_rate<0.01");
  EXPECT_EQ(b.scope(), "cas");
  EXPECT_EQ(b.variant, "");
  EXPECT_EQ(parse_threshold("*/atomic:violations==0").scope(), "*/atomic");
}

TEST(ThresholdParse, ToleratesSpacesAroundParts) {
  ThresholdSpec s = parse_threshold("  counter / atomic : p99_ms <= 5 ");
  EXPECT_EQ(s.scope(), "counter/atomic");
  EXPECT_EQ(s.op, "<=");
  EXPECT_DOUBLE_EQ(s.number, 5);
}

TEST(ThresholdParse, MalformedExpressionsGiveOneLineMessagesNamingThem) {
  EXPECT_EQ(parse_error("p99_ms<<5"),
            "--threshold 'p99_ms<<5': unknown operator '<<' (expected one of < <= > >= == !=)");
  EXPECT_EQ(parse_error("p95_ms<5").rfind("--threshold 'p95_ms<5': unknown metric 'p95_ms'", 0), 0u);
  EXPECT_EQ(parse_error("p99_ms<"), "--threshold 'p99_ms<': expected a number after '<'");
  EXPECT_EQ(parse_error("p99_ms<5ms"), "--threshold 'p99_ms<5ms': '5ms' is not a number");
  EXPECT_EQ(parse_error("p99_ms 5").rfind("--threshold 'p99_ms 5': expected an operator", 0), 0u);
  EXPECT_EQ(parse_error("p99_ms=5").rfind("--threshold 'p99_ms=5': unknown operator '='", 0), 0u);
  EXPECT_EQ(parse_error(":p99_ms<5").rfind("--threshold ':p99_ms<5': empty scope", 0), 0u);
  EXPECT_EQ(parse_error("counter/:p99_ms<5").rfind("--threshold 'counter/:p99_ms<5': empty variant", 0), 0u);
  EXPECT_EQ(parse_error("").rfind("--threshold '': empty expression", 0), 0u);
  EXPECT_EQ(parse_error("<5").rfind("--threshold '<5': expected a metric name", 0), 0u);
  for (const char* bad : {"p99_ms<<5", "p95_ms<5", "p99_ms<", "", "a/b/c:p99_ms<1", "throughput>nan"})
    EXPECT_EQ(parse_error(bad).find('\n'), std::string::npos) << bad;
}

TEST(ThresholdEvaluate, PassingThresholdRecordsWorstValueAndLeavesVerdictAlone) {
  Report r = three_rows();
  evaluate_thresholds({parse_threshold("p99_ms<5")}, r);
  ASSERT_EQ(r.thresholds.size(), 1u);
  EXPECT_TRUE(r.thresholds[0].ok);
  EXPECT_EQ(r.thresholds[0].scope, "all");
  EXPECT_DOUBLE_EQ(r.thresholds[0].value, 3.0);  // counter/naive's p99 is the worst
  EXPECT_EQ(r.thresholds[0].detail, "counter/naive: p99_ms=3 (worst of 3 rows)");
  EXPECT_EQ(r.verdict, "pass");
  EXPECT_EQ(r.exit_code, 0);
}

TEST(ThresholdEvaluate, FailingThresholdFailsTheRunWithExitCode1) {
  Report r = three_rows();
  evaluate_thresholds({parse_threshold("throughput>10000")}, r);
  EXPECT_FALSE(r.thresholds[0].ok);
  EXPECT_DOUBLE_EQ(r.thresholds[0].value, 9000);
  EXPECT_EQ(r.thresholds[0].detail, "counter/naive: throughput=9000 (worst of 3 rows; 1 fail)");
  EXPECT_EQ(r.verdict, "fail");
  EXPECT_EQ(r.exit_code, 1);
}

TEST(ThresholdEvaluate, UnscopedViolationsZeroFailsOnTheNaiveVariant) {
  Threshold t = evaluate_one("violations==0");
  EXPECT_FALSE(t.ok);
  EXPECT_DOUBLE_EQ(t.value, 37);
  EXPECT_EQ(t.detail.rfind("counter/naive", 0), 0u);
}

TEST(ThresholdEvaluate, ScopedToAVariantIgnoresOtherRows) {
  Threshold t = evaluate_one("counter/atomic:violations==0");
  EXPECT_TRUE(t.ok);
  EXPECT_EQ(t.scope, "counter/atomic");
  EXPECT_EQ(t.detail, "counter/atomic: violations=0");
  EXPECT_TRUE(evaluate_one("*/atomic:violations==0").ok);
  EXPECT_TRUE(evaluate_one("counter/atomic:p99_ms<1.5").ok);
  EXPECT_FALSE(evaluate_one("counter/naive:p99_ms<1.5").ok);
}

TEST(ThresholdEvaluate, ScopedToAScenarioCoversAllItsVariants) {
  Threshold t = evaluate_one("counter:p99_ms<2");
  EXPECT_FALSE(t.ok);  // counter/naive's 3 ms
  EXPECT_DOUBLE_EQ(t.value, 3);
  EXPECT_TRUE(evaluate_one("cas:p99_ms<2.5").ok);
}

TEST(ThresholdEvaluate, ScopeThatMatchesNoRowFailsAndSaysSo) {
  Threshold t = evaluate_one("lock/atomic:p99_ms<5");
  EXPECT_FALSE(t.ok);
  EXPECT_NE(t.detail.find("no result row matches scope 'lock/atomic'"), std::string::npos) << t.detail;
  EXPECT_NE(t.detail.find("counter/atomic, counter/naive, cas/atomic"), std::string::npos) << t.detail;
}

TEST(ThresholdEvaluate, EvaluatesEveryExpressionWithoutShortCircuit) {
  Report r = three_rows();
  evaluate_thresholds(
      {parse_threshold("throughput>100000"), parse_threshold("p99_ms<5"),
       parse_threshold("nope:violations==0"), parse_threshold("counter/atomic:violations==0")},
      r);
  ASSERT_EQ(r.thresholds.size(), 4u);
  EXPECT_FALSE(r.thresholds[0].ok);
  EXPECT_TRUE(r.thresholds[1].ok);
  EXPECT_FALSE(r.thresholds[2].ok);
  EXPECT_TRUE(r.thresholds[3].ok);
  EXPECT_EQ(r.exit_code, 1);
}

TEST(ThresholdEvaluate, KeepsAHigherExitCodeSuchAsInterrupted) {
  Report r = three_rows();
  r.interrupted = true;
  r.exit_code = 130;
  evaluate_thresholds({parse_threshold("throughput>100000")}, r);
  EXPECT_EQ(r.exit_code, 130);
  EXPECT_EQ(r.verdict, "fail");
}

TEST(ThresholdEvaluate, KeepsAFailVerdictFromAViolationWhenThresholdsPass) {
  Report r = three_rows();
  r.verdict = "fail";
  r.exit_code = 1;
  evaluate_thresholds({parse_threshold("p99_ms<5")}, r);
  EXPECT_EQ(r.verdict, "fail");
  EXPECT_EQ(r.exit_code, 1);
}

TEST(ThresholdEvaluate, ErrorRateCountsFailedAndIndeterminateOverTotal) {
  Report r;
  Result x = sample_result("counter", "atomic", 1000, 1000, 0);
  x.ops_total = 1000;
  x.ops_ok = 970;
  x.ops_failed = 10;
  x.ops_indeterminate = 20;
  r.results = {x};
  Threshold t = evaluate_one("error_rate<0.05", r);
  EXPECT_TRUE(t.ok);
  EXPECT_DOUBLE_EQ(t.value, 0.03);
  EXPECT_FALSE(evaluate_one("error_rate<0.03", r).ok);
  EXPECT_DOUBLE_EQ(evaluate_one("indeterminate<=20", r).value, 20);
  EXPECT_TRUE(evaluate_one("indeterminate<=20", r).ok);
}

TEST(ThresholdEvaluate, LatencyMetricsAreMillisecondsFromMicroseconds) {
  Report r;
  Result x = sample_result("counter", "atomic", 1000, 1000, 0);
  x.latency_us = {10, 412.5, 350, 700, 1500, 2900, 4100};
  r.results = {x};
  EXPECT_DOUBLE_EQ(evaluate_one("p50_ms<1", r).value, 0.35);
  EXPECT_DOUBLE_EQ(evaluate_one("p90_ms<1", r).value, 0.7);
  EXPECT_DOUBLE_EQ(evaluate_one("p99_ms<1", r).value, 1.5);
  EXPECT_DOUBLE_EQ(evaluate_one("p999_ms<1", r).value, 2.9);
  EXPECT_DOUBLE_EQ(evaluate_one("max_ms<1", r).value, 4.1);
  EXPECT_DOUBLE_EQ(evaluate_one("mean_ms<1", r).value, 0.4125);
}

TEST(ThresholdEvaluate, NotEqualAndGreaterOrEqualHoldPerRow) {
  EXPECT_TRUE(evaluate_one("throughput>=9000").ok);
  EXPECT_FALSE(evaluate_one("throughput>9000").ok);
  EXPECT_FALSE(evaluate_one("violations!=0").ok);  // the atomic rows have 0
  EXPECT_TRUE(evaluate_one("counter/naive:violations!=0").ok);
}

TEST(ThresholdEvaluate, ThresholdsSurviveTheJsonRoundTrip) {
  Report r = three_rows();
  evaluate_thresholds({parse_threshold("counter/atomic:p99_ms<5"), parse_threshold("throughput>10000")}, r);
  Report back = report_from_json(to_json(r));
  ASSERT_EQ(back.thresholds.size(), 2u);
  EXPECT_EQ(back.thresholds[1].expr, "throughput>10000");
  EXPECT_EQ(back.thresholds[1].scope, "all");
  EXPECT_FALSE(back.thresholds[1].ok);
  EXPECT_EQ(back.thresholds[1].detail, r.thresholds[1].detail);
  EXPECT_EQ(back.exit_code, 1);
}

TEST(ThresholdParse, EveryThresholdInTheDocsParses) {
  // docs/ci.md shows --threshold '...' in copy-paste examples: they must all be valid.
  for (const char* doc : {"/docs/ci.md"}) {
    std::ifstream f(std::string(LH_SOURCE_DIR) + doc);
    ASSERT_TRUE(f) << doc;
    std::stringstream s;
    s << f.rdbuf();
    std::string text = s.str();
    std::regex quoted("--threshold '([^']*)'");
    int n = 0;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), quoted); it != std::sregex_iterator();
         ++it, ++n)
      EXPECT_NO_THROW(parse_threshold((*it)[1])) << doc << ": " << (*it)[1];
    EXPECT_GT(n, 3) << doc;
  }
}

TEST(ThresholdParse, ReadsTheDroppedMetric) {
  EXPECT_EQ(parse_threshold("dropped==0").metric, "dropped");
  EXPECT_EQ(parse_threshold("counter/atomic:dropped<100").scope(), "counter/atomic");
}

TEST(ThresholdEvaluate, DroppedIsTheOpenLoopRowsDroppedOpsAndZeroWhenAbsent) {
  Report r = three_rows();  // closed loop: no ops_dropped at all
  Threshold closed = evaluate_one("dropped==0", r);
  EXPECT_TRUE(closed.ok);
  EXPECT_DOUBLE_EQ(closed.value, 0);
  r.results[2].ops_scheduled = 30000;
  r.results[2].ops_dropped = 1787;
  Threshold open = evaluate_one("dropped==0", r);
  EXPECT_FALSE(open.ok);
  EXPECT_DOUBLE_EQ(open.value, 1787);
  EXPECT_EQ(open.detail, "cas/atomic: dropped=1787 (worst of 3 rows; 1 fail)");
  EXPECT_TRUE(evaluate_one("counter:dropped==0", r).ok);
}

TEST(ThresholdEvaluate, AScopeHoldingAnInconclusiveRowFailsWhateverTheMetricSays) {
  // 0 ok ops and 0 violations: violations==0 must not pass, nor p99_ms<5 on a p99 of 0.
  Report r = three_rows();
  r.results[0] = lh::test::inconclusive_result("counter", "atomic");
  for (const char* expr :
       {"counter/atomic:violations==0", "counter/atomic:p99_ms<5", "*/atomic:violations==0"}) {
    Threshold t = evaluate_one(expr, r);
    EXPECT_FALSE(t.ok) << expr;
    EXPECT_NE(t.detail.find(std::string("counter/atomic inconclusive: ") + lh::test::kNopermReason),
              std::string::npos)
        << expr << ": " << t.detail;
  }
  Threshold t = evaluate_one("counter/atomic:violations==0", r);
  EXPECT_EQ(t.detail, std::string("counter/atomic: violations=0; counter/atomic inconclusive: ") +
                          lh::test::kNopermReason);
  EXPECT_TRUE(evaluate_one("cas/atomic:violations==0", r).ok);  // the other scenario's row is conclusive
  Report failed = r;
  evaluate_thresholds({parse_threshold("counter/atomic:violations==0")}, failed);
  EXPECT_EQ(failed.verdict, "fail");
  EXPECT_EQ(failed.exit_code, 1);
}

TEST(ThresholdEvaluate, AScopeWhoseVariantsDidNotRunSaysSo) {
  Report r = three_rows();
  r.not_run = {{"lock", "atomic", "interrupted", true}};
  Threshold t = evaluate_one("lock:p99_ms<5", r);
  EXPECT_FALSE(t.ok);
  EXPECT_EQ(
      t.detail,
      "no result row matches scope 'lock' (rows: counter/atomic, counter/naive, cas/atomic; lock/atomic not "
      "run: interrupted)");
}

TEST(ThresholdScope, AScopeNamingNothingInThePlanIsAProblemBeforeTheLoad) {
  const std::vector<std::pair<std::string, std::string>> plan = {{"counter", "atomic"}, {"counter", "naive"}};
  EXPECT_EQ(
      threshold_scope_problem(parse_threshold("nosuch:p99_ms<5"), plan),
      "--threshold 'nosuch:p99_ms<5': no scenario or variant 'nosuch' in this run (it runs: counter/atomic, "
      "counter/naive)");
  EXPECT_EQ(
      threshold_scope_problem(parse_threshold("counter/transaction:p99_ms<5"), plan),
      "--threshold 'counter/transaction:p99_ms<5': no scenario or variant 'counter/transaction' in this run "
      "(it runs: counter/atomic, counter/naive)");
  EXPECT_TRUE(threshold_scope_problem(parse_threshold("*/gt:violations==0"), plan).has_value());
  auto msg = threshold_scope_problem(parse_threshold("cas:p99_ms<5"), plan);
  ASSERT_TRUE(msg.has_value());
  EXPECT_EQ(msg->find('\n'), std::string::npos);
}

TEST(ThresholdScope, AScopeMatchingSomePlannedVariantIsFine) {
  const std::vector<std::pair<std::string, std::string>> plan = {
      {"counter", "atomic"}, {"counter", "naive"}, {"custom", "evalsha"}};
  for (const char* ok :
       {"p99_ms<5", "counter:p99_ms<5", "counter/naive:violations>0", "*/atomic:violations==0",
        "*:throughput>1", "custom/evalsha:p99_ms<1", "*/*:dropped==0"})
    EXPECT_EQ(threshold_scope_problem(parse_threshold(ok), plan), std::nullopt) << ok;
}
