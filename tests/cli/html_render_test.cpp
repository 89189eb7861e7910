// Renders the HTML report in headless Chromium, as a person would open it: a PNG screenshot at laptop size
// and the DOM as the browser built it. Chromium is required (CI installs it): without it this test FAILS.
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
