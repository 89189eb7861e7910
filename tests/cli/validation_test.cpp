// Early validation through the binary: every mistake that can be known before the load is exit 2 at once,
// with one line naming the flag, before any redis-server is started or any target contacted.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "harness/app/redis_server.hpp"
#include "harness/scenarios/scenario.hpp"
#include "support/process.hpp"
#include "support/servers.hpp"

using lh::test::run_harness;
namespace fs = std::filesystem;

namespace {

const std::string kRateLimit = std::string(LH_SOURCE_DIR) + "/lua/rate_limit.lua";

// A redis-server that leaves a mark when it is started: runs given --redis-server WRAPPER show whether the
// harness launched anything.
class MarkingRedisServer {
 public:
  MarkingRedisServer() : dir_(lh::test::temp_dir()) {
    const std::string real = lh::app::locate_redis_server("").path;
    lh::test::write_text(path(), "#!/bin/sh\ntouch '" + marker() + "'\nexec '" + real + "' \"$@\"\n");
    fs::permissions(path(), fs::perms::owner_all);
  }
  ~MarkingRedisServer() { lh::test::remove_tree(dir_); }
  std::string path() const { return dir_ + "/redis-server"; }
  std::string marker() const { return dir_ + "/started"; }
  bool started() const { return fs::exists(marker()); }

 private:
  std::string dir_;
};

// Runs `args` with --redis-server pointing at the marking wrapper and checks the refusal: exit 2, one line on
// stderr containing every one of `wanted`, well under a second, no redis-server started. (A binary that does not
// refuse is killed after 5 s rather than left to run its load.)
void expect_refused(std::vector<std::string> args, const std::vector<std::string>& wanted) {
  MarkingRedisServer server;
  args.insert(args.begin() + 1, {"--redis-server", server.path()});
  const auto t0 = std::chrono::steady_clock::now();
  auto r = run_harness(args, std::chrono::seconds(5));
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::string shown;
  for (const auto& a : args) shown += a + " ";
  EXPECT_EQ(r.exit_code, 2) << shown << "\n" << r.err;
  EXPECT_LT(elapsed, 2.0) << shown;
  EXPECT_FALSE(server.started()) << shown << ": a redis-server was started";
  ASSERT_FALSE(r.err.empty()) << shown;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << shown << ": not one line:\n" << r.err;
  for (const auto& w : wanted)
    EXPECT_NE(r.err.find(w), std::string::npos) << shown << ": no '" << w << "' in\n" << r.err;
}

// Sets or unsets an environment variable for the test's life (the binary inherits it).
class EnvVar {
 public:
  EnvVar(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) ::setenv(name, value, 1);
    else ::unsetenv(name);
  }
  ~EnvVar() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// A path this process cannot open for writing, or "" when it has no such path (root everywhere writable):
// a read-only file for an ordinary user; sysfs refuses even root.
std::string unwritable_file(const std::string& dir) {
  const std::string f = dir + "/readonly.json";
  lh::test::write_text(f, "{}");
  ::chmod(f.c_str(), 0444);
  for (const std::string& candidate : {f, std::string("/sys/kernel/notes")}) {
    const int fd = ::open(candidate.c_str(), O_WRONLY | O_NONBLOCK);
    if (fd >= 0) {
      ::close(fd);
      continue;
    }
    if (fs::is_regular_file(candidate)) return candidate;
  }
  return "";
}

// A directory in which this process cannot create a file, or "".
std::string unwritable_dir(const std::string& dir) {
  const std::string d = dir + "/readonly-dir";
  fs::create_directory(d);
  ::chmod(d.c_str(), 0555);
  for (const std::string& candidate : {d, std::string("/sys/kernel")}) {
    const std::string probe = candidate + "/probe";
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd >= 0) {
      ::close(fd);
      ::unlink(probe.c_str());
      continue;
    }
    if (fs::is_directory(candidate)) return candidate;
  }
  return "";
}

}  // namespace

