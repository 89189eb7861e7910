// Renders the HTML report in headless Chromium, as a person would open it: a PNG screenshot at laptop size,
// the DOM as the browser built it, and the boxes Chromium laid out (a copy of the report with a measuring
// script appended: labels that meet or are cut, charts that do not line up). Chromium is required (CI
// installs it): without it this test FAILS.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "harness/reports/outputs.hpp"
#include "support/sample_report.hpp"

namespace fs = std::filesystem;

namespace {

constexpr const char* kChromium = "/usr/bin/chromium";

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/lh-html-render-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// Runs headless Chromium with the flags that keep it off the network and out of the user's profile.
// Returns the exit status; stdout goes to `out`, stderr to `log`.
int chromium(const fs::path& profile, const std::string& extra, const fs::path& out, const fs::path& log) {
  std::string cmd = std::string("timeout 120 ") + kChromium +
                    " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
                    " --disable-background-networking --disable-component-update --disable-sync"
                    " --hide-scrollbars --user-data-dir=" +
                    profile.string() + " " + extra + " > " + out.string() + " 2> " + log.string();
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

uint32_t be32(const std::string& s, size_t at) {
  return (uint32_t(uint8_t(s[at])) << 24) | (uint32_t(uint8_t(s[at + 1])) << 16) |
         (uint32_t(uint8_t(s[at + 2])) << 8) | uint32_t(uint8_t(s[at + 3]));
}

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + what.size())) ++n;
  return n;
}

class HtmlRender : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kChromium))
      FAIL() << kChromium
             << " not found: the HTML report test renders in headless Chromium. Install it with "
                "`apt-get install -y chromium` (CI installs it).";
    lh::reports::OutputOptions o;
    o.html = (dir.path / "report.html").string();
    lh::reports::write_outputs(lh::test::sample_report(), o);
    url = "file://" + o.html;
  }
  TempDir dir;
  std::string url;
};

}  // namespace

