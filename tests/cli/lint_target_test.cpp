// lua-harness lint --target: the script run on a real redis-server or cluster of "the user's", only under a
// fresh prefix and only after the private server saw it touch nothing else; the server time measured there
// while other clients load it; a library loaded and deleted again, never one of the user's replaced; ACL users
// that may do less. Every database is compared key by key before and after.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "support/faults.hpp"
#include "support/process.hpp"
#include "support/servers.hpp"

using lh::test::command_calls;
using lh::test::dump_keys;
using lh::test::poll_until;
using lh::test::read_text;
using lh::test::redis_cmd;
using lh::test::run_harness;
using lh::test::start_server;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

const std::string kRateLimit = std::string(LH_SOURCE_DIR) + "/lua/rate_limit.lua";
const std::string kSpin = std::string(LH_TESTDATA_DIR) + "/lua/spin.lua";
const std::vector<std::string> kRateLimitArgs = {
    "--key", "rl:${rand:1-100}", "--arg", "1", "--arg", "100", "--arg", "${now_ms}", "--arg", "${uuid}"};

constexpr const char* kLibrary = R"(#!lua name=lintlib
redis.register_function('incr', function(keys, args)
  local v = tonumber(redis.call('GET', keys[1]) or '0') + 1
  redis.call('SET', keys[1], v)
  return v
end)
)";

class LintTarget : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = lh::test::temp_dir(); }
  void TearDown() override { lh::test::remove_tree(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    lh::test::write_text(dir_ + "/" + name, text);
    return dir_ + "/" + name;
  }
  json report() { return json::parse(read_text(dir_ + "/l.json")); }
  std::vector<std::string> lint(const std::string& script, std::vector<std::string> rest) {
    std::vector<std::string> a = {"lint", script, "--report", dir_ + "/l.json"};
    a.insert(a.end(), rest.begin(), rest.end());
    return a;
  }
  std::string dir_;
};

std::string url(const lh::app::RedisServer& s, const std::string& userinfo = "") {
  return "redis://" + (userinfo.empty() ? "" : userinfo + "@") + "127.0.0.1:" + std::to_string(s.port());
}

bool has_rule(const json& j, const std::string& rule) {
  for (const auto& f : j["findings"])
    if (f["rule"] == rule) return true;
  return false;
}

TEST_F(LintTarget, RunsUnderAFreshPrefixAndLeavesTheDatabaseAsItWas) {
  auto server = start_server();
  const int port = server.port();
  redis_cmd(port, {"SET", "user:1", "kept"});
  redis_cmd(port, {"SET", "rl:5", "not the lint's"});  // the script's own key name, outside the prefix
  const auto before = dump_keys(port);
  auto args = lint(kRateLimit, {"--calls", "50", "--target", url(server)});
  args.insert(args.end(), kRateLimitArgs.begin(), kRateLimitArgs.end());
  auto r = run_harness(args, 60s);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json j = report();
  EXPECT_EQ(j["target"]["mode"], "standalone");
  EXPECT_EQ(j["target"]["timing"]["calls"], 50);
  EXPECT_EQ(j["target"]["calls_run"], 50);
  const std::string prefix = j["target"]["key_prefix"];
  EXPECT_EQ(prefix.rfind("lh:", 0), 0u) << prefix;
  EXPECT_NE(r.out.find("server time per call on the target (" + url(server) + "): p50"), std::string::npos)
      << r.out;
  // Redis counted the calls (the script ran there) and nothing else is left or changed.
  EXPECT_EQ(command_calls(port, "script|load"), 1);
  EXPECT_GE(command_calls(port, "evalsha"), 50);
  EXPECT_EQ(dump_keys(port), before);
}

