// The HTML report: self-contained (no external reference), with the three chart kinds drawn from the data.
#include <gtest/gtest.h>

#include <regex>

#include "harness/reports/html.hpp"
#include "support/sample_report.hpp"

using namespace lh::reports;
using lh::test::sample_report;

namespace {

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + what.size())) ++n;
  return n;
}

// The <figure> elements whose class list contains `kind`, as text.
std::vector<std::string> figures(const std::string& html, const std::string& kind) {
  std::vector<std::string> out;
  for (size_t p = html.find("<figure class=\""); p != std::string::npos;
       p = html.find("<figure class=\"", p + 1)) {
    size_t end = html.find("</figure>", p);
    std::string fig = html.substr(p, end - p);
    std::string cls = fig.substr(15, fig.find('"', 15) - 15);
    if ((" " + cls + " ").find(" " + kind + " ") != std::string::npos) out.push_back(fig);
  }
  return out;
}

// Number of x,y pairs in every points="..." of the text.
size_t polyline_points(const std::string& s) {
  size_t n = 0;
  std::regex points("points=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(s.begin(), s.end(), points); it != std::sregex_iterator(); ++it) {
    std::string p = (*it)[1];
    if (!p.empty()) n += count(p, " ") + 1;
  }
  return n;
}

}  // namespace

TEST(HtmlWriter, IsOneSelfContainedPageWithoutExternalReferences) {
  std::string html = to_html(sample_report());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find(" src="), std::string::npos);
  EXPECT_NE(html.find("<style>"), std::string::npos);
  EXPECT_NE(html.find("</html>"), std::string::npos);
}

TEST(HtmlWriter, DrawsAPercentileCurvePerVariantForEveryScenario) {
  Report r = sample_report();
  std::string html = to_html(r);
  auto charts = figures(html, "chart-percentile");
  ASSERT_EQ(charts.size(), 2u);  // counter, cas
  for (const auto& c : charts) {
    EXPECT_EQ(count(c, "<polyline"), 2u);  // atomic, naive
    size_t expected = 2 * r.results[0].percentile_curve.size();
    EXPECT_EQ(polyline_points(c), expected);
    EXPECT_EQ(count(c, "<circle"), expected);
    // HdrHistogram-style x axis labels
    for (const char* label : {">0%<", ">90%<", ">99%<", ">99.9%<", ">99.99%<"})
      EXPECT_NE(c.find(label), std::string::npos) << label;
  }
}

TEST(HtmlWriter, DrawsThroughputAndP99PerSecond) {
  Report r = sample_report();
  std::string html = to_html(r);
  auto tp = figures(html, "chart-throughput");
  auto p99 = figures(html, "chart-p99");
  ASSERT_EQ(tp.size(), 2u);
  ASSERT_EQ(p99.size(), 2u);
  EXPECT_EQ(polyline_points(tp[0]), 2 * r.results[0].series.size());
  EXPECT_EQ(polyline_points(p99[1]), 2 * r.results[2].series.size());
  EXPECT_TRUE(std::regex_search(tp[0], std::regex("<title>atomic second 1: [0-9,]+ ops/s</title>")));
  EXPECT_TRUE(std::regex_search(p99[0], std::regex("<title>naive second 10: [0-9.]+ ms p99</title>")));
}

