// `lua-harness compare` and `lua-harness report` through the binary: exit codes 0/1/2, one-line messages
// naming the file, files written, help texts that end with examples, and reports of runs that went wrong
// (interrupted, aborted, ended before the load, inconclusive) rendered truthfully. No server needed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "harness/model/report.hpp"
#include "support/process.hpp"
#include "support/sample_report.hpp"
#include "support/xml_check.hpp"

using lh::test::read_text;
using lh::test::run_harness;
using lh::test::write_text;
using nlohmann::json;

namespace {

class ReportCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = lh::test::temp_dir();
    base = dir + "/base.json";
    write_text(base, lh::reports::to_json(lh::test::sample_report()).dump(2));
  }
  void TearDown() override { lh::test::remove_tree(dir); }

  // The sample with every atomic row's throughput scaled by `factor`.
  std::string scaled(double factor) {
    auto r = lh::test::sample_report();
    for (auto& x : r.results)
      if (x.variant == "atomic") x.throughput_ops_s *= factor;
    std::string path = dir + "/scaled.json";
    write_text(path, lh::reports::to_json(r).dump());
    return path;
  }

  std::string dir, base;
};

bool one_line(const std::string& s) { return !s.empty() && s.find('\n') == s.size() - 1; }

}  // namespace

TEST_F(ReportCli, CompareAReportWithItselfExits0) {
  auto r = run_harness({"compare", base, base});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("ok: no regression beyond the limits (12 comparisons)"), std::string::npos) << r.out;
}

