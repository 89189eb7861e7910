// No password in any output of any path (issue 11): the binary run through its error paths and a successful
// run with a recognisable password in every form a URL can carry it (user:pw@, :pw@, pw@ without a colon,
// percent-encoded), every output asked for (JSON, HTML, markdown, JUnit, Google Benchmark JSON), and stdout,
// stderr and every file grepped for the password, raw and encoded.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/faults.hpp"
#include "support/process.hpp"
#include "support/servers.hpp"

using lh::test::contains;
using lh::test::read_text;
using lh::test::run_harness;
using lh::test::TempDir;
using namespace std::chrono_literals;

namespace {

// Recognisable, and with characters a URL must percent-encode ('@', ':', '/').
const std::string kPassword = "Leak@Check:9/Pw";
const std::string kEncoded = "Leak%40Check%3A9%2FPw";
// Also the password's pieces a careless masking could leave (before and after the escaped characters).
const std::vector<std::string> kForms = {kPassword, kEncoded, "Leak@Check", "Check:9/Pw", "Leak%40"};

struct Case {
  std::string name;
  std::vector<std::string> args;  // after "run"
  int exit_code;
};

std::string leaks(const std::string& where, const std::string& text) {
  std::string found;
  for (const auto& f : kForms)
    if (contains(text, f)) found += where + " shows '" + f + "'\n";
  return found;
}

}  // namespace

TEST(Secrets, NoPasswordInAnyOutputOfAnyPath) {
  lh::app::RedisServer server = start_server({"--requirepass", kPassword});
  ASSERT_EQ(redis_cmd(server.port(), {"ACL", "SETUSER", "app", "on", ">" + kPassword, "~*", "&*", "+@all"},
                      kPassword),
            "OK");
  const std::string hp = "127.0.0.1:" + std::to_string(server.port());
  const std::string dead = "127.0.0.1:1";
  const std::vector<Case> cases = {
      {"a run as an ACL user",
       {"--target", "redis://app:" + kEncoded + "@" + hp, "--scenario", "counter"},
       0},
      {"a run as the default user",
       {"--target", "redis://:" + kEncoded + "@" + hp, "--scenario", "counter"},
       0},
      {"a wrong password", {"--target", "redis://app:Wrong" + kEncoded + "@" + hp}, 3},
      {"the password without its colon", {"--target", "redis://" + kEncoded + "@" + hp}, 2},
      // Userinfo ends at the last '@': a raw '@', ':' or '/' in the password is read as the user meant it.
      {"the raw password, unencoded", {"--target", "redis://app:" + kPassword + "@" + hp}, 0},
      {"an unreachable target", {"--target", "redis://app:" + kEncoded + "@" + dead}, 3},
      {"a bad flag after the URL",
       {"--target", "redis://app:" + kEncoded + "@" + hp, "--duration", "soon"},
       2},
      {"--cluster on a standalone server",
       {"--cluster", "--target", "redis://app:" + kEncoded + "@" + hp},
       2},
      {"a bad database", {"--target", "redis://app:" + kEncoded + "@" + hp + "/99"}, 2},
      {"a bad port in the URL", {"--target", "redis://app:" + kEncoded + "@127.0.0.1:http"}, 2},
      {"an unknown scheme", {"--target", "http://app:" + kEncoded + "@" + hp}, 2},
      {"URL parameters", {"--target", "redis://app:" + kEncoded + "@" + hp + "?tls=1"}, 2},
      {"a script Redis rejects",
       {"--target", "redis://app:" + kEncoded + "@" + hp, "--script", "/nonexistent.lua"},
       2},
  };
  std::string found;
  for (const auto& c : cases) {
    TempDir dir;
    std::vector<std::string> args = {"run"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    args.insert(args.end(), {"--variant", "atomic", "--duration", "300ms", "--report", dir.file("r.json"),
                             "--html", dir.file("r.html"), "--markdown", dir.file("r.md"), "--junit",
                             dir.file("r.xml"), "--gbench", dir.file("r.gbench.json")});
    auto r = run_harness(args, 60s);
    EXPECT_EQ(r.exit_code, c.exit_code) << c.name << ": " << r.err;
    found += leaks(c.name + ": stdout", r.out) + leaks(c.name + ": stderr", r.err);
    for (const char* f : {"r.json", "r.html", "r.md", "r.xml", "r.gbench.json"})
      found += leaks(c.name + ": " + f, read_text(dir.file(f)));
    if (c.exit_code == 0) {
      EXPECT_TRUE(contains(read_text(dir.file("r.json")), "\"verdict\"")) << c.name;
    }
  }
  EXPECT_EQ(found, "");
}

TEST(Secrets, ReportAndCompareOfAReportNeverShowThePassword) {
  lh::app::RedisServer server = start_server({"--requirepass", kPassword});
  TempDir dir;
  auto run =
      run_harness({"run", "--target", "redis://:" + kEncoded + "@127.0.0.1:" + std::to_string(server.port()),
                   "--scenario", "counter", "--variant", "atomic,naive", "--duration", "300ms", "--report",
                   dir.file("r.json"), "--quiet"},
                  60s);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto report =
      run_harness({"report", dir.file("r.json"), "--markdown", "-", "--html", dir.file("r.html")}, 30s);
  EXPECT_EQ(report.exit_code, 0) << report.err;
  auto compare = run_harness({"compare", dir.file("r.json"), dir.file("r.json")}, 30s);
  EXPECT_EQ(compare.exit_code, 0) << compare.err;
  EXPECT_EQ(leaks("run", run.out + run.err + read_text(dir.file("r.json"))) +
                leaks("report", report.out + report.err + read_text(dir.file("r.html"))) +
                leaks("compare", compare.out + compare.err),
            "");
}