TEST(HtmlWriter, APartialLastSecondIsPlottedAsARateAtTheTimeItEnds) {
  // counter/atomic ran 10.5 s: its 11th point holds 5,000 ops in 0.5 s: 10,000 ops/s, not a drop to 5,000.
  Report r = sample_report();
  auto& s = r.results[0].series;
  s.push_back({10, 5000, 400, 1500, 0.5});
  std::string html = to_html(r);
  auto tp = figures(html, "chart-throughput");
  auto p99 = figures(html, "chart-p99");
  ASSERT_EQ(tp.size(), 2u);
  EXPECT_EQ(polyline_points(tp[0]), s.size() + r.results[1].series.size());
  EXPECT_NE(tp[0].find("<title>atomic second 11 (its first 0.5 s): 10,000 ops/s (5,000 ops)</title>"),
            std::string::npos)
      << tp[0];
  EXPECT_NE(p99[0].find("<title>atomic second 11 (its first 0.5 s): 1.500 ms p99</title>"), std::string::npos)
      << p99[0];
  // Drawn at x = 10.5 (10 + span_s), not 11: the same y as a point of 10,000 ops/s in a whole second.
  Report whole = sample_report();
  whole.results[0].series.push_back({10, 10000, 400, 1500});
  auto tp_whole = figures(to_html(whole), "chart-throughput");
  std::regex last_point("points=\"[^\"]* ([0-9.]+),([0-9.]+)\"");
  std::smatch partial_xy, whole_xy;
  ASSERT_TRUE(std::regex_search(tp[0], partial_xy, last_point));
  ASSERT_TRUE(std::regex_search(tp_whole[0], whole_xy, last_point));
  EXPECT_EQ(partial_xy[2], whole_xy[2]);  // same rate, same height
  EXPECT_LT(std::stod(partial_xy[1]), std::stod(whole_xy[1]));
}

TEST(HtmlWriter, ASliverOfASecondIsLeftOutOfTheThroughputChartButNotTheP99Chart) {
  // 40 ops in flight that completed 0.2 ms after the load stopped: 40 / 0.0002 s is no rate; leave it out.
  Report r = sample_report();
  auto& s = r.results[0].series;
  s.push_back({10, 40, 400, 900, 0.0002});
  std::string html = to_html(r);
  auto tp = figures(html, "chart-throughput");
  auto p99 = figures(html, "chart-p99");
  EXPECT_EQ(polyline_points(tp[0]), (s.size() - 1) + r.results[1].series.size());
  EXPECT_EQ(tp[0].find("second 11"), std::string::npos);
  EXPECT_EQ(polyline_points(p99[0]), s.size() + r.results[1].series.size());
  EXPECT_NE(p99[0].find("<title>atomic second 11 (its first 0.0002 s): 0.900 ms p99</title>"),
            std::string::npos)
      << p99[0];
}

TEST(HtmlWriter, ShowsTheFirstErrorOfEachClassInTheDetails) {
  Report r = sample_report();
  r.results[1].error_examples["other"] = "ERR <odd> & reply";
  std::string html = to_html(r);
  EXPECT_NE(html.find("first timeout error: <code>timeout during read with 127.0.0.1:40123</code>"),
            std::string::npos);
  EXPECT_NE(html.find("first other error: <code>ERR &lt;odd&gt; &amp; reply</code>"), std::string::npos);
}

TEST(HtmlWriter, DrawsViolationBarsAtomicVersusNaive) {
  std::string html = to_html(sample_report());
  auto bars = figures(html, "chart-violations");
  ASSERT_EQ(bars.size(), 1u);
  EXPECT_EQ(count(bars[0], "<rect class=\"bar\""), 4u);
  EXPECT_NE(bars[0].find("data-group=\"counter\" data-label=\"naive\" data-value=\"1843\""),
            std::string::npos);
  EXPECT_NE(bars[0].find("data-group=\"cas\" data-label=\"atomic\" data-value=\"0\""), std::string::npos);
  EXPECT_NE(bars[0].find(">1,843<"), std::string::npos);
}

TEST(HtmlWriter, DrawsThroughputBarsNextToTheViolations) {
  std::string html = to_html(sample_report());
  auto bars = figures(html, "chart-throughput-bars");
  ASSERT_EQ(bars.size(), 1u);
  EXPECT_EQ(count(bars[0], "<rect class=\"bar\""), 4u);
  EXPECT_NE(bars[0].find(">25,123<"), std::string::npos);
}

TEST(HtmlWriter, HasResultsThresholdsAndConfigurationTables) {
  std::string html = to_html(sample_report());
  EXPECT_NE(html.find("<table class=\"results\">"), std::string::npos);
  EXPECT_NE(html.find("<table class=\"thresholds\">"), std::string::npos);
  EXPECT_NE(html.find("<table class=\"config\">"), std::string::npos);
  EXPECT_NE(html.find("<th>seed</th><td>42</td>"), std::string::npos);
  EXPECT_NE(html.find("<code>throughput&gt;20000</code>"), std::string::npos);
  EXPECT_NE(html.find("badge fail"), std::string::npos);
}

