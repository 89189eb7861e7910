// The writers of the one report model: markdown, JUnit XML, Google Benchmark JSON (each pinned by a golden
// file in tests/data/golden/), the console table, and write_outputs' file handling.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "reports/console.hpp"
#include "reports/gbench.hpp"
#include "reports/junit.hpp"
#include "reports/markdown.hpp"
#include "reports/outputs.hpp"
#include "support/golden.hpp"
#include "support/sample_report.hpp"
#include "support/xml_check.hpp"

using namespace lh::reports;
using lh::test::MatchesGolden;
using lh::test::sample_report;
using nlohmann::json;

namespace {

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + what.size())) ++n;
  return n;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/lh-writers-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST(MarkdownWriter, MatchesGolden) {
  EXPECT_TRUE(MatchesGolden("sample.md", to_markdown(sample_report())));
}

TEST(MarkdownWriter, ShowsVerdictTableThresholdsAndExpectedNaiveViolations) {
  std::string md = to_markdown(sample_report());
  EXPECT_EQ(md.rfind("## lua-harness: ❌ fail", 0), 0u);
  EXPECT_NE(md.find("| counter | naive | 14,280 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| ❌ FAIL | `throughput>20000` |"), std::string::npos) << md;
  EXPECT_NE(md.find("naive counter: 1,843 lost updates of 142,800 ops (expected"), std::string::npos) << md;
}

