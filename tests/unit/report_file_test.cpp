// Loading a saved report: every failure is one line naming the file and what is wrong.
#include "harness/model/report_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "support/sample_report.hpp"

using namespace lh::reports;

namespace {

struct TempFile {
  std::string path;
  explicit TempFile(const std::string& text) {
    char tmpl[] = "/tmp/lh-report-file-XXXXXX";
    int fd = mkstemp(tmpl);
    close(fd);
    path = tmpl;
    std::ofstream(path) << text;
  }
  ~TempFile() { std::filesystem::remove(path); }
};

std::string load_error(const std::string& path) {
  try {
    load_report_file(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(ReportFile, LoadsWhatToJsonWrote) {
  Report r = lh::test::sample_report();
  TempFile f(to_json(r).dump());
  Report back = load_report_file(f.path);
  EXPECT_EQ(to_json(back), to_json(r));
}

TEST(ReportFile, MissingFileIsNamed) {
  EXPECT_EQ(load_error("/nonexistent/run.json"),
            "/nonexistent/run.json: cannot read: No such file or directory");
}

TEST(ReportFile, TextThatIsNotJsonIsNamed) {
  TempFile f("hello");
  EXPECT_EQ(load_error(f.path).rfind(f.path + ": not JSON: parse error at line 1", 0), 0u)
      << load_error(f.path);
}

TEST(ReportFile, JsonThatIsNotAReportIsNamed) {
  TempFile f(R"({"benchmarks": []})");
  EXPECT_EQ(load_error(f.path), f.path + ": not a lua-harness report: no \"schema_version\" field");
  TempFile g("[1, 2]");
  EXPECT_EQ(load_error(g.path), g.path + ": not a lua-harness report: the document is not a JSON object");
}

TEST(ReportFile, AnotherSchemaVersionIsNamed) {
  auto j = to_json(lh::test::sample_report());
  j["schema_version"] = 2;
  TempFile f(j.dump());
  EXPECT_EQ(load_error(f.path), f.path + ": unsupported schema_version 2 (this build reads 1)");
}

TEST(ReportFile, MalformedReportSaysWhichPartAndKey) {
  auto j = to_json(lh::test::sample_report());
  j["results"][2].erase("ops");
  TempFile f(j.dump());
  EXPECT_EQ(load_error(f.path), f.path + ": malformed lua-harness report: results[2]: key 'ops' not found");
}
