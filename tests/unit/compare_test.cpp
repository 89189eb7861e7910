// compare: regression limits per metric direction, rows missing on one side, the exit code.
#include "harness/reports/compare.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "support/sample_report.hpp"

using namespace lh::reports;
using lh::test::inconclusive_result;
using lh::test::sample_report;
using lh::test::sample_result;

namespace {

Report two_rows(double atomic_tp, int64_t atomic_p99_us, int64_t atomic_violations = 0,
                int64_t naive_violations = 40) {
  Report r;
  r.results = {sample_result("counter", "atomic", atomic_tp, atomic_p99_us, atomic_violations),
               sample_result("counter", "naive", 9000, 3000, naive_violations)};
  return r;
}

const CompareRow& row(const CompareResult& c, const std::string& variant, const std::string& metric) {
  for (const auto& r : c.rows)
    if (r.variant == variant && r.metric == metric) return r;
  throw std::runtime_error("no row " + variant + " " + metric);
}

std::string parse_error(const std::string& arg) {
  try {
    parse_regression_limit(arg);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(CompareLimits, ParsesMetricAndPercent) {
  RegressionLimit l = parse_regression_limit("throughput=10%");
  EXPECT_EQ(l.metric, "throughput");
  EXPECT_DOUBLE_EQ(l.max_pct, 10);
  EXPECT_DOUBLE_EQ(parse_regression_limit("p99_ms=15").max_pct, 15);
  EXPECT_DOUBLE_EQ(parse_regression_limit("violations=0%").max_pct, 0);
}

TEST(CompareLimits, RejectsMalformedLimitsNamingThem) {
  EXPECT_EQ(parse_error("throughput").rfind("--max-regression 'throughput': expected METRIC=PCT", 0), 0u);
  EXPECT_EQ(parse_error("p95_ms=10%").rfind("--max-regression 'p95_ms=10%': unknown metric 'p95_ms'", 0), 0u);
  EXPECT_EQ(parse_error("p99_ms=ten%"), "--max-regression 'p99_ms=ten%': 'ten' is not a percentage");
  EXPECT_EQ(parse_error("p99_ms=-5%"), "--max-regression 'p99_ms=-5%': the percentage must be >= 0");
  EXPECT_EQ(parse_error("p99_ms=%"), "--max-regression 'p99_ms=%': '' is not a percentage");
}

TEST(CompareLimits, DefaultsAreThroughput10P99Of20AndNoNewViolations) {
  auto d = default_regression_limits();
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].metric, "throughput");
  EXPECT_DOUBLE_EQ(d[0].max_pct, 10);
  EXPECT_EQ(d[1].metric, "p99_ms");
  EXPECT_DOUBLE_EQ(d[1].max_pct, 20);
  EXPECT_EQ(d[2].metric, "violations");
  EXPECT_DOUBLE_EQ(d[2].max_pct, 0);
}

TEST(Compare, AReportComparedWithItselfHasNoRegressionAndExit0) {
  Report r = sample_report();
  CompareResult c = compare_reports(r, r, default_regression_limits());
  EXPECT_EQ(c.rows.size(), 4u * 3u);
  EXPECT_TRUE(c.problems.empty());
  EXPECT_TRUE(c.notes.empty());
  EXPECT_FALSE(c.regressed());
  EXPECT_EQ(c.exit_code(), 0);
  for (const auto& row : c.rows) {
    ASSERT_TRUE(row.change_pct.has_value());
    EXPECT_DOUBLE_EQ(*row.change_pct, 0);
    EXPECT_TRUE(row.verdict == "ok" || row.verdict == "expected") << row.verdict;
  }
}

TEST(Compare, ThroughputDropBeyondLimitRegressesWithExit1) {
  CompareResult c = compare_reports(two_rows(20000, 1000), two_rows(17000, 1000), {{"throughput", 10}});
  const CompareRow& r = row(c, "atomic", "throughput");
  EXPECT_DOUBLE_EQ(r.base, 20000);
  EXPECT_DOUBLE_EQ(r.current, 17000);
  EXPECT_DOUBLE_EQ(*r.change_pct, -15);
  EXPECT_EQ(r.verdict, "REGRESSED");
  EXPECT_TRUE(c.regressed());
  EXPECT_EQ(c.exit_code(), 1);
}

TEST(Compare, ThroughputDropWithinLimitPasses) {
  CompareResult c = compare_reports(two_rows(20000, 1000), two_rows(18500, 1000), {{"throughput", 10}});
  EXPECT_EQ(row(c, "atomic", "throughput").verdict, "ok");
  EXPECT_EQ(c.exit_code(), 0);
}

TEST(Compare, ThroughputRiseIsAnImprovementNotARegression) {
  CompareResult c = compare_reports(two_rows(20000, 1000), two_rows(30000, 1000), {{"throughput", 0}});
  EXPECT_EQ(row(c, "atomic", "throughput").verdict, "improved");
  EXPECT_EQ(c.exit_code(), 0);
}

TEST(Compare, LatencyRegressesWhenItRisesBeyondTheLimit) {
  Report base = two_rows(20000, 1000), cur = two_rows(20000, 1200);
  EXPECT_EQ(row(compare_reports(base, cur, {{"p99_ms", 15}}), "atomic", "p99_ms").verdict, "REGRESSED");
  EXPECT_EQ(row(compare_reports(base, cur, {{"p99_ms", 20}}), "atomic", "p99_ms").verdict,
            "ok");  // exactly 20%
  EXPECT_EQ(row(compare_reports(cur, base, {{"p99_ms", 0}}), "atomic", "p99_ms").verdict, "improved");
}

TEST(Compare, NewViolationsInASafeVariantRegressAtAnyAmount) {
  CompareResult c =
      compare_reports(two_rows(20000, 1000, 0), two_rows(20000, 1000, 1), default_regression_limits());
  const CompareRow& r = row(c, "atomic", "violations");
  EXPECT_FALSE(r.change_pct.has_value());  // from 0: no percentage
  EXPECT_EQ(r.verdict, "REGRESSED");
  EXPECT_EQ(c.exit_code(), 1);
}

TEST(Compare, NaiveViolationsAreExpectedAndNeverRegress) {
  CompareResult c = compare_reports(two_rows(20000, 1000, 0, 10), two_rows(20000, 1000, 0, 5000),
                                    default_regression_limits());
  EXPECT_EQ(row(c, "naive", "violations").verdict, "expected");
  EXPECT_EQ(c.exit_code(), 0);
}

TEST(Compare, RowsOnlyInOneReportAreProblemsNotComparisons) {
  Report base = two_rows(20000, 1000), cur = two_rows(20000, 1000);
  cur.results.erase(cur.results.begin() + 1);  // counter/naive gone
  cur.results.push_back(sample_result("cas", "atomic", 15000, 2000, 0));
  CompareResult c = compare_reports(base, cur, {{"throughput", 10}});
  ASSERT_EQ(c.problems.size(), 2u);
  EXPECT_EQ(c.problems[0], "counter/naive is only in the base report (not compared)");
  EXPECT_EQ(c.problems[1], "cas/atomic is only in the current report (not compared)");
  EXPECT_EQ(c.rows.size(), 1u);  // counter/atomic
  EXPECT_EQ(c.exit_code(), 0);
  EXPECT_EQ(c.exit_code(/*strict=*/true), 1);
}

TEST(Compare, SchemaVersionMismatchIsAProblem) {
  Report base = two_rows(20000, 1000), cur = base;
  cur.schema_version = 2;
  CompareResult c = compare_reports(base, cur, {{"throughput", 10}});
  ASSERT_FALSE(c.problems.empty());
  EXPECT_EQ(c.problems[0], "schema_version differs: base 1, current 2");
}

TEST(Compare, DifferentConfigsAndInterruptedRunsAreNoted) {
  Report base = two_rows(20000, 1000), cur = base;
  base.config.clients = 50;
  cur.config.clients = 100;
  cur.interrupted = true;
  CompareResult c = compare_reports(base, cur, {{"throughput", 10}});
  ASSERT_EQ(c.notes.size(), 2u);
  EXPECT_EQ(c.notes[0], "config differs: clients 50 -> 100");
  EXPECT_NE(c.notes[1].find("current run was interrupted"), std::string::npos);
}

TEST(Compare, PrintsATableWithChangeAndVerdict) {
  CompareResult c =
      compare_reports(two_rows(20000, 1000), two_rows(17000, 1000), {{"throughput", 10}, {"p99_ms", 20}});
  std::ostringstream out;
  print_comparison(c, out);
  std::string s = out.str();
  EXPECT_NE(s.find("scenario/variant"), std::string::npos);
  EXPECT_NE(s.find("counter/atomic    throughput  20,000   17,000  -15.00%    10%  REGRESSED\n"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("REGRESSED"), std::string::npos);
  EXPECT_NE(s.find("REGRESSION: 1 of 4 comparisons beyond their limit"), std::string::npos) << s;
}

namespace {
std::string printed(const CompareResult& c) {
  std::ostringstream out;
  print_comparison(c, out);
  return out.str();
}
}  // namespace

TEST(Compare, PrintsTheChangeItJudgedWithTwoDecimals) {
  // 20,000 -> 17,994: -10.03%, judged REGRESSED at 10%; one decimal would print -10.0% next to REGRESSED.
  CompareResult c = compare_reports(two_rows(20000, 1000), two_rows(17994, 1000), {{"throughput", 10}});
  EXPECT_EQ(row(c, "atomic", "throughput").verdict, "REGRESSED");
  std::string s = printed(c);
  EXPECT_NE(s.find("counter/atomic    throughput  20,000   17,994  -10.03%    10%  REGRESSED\n"),
            std::string::npos)
      << s;
  EXPECT_EQ(s.find("-10.0%"), std::string::npos) << s;
}

TEST(Compare, PrintsMoreDecimalsWhenTwoWouldHideWhichSideOfTheLimitTheChangeFell) {
  // -10.004%: REGRESSED at 10%, and -10.00% would read as exactly the limit (which passes).
  CompareResult c = compare_reports(two_rows(100000, 1000), two_rows(89996, 1000), {{"throughput", 10}});
  ASSERT_EQ(row(c, "atomic", "throughput").verdict, "REGRESSED");
  std::string s = printed(c);
  EXPECT_NE(s.find("-10.004%"), std::string::npos) << s;
  EXPECT_EQ(s.find("-10.00%"), std::string::npos) << s;
  // +0.001% of throughput is an improvement: "+0.00%" would not show it.
  CompareResult up = compare_reports(two_rows(100000, 1000), two_rows(100001, 1000), {{"throughput", 0}});
  ASSERT_EQ(row(up, "atomic", "throughput").verdict, "improved");
  EXPECT_NE(printed(up).find("+0.001%"), std::string::npos) << printed(up);
  // Exactly at the limit passes and says so with two decimals.
  CompareResult at = compare_reports(two_rows(20000, 1000), two_rows(18000, 1000), {{"throughput", 10}});
  EXPECT_EQ(row(at, "atomic", "throughput").verdict, "ok");
  EXPECT_NE(printed(at).find("-10.00%    10%  ok"), std::string::npos) << printed(at);
}

TEST(Compare, AnInconclusiveCurrentRowFailsWhateverTheBaseline) {
  Report base = two_rows(20000, 1000), cur = two_rows(20000, 1000);
  cur.results[0] = inconclusive_result("counter", "atomic");
  CompareResult c = compare_reports(base, cur, {{"p99_ms", 1000}});  // p99 0 ms: "improved" on numbers alone
  EXPECT_EQ(row(c, "atomic", "p99_ms").verdict, "inconclusive");
  ASSERT_EQ(c.failing.size(), 1u);
  EXPECT_EQ(c.failing[0],
            std::string("counter/atomic is inconclusive in the current report: ") + lh::test::kNopermReason);
  EXPECT_EQ(c.exit_code(), 1);
  std::string s = printed(c);
  EXPECT_NE(s.find("FAILING: counter/atomic is inconclusive in the current report: no op succeeded: NOPERM"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("FAIL: the current report fails on its own"), std::string::npos) << s;
  EXPECT_EQ(s.find("ok: no regression"), std::string::npos) << s;
}

TEST(Compare, ASafeVariantWithViolationsInTheCurrentReportFailsEvenWithoutAViolationsLimit) {
  // Both reports have 3 violations in counter/atomic: no change, but the current run fails on its own.
  CompareResult c = compare_reports(two_rows(20000, 1000, 3), two_rows(20000, 1000, 3), {{"throughput", 10}});
  EXPECT_FALSE(c.regressed());
  ASSERT_EQ(c.failing.size(), 1u);
  EXPECT_EQ(c.failing[0],
            "atomic counter: 3 lost updates of 200,000 ops in the current report, a variant that is safe by "
            "design");
  EXPECT_EQ(c.exit_code(), 1);
}

TEST(Compare, ACurrentReportThatEndedWithAnErrorOrAbortFails) {
  Report base = two_rows(20000, 1000);
  Report err = lh::test::error_only_report();
  CompareResult c = compare_reports(base, err, default_regression_limits());
  EXPECT_TRUE(c.rows.empty());
  ASSERT_FALSE(c.failing.empty());
  EXPECT_EQ(c.failing[0],
            "the current run ended before its load: cannot reach redis://127.0.0.1:1: Connection refused");
  EXPECT_EQ(c.exit_code(), 1);  // not a silent "2 rows only in the base report", exit 0

  Report aborted = lh::test::aborted_report();
  CompareResult a = compare_reports(lh::test::sample_report(), aborted, default_regression_limits());
  EXPECT_NE(
      std::find(a.failing.begin(), a.failing.end(),
                "the current run was aborted: the target was lost during cas/atomic: Connection refused "
                "(127.0.0.1:40123)"),
      a.failing.end());
  // The base row that did not run in the current report says why, not just "only in the base report".
  EXPECT_NE(
      std::find(
          a.problems.begin(), a.problems.end(),
          "cas/naive not run: aborted: the target was lost (Connection refused, 127.0.0.1:40123) in the "
          "current report (not compared)"),
      a.problems.end());
  EXPECT_EQ(a.exit_code(), 1);
}

TEST(Compare, AnInconclusiveBaseRowIsNotedAsNoBaseline) {
  Report base = two_rows(20000, 1000), cur = two_rows(20000, 1000);
  base.results[0] = inconclusive_result("counter", "atomic");
  CompareResult c = compare_reports(base, cur, {{"throughput", 10}});
  EXPECT_NE(std::find(c.notes.begin(), c.notes.end(),
                      "counter/atomic is inconclusive in the base report: its numbers are no baseline"),
            c.notes.end());
  EXPECT_TRUE(c.failing.empty());
}

TEST(Compare, AWorkloadsRowsAreMatchedByTheirEntrysName) {
  // Two script entries are both custom/evalsha: only their names tell them apart.
  auto mix = [](int64_t a_p99_us, int64_t b_p99_us) {
    Report r;
    r.results = {sample_result("custom", "evalsha", 10000, a_p99_us, 0),
                 sample_result("custom", "evalsha", 5000, b_p99_us, 0)};
    r.results[0].name = "a";
    r.results[1].name = "b";
    return r;
  };
  const CompareResult c =
      compare_reports(mix(1000, 1000), mix(1000, 2000), {parse_regression_limit("p99_ms=20%")});
  ASSERT_EQ(c.rows.size(), 2u);
  for (const auto& r : c.rows) {
    EXPECT_EQ(r.regressed(), r.name == "b") << r.name;
    EXPECT_DOUBLE_EQ(r.base, 1.0) << r.name;
  }
  EXPECT_TRUE(c.problems.empty());
  // A base without entry "b": said, not compared against "a".
  Report only_a = mix(1000, 1000);
  only_a.results.pop_back();
  const CompareResult d = compare_reports(only_a, mix(1000, 2000), {parse_regression_limit("p99_ms=20%")});
  ASSERT_EQ(d.problems.size(), 1u);
  EXPECT_EQ(d.problems[0], "b is only in the current report (not compared)");
}