TEST_F(HtmlRender, ScreenshotAtLaptopSizeIsARealPicture) {
  fs::path png = dir.path / "out.png";
  int rc =
      chromium(dir.path / "profile-shot", "--screenshot=" + png.string() + " --window-size=1366,900 " + url,
               dir.path / "shot.out", dir.path / "shot.log");
  ASSERT_EQ(rc, 0) << read_file(dir.path / "shot.log");
  ASSERT_TRUE(fs::exists(png)) << read_file(dir.path / "shot.log");
  std::string bytes = read_file(png);
  ASSERT_GT(bytes.size(), 24u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(bytes.substr(12, 4), "IHDR");
  EXPECT_EQ(be32(bytes, 16), 1366u);  // width
  EXPECT_EQ(be32(bytes, 20), 900u);   // height
  // A blank 1366x900 page compresses to a few KB; tables, text and charts make it far larger.
  EXPECT_GT(bytes.size(), 40u * 1024) << "the screenshot looks empty: " << png;
  if (const char* keep = std::getenv("LH_KEEP_SCREENSHOT"))
    fs::copy_file(png, keep, fs::copy_options::overwrite_existing);
}

TEST_F(HtmlRender, BrowserDomHasEveryChartWithItsDataPoints) {
  fs::path dom = dir.path / "dom.html";
  int rc = chromium(dir.path / "profile-dom", "--dump-dom " + url, dom, dir.path / "dom.log");
  ASSERT_EQ(rc, 0) << read_file(dir.path / "dom.log");
  std::string d = read_file(dom);
  ASSERT_NE(d.find("<main>"), std::string::npos) << "no DOM dumped: " << read_file(dir.path / "dom.log");
  EXPECT_EQ(count(d, "<figure class=\"chart chart-percentile\">"), 2u);
  EXPECT_EQ(count(d, "<figure class=\"chart chart-series chart-throughput\">"), 2u);
  EXPECT_EQ(count(d, "<figure class=\"chart chart-series chart-p99\">"), 2u);
  EXPECT_EQ(count(d, "<figure class=\"chart chart-violations\">"), 1u);
  EXPECT_EQ(count(d, "<polyline"), 2u * 2 + 2u * 2 + 2u * 2);  // 2 variants x 2 scenarios x 3 line charts
  EXPECT_EQ(count(d, "<figure class=\"chart chart-throughput-bars\">"), 1u);
  EXPECT_EQ(count(d, "<rect class=\"bar\""), 4u + 4u);  // violations and throughput, one bar per row each
  auto report = lh::test::sample_report();
  size_t points = 0;
  for (const auto& r : report.results) points += r.percentile_curve.size() + 2 * r.series.size();
  EXPECT_EQ(count(d, "<circle"), points);
  EXPECT_NE(d.find("<table class=\"config\">"), std::string::npos);
  EXPECT_EQ(d.find("http://"), std::string::npos);
  EXPECT_EQ(d.find("https://"), std::string::npos);
}

TEST_F(HtmlRender, BrowserShowsWhatWentWrongInWords) {
  // What the browser built from an aborted and from an inconclusive report: the sentences are in the DOM.
  struct Page {
    const char* name;
    lh::reports::Report report;
    std::vector<std::string> words;
  };
  const std::vector<Page> pages = {
      {"aborted",
       lh::test::aborted_report(),
       {"The run was aborted: the target was lost during cas/atomic", "cas/naive not run: aborted",
        "cleanup incomplete: an unknown number of keys left under lh:sample:"}},
      {"inconclusive",
       lh::test::inconclusive_report(),
       {"counter/atomic is inconclusive (it fails the run): no op succeeded: NOPERM this user has no "
        "permissions "
        "to run the 'evalsha' command for 258,960 of 258,960 ops",
        "<td class=\"v-bad\">inconclusive</td>"}}};
  for (const auto& p : pages) {
    lh::reports::OutputOptions o;
    o.html = (dir.path / (std::string(p.name) + ".html")).string();
    lh::reports::write_outputs(p.report, o);
    fs::path dom = dir.path / (std::string(p.name) + ".dom.html");
    int rc = chromium(dir.path / (std::string("profile-") + p.name), "--dump-dom file://" + o.html, dom,
                      dir.path / "words.log");
    ASSERT_EQ(rc, 0) << read_file(dir.path / "words.log");
    std::string d = read_file(dom);
    ASSERT_NE(d.find("<main>"), std::string::npos) << p.name << ": no DOM dumped";
    for (const auto& w : p.words) EXPECT_NE(d.find(w), std::string::npos) << p.name << ": " << w;
  }
}

namespace {

// A measured box in CSS pixels.
struct Box {
  double left = 0, top = 0, right = 0, bottom = 0;
};

bool overlap(const Box& a, const Box& b) {
  constexpr double kTouch = 0.5;  // boxes that share an edge do not overlap
  return a.left < b.right - kTouch && b.left < a.right - kTouch && a.top < b.bottom - kTouch &&
         b.top < a.bottom - kTouch;
}

bool inside(const Box& in, const Box& out) {
  constexpr double kSlack = 0.5;
  return in.left >= out.left - kSlack && in.right <= out.right + kSlack && in.top >= out.top - kSlack &&
         in.bottom <= out.bottom + kSlack;
}

// What the measuring script found in one rendered page, per chart figure: its class, the .pair it is in (-1:
// none), its svg's box, its plot area's box, the box of every text in it (with the text's class) and of its
// SLO lines.
struct Figure {
  std::string cls;
  int pair = -1;
  Box svg, plot;
  std::vector<std::pair<std::string, Box>> texts;
  std::vector<Box> slo_lines;
};

// Appended to a copy of the report (the report itself has no script): measures every chart with
// getBoundingClientRect() once the page is laid out and writes the numbers into the DOM, one line each, for
// --dump-dom to carry out.
const char* kMeasure = R"js(<script>
(function () {
  const lines = [];
  const box = (e) => {
    const b = e.getBoundingClientRect();
    return [b.left, b.top, b.right, b.bottom].join(' ');
  };
  const pairs = Array.from(document.querySelectorAll('.pair'));
  document.querySelectorAll('figure.chart').forEach((fig, i) => {
    const svg = fig.querySelector('svg');
    const pair = pairs.findIndex((p) => p.contains(fig));
    lines.push(['F', i, pair, fig.className.replace(/ /g, '.'), box(svg)].join(' '));
    const plot = svg.querySelector('rect.plot');
    if (plot) lines.push(['P', i, box(plot)].join(' '));
    svg.querySelectorAll('text').forEach(
        (t) => lines.push(['T', i, t.getAttribute('class') || '-', box(t)].join(' ')));
    svg.querySelectorAll('g.rule.slo line').forEach((l) => lines.push(['S', i, box(l)].join(' ')));
  });
  const pre = document.createElement('pre');
  pre.id = 'measured';
  pre.textContent = '\n' + lines.join('\n') + '\n';
  document.body.appendChild(pre);
})();
</script>)js";

Box read_box(std::istringstream& in) {
  Box b;
  in >> b.left >> b.top >> b.right >> b.bottom;
  return b;
}

std::vector<Figure> parse_measured(const std::string& dom) {
  std::vector<Figure> out;
  const size_t at = dom.find("<pre id=\"measured\">");
  if (at == std::string::npos) return out;
  std::istringstream lines(dom.substr(at, dom.find("</pre>", at) - at));
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream in(line);
    std::string kind;
    size_t i = 0;
    if (!(in >> kind >> i)) continue;
    if (kind == "F") {
      Figure f;
      in >> f.pair >> f.cls;
      f.svg = read_box(in);
      out.resize(std::max(out.size(), i + 1));
      out[i] = f;
    } else if (i < out.size() && kind == "P") {
      out[i].plot = read_box(in);
    } else if (i < out.size() && kind == "T") {
      std::string cls;
      in >> cls;
      out[i].texts.emplace_back(cls, read_box(in));
    } else if (i < out.size() && kind == "S") {
      out[i].slo_lines.push_back(read_box(in));
    }
  }
  return out;
}

