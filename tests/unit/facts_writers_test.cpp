// What the writers say about a scenario comes from the scenario (its noun for violations, the labels of its
// details), and one function, reports::fails_run, decides which rows fail the run in every writer.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>

#include "harness/reports/console.hpp"
#include "harness/reports/format.hpp"
#include "harness/reports/html.hpp"
#include "harness/reports/junit.hpp"
#include "harness/reports/markdown.hpp"
#include "harness/scenarios/scenario.hpp"
#include "support/sample_report.hpp"

using namespace lh::reports;
using nlohmann::json;

namespace {

// The <th> labels and <td> values of each "checker-details" table, in document order.
std::vector<std::vector<std::pair<std::string, std::string>>> detail_tables(const std::string& html) {
  std::vector<std::vector<std::pair<std::string, std::string>>> out;
  const std::regex row("<tr><th>([^<]*)</th><td[^>]*>([^<]*)</td></tr>");
  for (size_t p = html.find("<table class=\"checker-details\">"); p != std::string::npos;
       p = html.find("<table class=\"checker-details\">", p + 1)) {
    const std::string table = html.substr(p, html.find("</table>", p) - p);
    out.emplace_back();
    for (auto it = std::sregex_iterator(table.begin(), table.end(), row); it != std::sregex_iterator(); ++it)
      out.back().emplace_back((*it)[1], (*it)[2]);
  }
  return out;
}

Report one_row(Result r) {
  Report rep;
  rep.results = {std::move(r)};
  return rep;
}

}  // namespace

TEST(FactsWriters, TheNounForViolationsIsTheScenarios) {
  for (const lh::scenarios::Scenario* s : lh::scenarios::all_scenarios())
    EXPECT_EQ(violation_noun(std::string(s->name())), s->violation_noun()) << s->name();
  // --script runs, and a report of a scenario this build does not know (renamed, removed, newer): the
  // generic word, never a crash.
  EXPECT_EQ(violation_noun("custom"), "violations");
  EXPECT_EQ(violation_noun("a-scenario-this-build-lacks"), "violations");
  EXPECT_EQ(violation_noun(""), "violations");
}

TEST(FactsWriters, TheNounsAreTheOnesTheWritersUsedBefore) {
  // The map format.cpp held before the nouns moved into the scenarios: the writers' words did not change.
  const std::map<std::string, std::string> before = {
      {"counter", "lost updates"},         {"cas", "conflicting swaps"},
      {"rate-limiter", "over-admissions"}, {"lock", "lock-safety violations"},
      {"inventory", "oversold units"},     {"leaderboard", "lost high scores"},
  };
  for (const auto& [scenario, noun] : before) EXPECT_EQ(violation_noun(scenario), noun) << scenario;
  Result r = lh::test::sample_result("leaderboard", "naive", 100, 900, 1234);
  r.ops_total = 56789;
  EXPECT_EQ(violation_sentence(r), "naive leaderboard: 1,234 lost high scores of 56,789 ops");
}

TEST(FactsWriters, FailsRunIsOneDefinition) {
  Result safe = lh::test::sample_result("counter", "atomic", 100, 900, 3);
  Result naive = lh::test::sample_result("counter", "naive", 100, 900, 3);
  Result pass = lh::test::sample_result("counter", "atomic", 100, 900, 0);
  Result inconclusive = lh::test::inconclusive_result("counter", "naive");
  EXPECT_TRUE(safe_violated(safe.correctness));
  EXPECT_FALSE(safe_violated(naive.correctness));
  EXPECT_TRUE(fails_run(safe));
  EXPECT_FALSE(fails_run(naive));
  EXPECT_FALSE(fails_run(pass));
  EXPECT_TRUE(fails_run(inconclusive));
  EXPECT_FALSE(safe_violated(inconclusive.correctness));
  for (const Result* r : {&safe, &naive, &pass, &inconclusive})
    EXPECT_EQ(fails_run(*r), fails_run(r->correctness));

  // Every writer marks exactly the rows fails_run names.
  Report rep;
  rep.results = {safe, naive, pass, inconclusive};
  const std::string md = to_markdown(rep);
  const std::string html = to_html(rep);
  const std::string junit = to_junit_xml(rep);
  size_t failed = 0;
  for (const auto& r : rep.results) failed += fails_run(r);
  size_t marked = 0;
  for (size_t p = md.find("| ❌ "); p != std::string::npos; p = md.find("| ❌ ", p + 1)) ++marked;
  EXPECT_EQ(marked, failed) << md;
  marked = 0;
  for (size_t p = html.find("<tr class=\"bad\">"); p != std::string::npos;
       p = html.find("<tr class=\"bad\">", p + 1))
    ++marked;
  EXPECT_EQ(marked, failed);
  EXPECT_NE(junit.find("failures=\"" + std::to_string(failed) + "\""), std::string::npos) << junit;
}