TEST_F(LintTarget, TheTargetsTimeIsTheScriptsOwnWhileOtherClientsBlockTheServer) {
  auto server = start_server();
  const int port = server.port();
  // Other clients keep the server busy with 20 ms calls; a 0.2 ms script must still measure as itself.
  lh::test::HarnessProcess load({"run", "--target", url(server), "--script", kSpin, "--arg", "20000",
                                 "--duration", "60s", "--clients", "2", "--threads", "1", "--quiet"});
  ASSERT_TRUE(poll_until([&] { return command_calls(port, "evalsha") >= 3; }, 20s));
  auto r = run_harness(
      lint(kSpin, {"--arg", "200", "--calls", "15", "--budget", "100ms", "--target", url(server)}), 60s);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  json j = report();
  EXPECT_EQ(j["target"]["timing"]["calls"], 15);
  // Another client's 20 ms call inside a reading would show as >= 20 ms: the median stays the script's own
  // (p99 is left alone: a loaded 2-core machine may deschedule the server mid-call).
  EXPECT_LT(j["target"]["timing"]["p50_ms"].get<double>(), 5.0) << j.dump();
  EXPECT_GE(j["target"]["timing"]["p50_ms"].get<double>(), 0.2) << j.dump();
  // ... and a script above the budget is judged on the target's time.
  r = run_harness(lint(kSpin, {"--arg", "5000", "--calls", "5", "--budget", "2ms", "--target", url(server)}),
                  60s);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("calls on the target;"), std::string::npos) << r.out;
  j = report();
  EXPECT_GE(j["target"]["timing"]["p50_ms"].get<double>(), 5.0) << j.dump();
  EXPECT_LT(j["target"]["timing"]["p50_ms"].get<double>(), 20.0) << j.dump();
  EXPECT_TRUE(has_rule(j, "blocking"));
  kill(load.pid(), SIGKILL);
}

TEST_F(LintTarget, AScriptTouchingKeysItWasNotGivenNeverRunsOnTheTarget) {
  auto server = start_server();
  const int port = server.port();
  redis_cmd(port, {"SET", "user:1", "kept"});
  const auto before = dump_keys(port);
  const std::string s =
      write("hidden.lua",
            "local id = ARGV[1]\nredis.call('SET', 'user:' .. id, 1)\nreturn redis.call('INCR', "
            "KEYS[1])\n");
  auto r = run_harness(lint(s, {"--key", "c", "--arg", "42", "--calls", "5", "--target", url(server)}), 60s);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const json j = report();
  EXPECT_TRUE(has_rule(j, "undeclared-key"));
  EXPECT_TRUE(has_rule(j, "target-not-run"));
  EXPECT_NE(j["target"]["not_run"].get<std::string>().find("fix the errors above first"), std::string::npos);
  EXPECT_FALSE(j["target"].contains("timing"));
  EXPECT_EQ(command_calls(port, "evalsha"), 0);
  EXPECT_EQ(command_calls(port, "script|load"), 0);  // not even loaded
  EXPECT_EQ(dump_keys(port), before);
}

TEST_F(LintTarget, AKeyOnlyTheHundredAndFiftiethCallTouchesIsFoundAndNothingRunsOnTheTarget) {
  auto server = start_server();
  const int port = server.port();
  const auto before = dump_keys(port);
  // Only one call of 200 takes the branch: every call the target would get is checked first.
  const std::string s =
      write("branch.lua",
            "if tonumber(ARGV[1]) == 150 then redis.call('SET', 'user:' .. ARGV[1], 1) end\n"
            "return redis.call('INCR', KEYS[1])\n");
  auto r = run_harness(
      lint(s, {"--key", "c:${rand:1-5}", "--arg", "${seq}", "--calls", "200", "--target", url(server)}), 60s);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const json j = report();
  EXPECT_NE(r.out.find("the script touched the key 'user:150'"), std::string::npos) << r.out;
  EXPECT_TRUE(has_rule(j, "target-not-run"));
  EXPECT_EQ(command_calls(port, "evalsha"), 0);
  EXPECT_EQ(dump_keys(port), before);
}

TEST_F(LintTarget, AFailureOnlyALateCallMeetsIsAnErrorAndNothingRunsOnTheTarget) {
  auto server = start_server();
  const std::string s =
      write("late.lua",
            "if tonumber(ARGV[1]) == 150 then return redis.error_reply('ERR rare failure') end\n"
            "return redis.call('INCR', KEYS[1])\n");
  auto r = run_harness(
      lint(s, {"--key", "c:${rand:1-5}", "--arg", "${seq}", "--calls", "200", "--target", url(server)}), 60s);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const json j = report();
  EXPECT_TRUE(has_rule(j, "script-error")) << j.dump();
  EXPECT_NE(r.out.find("ERR rare failure"), std::string::npos) << r.out;
  EXPECT_EQ(command_calls(server.port(), "evalsha"), 0);
}