// Renders `report` at `width` x 1000 CSS pixels with the measuring script and returns what it measured.
std::vector<Figure> measure(const fs::path& dir, const std::string& name, const lh::reports::Report& report,
                            int width) {
  lh::reports::OutputOptions o;
  o.html = (dir / (name + ".html")).string();
  lh::reports::write_outputs(report, o);
  std::string html = read_file(o.html);
  EXPECT_EQ(html.find("<script"), std::string::npos) << "the report itself carries no script";
  html.insert(html.rfind("</body>"), kMeasure);
  const fs::path page = dir / (name + ".measure.html");
  std::ofstream(page) << html;
  const fs::path dom = dir / (name + ".dom.html");
  const std::string tag = name + "-" + std::to_string(width);
  int rc = chromium(dir / ("profile-" + tag),
                    "--window-size=" + std::to_string(width) + ",1000 --dump-dom file://" + page.string(),
                    dom, dir / (tag + ".log"));
  EXPECT_EQ(rc, 0) << read_file(dir / (tag + ".log"));
  auto figures = parse_measured(read_file(dom));
  EXPECT_FALSE(figures.empty()) << name << ": nothing measured: " << read_file(dir / (tag + ".log"));
  return figures;
}

std::string describe(const Box& b) {
  std::ostringstream s;
  s << "[" << b.left << "," << b.top << " - " << b.right << "," << b.bottom << "]";
  return s.str();
}

}  // namespace

TEST_F(HtmlRender, BarLabelsNeverOverlapAndStayInsideTheirSvgWith18Rows) {
  // 18 rows (6 scenarios x 3 variants), and a workload whose entry's name is 49 characters long; at a
  // laptop's width and at a phone's. Every text of a bar chart (row labels, values, axis labels) is measured
  // as Chromium laid it out.
  struct Page {
    const char* name;
    lh::reports::Report report;
    size_t rows;
  };
  const std::vector<Page> pages = {{"many", lh::test::many_rows_report(), 18},
                                   {"workload", lh::test::workload_report(), 3}};
  for (const auto& p : pages)
    for (int width : {1366, 420}) {
      const auto figures = measure(dir.path, p.name, p.report, width);
      size_t bar_charts = 0;
      for (const auto& f : figures) {
        for (const auto& [cls, b] : f.texts)  // every chart: no text is cut by its svg's edge
          EXPECT_TRUE(inside(b, f.svg)) << p.name << " @" << width << " " << f.cls << " " << cls << " "
                                        << describe(b) << " outside " << describe(f.svg);
        if (f.cls.find("chart-violations") == std::string::npos &&
            f.cls.find("chart-throughput-bars") == std::string::npos)
          continue;
        ++bar_charts;
        size_t labels = 0;
        for (const auto& [cls, b] : f.texts) labels += cls == "barlabel";
        if (f.cls.find("chart-throughput-bars") != std::string::npos) {
          EXPECT_EQ(labels, p.rows) << p.name;
        }
        for (size_t i = 0; i < f.texts.size(); ++i) {
          EXPECT_GT(f.texts[i].second.right - f.texts[i].second.left, 1) << "an empty box: nothing measured";
          for (size_t k = i + 1; k < f.texts.size(); ++k)
            EXPECT_FALSE(overlap(f.texts[i].second, f.texts[k].second))
                << p.name << " @" << width << " " << f.cls << ": " << f.texts[i].first << " "
                << describe(f.texts[i].second) << " overlaps " << f.texts[k].first << " "
                << describe(f.texts[k].second);
        }
      }
      EXPECT_EQ(bar_charts, 2u) << p.name;
    }
}

