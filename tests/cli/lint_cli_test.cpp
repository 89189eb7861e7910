// lua-harness lint through the binary: what reading the script finds, what running it on a private
// redis-server finds (undeclared keys, cross-slot keys, blocking time), the outputs and the exit codes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "support/process.hpp"

using lh::test::read_text;
using lh::test::run_harness;
using nlohmann::json;

namespace {

class LintCli : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = lh::test::temp_dir(); }
  void TearDown() override { lh::test::remove_tree(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    lh::test::write_text(dir_ + "/" + name, text);
    return dir_ + "/" + name;
  }
  std::string dir_;
};

TEST_F(LintCli, TheSeedsRateLimiterIsClean) {
  const std::string script = std::string(LH_SOURCE_DIR) + "/lua/rate_limit.lua";
  auto r = run_harness({"lint", script, "--key", "rl:${rand:1-100}", "--arg", "1", "--arg", "100", "--arg",
                        "${now_ms}", "--arg", "${uuid}", "--calls", "50"},
                       std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("0 errors, 0 warnings"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("server time per call: p50"), std::string::npos) << r.out;
}

TEST_F(LintCli, AKeyTouchedButNotPassedIsFoundByRunningTheScript) {
  // The key is built at run time: no literal to read, only the run shows it.
  const std::string s = write("hidden.lua",
                              "local id = ARGV[1]\nredis.call('SET', 'user:' .. id, 1)\n"
                              "return redis.call('INCR', KEYS[1])\n");
  auto r =
      run_harness({"lint", s, "--key", "c", "--arg", "42", "--calls", "20", "--report", dir_ + "/l.json"},
                  std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("the script touched the key 'user:42', which the call did not pass in KEYS"),
            std::string::npos)
      << r.out;
  const json j = json::parse(read_text(dir_ + "/l.json"));
  EXPECT_EQ(j["exit_code"], 1);
  bool found = false;
  for (const auto& f : j["findings"]) found = found || f["rule"] == "undeclared-key";
  EXPECT_TRUE(found) << j.dump();
  EXPECT_GT(j["timing"]["calls"].get<int>(), 0);
}

TEST_F(LintCli, KeysOfOneCallInDifferentSlotsAreAnError) {
  const std::string s = write("two.lua", "redis.call('SET', KEYS[1], 1)\nredis.call('SET', KEYS[2], 1)\n");
  auto r = run_harness({"lint", s, "--key", "a:${rand:1-1000}", "--key", "b:${rand:1-1000}", "--calls", "5"},
                       std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("hash to different cluster slots"), std::string::npos) << r.out;
  // With one hash tag they share a slot.
  r = run_harness({"lint", s, "--key", "a:{${rand:1-1000}}", "--key", "b:{${rand:1-1000}}", "--calls", "5"},
                  std::chrono::seconds(30));
  EXPECT_EQ(r.out.find("hash to different cluster slots"), std::string::npos) << r.out;
}

TEST_F(LintCli, AScriptThatBlocksTheServerLongerThanTheBudgetIsAnError) {
  const std::string spin = std::string(LH_TESTDATA_DIR) + "/lua/spin.lua";
  auto r = run_harness({"lint", spin, "--arg", "5000", "--calls", "20", "--budget", "2ms"},
                       std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("blocks the server for"), std::string::npos) << r.out;
  // ... and within a larger budget it is not.
  r = run_harness({"lint", spin, "--arg", "5000", "--calls", "20", "--budget", "500ms"},
                  std::chrono::seconds(30));
  EXPECT_EQ(r.out.find("blocks the server for"), std::string::npos) << r.out;
}

TEST_F(LintCli, AScriptThatFailsAfterBlockingTheServerIsStillTimed) {
  // Spins 5 ms on the server's clock, then fails: the failure and the blocking are both errors.
  const std::string s =
      write("slowfail.lua",
            "local t = redis.call('TIME')\nlocal start = t[1] * 1000000 + t[2]\n"
            "local now = start\nwhile now - start < 5000 do\n  t = redis.call('TIME')\n"
            "  now = t[1] * 1000000 + t[2]\nend\nreturn redis.error_reply('ERR gave up')\n");
  auto r = run_harness({"lint", s, "--calls", "10", "--budget", "2ms", "--report", dir_ + "/l.json"},
                       std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const json j = json::parse(read_text(dir_ + "/l.json"));
  std::set<std::string> rules;
  for (const auto& f : j["findings"]) rules.insert(f["rule"].get<std::string>());
  EXPECT_TRUE(rules.count("script-error")) << j.dump();
  EXPECT_TRUE(rules.count("blocking")) << j.dump();
  EXPECT_EQ(j["timing"]["calls"], 10);
  EXPECT_GE(j["timing"]["p50_ms"].get<double>(), 5.0);
}

TEST_F(LintCli, GithubFormatAnnotatesTheLines) {
  const std::string s =
      write("lit.lua", "local v = redis.call('GET', KEYS[1])\nredis.call('SET', 'config:global', v)\n");
  auto r =
      run_harness({"lint", s, "--key", "k", "--calls", "5", "--format", "github"}, std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(
      r.out.find("::error file=" + s + ",line=2,title=lua-harness lint literal-key::the key 'config:global'"),
      std::string::npos)
      << r.out;
}

TEST_F(LintCli, AFunctionsLibraryIsLintedAndRunByFcall) {
  const std::string good = write("good.lua",
                                 "#!lua name=good\nredis.register_function('incr', function(keys, args)\n"
                                 "  local v = tonumber(redis.call('GET', keys[1]) or '0') + 1\n"
                                 "  redis.call('SET', keys[1], v)\n  return v\nend)\n");
  auto r = run_harness({"lint", good, "--fcall", "incr", "--key", "c:${rand:1-5}", "--calls", "20"},
                       std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("0 errors, 0 warnings"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(20 calls)"), std::string::npos) << r.out;  // timed by cmdstat_fcall
  const std::string bad = write("bad.lua",
                                "#!lua name=bad\nredis.register_function('f', function(keys, args)\n"
                                "  local name = 'global:' .. args[1]\n  redis.call('SET', name, 1)\n"
                                "  return redis.call('INCR', keys[1])\nend)\n");
  r = run_harness({"lint", bad, "--fcall", "f", "--key", "c", "--arg", "x", "--calls", "5"},
                  std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("the script touched the key 'global:x'"), std::string::npos) << r.out;
  r = run_harness({"lint", good}, std::chrono::seconds(10));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("is a Functions library (#!lua): give --fcall NAME"), std::string::npos) << r.err;
}

TEST_F(LintCli, BadInputIsExit2) {
  const std::string broken = write("broken.lua", "local x = \nreturn (\n");
  auto r = run_harness({"lint", broken}, std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("Redis rejects the script"), std::string::npos) << r.err;
  r = run_harness({"lint", dir_ + "/nope.lua"}, std::chrono::seconds(10));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cannot read the file"), std::string::npos) << r.err;
  r = run_harness({"lint"}, std::chrono::seconds(10));
  EXPECT_EQ(r.exit_code, 2);
  r = run_harness({"lint", broken, "--format", "xml"}, std::chrono::seconds(10));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--format 'xml'"), std::string::npos) << r.err;
}

}  // namespace
