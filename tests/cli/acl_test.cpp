// The ACL preflight (issue 11; harness/app/preflight.hpp): a user the URL names that may not send what the run
// sends, on keys under its prefix, is refused before any load with exit 3, in one line naming the command or
// the key pattern and the fix; the probe leaves no key behind and touches no key of the user's.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "support/faults.hpp"
#include "support/process.hpp"
#include "support/servers.hpp"

using lh::test::command_calls;
using lh::test::contains;
using lh::test::dump_keys;
using lh::test::OwnedServer;
using lh::test::run_harness;
using lh::test::scan_keys;
using lh::test::TempDir;
using namespace std::chrono_literals;

namespace {

const std::string kPw = "Acl-pw-5521";

void add_user(int port, const std::string& name, std::vector<std::string> rules) {
  std::vector<std::string> argv = {"ACL", "SETUSER", name, "on", ">" + kPw};
  argv.insert(argv.end(), rules.begin(), rules.end());
  ASSERT_EQ(redis_cmd(port, argv), "OK");
}

std::vector<std::string> run_as(const OwnedServer& s, const std::string& user,
                                std::vector<std::string> extra) {
  std::vector<std::string> a = {"run", "--target", s.url(user + ":" + kPw), "--duration", "500ms", "--quiet"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

bool one_line(const std::string& s) { return !s.empty() && s.find('\n') == s.size() - 1; }

}  // namespace

TEST(AclPreflight, EachRefusalIsExit3BeforeTheLoadNamingTheCommandAndTheFix) {
  OwnedServer server;
  const int port = server.port();
  ASSERT_EQ(redis_cmd(port, {"SET", "user:1", "keep me"}), "OK");
  const auto before = dump_keys(port);
  add_user(port, "noeval", {"~*", "&*", "+@all", "-evalsha", "-eval"});
  add_user(port, "nounlink", {"~*", "&*", "+@all", "-unlink"});
  add_user(port, "noscript", {"~*", "&*", "+@all", "-script"});
  add_user(port, "nomulti", {"~*", "&*", "+@all", "-multi"});
  add_user(port, "noset", {"~*", "&*", "+@all", "-set"});
  struct Case {
    std::string user;
    std::vector<std::string> flags;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"noeval",
       {"--scenario", "counter", "--variant", "atomic"},
       "user 'noeval' may not run evalsha, which counter/atomic sends"},
      {"nounlink", {"--scenario", "counter"}, "may not run unlink, which cleanup sends"},
      {"noscript", {"--scenario", "counter"}, "may not run script|load, which loading the scripts sends"},
      {"nomulti",
       {"--scenario", "counter", "--variant", "atomic,transaction"},
       "may not run multi, which counter/transaction sends"},
      {"noset", {"--scenario", "counter", "--variant", "naive"}, "may not run set, which counter/naive"},
  };
  for (const auto& c : cases) {
    auto r = run_harness(run_as(server, c.user, c.flags), 30s);
    EXPECT_EQ(r.exit_code, 3) << c.user << ": " << r.err;
    EXPECT_TRUE(one_line(r.err)) << r.err;
    EXPECT_TRUE(contains(r.err, c.says)) << c.user << ": " << r.err;
    EXPECT_TRUE(contains(r.err, "ACL SETUSER " + c.user + " +")) << "names the fix: " << r.err;
    EXPECT_FALSE(contains(r.err, kPw));
  }
  // No load started (the probe sends at most one op per variant), and nothing is left or touched.
  EXPECT_LT(command_calls(port, "evalsha"), 10);
  EXPECT_EQ(dump_keys(port), before);
}

TEST(AclPreflight, AUserLimitedToAKeyPatternIsToldWhichPrefixToUseAndThenRuns) {
  OwnedServer server;
  const int port = server.port();
  add_user(port, "app", {"~app:*", "&*", "+@all"});
  auto refused = run_harness(run_as(server, "app", {"--scenario", "counter,lock"}), 30s);
  EXPECT_EQ(refused.exit_code, 3) << refused.err;
  EXPECT_TRUE(one_line(refused.err)) << refused.err;
  EXPECT_TRUE(contains(refused.err, "user 'app' may not use keys under 'lh:")) << refused.err;
  EXPECT_TRUE(contains(refused.err, "--key-prefix app:lh: for ~app:*")) << refused.err;
  EXPECT_EQ(command_calls(port, "evalsha"), 0);

  TempDir tmp;
  auto ok = run_harness(
      run_as(server, "app",
             {"--scenario", "counter,lock", "--key-prefix", "app:lh:", "--report", tmp.file("r.json")}),
      60s);
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_GT(command_calls(port, "evalsha"), 100);
  EXPECT_EQ(scan_keys(port, "*"), std::vector<std::string>{}) << "the probe's and the run's keys are gone";
}

TEST(AclPreflight, ACommandAScriptCallsIsCheckedByRunningItOnceUnderThePrefix) {
  OwnedServer server;
  const int port = server.port();
  add_user(port, "nohset", {"~*", "&*", "+@all", "-hset"});
  TempDir tmp;
  lh::test::write_text(tmp.file("h.lua"), "return redis.call('HSET', KEYS[1], 'f', ARGV[1])\n");
  auto r = run_harness(
      run_as(server, "nohset", {"--script", tmp.file("h.lua"), "--key", "h:${rand:1-5}", "--arg", "x"}), 30s);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_TRUE(one_line(r.err)) << r.err;
  EXPECT_TRUE(contains(r.err, "may not run a command the script of custom/evalsha calls")) << r.err;
  EXPECT_EQ(command_calls(port, "evalsha"), 1) << "one probe call, then no load";
  EXPECT_EQ(scan_keys(port, "*"), std::vector<std::string>{});
}

TEST(AclPreflight, AUserWithoutMultiRunsWhatNeedsNone) {
  OwnedServer server;
  add_user(server.port(), "nomulti", {"~*", "&*", "+@all", "-multi"});
  auto r =
      run_harness(run_as(server, "nomulti", {"--scenario", "counter", "--variant", "atomic,naive"}), 30s);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}