TEST(FactsHtmlDetails, ShowTheScenariosLabelsInItsOrderThenTheOtherKeys) {
  for (const lh::scenarios::Scenario* s : lh::scenarios::all_scenarios()) {
    const std::string name(s->name());
    Result r = lh::test::sample_result(name, "naive", 100, 900, 2);
    json d = json::object();
    std::vector<std::pair<std::string, std::string>> expected;
    std::set<std::string> labelled;
    int64_t n = 1000;
    for (const auto& l : s->detail_labels()) {
      if (!labelled.insert(std::string(l.key)).second) continue;
      d[std::string(l.key)] = n;
      expected.emplace_back(std::string(l.label), with_commas(static_cast<uint64_t>(n)));
      n += 1111;
    }
    d["zz_added_by_a_newer_checker"] = "a note";  // keys the scenario does not label come after, by name
    d["aa_added_by_a_newer_checker"] = -12345;
    expected.emplace_back("aa_added_by_a_newer_checker", "-12,345");
    expected.emplace_back("zz_added_by_a_newer_checker", "a note");
    r.correctness.details = d;
    const std::string html = to_html(one_row(r));
    auto tables = detail_tables(html);
    ASSERT_EQ(tables.size(), 1u) << name;
    EXPECT_EQ(tables[0], expected) << name;
    // The JSON itself is still there, folded.
    EXPECT_NE(html.find("<details class=\"raw\"><summary>details as JSON</summary><pre>{\n  &quot;aa_added"),
              std::string::npos)
        << name;
  }
}

TEST(FactsHtmlDetails, AScenarioOrVariantThisBuildLacksStillRendersEveryKey) {
  Result r =
      lh::test::sample_result("a-scenario-this-build-lacks", "a-variant-this-build-lacks", 100, 900, 2);
  r.correctness.details = {{"<odd key>", "<odd & value>"}, {"ratio", 0.25}, {"list", {1, 2}}, {"ok", true}};
  const std::string html = to_html(one_row(r));
  auto tables = detail_tables(html);
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(tables[0],
            (std::vector<std::pair<std::string, std::string>>{{"&lt;odd key&gt;", "&lt;odd &amp; value&gt;"},
                                                              {"list", "[1,2]"},
                                                              {"ok", "true"},
                                                              {"ratio", "0.25"}}));
  EXPECT_EQ(html.find("<odd"), std::string::npos);
  EXPECT_NE(html.find("a-variant-this-build-lacks"), std::string::npos);
  // And the other writers say it in generic words.
  EXPECT_NE(to_markdown(one_row(r)).find("2 violations of"), std::string::npos);
}

TEST(FactsHtmlDetails, NoDetailsNoTable) {
  Result r = lh::test::sample_result("counter", "atomic", 100, 900, 0);
  r.correctness.details = json::object();
  const std::string html = to_html(one_row(r));
  EXPECT_EQ(html.find("<table class=\"checker-details\">"), std::string::npos);
  EXPECT_EQ(html.find("details as JSON"), std::string::npos);
}