TEST_F(LintTarget, CommandsThatReachBeyondTheGivenKeysNeverRunOnTheTarget) {
  auto server = start_server();
  const int port = server.port();
  redis_cmd(port, {"SET", "user:1", "kept"});
  redis_cmd(port, {"SET", "user:2", "kept"});
  redis_cmd(port, {"XGROUP", "CREATE", "orders:eu", "billing", "$", "MKSTREAM"});
  const auto before = dump_keys(port);
  struct Case {
    std::string name, body;
  };
  const std::vector<Case> cases = {
      // A whole-keyspace write: an error by reading it already.
      {"flush.lua", "redis.call('SET', KEYS[1], ARGV[1])\nredis.call('FLUSHDB')\n"},
      // Keys learnt from the keyspace: on the private server they are only the lint's own.
      {"scan.lua",
       "local r = redis.call('SCAN', '0', 'COUNT', 1000)\nfor _, k in ipairs(r[2]) do redis.call('UNLINK', k) "
       "end\nreturn redis.call('SET', KEYS[1], ARGV[1])\n"},
      // A subcommand's key (COMMAND INFO says XGROUP itself takes none).
      {"xgroup.lua",
       "redis.call('SET', KEYS[1], ARGV[1])\npcall(redis.call, 'XGROUP', 'DESTROY', 'orders:' .. ARGV[1], "
       "'billing')\n"},
      // No key at all, but someone else's subscribers hear it.
      {"publish.lua", "redis.call('SET', KEYS[1], ARGV[1])\nreturn redis.call('PUBLISH', 'news', ARGV[1])\n"},
      // Another database.
      {"move.lua", "redis.call('SET', KEYS[1], ARGV[1])\nreturn redis.call('MOVE', KEYS[1], 1)\n"},
      // An admin command MONITOR never shows: found by the server's own counts.
      {"slowlog.lua", "redis.call('SET', KEYS[1], ARGV[1])\nreturn redis.call('SLOWLOG', 'LEN')\n"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = run_harness(
        lint(write(c.name, c.body), {"--key", "k", "--arg", "eu", "--calls", "5", "--target", url(server)}),
        60s);
    EXPECT_NE(r.exit_code, 3) << r.out << r.err;
    const json j = report();
    EXPECT_TRUE(has_rule(j, "target-not-run")) << j.dump();
    EXPECT_FALSE(j["target"].contains("calls_run")) << j.dump();
    EXPECT_EQ(command_calls(port, "evalsha"), 0);
    EXPECT_EQ(dump_keys(port), before);
  }
  EXPECT_NE(redis_cmd(port, {"XINFO", "GROUPS", "orders:eu"}).find("billing"), std::string::npos);
}

TEST_F(LintTarget, AnInterruptStopsTheCallsAndCleansTheTarget) {
  auto server = start_server();
  const int port = server.port();
  const std::string lib = write("spinlib.lua", R"(#!lua name=spinlib
redis.register_function('spinset', function(keys, args)
  local t = redis.call('TIME')
  local start = t[1] * 1000000 + t[2]
  local now = start
  while now - start < tonumber(args[1]) do
    t = redis.call('TIME')
    now = t[1] * 1000000 + t[2]
  end
  return redis.call('SET', keys[1], now)
end)
)");
  lh::test::HarnessProcess lint_process({"lint", lib, "--fcall", "spinset", "--key", "k:${rand:1-50}",
                                         "--arg", "1000", "--calls", "3000", "--target", url(server)});
  ASSERT_TRUE(poll_until([&] { return command_calls(port, "fcall") > 20; }, 60s)) << lint_process.err();
  ASSERT_EQ(kill(lint_process.pid(), SIGINT), 0);
  ASSERT_TRUE(lint_process.wait_for(20s));
  EXPECT_EQ(lint_process.exit_code(), 130) << lint_process.out() << lint_process.err();
  EXPECT_LT(command_calls(port, "fcall"), 3000);
  EXPECT_EQ(lh::test::scan_keys(port, "*"), std::vector<std::string>{});
  EXPECT_EQ(redis_cmd(port, {"FUNCTION", "LIST"}), "");
}

TEST_F(LintTarget, ALibraryIsLoadedAndDeletedAgainAndOneOfTheUsersIsNeverReplaced) {
  auto server = start_server();
  const int port = server.port();
  const std::string lib = write("lib.lua", kLibrary);
  const std::vector<std::string> rest = {"--fcall", "incr", "--key",    "c:${rand:1-5}",
                                         "--calls", "20",   "--target", url(server)};
  // Absent: loaded for the lint, gone after it.
  auto r = run_harness(lint(lib, rest), 60s);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(report()["target"]["timing"]["calls"], 20);
  EXPECT_GE(command_calls(port, "fcall"), 20);
  EXPECT_EQ(redis_cmd(port, {"FUNCTION", "LIST"}), "");
  // The same code already there (loaded by hand, without the last newline): used, and kept.
  std::string code = kLibrary;
  code.pop_back();
  ASSERT_EQ(redis_cmd(port, {"FUNCTION", "LOAD", code}), "lintlib");
  r = run_harness(lint(lib, rest), 60s);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(redis_cmd(port, {"FUNCTION", "LIST", "LIBRARYNAME", "lintlib"}).find("incr"), std::string::npos);
  // Other code under the same name: the user's, refused (exit 3) and left exactly as it was.
  std::string theirs = code;
  theirs.replace(theirs.find("+ 1"), 3, "+ 2");
  ASSERT_EQ(redis_cmd(port, {"FUNCTION", "LOAD", "REPLACE", theirs}), "lintlib");
  r = run_harness(lint(lib, rest), 60s);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("already has a library 'lintlib' with other code: lint does not replace a library it "
                       "did not load"),
            std::string::npos)
      << r.err;
  EXPECT_NE(redis_cmd(port, {"FUNCTION", "LIST", "LIBRARYNAME", "lintlib", "WITHCODE"}).find("+ 2"),
            std::string::npos);
  EXPECT_EQ(lh::test::scan_keys(port, "lh:*"), std::vector<std::string>{});
}