TEST(MarkdownWriter, ListsTheFirstErrorOfEachClassUnderErrors) {
  Report r = sample_report();
  std::string md = to_markdown(r);
  EXPECT_NE(md.find("\n### Errors\n\n- counter/atomic: 4 timeout errors, the first: "
                    "`timeout during read with 127.0.0.1:40123`\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("- cas/atomic: 12 busy errors, the first: `BUSY Redis is busy"), std::string::npos) << md;
  r.results[0].error_examples["timeout"] = "a `b` | c\nd";  // one line; a longer fence around backticks
  EXPECT_NE(to_markdown(r).find("the first: `` a `b` | c d ``\n"), std::string::npos) << to_markdown(r);
  for (auto& x : r.results) x.error_examples.clear();
  EXPECT_EQ(to_markdown(r).find("### Errors"), std::string::npos);
}

TEST(MarkdownWriter, EscapesPipesInCells) {
  Report r = sample_report();
  r.thresholds[0].detail = "a|b";
  EXPECT_NE(to_markdown(r).find("a\\|b"), std::string::npos);
}

TEST(JunitWriter, MatchesGolden) {
  EXPECT_TRUE(MatchesGolden("sample.junit.xml", to_junit_xml(sample_report())));
}

TEST(JunitWriter, IsWellFormedXmlWithASuitePerScenarioAndThresholds) {
  std::string xml = to_junit_xml(sample_report());
  EXPECT_EQ(lh::test::xml_well_formed_error(xml), "");
  EXPECT_EQ(count(xml, "<testsuite "), 3u);  // counter, cas, thresholds
  EXPECT_EQ(count(xml, "<testcase "), 4u + 3u);
  EXPECT_NE(xml.find("<testsuite name=\"counter\" tests=\"2\" failures=\"0\""), std::string::npos);
  EXPECT_NE(xml.find("<testsuite name=\"thresholds\" tests=\"3\" failures=\"1\""), std::string::npos);
  EXPECT_NE(xml.find("<testsuites name=\"lua-harness\" tests=\"7\" failures=\"1\""), std::string::npos);
}

TEST(JunitWriter, NaiveViolationsPassAndSayHowManyInSystemOut) {
  std::string xml = to_junit_xml(sample_report());
  size_t naive = xml.find("name=\"naive: final counter == acknowledged increments\"");
  ASSERT_NE(naive, std::string::npos);
  size_t end = xml.find("</testcase>", naive);
  std::string tc = xml.substr(naive, end - naive);
  EXPECT_EQ(tc.find("<failure"), std::string::npos);
  EXPECT_NE(tc.find("<system-out>naive counter: 1,843 lost updates of 142,800 ops (expected"),
            std::string::npos)
      << tc;
}

TEST(JunitWriter, SafeVariantWithViolationsFailsWithExamples) {
  Report r = sample_report();
  r.results[0].correctness.violations = 3;
  r.results[0].correctness.verdict = "violated";
  r.results[0].correctness.examples = {"increment <7> & <9> lost"};
  std::string xml = to_junit_xml(r);
  EXPECT_EQ(lh::test::xml_well_formed_error(xml), "");
  EXPECT_NE(xml.find("<failure message=\"atomic counter: 3 lost updates of 251,234 ops in a variant that is "
                     "safe by design\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("example: increment &lt;7&gt; &amp; &lt;9&gt; lost"), std::string::npos);
}

TEST(JunitWriter, UncheckedVariantIsSkipped) {
  Report r = sample_report();
  r.results[1].correctness.checked = false;
  r.results[1].correctness.verdict = "not-checked";
  std::string xml = to_junit_xml(r);
  EXPECT_NE(xml.find("<skipped message=\"not checked"), std::string::npos);
  EXPECT_EQ(lh::test::xml_well_formed_error(xml), "");
}

TEST(XmlCheck, CatchesUnbalancedTagsAndUnescapedText) {
  EXPECT_EQ(lh::test::xml_well_formed_error("<a><b></b></a>"), "");
  EXPECT_NE(lh::test::xml_well_formed_error("<a><b></a></b>"), "");
  EXPECT_NE(lh::test::xml_well_formed_error("<a>x & y</a>"), "");
  EXPECT_NE(lh::test::xml_well_formed_error("<a t=\"<\"/>"), "");
  EXPECT_NE(lh::test::xml_well_formed_error("<a>"), "");
  EXPECT_NE(lh::test::xml_well_formed_error("<a/><b/>"), "");
  EXPECT_NE(lh::test::xml_well_formed_error("<a x=1/>"), "");
}

TEST(GbenchWriter, MatchesGolden) {
  EXPECT_TRUE(MatchesGolden("sample.gbench.json", to_gbench_json(sample_report()).dump(2) + "\n"));
}

TEST(GbenchWriter, HasTheFieldsCompareAndGithubActionBenchmarkRead) {
  Report rep = sample_report();
  json j = json::parse(to_gbench_json(rep).dump());
  ASSERT_TRUE(j.at("context").is_object());
  ASSERT_EQ(j.at("benchmarks").size(), 4u);
  const json& b = j.at("benchmarks")[1];
  EXPECT_EQ(b.at("name"), "counter/naive");
  EXPECT_EQ(b.at("run_name"), "counter/naive");
  EXPECT_EQ(b.at("run_type"), "iteration");
  EXPECT_EQ(b.at("iterations"), rep.results[1].ops_total);
  EXPECT_DOUBLE_EQ(b.at("real_time").get<double>(), rep.results[1].latency_us.mean);
  EXPECT_DOUBLE_EQ(b.at("cpu_time").get<double>(), rep.results[1].latency_us.mean);
  EXPECT_EQ(b.at("time_unit"), "us");
  EXPECT_TRUE(b.at("threads").is_number_integer());
  EXPECT_DOUBLE_EQ(b.at("throughput_ops_s").get<double>(), 14280);
  for (const char* counter : {"p50_us", "p99_us", "p999_us", "violations"})
    EXPECT_TRUE(b.at(counter).is_number()) << counter;
  EXPECT_EQ(b.at("violations"), 1843);
}

TEST(ConsoleTable, ListsEveryRowAndThresholdsWithPassFail) {
  std::ostringstream out;
  print_table(sample_report(), out);
  std::string s = out.str();
  EXPECT_EQ(s.rfind("scenario  variant   ops/s  p50 ms  p99 ms  ok/failed/indet  violations  verdict", 0), 0u)
      << s;
  EXPECT_NE(s.find("counter   atomic   25,123   0.363   1.210      251,230/0/4           0  pass\n"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("violated (expected)"), std::string::npos);
  EXPECT_NE(s.find("thresholds:\n  PASS  counter/atomic:p99_ms<5  counter/atomic: p99_ms=1.21\n"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("  FAIL  throughput>20000         cas/naive: throughput=11250 (worst of 4 rows; 3 fail)"),
            std::string::npos)
      << s;
}

TEST(ConsoleTable, MatchesGolden) {
  std::ostringstream out;
  print_table(sample_report(), out);
  EXPECT_TRUE(MatchesGolden("sample.console.txt", out.str()));
}

TEST(WriteOutputs, WritesEachRequestedFile) {
  TempDir dir;
  OutputOptions o;
  o.html = (dir.path / "r.html").string();
  o.markdown = (dir.path / "r.md").string();
  o.junit = (dir.path / "r.xml").string();
  o.gbench = (dir.path / "r.json").string();
  write_outputs(sample_report(), o);
  EXPECT_EQ(read_file(o.markdown), to_markdown(sample_report()));
  EXPECT_EQ(read_file(o.junit), to_junit_xml(sample_report()));
  EXPECT_EQ(json::parse(read_file(o.gbench)), to_gbench_json(sample_report()));
  EXPECT_NE(read_file(o.html).find("<!DOCTYPE html>"), std::string::npos);
}

TEST(WriteOutputs, MarkdownGithubAppendsToTheStepSummary) {
  TempDir dir;
  std::string summary = (dir.path / "summary.md").string();
  std::ofstream(summary) << "previous step\n";
  setenv("GITHUB_STEP_SUMMARY", summary.c_str(), 1);
  OutputOptions o;
  o.markdown = "github";
  write_outputs(sample_report(), o);
  unsetenv("GITHUB_STEP_SUMMARY");
  std::string s = read_file(summary);
  EXPECT_EQ(s.rfind("previous step\n## lua-harness:", 0), 0u) << s;
}

TEST(WriteOutputs, MarkdownGithubWithoutTheVariableIsAnErrorNamingIt) {
  unsetenv("GITHUB_STEP_SUMMARY");
  OutputOptions o;
  o.markdown = "github";
  try {
    write_outputs(sample_report(), o);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("--markdown github: $GITHUB_STEP_SUMMARY is not set", 0), 0u)
        << e.what();
  }
}

TEST(WriteOutputs, UnwritableFileIsAnErrorNamingItAfterWritingTheOthers) {
  TempDir dir;
  OutputOptions o;
  o.html = "/nonexistent-dir/r.html";
  o.junit = (dir.path / "r.xml").string();
  try {
    write_outputs(sample_report(), o);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("--html /nonexistent-dir/r.html: cannot open for writing", 0), 0u)
        << e.what();
  }
  EXPECT_TRUE(std::filesystem::exists(o.junit));
}
