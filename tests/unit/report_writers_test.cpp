// The writers of the one report model: markdown, JUnit XML, Google Benchmark JSON (each pinned by a golden
// file in tests/data/golden/), the console table, and write_outputs' file handling. Each says in words what
// went wrong: inconclusive rows, variants not run, an aborted or errored run, keys left by cleanup.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/reports/console.hpp"
#include "harness/reports/gbench.hpp"
#include "harness/reports/junit.hpp"
#include "harness/reports/markdown.hpp"
#include "harness/reports/outputs.hpp"
#include "support/golden.hpp"
#include "support/sample_report.hpp"
#include "support/xml_check.hpp"

using namespace lh::reports;
using lh::test::aborted_report;
using lh::test::error_only_report;
using lh::test::inconclusive_report;
using lh::test::interrupted_report;
using lh::test::kNopermReason;
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

TEST(MarkdownWriter, MatchesGolden) { EXPECT_TRUE(MatchesGolden("sample.md", to_markdown(sample_report()))); }

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

TEST(MarkdownWriter, SaysInconclusiveAndWhyInWords) {
  std::string md = to_markdown(inconclusive_report());
  EXPECT_NE(md.find("| counter | atomic | 0 | 0.000 | 0.000 | 0 / 258,960 / 0 | 0 | ❌ inconclusive |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find(std::string("- ❌ counter/atomic is **inconclusive** (it fails the run): ") +
                    kNopermReason + "\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("### Warnings\n\n- ⚠️ counter/naive: 7,200 of 150,000 scheduled ops dropped"),
            std::string::npos)
      << md;
}

TEST(MarkdownWriter, ListsNotRunVariantsAndTheAbort) {
  std::string md = to_markdown(aborted_report());
  EXPECT_NE(
      md.find("> ❌ The run was aborted (exit code 3): the target was lost during cas/atomic: Connection "
              "refused (127.0.0.1:40123). The results cover the variants that finished.\n"),
      std::string::npos)
      << md;
  EXPECT_NE(md.find("> ⚠️ cleanup incomplete: an unknown number of keys left under lh:sample:"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("### Not run\n\n- ❌ cas/naive not run: aborted: the target was lost"), std::string::npos)
      << md;
  EXPECT_NE(md.find("- cas/atomic not checked: the target was lost before the check"), std::string::npos)
      << md;
  std::string interrupted = to_markdown(interrupted_report());
  EXPECT_NE(interrupted.find("> ⚠️ The run was interrupted"), std::string::npos);
  EXPECT_NE(
      interrupted.find("### Not run\n\n- ⏭️ cas/atomic not run: interrupted\n- ⏭️ cas/naive not run: "
                       "interrupted\n"),
      std::string::npos)
      << interrupted;
}

TEST(MarkdownWriter, ErrorOnlyReportSaysTheError) {
  std::string md = to_markdown(error_only_report());
  EXPECT_EQ(md.rfind("## lua-harness: ❌ fail", 0), 0u);
  EXPECT_NE(md.find("> ❌ The run ended before its load (exit code 3): cannot reach redis://127.0.0.1:1: "
                    "Connection refused\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| (no results) |"), std::string::npos);
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
  EXPECT_NE(xml.find("<testsuites name=\"lua-harness\" tests=\"7\" failures=\"1\" errors=\"0\" time="),
            std::string::npos);
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

// The testcase element whose name attribute starts with `name`, up to its </testcase>.
std::string testcase(const std::string& xml, const std::string& name) {
  size_t at = xml.find("<testcase name=\"" + name);
  if (at == std::string::npos) return "";
  return xml.substr(at, xml.find("</testcase>", at) - at);
}

TEST(JunitWriter, TestsuitesCarriesOnlyTheAttributesJunit10XsdAllows) {
  // junit-10.xsd: <testsuites> may have name, time, tests, failures, errors; `skipped` is refused there.
  for (const Report& r : {sample_report(), interrupted_report(), aborted_report(), error_only_report()}) {
    std::string xml = to_junit_xml(r);
    size_t open = xml.find("<testsuites ");
    std::string tag = xml.substr(open, xml.find('>', open) - open);
    EXPECT_EQ(tag.find("skipped="), std::string::npos) << tag;
    EXPECT_NE(xml.find("<testsuite name=", open), std::string::npos);
  }
}

TEST(JunitWriter, MarksInterruptedVariantsSkipped) {
  std::string xml = to_junit_xml(interrupted_report());
  EXPECT_EQ(lh::test::xml_well_formed_error(xml), "");
  EXPECT_EQ(count(xml, "<testcase "), 4u);  // 2 that ran, 2 not run: the run does not look complete
  EXPECT_EQ(count(xml, "<skipped message=\"not run: interrupted\"/>"), 2u) << xml;
  ASSERT_NE(xml.find("classname=\"lua-harness.cas\""), std::string::npos);
  EXPECT_NE(xml.find("<testsuite name=\"cas\" tests=\"2\" failures=\"0\" errors=\"0\" skipped=\"2\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testsuites name=\"lua-harness\" tests=\"4\" failures=\"0\" errors=\"0\""),
            std::string::npos)
      << xml;
}

TEST(JunitWriter, MarksAnAbortedRunAndItsNotRunVariantsAsErrors) {
  std::string xml = to_junit_xml(aborted_report());
  EXPECT_EQ(lh::test::xml_well_formed_error(xml), "");
  EXPECT_NE(xml.find("<error message=\"not run: aborted: the target was lost (Connection refused, "
                     "127.0.0.1:40123)\" type=\"not-run\">"),
            std::string::npos)
      << xml;
  std::string run = testcase(xml, "run\"");
  ASSERT_FALSE(run.empty()) << xml;
  EXPECT_NE(run.find("classname=\"lua-harness.run\""), std::string::npos);
  EXPECT_NE(run.find("<error message=\"aborted: the target was lost during cas/atomic: Connection refused "
                     "(127.0.0.1:40123)\" type=\"aborted\">"),
            std::string::npos)
      << run;
  // cas/atomic was cut short: not checked, with the reason in words.
  EXPECT_NE(xml.find("<skipped message=\"not checked: the target was lost before the check"),
            std::string::npos)
      << xml;
  // tests: 3 rows + 1 not run + run + cleanup; errors: not run + run; failures: cleanup.
  EXPECT_NE(xml.find("<testsuites name=\"lua-harness\" tests=\"6\" failures=\"1\" errors=\"2\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<system-err>warning: the admin connection"), std::string::npos) << xml;
}

TEST(JunitWriter, CleanupThatLeftKeysIsAFailingTestcase) {
  Report r = sample_report();
  r.cleanup = Cleanup{12, "NOPERM this user has no permissions to run the 'unlink' command"};
  std::string tc = testcase(to_junit_xml(r), "cleanup");
  ASSERT_FALSE(tc.empty());
  EXPECT_NE(
      tc.find("<failure message=\"cleanup incomplete: 12 keys left under lh:sample: (NOPERM this user has "
              "no permissions to run the &apos;unlink&apos; command)\" type=\"cleanup\">"),
      std::string::npos)
      << tc;
}

TEST(JunitWriter, ErrorOnlyReportIsParseableWithOneErrorTestcase) {
  std::string xml = to_junit_xml(error_only_report());
  EXPECT_EQ(lh::test::xml_well_formed_error(xml), "");
  EXPECT_EQ(count(xml, "<testcase "), 1u);
  EXPECT_NE(xml.find("<testsuites name=\"lua-harness\" tests=\"1\" failures=\"0\" errors=\"1\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<error message=\"error: cannot reach redis://127.0.0.1:1: Connection refused\""),
            std::string::npos)
      << xml;
}

TEST(JunitWriter, AReportWithoutAnyResultIsNeverTestsZero) {
  Report empty;  // no result, no error: still one testcase saying so
  std::string xml = to_junit_xml(empty);
  EXPECT_EQ(lh::test::xml_well_formed_error(xml), "");
  EXPECT_EQ(xml.find("tests=\"0\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<error message=\"the report holds no result\""), std::string::npos) << xml;
  Report interrupted;
  interrupted.interrupted = true;
  interrupted.exit_code = 130;
  std::string ixml = to_junit_xml(interrupted);
  EXPECT_NE(ixml.find("<skipped message=\"interrupted before any variant ran\"/>"), std::string::npos)
      << ixml;
  Report before_load = error_only_report();  // SIGINT before the load: skipped, not an error
  before_load.interrupted = true;
  before_load.exit_code = 130;
  before_load.error = "interrupted before the load";
  std::string bxml = to_junit_xml(before_load);
  EXPECT_NE(bxml.find("<skipped message=\"interrupted before the load: interrupted before the load\"/>"),
            std::string::npos)
      << bxml;
  EXPECT_NE(bxml.find("tests=\"1\" failures=\"0\" errors=\"0\""), std::string::npos) << bxml;
}

TEST(JunitWriter, InconclusiveVariantIsAFailureThatSaysWhyInWords) {
  std::string xml = to_junit_xml(inconclusive_report());
  EXPECT_EQ(lh::test::xml_well_formed_error(xml), "");
  std::string tc = testcase(xml, "atomic: final counter");
  ASSERT_FALSE(tc.empty()) << xml;
  EXPECT_NE(
      tc.find("<failure message=\"inconclusive: no op succeeded: NOPERM this user has no permissions to "
              "run the &apos;evalsha&apos; command for 258,960 of 258,960 ops\" type=\"inconclusive\">"),
      std::string::npos)
      << tc;
  EXPECT_EQ(tc.find("<skipped"), std::string::npos);
  // The threshold that would pass on 0 violations fails: 0 violations of 0 successful ops prove nothing.
  std::string th = testcase(xml, "counter/atomic:violations==0");
  EXPECT_NE(th.find("<failure message=\"threshold counter/atomic:violations==0 failed:"), std::string::npos)
      << th;
  EXPECT_NE(th.find("counter/atomic inconclusive: no op succeeded"), std::string::npos) << th;
}

TEST(JunitWriter, ValidatesAgainstJenkinsJunit10XsdInEveryCase) {
  if (!lh::test::xmllint_available()) GTEST_SKIP() << "xmllint is not installed (CI has it: libxml2-utils)";
  Report unchecked = sample_report();
  unchecked.results[1].correctness.checked = false;
  unchecked.results[1].correctness.verdict = "not-checked";
  Report cleanup = sample_report();
  cleanup.cleanup = Cleanup{3, "BUSY Redis is busy running a script"};
  Report empty, interrupted_empty;
  interrupted_empty.interrupted = true;
  const std::vector<std::pair<std::string, Report>> cases = {{"sample", sample_report()},
                                                             {"interrupted", interrupted_report()},
                                                             {"aborted", aborted_report()},
                                                             {"error only", error_only_report()},
                                                             {"inconclusive", inconclusive_report()},
                                                             {"unchecked", unchecked},
                                                             {"cleanup", cleanup},
                                                             {"empty", empty},
                                                             {"interrupted, empty", interrupted_empty}};
  for (const auto& [name, report] : cases)
    EXPECT_EQ(lh::test::xmllint_schema_errors(to_junit_xml(report), lh::test::junit_xsd_path()), "") << name;
}

TEST(JunitWriter, TheXsdCheckRejectsWhatJenkinsRejects) {
  // The check above can fail: the old writer's `skipped` attribute on <testsuites> is refused.
  if (!lh::test::xmllint_available()) GTEST_SKIP() << "xmllint is not installed (CI has it: libxml2-utils)";
  std::string xml = to_junit_xml(sample_report());
  std::string bad = xml;
  bad.replace(bad.find("<testsuites name=\"lua-harness\""), 30,
              "<testsuites skipped=\"0\" name=\"lua-harness\"");
  EXPECT_NE(lh::test::xmllint_schema_errors(bad, lh::test::junit_xsd_path()).find("skipped"),
            std::string::npos);
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

TEST(GbenchWriter, ContextSaysHowTheRunEnded) {
  json ok = to_gbench_json(sample_report());
  EXPECT_EQ(ok.at("context").at("lua_harness_interrupted"), "false");
  EXPECT_EQ(ok.at("context").at("lua_harness_verdict"), "fail");
  EXPECT_EQ(ok.at("context").at("lua_harness_exit_code"), "1");
  EXPECT_FALSE(ok.at("context").contains("lua_harness_aborted"));

  json interrupted = to_gbench_json(interrupted_report());
  EXPECT_EQ(interrupted.at("context").at("lua_harness_interrupted"), "true");
  EXPECT_EQ(interrupted.at("context").at("lua_harness_not_run"),
            "cas/atomic not run: interrupted; cas/naive not run: interrupted");
  EXPECT_EQ(interrupted.at("benchmarks").size(), 2u);  // no zero timings for what did not run

  json aborted = to_gbench_json(aborted_report());
  EXPECT_EQ(aborted.at("context").at("lua_harness_aborted"),
            "the target was lost during cas/atomic: Connection refused (127.0.0.1:40123)");
  EXPECT_EQ(aborted.at("context")
                .at("lua_harness_cleanup")
                .get<std::string>()
                .rfind("cleanup incomplete: an unknown number of keys left under lh:sample:", 0),
            0u);
}

TEST(GbenchWriter, NeverWritesAnEmptyBenchmarksArray) {
  json j = to_gbench_json(error_only_report());
  ASSERT_EQ(j.at("benchmarks").size(), 1u);
  const json& b = j.at("benchmarks")[0];
  EXPECT_EQ(b.at("name"), "lua-harness/run");
  EXPECT_EQ(b.at("run_name"), "lua-harness/run");
  EXPECT_EQ(b.at("error_occurred"), true);
  EXPECT_EQ(b.at("error_message"), "error: cannot reach redis://127.0.0.1:1: Connection refused");
  EXPECT_EQ(b.at("iterations"), 0);
  EXPECT_EQ(b.at("time_unit"), "us");
  EXPECT_EQ(j.at("context").at("lua_harness_error"), "cannot reach redis://127.0.0.1:1: Connection refused");

  Report interrupted = interrupted_report();
  interrupted.results.clear();  // SIGINT during the first variant
  json i = to_gbench_json(interrupted);
  ASSERT_EQ(i.at("benchmarks").size(), 1u);
  EXPECT_EQ(i.at("benchmarks")[0].at("error_message"), "interrupted before any variant ran");
  EXPECT_EQ(to_gbench_json(Report{}).at("benchmarks").size(), 1u);
}

TEST(GbenchWriter, InconclusiveRowHasErrorOccurredAndTheReason) {
  json j = to_gbench_json(inconclusive_report());
  const json& atomic = j.at("benchmarks")[0];
  EXPECT_EQ(atomic.at("name"), "counter/atomic");
  EXPECT_EQ(atomic.at("error_occurred"), true);
  EXPECT_EQ(atomic.at("error_message"), std::string("inconclusive: ") + kNopermReason);
  const json& naive = j.at("benchmarks")[1];
  EXPECT_FALSE(naive.contains("error_occurred"));
  EXPECT_EQ(naive.at("dropped"), 7200);
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

TEST(ConsoleTable, SaysInconclusiveAndWhyInWords) {
  std::ostringstream out;
  print_table(inconclusive_report(), out);
  std::string s = out.str();
  EXPECT_NE(s.find("counter   atomic        0   0.000   0.000      0/258,960/0           0  inconclusive\n"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find(std::string("\ncounter/atomic inconclusive: ") + kNopermReason + " (fails the run)\n"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("warning: counter/naive: 7,200 of 150,000 scheduled ops dropped"), std::string::npos) << s;
  EXPECT_NE(s.find("  FAIL  counter/atomic:violations==0  counter/atomic: violations=0; counter/atomic "
                   "inconclusive: no op succeeded"),
            std::string::npos)
      << s;
}

TEST(ConsoleTable, ListsNotRunVariantsTheAbortCleanupAndWarnings) {
  std::ostringstream out;
  print_table(aborted_report(), out);
  std::string s = out.str();
  EXPECT_NE(s.find("cas       atomic"), std::string::npos) << s;
  EXPECT_NE(s.find("\ncas/atomic not checked: the target was lost before the check: Connection refused"),
            std::string::npos)
      << s;
  EXPECT_NE(
      s.find("\ncas/naive not run: aborted: the target was lost (Connection refused, 127.0.0.1:40123)\n"),
      std::string::npos)
      << s;
  EXPECT_NE(
      s.find("\naborted: the target was lost during cas/atomic: Connection refused (127.0.0.1:40123)\n"),
      std::string::npos)
      << s;
  EXPECT_NE(
      s.find("\ncleanup incomplete: an unknown number of keys left under lh:sample: (the target could not "
             "be reached"),
      std::string::npos)
      << s;
  EXPECT_NE(s.find("\nwarning: the admin connection to 127.0.0.1:40123 was lost 3 times"), std::string::npos)
      << s;

  std::ostringstream i;
  print_table(interrupted_report(), i);
  EXPECT_NE(i.str().find("\ncas/atomic not run: interrupted\ncas/naive not run: interrupted\n"),
            std::string::npos)
      << i.str();
}

TEST(ConsoleTable, ErrorOnlyReportSaysTheError) {
  std::ostringstream out;
  print_table(error_only_report(), out);
  EXPECT_EQ(out.str(), "(no results)\n\nerror: cannot reach redis://127.0.0.1:1: Connection refused\n");
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