TEST_F(LintTarget, TheCallsRunFencedByATemporaryAclUserAndAPathTheCheckNeverSawIsRefused) {
  auto server = start_server();
  const int port = server.port();
  redis_cmd(port, {"SET", "user:1", "kept"});
  // Deletes user:<ARGV[2]> only when the call runs more than 300 ms after it was made: never on the private
  // server's checked run, but on the target, which gets the same calls later.
  const std::string s = write("late.lua", R"(local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
if now - tonumber(ARGV[1]) > 300 then redis.call('DEL', 'user:' .. ARGV[2]) end
local x = 0
for i = 1, 300000 do x = x + i end
return redis.call('INCR', KEYS[1])
)");
  auto r = run_harness(lint(s, {"--key", "c:${rand:1-5}", "--arg", "${now_ms}", "--arg", "1", "--calls",
                                "150", "--target", url(server)}),
                       60s);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("the fence refused it"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("can't run this command"), std::string::npos) << r.err;
  EXPECT_EQ(redis_cmd(port, {"GET", "user:1"}), "kept");
  EXPECT_EQ(lh::test::scan_keys(port, "lh:*"), std::vector<std::string>{});
  EXPECT_EQ(redis_cmd(port, {"ACL", "USERS"}), "default");  // the fence is gone again
}

TEST_F(LintTarget, TheFencesPasswordIsNeverShownEvenWhenTheServerEchoesTheRefusedCommand) {
  // ACL renamed away: Redis answers "unknown command 'ACL', with args beginning with: ..." quoting them (the
  // password goes last in ACL SETUSER, after ACL GETUSER has failed already).
  auto server = start_server({"--rename-command", "ACL", ""});
  auto args = lint(kRateLimit, {"--calls", "5", "--target", url(server)});
  args.insert(args.end(), kRateLimitArgs.begin(), kRateLimitArgs.end());
  for (const std::string format : {"text", "github"}) {
    auto with_format = args;
    with_format.insert(with_format.end(), {"--format", format});
    auto r = run_harness(with_format, 60s);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    const std::string all = r.out + r.err + read_text(dir_ + "/l.json");
    EXPECT_NE(all.find("ACL GETUSER: ERR unknown command"), std::string::npos) << all;
    EXPECT_FALSE(std::regex_search(all, std::regex(">[0-9a-f]{32}"))) << all;
    EXPECT_EQ(command_calls(server.port(), "evalsha"), 0);
  }
}