TEST_F(ReportCli, CompareThroughputDropBeyondTheLimitExits1) {
  auto r = run_harness({"compare", base, scaled(0.85), "--max-regression", "throughput=10%"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("REGRESSED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("REGRESSION: 2 of 4 comparisons beyond their limit"), std::string::npos) << r.out;
}

TEST_F(ReportCli, CompareThroughputDropWithinTheLimitExits0) {
  auto r = run_harness({"compare", base, scaled(0.95), "--max-regression", "throughput=10%,p99_ms=15%"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(ReportCli, CompareUnreadableFileExits2NamingIt) {
  auto r = run_harness({"compare", base, dir + "/missing.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "lua-harness compare: " + dir + "/missing.json: cannot read: No such file or directory\n");
}

TEST_F(ReportCli, CompareSomethingThatIsNotAReportExits2NamingIt) {
  write_text(dir + "/gbench.json", R"({"benchmarks": []})");
  write_text(dir + "/text.json", "hello");
  auto r = run_harness({"compare", dir + "/gbench.json", base});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(one_line(r.err)) << r.err;
  EXPECT_NE(r.err.find(dir + "/gbench.json: not a lua-harness report"), std::string::npos) << r.err;
  auto t = run_harness({"compare", base, dir + "/text.json"});
  EXPECT_EQ(t.exit_code, 2);
  EXPECT_NE(t.err.find(dir + "/text.json: not JSON"), std::string::npos) << t.err;
}

TEST_F(ReportCli, CompareBadUsageExits2) {
  EXPECT_EQ(run_harness({"compare", base}).exit_code, 2);
  auto r = run_harness({"compare", base, base, "--max-regression", "p95_ms=10%"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--max-regression 'p95_ms=10%': unknown metric 'p95_ms'"), std::string::npos) << r.err;
  EXPECT_EQ(run_harness({"compare", base, base, "--bogus"}).exit_code, 2);
}

TEST_F(ReportCli, CompareHelpEndsWithExamples) {
  auto r = run_harness({"compare", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  size_t ex = r.out.rfind("examples:\n");
  ASSERT_NE(ex, std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  lua-harness compare base.json run.json\n", ex), std::string::npos);
}

TEST_F(ReportCli, ReportWithoutOutputsPrintsTheTable) {
  auto r = run_harness({"report", base});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("scenario  variant", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("FAIL  throughput>20000"), std::string::npos);
}

TEST_F(ReportCli, ReportWritesEveryRequestedFile) {
  auto r = run_harness({"report", base, "--html", dir + "/r.html", "--markdown", dir + "/r.md", "--junit",
                        dir + "/r.xml", "--gbench", dir + "/r.gbench.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(read_text(dir + "/r.html").find("chart-percentile"), std::string::npos);
  EXPECT_EQ(read_text(dir + "/r.md").rfind("## lua-harness:", 0), 0u);
  EXPECT_EQ(lh::test::xml_well_formed_error(read_text(dir + "/r.xml")), "");
  EXPECT_EQ(json::parse(read_text(dir + "/r.gbench.json")).at("benchmarks").size(), 4u);
}

TEST_F(ReportCli, ReportMarkdownToStdout) {
  auto r = run_harness({"report", base, "--markdown", "-"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("## lua-harness: ", 0), 0u) << r.out;
}

TEST_F(ReportCli, ReportMarkdownGithubWithoutTheSummaryVariableExits2) {
  unsetenv("GITHUB_STEP_SUMMARY");
  auto r = run_harness({"report", base, "--markdown", "github"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("$GITHUB_STEP_SUMMARY is not set"), std::string::npos) << r.err;
  EXPECT_TRUE(one_line(r.err)) << r.err;
}

TEST_F(ReportCli, ReportMarkdownGithubAppendsToTheSummary) {
  std::string summary = dir + "/summary.md";
  setenv("GITHUB_STEP_SUMMARY", summary.c_str(), 1);
  auto r = run_harness({"report", base, "--markdown", "github"});
  unsetenv("GITHUB_STEP_SUMMARY");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_text(summary).rfind("## lua-harness: ", 0), 0u);
}

TEST_F(ReportCli, ReportMissingFileExits2NamingIt) {
  auto r = run_harness({"report", dir + "/nope.json", "--html", dir + "/x.html"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "lua-harness report: " + dir + "/nope.json: cannot read: No such file or directory\n");
  EXPECT_FALSE(std::filesystem::exists(dir + "/x.html"));
}

TEST_F(ReportCli, ReportHelpEndsWithExamples) {
  auto r = run_harness({"report", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  size_t ex = r.out.rfind("examples:\n");
  ASSERT_NE(ex, std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  lua-harness report run.json --html run.html", ex), std::string::npos) << r.out;
}

namespace {
std::string write_report(const std::string& dir, const std::string& name, const lh::reports::Report& r) {
  std::string path = dir + "/" + name + ".json";
  write_text(path, lh::reports::to_json(r).dump(2));
  return path;
}
}  // namespace

TEST_F(ReportCli, CompareWithAnInconclusiveCurrentRowExits1AndSaysWhy) {
  auto r = lh::test::sample_report();
  r.results[0] = lh::test::inconclusive_result("counter", "atomic");
  auto cur = write_report(dir, "inconclusive", r);
  auto out = run_harness({"compare", base, cur, "--max-regression", "p99_ms=1000%"});
  EXPECT_EQ(out.exit_code, 1) << out.out << out.err;
  EXPECT_NE(
      out.out.find("FAILING: counter/atomic is inconclusive in the current report: no op succeeded: NOPERM"),
      std::string::npos)
      << out.out;
  EXPECT_NE(out.out.find("counter/atomic    p99_ms"), std::string::npos) << out.out;
  EXPECT_NE(out.out.find("inconclusive\n"), std::string::npos) << out.out;
}

TEST_F(ReportCli, ComparePrintsTheJudgedChangeWithTwoDecimals) {
  auto r = lh::test::sample_report();
  for (auto& x : r.results) x.throughput_ops_s *= 0.8997;  // -10.03%
  auto cur = write_report(dir, "slower", r);
  auto out = run_harness({"compare", base, cur, "--max-regression", "throughput=10%"});
  EXPECT_EQ(out.exit_code, 1) << out.out << out.err;
  EXPECT_NE(out.out.find("-10.03%    10%  REGRESSED"), std::string::npos) << out.out;
  EXPECT_EQ(out.out.find("-10.0%"), std::string::npos) << out.out;
}

TEST_F(ReportCli, CompareAgainstAnErrorOnlyReportExits1) {
  auto cur = write_report(dir, "error", lh::test::error_only_report());
  auto out = run_harness({"compare", base, cur});
  EXPECT_EQ(out.exit_code, 1) << out.out << out.err;
  EXPECT_NE(out.out.find("FAILING: the current run ended before its load: cannot reach redis://127.0.0.1:1"),
            std::string::npos)
      << out.out;
}

TEST_F(ReportCli, ReportRendersRunsThatWentWrongValidAgainstJunit10Xsd) {
  const std::vector<std::pair<std::string, lh::reports::Report>> reports = {
      {"interrupted", lh::test::interrupted_report()},
      {"aborted", lh::test::aborted_report()},
      {"error", lh::test::error_only_report()},
      {"inconclusive", lh::test::inconclusive_report()}};
  for (const auto& [name, report] : reports) {
    auto path = write_report(dir, name, report);
    auto out = run_harness({"report", path, "--junit", dir + "/" + name + ".xml", "--gbench",
                            dir + "/" + name + ".gbench.json", "--markdown", dir + "/" + name + ".md"});
    ASSERT_EQ(out.exit_code, 0) << name << ": " << out.err;
    std::string xml = read_text(dir + "/" + name + ".xml");
    EXPECT_EQ(lh::test::xml_well_formed_error(xml), "") << name;
    EXPECT_EQ(xml.find("tests=\"0\""), std::string::npos) << name;
    if (lh::test::xmllint_available()) {
      EXPECT_EQ(lh::test::xmllint_schema_errors(xml, lh::test::junit_xsd_path()), "") << name;
    }
    json g = json::parse(read_text(dir + "/" + name + ".gbench.json"));
    EXPECT_FALSE(g.at("benchmarks").empty()) << name;
    EXPECT_EQ(g.at("context").at("lua_harness_interrupted"), report.interrupted ? "true" : "false") << name;
  }
  EXPECT_NE(read_text(dir + "/interrupted.xml").find("<skipped message=\"not run: interrupted\"/>"),
            std::string::npos);
  EXPECT_NE(read_text(dir + "/error.xml").find("<error message=\"error: cannot reach"), std::string::npos);
  EXPECT_NE(
      read_text(dir + "/inconclusive.md").find("is **inconclusive** (it fails the run): no op succeeded"),
      std::string::npos);
}

TEST_F(ReportCli, ReportTableOfAnInterruptedRunListsWhatDidNotRun) {
  auto path = write_report(dir, "interrupted", lh::test::interrupted_report());
  auto out = run_harness({"report", path});
  EXPECT_EQ(out.exit_code, 0) << out.err;
  EXPECT_NE(out.out.find("\ncas/atomic not run: interrupted\ncas/naive not run: interrupted\n"),
            std::string::npos)
      << out.out;
}
