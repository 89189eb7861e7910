// The HTML report: self-contained (no external reference), with the three chart kinds drawn from the data.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>

#include "harness/reports/format.hpp"
#include "harness/reports/html.hpp"
#include "harness/reports/svg.hpp"
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

TEST(HtmlWriter, ASliverOfASecondIsLeftOutOfBothPerSecondCharts) {
  // 40 ops in flight that completed 0.2 ms after the load stopped: 40 / 0.0002 s is no rate, and the p99 of
  // those 40 ops, 0.2 ms right of the last whole second, would draw a vertical tick: leave both out.
  Report r = sample_report();
  auto& s = r.results[0].series;
  s.push_back({10, 40, 400, 900, 0.0002});
  std::string html = to_html(r);
  auto tp = figures(html, "chart-throughput");
  auto p99 = figures(html, "chart-p99");
  EXPECT_EQ(polyline_points(tp[0]), (s.size() - 1) + r.results[1].series.size());
  EXPECT_EQ(polyline_points(p99[0]), (s.size() - 1) + r.results[1].series.size());
  for (const auto* f : {&tp[0], &p99[0]}) {
    EXPECT_EQ(f->find("second 11"), std::string::npos);
    EXPECT_NE(f->find("Left out of both charts, under 0.5 s (the ops in flight when the load stopped; ops / "
                      "span would be a spike): atomic&apos;s last 0.0002 s (40 ops)."),
              std::string::npos)
        << *f;
  }
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

namespace {

// The <g class="series" data-label="LABEL"> of a line chart: its polylines and circles.
std::string series_group(const std::string& fig, const std::string& label) {
  const size_t p = fig.find("<g class=\"series\" data-label=\"" + label + "\">");
  if (p == std::string::npos) return "";
  return fig.substr(p, fig.find("</g>", p) - p);
}

std::vector<double> numbers(const std::string& s, const std::string& attr) {
  std::vector<double> out;
  std::regex re(" " + attr + "=\"([-0-9.]+)\"");
  for (auto it = std::sregex_iterator(s.begin(), s.end(), re); it != std::sregex_iterator(); ++it)
    out.push_back(std::stod((*it)[1]));
  return out;
}

// Every x,y of every points="..." in the text.
std::vector<std::pair<double, double>> polyline_xy(const std::string& s) {
  std::vector<std::pair<double, double>> out;
  std::regex points("points=\"([^\"]*)\"");
  std::regex xy("([-0-9.]+),([-0-9.]+)");
  for (auto it = std::sregex_iterator(s.begin(), s.end(), points); it != std::sregex_iterator(); ++it) {
    std::string p = (*it)[1];
    for (auto jt = std::sregex_iterator(p.begin(), p.end(), xy); jt != std::sregex_iterator(); ++jt)
      out.emplace_back(std::stod((*jt)[1]), std::stod((*jt)[2]));
  }
  return out;
}

struct Plot {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};

Plot plot_of(const std::string& fig) {
  std::smatch m;
  std::regex re(R"re(<rect class="plot" x="([0-9.]+)" y="([0-9.]+)" width="([0-9.]+)" height="([0-9.]+)")re");
  if (!std::regex_search(fig, m, re)) return {};
  const double x = std::stod(m[1]), y = std::stod(m[2]);
  return {x, y, x + std::stod(m[3]), y + std::stod(m[4])};
}

std::string caption_of(const std::string& fig) {
  const size_t p = fig.find("<figcaption>");
  return fig.substr(p, fig.find("</figcaption>", p) - p);
}

// The text of every <text class="CLS"> in order, with its x.
std::vector<std::pair<std::string, double>> texts(const std::string& fig, const std::string& cls) {
  std::vector<std::pair<std::string, double>> out;
  std::regex re("<text class=\"" + cls + "\" x=\"([-0-9.]+)\" y=\"[-0-9.]+\">([^<]*)</text>");
  for (auto it = std::sregex_iterator(fig.begin(), fig.end(), re); it != std::sregex_iterator(); ++it)
    out.emplace_back((*it)[2], std::stod((*it)[1]));
  return out;
}

std::vector<std::string> attrs(const std::string& s, const std::string& attr) {
  std::vector<std::string> out;
  std::regex re(" " + attr + "=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(s.begin(), s.end(), re); it != std::sregex_iterator(); ++it)
    out.push_back((*it)[1]);
  return out;
}

}  // namespace

TEST(HtmlWriter, LogAxisTicksAre125WithUnitsThatRead) {
  auto a =
      lh::reports::svg::log_axis(0.3, 20, "latency", [](double v) { return lh::reports::compact_number(v); });
  EXPECT_TRUE(a.log);
  EXPECT_DOUBLE_EQ(a.min, 0.2);
  EXPECT_DOUBLE_EQ(a.max, 20);
  std::vector<std::string> labels;
  for (const auto& t : a.ticks) labels.push_back(t.label);
  EXPECT_EQ(labels, (std::vector<std::string>{"0.2", "0.5", "1", "2", "5", "10", "20"}));
  // Over more than four decades only the decades are labelled, and the ends are whole decades.
  auto wide = lh::reports::svg::log_axis(0.1, 6000, "latency",
                                         [](double v) { return lh::reports::compact_number(v); });
  EXPECT_DOUBLE_EQ(wide.min, 0.1);
  EXPECT_DOUBLE_EQ(wide.max, 10000);
  labels.clear();
  for (const auto& t : wide.ticks)
    if (!t.label.empty()) labels.push_back(t.label);
  EXPECT_EQ(labels, (std::vector<std::string>{"0.1", "1", "10", "100", "1000", "10000"}));
  // A narrow range gets finer steps.
  auto narrow = lh::reports::svg::log_axis(1.05, 1.7, "latency",
                                           [](double v) { return lh::reports::compact_number(v); });
  labels.clear();
  for (const auto& t : narrow.ticks) labels.push_back(t.label);
  EXPECT_EQ(labels, (std::vector<std::string>{"1", "1.2", "1.5", "2"}));
}

TEST(HtmlWriter, LatencyChartsUseALogYAxisSoATransactionTailDoesNotFlattenTheRest) {
  // counter/atomic's latencies are ~0.1 to 6 ms; counter/transaction's tail reaches 6 s. On a linear axis
  // every atomic point would lie within a pixel of the others (6 ms of 6 s is 0.2 px of 224): flat. On the
  // log axis its ups and downs (the sample's second 7 raises its p99 by half) are pixels apart.
  const std::string html = to_html(lh::test::many_rows_report());
  for (const char* kind : {"chart-percentile", "chart-p99"}) {
    auto charts = figures(html, kind);
    ASSERT_EQ(charts.size(), 6u) << kind;
    const std::string& c = charts[0];  // counter
    EXPECT_NE(c.find(">1 ms<"), std::string::npos) << kind;
    EXPECT_NE(c.find(">1 s<"), std::string::npos) << kind;
    EXPECT_NE(c.find("(log scale)"), std::string::npos) << kind;
    const Plot plot = plot_of(c);
    ASSERT_GT(plot.y1, plot.y0);
    const std::vector<double> cy = numbers(series_group(c, "atomic"), "cy");
    ASSERT_FALSE(cy.empty()) << kind;
    const auto [lo, hi] = std::minmax_element(cy.begin(), cy.end());
    EXPECT_GT(*hi - *lo, 5) << kind << ": the atomic line is flat";
    for (const auto& [label, x] : texts(c, "ylabel")) EXPECT_NE(label, "0") << kind;  // no 0 on a log axis
    EXPECT_GE(texts(c, "ylabel").size(), 3u) << kind;
    for (double y : cy) EXPECT_LE(y, plot.y1 + 0.05) << kind;
    const std::vector<double> tail = numbers(series_group(c, "transaction"), "cy");
    ASSERT_FALSE(tail.empty());
    for (double y : tail) EXPECT_GE(y, plot.y0 - 0.05) << kind;
    EXPECT_LT(*std::min_element(tail.begin(), tail.end()), *lo);  // the tail is above the atomic line
  }
  EXPECT_NE(figures(html, "chart-percentile")[0].find(">100 \xC2\xB5s<"), std::string::npos);  // "100 µs"
}

TEST(HtmlWriter, ASecondWithNoCompletedOpBreaksTheP99LineInsteadOfDroppingToZero) {
  Report r = lh::test::gappy_report();
  const std::string html = to_html(r);
  auto p99 = figures(html, "chart-p99");
  ASSERT_EQ(p99.size(), 2u);
  const std::string atomic = series_group(p99[0], "atomic");
  EXPECT_EQ(count(atomic, "<polyline"), 2u) << atomic;                  // seconds 1-4, then 6-10
  EXPECT_EQ(count(atomic, "<circle"), r.results[0].series.size() - 2);  // not second 5, not the sliver
  EXPECT_EQ(atomic.find("atomic second 5:"), std::string::npos);
  const Plot plot = plot_of(p99[0]);
  for (const auto& [x, y] : polyline_xy(atomic))
    EXPECT_LT(y, plot.y1 - 0.5) << "a point on the bottom edge at x " << x;
  EXPECT_EQ(count(series_group(p99[0], "naive"), "<polyline"), 1u);
  EXPECT_NE(p99[0].find("No op completed in atomic second 5: no p99 was measured there, so the line breaks"),
            std::string::npos);
  // The throughput of that second is a real 0 ops/s, and is drawn.
  EXPECT_NE(figures(html, "chart-throughput")[0].find("<title>atomic second 5: 0 ops/s</title>"),
            std::string::npos);
  EXPECT_EQ(figures(to_html(lh::test::sample_report()), "chart-p99")[0].find("No op completed"),
            std::string::npos);
}

TEST(HtmlWriter, ATinyLastSpanIsNotDrawnAsASpikeAndTheFigureSaysSo) {
  // counter/atomic's last point: 400 ops in 0.004 s, which would plot as 100,000 ops/s next to ~25,000.
  const std::string html = to_html(lh::test::gappy_report());
  const std::string tp = figures(html, "chart-throughput")[0];
  double max_rate = 0;
  std::regex rate(R"(([0-9,]+) ops/s)");
  for (auto it = std::sregex_iterator(tp.begin(), tp.end(), rate); it != std::sregex_iterator(); ++it) {
    std::string digits = (*it)[1];
    digits.erase(std::remove(digits.begin(), digits.end(), ','), digits.end());
    max_rate = std::max(max_rate, std::stod(digits));
  }
  EXPECT_GT(max_rate, 20000);
  EXPECT_LT(max_rate, 30000);
  EXPECT_EQ(series_group(tp, "atomic").find("second 11"), std::string::npos);
  EXPECT_NE(tp.find(">30k<"), std::string::npos);  // the y axis ends where the whole seconds do
  EXPECT_EQ(tp.find(">100k<"), std::string::npos);
  EXPECT_NE(tp.find("Left out of both charts, under 0.5 s (the ops in flight when the load stopped; ops / "
                    "span would be a spike): atomic&apos;s last 0.004 s (400 ops)."),
            std::string::npos)
      << tp;
  // counter/naive's last 0.6 s is long enough: drawn as 8,400 / 0.6 = 14,000 ops/s, and said.
  EXPECT_NE(tp.find("<title>naive second 11 (its first 0.6 s): 14,000 ops/s (8,400 ops)</title>"),
            std::string::npos);
  EXPECT_NE(tp.find("drawn as ops / its span at the time it ends: naive (0.6 s)."), std::string::npos);
  // The rule's edge: 0.49 s is left out, 0.5 s drawn (APartialLastSecondIsPlottedAsARateAtTheTimeItEnds).
  Report edge = sample_report();
  edge.results[0].series.push_back({10, 4900, 400, 1500, 0.49});
  EXPECT_EQ(series_group(figures(to_html(edge), "chart-throughput")[0], "atomic").find("second 11"),
            std::string::npos);
  EXPECT_EQ(series_group(figures(to_html(edge), "chart-p99")[0], "atomic").find("second 11"),
            std::string::npos);
}

TEST(HtmlWriter, ThroughputAndP99OfAScenarioShareOneXAxis) {
  // The throughput chart draws counter/atomic's empty 5th second as 0 ops/s, the p99 chart has a gap there:
  // the x axes are the same seconds at the same places, and the two charts sit one above the other.
  for (const Report& r :
       {lh::test::gappy_report(), lh::test::many_rows_report(), lh::test::workload_report()}) {
    const std::string html = to_html(r);
    auto tp = figures(html, "chart-throughput");
    auto p99 = figures(html, "chart-p99");
    ASSERT_EQ(tp.size(), p99.size());
    for (size_t i = 0; i < tp.size(); ++i) {
      EXPECT_EQ(texts(tp[i], "xlabel"), texts(p99[i], "xlabel")) << i;
      EXPECT_FALSE(texts(tp[i], "xlabel").empty());
      const Plot a = plot_of(tp[i]), b = plot_of(p99[i]);
      EXPECT_EQ(a.x0, b.x0);
      EXPECT_EQ(a.x1, b.x1);
      EXPECT_GT(a.x1, a.x0);
      // Stacked in one column: the p99 figure follows the throughput figure inside the same pair.
      const size_t at = html.find(tp[i]);
      const size_t pair = html.rfind("<div class=\"pair\">", at);
      ASSERT_NE(pair, std::string::npos);
      EXPECT_EQ(html.find("<div class=\"pair\">", pair + 1), html.find("<div class=\"pair\">", at));
      EXPECT_LT(at, html.find(p99[i]));
      EXPECT_EQ(html.find("</figure>", at) + 10, html.find(p99[i]));
    }
  }
}

TEST(HtmlWriter, EveryChartHeadingNamesTheRowsItPlots) {
  for (const Report& r : {lh::test::many_rows_report(), lh::test::workload_report(), sample_report()}) {
    const std::string html = to_html(r);
    size_t charts = 0;
    for (const char* kind : {"chart-percentile", "chart-throughput", "chart-p99"})
      for (const auto& f : figures(html, kind)) {
        ++charts;
        const std::string caption = caption_of(f);
        std::vector<std::string> labels;
        for (const auto& l : attrs(f, "data-label")) labels.push_back(l);
        ASSERT_FALSE(labels.empty());
        for (const auto& l : labels)
          EXPECT_NE(caption.find(l), std::string::npos) << l << " not in " << caption;
      }
    for (const char* kind : {"chart-violations", "chart-throughput-bars"})
      for (const auto& f : figures(html, kind)) {
        ++charts;
        const std::string caption = caption_of(f);
        const auto groups = attrs(f, "data-group"), labels = attrs(f, "data-label"),
                   rows = attrs(f, "data-row");
        ASSERT_EQ(groups.size(), labels.size());
        for (size_t i = 0; i < groups.size(); ++i) {
          if (caption.find(rows[i]) != std::string::npos) continue;  // a workload row, by its label
          const size_t g = caption.find(groups[i] + " (");
          ASSERT_NE(g, std::string::npos) << groups[i] << " not in " << caption;
          const std::string variants = caption.substr(g, caption.find(')', g) - g);
          EXPECT_NE(variants.find(labels[i]), std::string::npos) << labels[i] << " not in " << variants;
        }
      }
    EXPECT_GE(charts, 5u);
  }
  const std::string many = to_html(lh::test::many_rows_report());
  EXPECT_NE(caption_of(figures(many, "chart-p99")[0]).find("(atomic, naive, transaction)"),
            std::string::npos);
}

TEST(HtmlWriter, WorkloadRowsAreLabelledByTheirNames) {
  const std::string html = to_html(lh::test::workload_report());
  const auto bars = figures(html, "chart-throughput-bars");
  ASSERT_EQ(bars.size(), 1u);
  EXPECT_EQ(attrs(bars[0], "data-row"),
            (std::vector<std::string>{"limiter (custom/evalsha)",
                                      "session-refresh-for-the-mobile-clients-in-eu-west (custom/evalsha)",
                                      "total"}));
  EXPECT_NE(bars[0].find(">total</text>"), std::string::npos);
  // A label over 30 characters wraps onto lines of at most 30.
  EXPECT_NE(bars[0].find("<tspan"), std::string::npos);
  // One chart per kind for the whole workload, each line named by its row, in colours of its own.
  const auto curves = figures(html, "chart-percentile");
  ASSERT_EQ(curves.size(), 1u);
  EXPECT_EQ(attrs(curves[0], "data-label"),
            (std::vector<std::string>{"limiter (custom/evalsha)",
                                      "session-refresh-for-the-mobile-clients-in-eu-west (custom/evalsha)",
                                      "total"}));
  const auto strokes = attrs(curves[0], "stroke");
  ASSERT_EQ(strokes.size(), 3u);
  EXPECT_NE(strokes[0], strokes[1]);
  EXPECT_NE(html.find("<th>name</th><th>scenario</th>"), std::string::npos);
  EXPECT_NE(html.find("<td>limiter</td><td>custom</td>"), std::string::npos);
  EXPECT_NE(html.find("<summary>limiter (custom/evalsha): "), std::string::npos);
  EXPECT_NE(html.find("<th>workload</th><td>mix.json</td>"), std::string::npos);
  EXPECT_EQ(to_html(sample_report()).find("<th>name</th>"), std::string::npos);
}

TEST(HtmlWriter, WrapsALongLabelAtItsBreaksWithoutLosingAChar) {
  using lh::reports::svg::wrap_label;
  EXPECT_EQ(wrap_label("counter/atomic", 30), (std::vector<std::string>{"counter/atomic"}));
  auto lines = wrap_label("session-refresh-for-the-mobile-clients-in-eu-west (custom/evalsha)", 30);
  ASSERT_GE(lines.size(), 3u);
  std::string back;
  for (const auto& l : lines) {
    EXPECT_LE(l.size(), 30u) << l;
    back += (back.empty() || back.back() == '-' || back.back() == '/' ? "" : " ") + l;
  }
  EXPECT_EQ(back, "session-refresh-for-the-mobile-clients-in-eu-west (custom/evalsha)");
  EXPECT_EQ(lines.back(), "(custom/evalsha)");
  EXPECT_EQ(wrap_label(std::string(45, 'x'), 30).size(), 2u);  // no break point: cut at 30
  EXPECT_EQ(wrap_label("\xC2\xB5\xC2\xB5\xC2\xB5", 2),
            (std::vector<std::string>{"\xC2\xB5\xC2\xB5", "\xC2\xB5"}));
}

TEST(HtmlWriter, TheCapacitySectionAnswersInOneSentenceWithTheStepsAndTheCurve) {
  Report r = lh::test::capacity_report();
  const std::string html = to_html(r);
  EXPECT_NE(html.find("<h2>Capacity</h2>"), std::string::npos);
  EXPECT_NE(
      html.find(
          ">45,000 ops/s is the highest rate that met every SLO (p99_ms&lt;2, "
          "counter/atomic:p50_ms&lt;=0.8, error_rate&lt;0.01); 47,500 ops/s failed: p99_ms&lt;2: 2.2.</p>"),
      std::string::npos)
      << html;
  // The table: one row per step in run order, met or not, and why.
  const size_t t = html.find("<table class=\"capacity\">");
  ASSERT_NE(t, std::string::npos);
  const std::string table = html.substr(t, html.find("</table>", t) - t);
  EXPECT_EQ(count(table, "<tr"), r.capacity->steps.size() + 1);
  EXPECT_EQ(count(table, "\xE2\x9C\x93"), 4u);                // ✓
  EXPECT_EQ(count(table, "\xE2\x9C\x97"), 4u);                // ✗
  EXPECT_LT(table.find(">80,000<"), table.find(">60,000<"));  // run order, not sorted
  EXPECT_NE(table.find("<td>p99_ms&lt;2: 9.8; counter/atomic:p50_ms&lt;=0.8: 1.9</td>"), std::string::npos);
  EXPECT_NE(table.find(">18,800<"), std::string::npos);
  EXPECT_NE(table.find(">0.04 %<"), std::string::npos);
  // The curve: p50 and p99 by achieved rate, sorted; failed steps hollow; the latency SLOs as dashed lines.
  const auto curve = figures(html, "chart-capacity");
  ASSERT_EQ(curve.size(), 1u);
  const std::string& c = curve[0];
  for (const char* line : {"p50", "p99"}) {
    const auto xy = polyline_xy(series_group(c, line));
    ASSERT_EQ(xy.size(), r.capacity->steps.size()) << line;
    for (size_t i = 1; i < xy.size(); ++i) EXPECT_LT(xy[i - 1].first, xy[i].first) << line;
    EXPECT_EQ(count(series_group(c, line), "<circle class=\"failed\""), 4u) << line;
  }
  EXPECT_EQ(count(c, "<g class=\"rule slo\">"),
            2u);  // p99_ms<2 and counter/atomic:p50_ms<=0.8, not error_rate
  EXPECT_NE(c.find(">p99_ms&lt;2</text>"), std::string::npos);
  EXPECT_NE(c.find(">counter/atomic:p50_ms&lt;=0.8</text>"), std::string::npos);
  EXPECT_EQ(c.find("error_rate"), std::string::npos);
  EXPECT_EQ(count(c, "<g class=\"rule max-rate\">"), 1u);
  EXPECT_NE(c.find(">max 45,000 ops/s</text>"), std::string::npos);
  // The p99 SLO line lies between the step that met it at 1.9 ms and the one that failed at 2.2 ms.
  const size_t slo = c.find("<g class=\"rule slo\">");
  const double slo_y = numbers(c.substr(slo, c.find("</g>", slo) - slo), "y1").at(0);
  double met_y = 0, failed_y = 0;
  std::regex circle(R"re(<circle[^>]* cy="([0-9.]+)"[^>]*><title>p99 at ([0-9,]+) ops/s)re");
  for (auto it = std::sregex_iterator(c.begin(), c.end(), circle); it != std::sregex_iterator(); ++it) {
    if ((*it)[2] == "44,850") met_y = std::stod((*it)[1]);
    if ((*it)[2] == "47,300") failed_y = std::stod((*it)[1]);
  }
  EXPECT_GT(met_y, slo_y);  // lower latency: further down
  EXPECT_LT(failed_y, slo_y);
  // Without capacity, no section.
  EXPECT_EQ(to_html(sample_report()).find("Capacity"), std::string::npos);
  EXPECT_TRUE(figures(to_html(sample_report()), "chart-capacity").empty());
}

TEST(HtmlWriter, ACapacityRunWhereNoRateMetTheSlosSaysWhy) {
  const std::string html = to_html(lh::test::capacity_failed_report());
  EXPECT_NE(
      html.find(">No rate met every SLO (p99_ms&lt;2, counter/atomic:p50_ms&lt;=0.8, error_rate&lt;0.01): "
                "even the first step, 10,000 ops/s, failed: p99_ms&lt;2: 12.</p>"),
      std::string::npos)
      << html;
  const auto curve = figures(html, "chart-capacity");
  ASSERT_EQ(curve.size(), 1u);
  EXPECT_EQ(count(curve[0], "<g class=\"rule slo\">"), 2u);
  EXPECT_EQ(curve[0].find("rule max-rate"), std::string::npos);
}

TEST(HtmlWriter, ARowWhoseSeriesIsOnlyASliverGetsNoLineAndNoLegendEntry) {
  // cas/naive ran 0.1 s (a --requests run that finished at once): nothing to draw per second.
  Report r = sample_report();
  r.results[3].series = {{0, 1200, 300, 900, 0.1}};
  const std::string html = to_html(r);
  for (const char* kind : {"chart-throughput", "chart-p99"}) {
    const std::string cas = figures(html, kind).at(1);
    EXPECT_EQ(attrs(cas, "data-label"), std::vector<std::string>{"atomic"}) << kind;
    EXPECT_NE(caption_of(cas).find("(atomic)"), std::string::npos) << kind;
    EXPECT_EQ(cas.find(">naive</text>"), std::string::npos) << kind;
  }
  r.results[2].series = r.results[3].series;  // and cas/atomic too: no cas pair at all
  EXPECT_EQ(figures(to_html(r), "chart-throughput").size(), 1u);
}