TEST_F(HtmlRender, ThroughputAndP99ChartsOfAScenarioLineUpSecondForSecond) {
  // counter/atomic's p99 chart has a gap where its throughput chart has a 0: the plot areas still start and
  // end at the same pixels, one chart above the other.
  for (int width : {1366, 700}) {
    const auto figures = measure(dir.path, "gappy", lh::test::gappy_report(), width);
    size_t pairs = 0;
    for (const auto& tp : figures) {
      if (tp.cls.find("chart-throughput") == std::string::npos || tp.cls.find("bars") != std::string::npos)
        continue;
      const Figure* p99 = nullptr;
      for (const auto& f : figures)
        if (f.pair == tp.pair && f.cls.find("chart-p99") != std::string::npos) p99 = &f;
      ASSERT_NE(p99, nullptr) << "no p99 chart in the throughput chart's pair";
      ++pairs;
      EXPECT_GT(tp.plot.right - tp.plot.left, 100) << describe(tp.plot);
      EXPECT_NEAR(tp.plot.left, p99->plot.left, 0.5) << width;
      EXPECT_NEAR(tp.plot.right, p99->plot.right, 0.5) << width;
      EXPECT_GT(p99->plot.top, tp.plot.bottom) << "the p99 chart sits below the throughput chart";
    }
    EXPECT_EQ(pairs, 2u);  // counter, cas
  }
}

TEST_F(HtmlRender, CapacityReportDrawsItsCurveAndSloLines) {
  const auto figures = measure(dir.path, "capacity", lh::test::capacity_report(), 1366);
  const Figure* curve = nullptr;
  for (const auto& f : figures)
    if (f.cls.find("chart-capacity") != std::string::npos) curve = &f;
  ASSERT_NE(curve, nullptr);
  ASSERT_EQ(curve->slo_lines.size(), 2u);  // p99_ms<2, counter/atomic:p50_ms<=0.8
  for (const auto& l : curve->slo_lines) {
    // A horizontal line across the whole plot, inside it.
    EXPECT_NEAR(l.left, curve->plot.left, 1.5) << describe(l);
    EXPECT_NEAR(l.right, curve->plot.right, 1.5) << describe(l);
    EXPECT_LT(l.bottom - l.top, 3) << describe(l);
    EXPECT_GT(l.top, curve->plot.top);
    EXPECT_LT(l.bottom, curve->plot.bottom);
  }
  EXPECT_LT(curve->slo_lines[0].bottom, curve->slo_lines[1].top) << "the 2 ms line is above the 0.8 ms one";
  for (const auto& [cls, b] : curve->texts) EXPECT_TRUE(inside(b, curve->svg)) << cls << " " << describe(b);
  // The DOM as the browser built it: the answer, the table, both lines and the hollow failed steps.
  const std::string d = read_file(dir.path / "capacity.dom.html");
  EXPECT_NE(d.find("45,000 ops/s is the highest rate that met every SLO (p99_ms&lt;2, "), std::string::npos);
  EXPECT_NE(d.find("<table class=\"capacity\">"), std::string::npos);
  EXPECT_EQ(count(d, "<circle class=\"failed\""), 8u);  // 4 failed steps x p50, p99
  EXPECT_NE(d.find("<g class=\"rule max-rate\">"), std::string::npos);
}