TEST_F(LintTarget, ARestrictedUserIsToldWhatItMayNotDo) {
  auto server = start_server();
  const int port = server.port();
  // May not make ACL users: nothing runs there, and it says why.
  ASSERT_EQ(redis_cmd(port, {"ACL", "SETUSER", "linter", "on", ">s3cret-pw", "~lh:*", "+@all", "-@admin"}),
            "OK");
  auto args = lint(kRateLimit, {"--calls", "20", "--target", url(server, "linter:s3cret-pw")});
  args.insert(args.end(), kRateLimitArgs.begin(), kRateLimitArgs.end());
  auto r = run_harness(args, 60s);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  json j = report();
  EXPECT_TRUE(has_rule(j, "target-not-run")) << j.dump();
  EXPECT_NE(j["target"]["not_run"].get<std::string>().find("ACL GETUSER: NOPERM"), std::string::npos)
      << j.dump();
  EXPECT_EQ(j["target"]["nodes"][0], "redis://linter:***@127.0.0.1:" + std::to_string(port));
  EXPECT_EQ(r.out.find("s3cret-pw"), std::string::npos);
  EXPECT_EQ(read_text(dir_ + "/l.json").find("s3cret-pw"), std::string::npos);
  EXPECT_EQ(command_calls(port, "evalsha"), 0);
  // May make ACL users but not read INFO itself: the fence may, so the calls are timed.
  ASSERT_EQ(redis_cmd(port, {"ACL", "SETUSER", "noinfo", "on", ">s3cret-pw", "~lh:*", "+@all", "-info"}),
            "OK");
  args = lint(kRateLimit, {"--calls", "20", "--target", url(server, "noinfo:s3cret-pw")});
  args.insert(args.end(), kRateLimitArgs.begin(), kRateLimitArgs.end());
  r = run_harness(args, 60s);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  j = report();
  EXPECT_EQ(j["target"]["timing"]["calls"], 20) << j.dump();
  EXPECT_EQ(command_calls(port, "evalsha"), 20);
  // May not delete: what the lint wrote is left, and that is an error naming the prefix, in GitHub's format too.
  ASSERT_EQ(
      redis_cmd(port, {"ACL", "SETUSER", "nodel", "on", ">s3cret-pw", "~lh:*", "+@all", "-unlink", "-del"}),
      "OK");
  args =
      lint(kRateLimit, {"--calls", "10", "--format", "github", "--target", url(server, "nodel:s3cret-pw")});
  args.insert(args.end(), kRateLimitArgs.begin(), kRateLimitArgs.end());
  r = run_harness(args, 60s);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("::error file=" + kRateLimit + ",title=lua-harness lint target-cleanup::"),
            std::string::npos)
      << r.out;
  const std::string prefix = report()["target"]["key_prefix"];
  EXPECT_NE(r.out.find(prefix), std::string::npos) << r.out;
  EXPECT_FALSE(lh::test::scan_keys(port, prefix + "*").empty());
  EXPECT_EQ(redis_cmd(port, {"ACL", "USERS"}), "default linter nodel noinfo");
}

TEST_F(LintTarget, OnAClusterEachCallIsTimedOnItsKeysNodeAndCrossSlotKeysAreNotRun) {
  auto c = lh::test::start_cluster(3, 1);
  // A replica as the seed: the fence is on every node.
  const auto masters = c->master_addresses();
  std::string seed;
  for (const auto& a : c->seed_addresses())
    if (std::find(masters.begin(), masters.end(), a) == masters.end()) seed = "redis://" + a;
  ASSERT_FALSE(seed.empty());
  auto args = lint(kRateLimit, {"--calls", "60", "--target", seed});
  args.insert(args.end(), kRateLimitArgs.begin(), kRateLimitArgs.end());
  auto r = run_harness(args, 90s);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json j = report();
  EXPECT_EQ(j["target"]["mode"], "cluster");
  EXPECT_EQ(j["target"]["nodes"].size(), 3u);
  EXPECT_EQ(j["target"]["timing"]["calls"], 60);
  EXPECT_FALSE(j["target"]["timing"].contains("discarded"));
  // 100 keys over three masters: every master ran some of the calls, and nothing is left.
  int64_t calls = 0;
  for (const auto& m : c->master_addresses()) {
    const int port = std::stoi(m.substr(m.rfind(':') + 1));
    const int64_t n = command_calls(port, "evalsha");
    EXPECT_GT(n, 0) << m;
    calls += n;
    EXPECT_EQ(lh::test::scan_keys(port, "*"), std::vector<std::string>{}) << m;
  }
  EXPECT_GE(calls, 60);
  for (auto* n : c->nodes()) EXPECT_EQ(redis_cmd(n->port(), {"ACL", "USERS"}), "default") << n->port();
  // Keys of one call in two slots: a cluster would refuse every call, so it is not run there.
  const std::string two =
      write("two.lua", "redis.call('SET', KEYS[1], 1)\nreturn redis.call('SET', KEYS[2], 1)\n");
  r = run_harness(
      lint(two, {"--key", "a:${rand:1-1000}", "--key", "b:${rand:1-1000}", "--calls", "5", "--target", seed}),
      90s);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(report()["target"]["not_run"].get<std::string>().find("fix the errors above first"),
            std::string::npos);
}

}  // namespace