TEST(ValidationCli, TheMarkingRedisServerShowsALaunch) {
  // The control for every "no redis-server was started" below: a valid run through the wrapper does leave the
  // mark.
  MarkingRedisServer server;
  auto r = run_harness({"run", "--redis-server", server.path(), "--scenario", "counter", "--variant",
                        "atomic", "--requests", "50", "--clients", "2", "--quiet", "--max-error-rate", "5%"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(server.started());
}

TEST(ValidationCli, HelpIsAnsweredWhateverElseIsOnTheLine) {
  // The flags' parsers run after --help is seen: a bad value next to it does not hide the help.
  for (const char* command : {"run", "demo"}) {
    auto r = run_harness({command, "--duration", "x", "--clients", "0", "--threshold", "bad", "--help"},
                         std::chrono::seconds(10));
    EXPECT_EQ(r.exit_code, 0) << command << "\n" << r.err;
    EXPECT_EQ(r.err, "") << command;
    EXPECT_NE(r.out.find("--think-time"), std::string::npos) << command << "\n" << r.out;
  }
}

TEST(ValidationCli, TheHelpNamesEveryScenarioOfTheRegistry) {
  std::string names;
  for (const auto* s : lh::scenarios::all_scenarios()) {
    if (!names.empty()) names += ',';
    names += s->name();
  }
  for (const char* command : {"run", "demo"}) {
    auto r = run_harness({command, "--help"}, std::chrono::seconds(10));
    EXPECT_EQ(r.exit_code, 0) << command;
    // Boost wraps the help at 80 columns, inside a word too: unwrapped first.
    const std::string help = std::regex_replace(r.out, std::regex("\n +"), "");
    EXPECT_NE(help.find("comma list: " + names + " (default all)"), std::string::npos) << command << "\n"
                                                                                       << help;
  }
}

TEST(ValidationCli, StrayPositionalArgumentsAreRefused) {
  expect_refused({"run", "foo"}, {"'foo'", "run takes options only"});
  expect_refused({"demo", "--duration", "1s", "extra"}, {"'extra'", "demo"});
  expect_refused({"run", "--quiet", "yes"}, {"'yes'"});  // a value given to a switch
}

TEST(ValidationCli, AnExplicitlyEmptyListIsRefused) {
  expect_refused({"run", "--scenario", ""}, {"--scenario", "empty list"});
  expect_refused({"run", "--scenario", ","}, {"--scenario", "empty list"});
  expect_refused({"run", "--variant", ""}, {"--variant", "empty list"});
  expect_refused({"demo", "--variant", ""}, {"--variant", "empty list"});
}

TEST(ValidationCli, AnyTextOptionGivenEmptyIsRefusedRatherThanDefaulted) {
  for (const char* flag :
       {"--duration", "--requests", "--rate", "--warmup", "--keys", "--seed", "--key-prefix", "--think-time",
        "--lock-ttl", "--connect-timeout", "--reply-timeout", "--target"})
    expect_refused({"run", flag, ""}, {flag});
  expect_refused({"demo", "--duration", ""}, {"--duration", "empty value"});
}

TEST(ValidationCli, ZeroThreadsAndAnEmptyOrImpossibleClusterAreRefused) {
  expect_refused({"run", "--threads", "0"}, {"--threads"});
  expect_refused({"run", "--embedded-cluster", "0"}, {"--embedded-cluster"});
  expect_refused({"run", "--embedded-cluster", "-2"}, {"--embedded-cluster"});
  expect_refused({"run", "--replicas", "1"}, {"--replicas", "--embedded-cluster"});
  expect_refused({"run", "--replicas", "0"}, {"--replicas", "--embedded-cluster"});
  expect_refused({"run", "--embedded-cluster", "3", "--replicas", "-1"}, {"--replicas"});
  expect_refused({"run", "--cluster"}, {"--cluster", "--target"});
}

TEST(ValidationCli, MaxErrorRateIsAShareFromZeroToOne) {
  for (const char* bad : {"2", "-0.1", "abc", "nan", "5%x", "101%", "%", ""})
    expect_refused({"run", "--max-error-rate", bad}, {"--max-error-rate"});
  expect_refused({"demo", "--max-error-rate", "1.5"}, {"--max-error-rate"});
  // Accepted values get past it: the next problem named is the output path's.
  for (const char* good : {"0", "1", "0.05", "5%", "100%"})
    expect_refused({"run", "--max-error-rate", good, "--report", "/nonexistent-dir/r.json"}, {"--report"});
}

TEST(ValidationCli, EachOutputPathIsCheckedBeforeTheLoad) {
  const std::string dir = lh::test::temp_dir();
  for (const char* flag : {"--report", "--html", "--markdown", "--junit", "--gbench"}) {
    expect_refused({"run", flag, "/nonexistent-dir/out.file"}, {flag, "/nonexistent-dir", "does not exist"});
    expect_refused({"run", flag, dir}, {flag, dir, "is a directory"});
    expect_refused({"run", flag, dir + "/no-such-subdir/"}, {flag, "directory"});
    expect_refused({"run", flag, ""}, {flag, "empty value"});
  }
  // A file where a directory should be.
  lh::test::write_text(dir + "/plain", "x");
  expect_refused({"run", "--junit", dir + "/plain/junit.xml"}, {"--junit", dir + "/plain/junit.xml"});
  if (const std::string f = unwritable_file(dir); !f.empty()) {
    const std::string before = lh::test::read_text(f);
    expect_refused({"run", "--html", f}, {"--html", f, "cannot write"});
    EXPECT_EQ(lh::test::read_text(f), before);
  } else {
    ADD_FAILURE() << "no unwritable file found to test with";
  }
  if (const std::string d = unwritable_dir(dir); !d.empty())
    expect_refused({"run", "--gbench", d + "/bench.json"}, {"--gbench", "cannot create"});
  else ADD_FAILURE() << "no unwritable directory found to test with";
  ::chmod((dir + "/readonly-dir").c_str(), 0755);
  lh::test::remove_tree(dir);
}

TEST(ValidationCli, TheWritabilityProbeLeavesNoFileAndChangesNoExistingOne) {
  const std::string dir = lh::test::temp_dir();
  lh::test::write_text(dir + "/existing.json", "keep");
  const auto mtime = fs::last_write_time(dir + "/existing.json");
  // The report's path is probed (created and removed again), the existing markdown file opened; then the
  // html's missing directory fails the run.
  expect_refused({"run", "--report", dir + "/new.json", "--markdown", dir + "/existing.json", "--html",
                  dir + "/missing/x.html"},
                 {"--html"});
  EXPECT_FALSE(fs::exists(dir + "/new.json"));
  EXPECT_EQ(lh::test::read_text(dir + "/existing.json"), "keep");
  EXPECT_EQ(fs::last_write_time(dir + "/existing.json"), mtime);
  lh::test::remove_tree(dir);
}

TEST(ValidationCli, TwoOutputsOnStdoutAreRefused) {
  expect_refused({"run", "--report", "-", "--markdown", "-"}, {"--report -", "--markdown -", "stdout"});
  expect_refused({"run", "--junit", "-", "--gbench", "-"}, {"--junit -", "--gbench -", "stdout"});
  expect_refused({"demo", "--html", "-", "--report", "-"}, {"--report -", "--html -"});
}

TEST(ValidationCli, TwoOutputsNamingOneFileAndAnOutputOverTheScriptAreRefused) {
  const std::string dir = lh::test::temp_dir();
  expect_refused({"run", "--report", dir + "/r.json", "--html", dir + "/./r.json"},
                 {"--report", "--html", "same file"});
  lh::test::write_text(dir + "/s.lua", "return 1");
  expect_refused({"run", "--script", dir + "/s.lua", "--junit", dir + "/s.lua"},
                 {"--junit", "--script", "overwrite"});
  EXPECT_EQ(lh::test::read_text(dir + "/s.lua"), "return 1");
  lh::test::remove_tree(dir);
}

TEST(ValidationCli, MarkdownGithubNeedsAWritableStepSummary) {
  {
    EnvVar unset("GITHUB_STEP_SUMMARY", nullptr);
    expect_refused({"run", "--markdown", "github"}, {"--markdown github", "GITHUB_STEP_SUMMARY"});
  }
  EnvVar bad("GITHUB_STEP_SUMMARY", "/nonexistent-dir/summary.md");
  expect_refused({"run", "--markdown", "github"}, {"--markdown github", "/nonexistent-dir"});
}

TEST(ValidationCli, RedisServerMustBeAnExecutableFileWithoutFallback) {
  const std::string dir = lh::test::temp_dir();
  lh::test::write_text(dir + "/not-executable", "#!/bin/sh\n");
  for (const auto& [path, why] :
       std::vector<std::pair<std::string, std::string>>{{"/nonexistent/redis-server", "No such file"},
                                                        {dir, "is a directory"},
                                                        {dir + "/not-executable", "not executable"},
                                                        {"no-such-redis-server-name", "not found in PATH"},
                                                        {"", "empty value"}}) {
    // Given directly: the marking wrapper would be overridden, so "no fallback to PATH's" is the exit code
    // and the time (a fallback would run the load).
    const auto t0 = std::chrono::steady_clock::now();
    auto r = run_harness({"run", "--redis-server", path, "--scenario", "counter", "--variant", "atomic"},
                         std::chrono::seconds(5));
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(r.exit_code, 2) << path << ": " << r.err;
    EXPECT_LT(elapsed, 2.0) << path;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
    EXPECT_NE(r.err.find("--redis-server"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(why), std::string::npos) << r.err;
  }
  lh::test::remove_tree(dir);
}

TEST(ValidationCli, ScriptMustBeANonEmptyReadableRegularFile) {
  const std::string dir = lh::test::temp_dir();
  lh::test::write_text(dir + "/empty.lua", "");
  expect_refused({"run", "--script", dir}, {"--script", dir, "is a directory"});
  expect_refused({"run", "--script", dir + "/missing.lua"}, {"--script", "missing.lua", "cannot read"});
  expect_refused({"run", "--script", dir + "/empty.lua"}, {"--script", "empty"});
  expect_refused({"run", "--script", "/dev/null"}, {"--script", "not a regular file"});
  expect_refused({"run", "--script", ""}, {"--script", "empty value"});
  lh::test::remove_tree(dir);
}

TEST(ValidationCli, TargetUrlMistakesAreUsageErrorsShownAsWritten) {
  // Port 1: were anything contacted, the exit code would be 3.
  // What stands before '@' is not echoed: it may be a password written without its colon.
  expect_refused({"run", "--target", "redis://bob@127.0.0.1:1"},
                 {"--target redis://***@127.0.0.1:1", "redis://USER:PASSWORD@127.0.0.1:1", "omit the user"});
  expect_refused({"run", "--target", "redis://bob:hunter2@localhost:1/x"},
                 {"--target redis://bob:***@localhost:1/x", "database 'x'"});
  expect_refused({"run", "--target", "redis://127.0.0.1:1/0?timeout=5"}, {"--target", "not supported"});
  expect_refused({"run", "--target", "redis://127.0.0.1:1/2", "--cluster"}, {"--target", "database 0 only"});
  expect_refused({"run", "--target", "redis://127.0.0.1:1/2", "--target", "redis://127.0.0.1:2"},
                 {"--target", "database 0 only"});
  auto r = run_harness({"run", "--target", "redis://bob:hunter2@localhost:1/x"});
  EXPECT_EQ(r.err.find("hunter2"), std::string::npos) << r.err;
}

TEST(ValidationCli, AValidTargetWithAGoodDatabaseIsStillAccepted) {
  auto server = start_server();
  const std::string url = "redis://127.0.0.1:" + std::to_string(server.port()) + "/3";
  auto r =
      run_harness({"run", "--target", url, "--script", kRateLimit, "--key", "rl:${rand:1-5}", "--arg", "60",
                   "--arg", "100", "--arg", "${now_ms}", "--requests", "50", "--clients", "2", "--quiet"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}