TEST(HtmlWriter, EscapesTextFromTheReport) {
  Report r = sample_report();
  r.results[3].correctness.examples = {"<script>alert(1)</script>"};
  std::string html = to_html(r);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
}

TEST(HtmlWriter, ReportWithoutSeriesOrCurvesStillRenders) {
  Report r = sample_report();
  for (auto& x : r.results) {
    x.series.clear();
    x.percentile_curve.clear();
  }
  std::string html = to_html(r);
  EXPECT_TRUE(figures(html, "chart-percentile").empty());
  EXPECT_TRUE(figures(html, "chart-series").empty());
  EXPECT_EQ(figures(html, "chart-violations").size(), 1u);
  EXPECT_EQ(to_html(Report{}).rfind("<!DOCTYPE html>", 0), 0u);
}

TEST(HtmlWriter, SaysInconclusiveAndWhyInWords) {
  std::string html = to_html(lh::test::inconclusive_report());
  EXPECT_NE(html.find("<td class=\"v-bad\">inconclusive</td>"), std::string::npos);
  EXPECT_NE(
      html.find("<p class=\"inconclusive v-bad\">counter/atomic is inconclusive (it fails the run): no op "
                "succeeded: NOPERM this user has no permissions to run the &apos;evalsha&apos; command for "
                "258,960 of 258,960 ops</p>"),
      std::string::npos)
      << html;
  // The row's details open by themselves and say why; the warmup and open-loop facts are there too.
  EXPECT_NE(html.find("<details open><summary>counter/atomic: inconclusive</summary>"), std::string::npos);
  EXPECT_NE(html.find("<b>why inconclusive:</b> no op succeeded: NOPERM"), std::string::npos);
  EXPECT_NE(html.find("150,000 ops scheduled, 7,200 dropped"), std::string::npos);
  EXPECT_NE(html.find("The checker judged warmup+measured ops"), std::string::npos);
  EXPECT_NE(html.find("<p class=\"warning warn\">Warning: counter/naive: 7,200 of 150,000 scheduled ops "
                      "dropped"),
            std::string::npos);
}

TEST(HtmlWriter, ListsNotRunVariantsTheAbortAndTheCleanup) {
  std::string html = to_html(lh::test::aborted_report());
  EXPECT_NE(
      html.find("<p class=\"run-aborted v-bad\">The run was aborted: the target was lost during cas/atomic: "
                "Connection refused (127.0.0.1:40123). The results cover the variants that finished.</p>"),
      std::string::npos)
      << html;
  EXPECT_NE(
      html.find("<li class=\"v-bad\">cas/naive not run: aborted: the target was lost (Connection refused, "
                "127.0.0.1:40123)</li>"),
      std::string::npos);
  EXPECT_NE(html.find("<p class=\"cleanup warn\">cleanup incomplete: an unknown number of keys left under "
                      "lh:sample: (the target could not be reached"),
            std::string::npos);
  EXPECT_NE(html.find("<b>note:</b> the target was lost before the check"), std::string::npos);
  std::string interrupted = to_html(lh::test::interrupted_report());
  EXPECT_NE(interrupted.find("<li class=\"v-expected\">cas/atomic not run: interrupted</li>"),
            std::string::npos);
  EXPECT_NE(interrupted.find("The run was interrupted"), std::string::npos);
}

TEST(HtmlWriter, ErrorOnlyReportSaysTheError) {
  std::string html = to_html(lh::test::error_only_report());
  EXPECT_NE(html.find("badge fail"), std::string::npos);
  EXPECT_NE(html.find("<p class=\"run-error v-bad\">The run ended before its load: cannot reach "
                      "redis://127.0.0.1:1: Connection refused</p>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("</html>"), std::string::npos);
}
