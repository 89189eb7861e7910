// `lua-harness run` end to end through the binary, against real redis-servers the fixtures start.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "support/faults.hpp"
#include "support/json_schema.hpp"
#include "support/process.hpp"
#include "support/servers.hpp"

using lh::test::poll_until;
using lh::test::run_harness;
using nlohmann::json;

namespace {

const std::string kRateLimit = std::string(LH_SOURCE_DIR) + "/lua/rate_limit.lua";

std::vector<std::string> rate_limit_args(const std::string& target, const std::string& duration = "1s") {
  std::vector<std::string> a = {"run"};
  if (!target.empty()) {
    a.push_back("--target");
    a.push_back(target);
  }
  for (const char* s :
       {"--script", kRateLimit.c_str(), "--key", "ratelimit:user:${rand:1-50}", "--arg", "60", "--arg", "100",
        "--arg", "${now_ms}", "--clients", "8", "--duration", duration.c_str(), "--report", "-", "--quiet"})
    a.push_back(s);
  return a;
}

json parse_report(const lh::test::ProcResult& r) {
  json j = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "stdout is not JSON:\n" << r.out << "\nstderr:\n" << r.err;
  if (!j.is_discarded()) {
    auto problems = lh::test::validate_report_schema(j);
    EXPECT_TRUE(problems.empty()) << "report violates the schema: " << (problems.empty() ? "" : problems[0]);
  }
  return j;
}

std::string url(int port, const std::string& userinfo = "") {
  return "redis://" + (userinfo.empty() ? "" : userinfo + "@") + "127.0.0.1:" + std::to_string(port);
}

}  // namespace

TEST(RunCli, SeedRateLimiterWritesAValidReportAndLeavesNoKeyBehind) {
  auto server = start_server();
  auto r = run_harness(rate_limit_args(url(server.port())));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = parse_report(r);
  ASSERT_EQ(j["results"].size(), 1u);
  const json& res = j["results"][0];
  EXPECT_GT(res["ops"]["ok"].get<uint64_t>(), 100u);
  EXPECT_EQ(res["ops"]["failed"], 0);
  EXPECT_EQ(res["correctness"]["verdict"], "not-checked");
  EXPECT_EQ(j["target"]["mode"], "standalone");
  EXPECT_EQ(j["interrupted"], false);
  EXPECT_EQ(redis_cmd(server.port(), {"DBSIZE"}), "0");
}

TEST(RunCli, PasswordAndAclUserBothWorkAndThePasswordIsNeverPrinted) {
  auto server = start_server({"--requirepass", "s3cretpw"});
  ASSERT_EQ(
      redis_cmd(server.port(), {"ACL", "SETUSER", "bob", "on", ">bobpass99", "~*", "+@all"}, "s3cretpw"),
      "OK");
  for (const std::string& info : {std::string(":s3cretpw"), std::string("bob:bobpass99")}) {
    auto r = run_harness(rate_limit_args(url(server.port(), info)));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    json j = parse_report(r);
    EXPECT_GT(j["results"][0]["ops"]["ok"].get<uint64_t>(), 0u);
    for (const auto* secret : {"s3cretpw", "bobpass99"}) {
      EXPECT_EQ(r.out.find(secret), std::string::npos);
      EXPECT_EQ(r.err.find(secret), std::string::npos);
    }
  }
}

TEST(RunCli, WrongPasswordExits3WithoutPrintingIt) {
  auto server = start_server({"--requirepass", "rightpw"});
  auto r = run_harness(rate_limit_args(url(server.port(), ":wrongpw77")));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("authentication failed"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("wrongpw77"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("wrongpw77"), std::string::npos);
}

TEST(RunCli, UnreachablePortExits3) {
  int port;
  {
    auto s = start_server();
    port = s.port();
  }  // stopped: nothing listens there now
  auto r = run_harness(rate_limit_args(url(port)));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("cannot connect"), std::string::npos) << r.err;
}

TEST(RunCli, InvalidLuaExits2WithRedisMessageNamingTheLine) {
  auto server = start_server();
  const std::string dir = lh::test::temp_dir();
  lh::test::write_text(dir + "/bad.lua", "local x = 1\nlocal y = 2\nreturn x +* y\n");
  auto r =
      run_harness({"run", "--target", url(server.port()), "--script", dir + "/bad.lua", "--duration", "1s"});
  lh::test::remove_tree(dir);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("user_script:3"), std::string::npos) << r.err;  // Redis names line 3
  EXPECT_EQ(redis_cmd(server.port(), {"DBSIZE"}), "0");
}

TEST(RunCli, UnreadableScriptAndBadFlagsExit2) {
  auto r = run_harness({"run", "--script", "/nonexistent/x.lua", "--target", "redis://127.0.0.1:1"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("/nonexistent/x.lua"), std::string::npos) << r.err;
  r = run_harness({"run", "--no-such-flag"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no-such-flag"), std::string::npos) << r.err;
  r = run_harness({"run", "--duration", "ten"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--duration"), std::string::npos) << r.err;
  r = run_harness({"run", "--script", kRateLimit, "--key", "k:${nope}"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("${nope}"), std::string::npos) << r.err;
  r = run_harness({"run", "--key-prefix", "a{b}:"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--key-prefix"), std::string::npos) << r.err;
}

TEST(RunCli, ScriptFlushDuringTheRunIsRecoveredAndCountedAsNoscript) {
  auto server = start_server();
  const int port = server.port();
  auto r = run_harness(rate_limit_args(url(port), "3s"), std::chrono::seconds(60), [&](pid_t) {
    // Once the load is running (past the ACL preflight's one call), flush the script cache under it.
    ASSERT_TRUE(
        poll_until([&] { return lh::test::command_calls(port, "evalsha") > 50; }, std::chrono::seconds(20)));
    EXPECT_EQ(redis_cmd(port, {"SCRIPT", "FLUSH"}), "OK");
  });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = parse_report(r);
  const json& res = j["results"][0];
  EXPECT_GE(res["errors"]["noscript"].get<uint64_t>(), 1u);
  EXPECT_EQ(res["ops"]["failed"], 0);
  EXPECT_GT(res["ops"]["ok"].get<uint64_t>(), 0u);
}

TEST(RunCli, SigintMidRunWritesAPartialReportCleansKeysAndExits130) {
  auto server = start_server();
  const int port = server.port();
  ASSERT_EQ(redis_cmd(port, {"SET", "user:data", "precious"}), "OK");
  auto r = run_harness(rate_limit_args(url(port), "60s"), std::chrono::seconds(60), [&](pid_t pid) {
    ASSERT_TRUE(poll_until([&] { return redis_cmd(port, {"DBSIZE"}) != "1"; }, std::chrono::seconds(20)));
    kill(pid, SIGINT);
  });
  EXPECT_EQ(r.exit_code, 130) << r.err;
  json j = parse_report(r);
  EXPECT_EQ(j["interrupted"], true);
  EXPECT_EQ(j["exit_code"], 130);
  EXPECT_EQ(redis_cmd(port, {"DBSIZE"}), "1");  // only the user's key is left
  EXPECT_EQ(redis_cmd(port, {"GET", "user:data"}), "precious");
}

TEST(RunCli, KeysOutsideThePrefixAreUntouched) {
  auto server = start_server();
  const int port = server.port();
  // Keys that look exactly like what the templates expand to, but without the run prefix.
  ASSERT_EQ(redis_cmd(port, {"SET", "ratelimit:user:7", "mine"}), "OK");
  ASSERT_EQ(redis_cmd(port, {"ZADD", "ratelimit:user:8", "1", "a"}), "1");
  ASSERT_EQ(redis_cmd(port, {"SET", "lh:other-run:x", "theirs"}), "OK");
  auto r = run_harness(rate_limit_args(url(port)));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(redis_cmd(port, {"GET", "ratelimit:user:7"}), "mine");
  EXPECT_EQ(redis_cmd(port, {"ZRANGE", "ratelimit:user:8", "0", "-1"}), "a");
  EXPECT_EQ(redis_cmd(port, {"GET", "lh:other-run:x"}), "theirs");
  EXPECT_EQ(redis_cmd(port, {"DBSIZE"}), "3");
}

TEST(RunCli, KeepKeysLeavesTheRunsKeysUnderItsPrefix) {
  auto server = start_server();
  auto args = rate_limit_args(url(server.port()));
  args.push_back("--keep-keys");
  args.push_back("--key-prefix");
  args.push_back("mytest:");
  auto r = run_harness(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(redis_cmd(server.port(), {"KEYS", "mytest:ratelimit:user:*"}), "");
  EXPECT_EQ(redis_cmd(server.port(), {"KEYS", "ratelimit:*"}), "");
}

TEST(RunCli, EmbeddedDefaultRunsEndToEndAndRemovesTheServer) {
  auto r = run_harness(rate_limit_args(""));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = parse_report(r);
  EXPECT_EQ(j["target"]["embedded"], true);
  EXPECT_GT(j["results"][0]["ops"]["ok"].get<uint64_t>(), 0u);
  const std::string node = j["target"]["nodes"][0];
  const int port = std::stoi(node.substr(node.rfind(':') + 1));
  EXPECT_THROW(redis_cmd(port, {"PING"}), std::runtime_error);  // the embedded server is gone
}

TEST(RunCli, EvalModeSendsTheBodyEveryTime) {
  auto server = start_server();
  auto args = rate_limit_args(url(server.port()));
  args.push_back("--eval");
  auto r = run_harness(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = parse_report(r);
  EXPECT_EQ(j["results"][0]["variant"], "eval");
  EXPECT_NE(redis_cmd(server.port(), {"INFO", "commandstats"}).find("cmdstat_eval:"), std::string::npos);
}

TEST(RunCli, PipelineAndRequestsCountExactly) {
  auto server = start_server();
  auto r = run_harness({"run",
                        "--target",
                        url(server.port()),
                        "--script",
                        kRateLimit,
                        "--key",
                        "rl:${rand:1-5}",
                        "--arg",
                        "60",
                        "--arg",
                        "1000000",
                        "--arg",
                        "${now_ms}",
                        "--arg",
                        "${uuid}",
                        "--clients",
                        "4",
                        "--pipeline",
                        "16",
                        "--requests",
                        "1000",
                        "--report",
                        "-",
                        "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = parse_report(r);
  EXPECT_EQ(j["results"][0]["ops"]["total"], 1000);
  EXPECT_EQ(j["results"][0]["ops"]["ok"], 1000);
}

TEST(RunCli, OpenLoopReportsCorrectedAndUncorrectedLatency) {
  auto server = start_server();
  auto args = rate_limit_args(url(server.port()));
  args.push_back("--rate");
  args.push_back("2000");
  auto r = run_harness(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = parse_report(r);
  const json& res = j["results"][0];
  EXPECT_TRUE(res.contains("uncorrected_latency_us"));
  // ~2000 ops/s for 1 s: the harness neither floods nor starves the target.
  EXPECT_GT(res["ops"]["total"].get<uint64_t>(), 1000u);
  EXPECT_LT(res["ops"]["total"].get<uint64_t>(), 3000u);
}

TEST(RunCli, AReplyPastTheReplyTimeoutIsATimeoutAndTheRunStillEndsOnTime) {
  // A script that keeps the server busy far longer than --reply-timeout: the watchdog must close the waiting
  // connection, the op must count as indeterminate with a `timeout` error, and the run must end, not hang.
  auto server = start_server();
  const std::string dir = lh::test::temp_dir();
  lh::test::write_text(dir + "/slow.lua", "for i = 1, 60000000 do end\nreturn redis.call('INCR', KEYS[1])\n");
  const auto t0 = std::chrono::steady_clock::now();
  auto r = run_harness({"run", "--target", url(server.port()), "--script", dir + "/slow.lua", "--key", "slow",
                        "--clients", "2", "--duration", "1s", "--reply-timeout", "30ms", "--connect-timeout",
                        "500ms", "--report", "-", "--quiet"});
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  lh::test::remove_tree(dir);
  // Every op timed out: nothing can be concluded, and the run says so (exit 1), in words.
  ASSERT_EQ(r.exit_code, 1) << r.err;
  json j = parse_report(r);
  const json& res = j["results"][0];
  EXPECT_EQ(res["correctness"]["verdict"], "inconclusive") << r.out;
  EXPECT_NE(res["correctness"].value("reason", "").find("no op succeeded"), std::string::npos) << r.out;
  EXPECT_GE(res["errors"].value("timeout", 0), 1) << r.out;
  EXPECT_GE(res["ops"]["indeterminate"].get<uint64_t>(), 1u) << r.out;
  // "timeout during read with host:port"
  const std::string example = res["error_examples"].value("timeout", "");
  EXPECT_EQ(example.rfind("timeout during ", 0), 0u) << r.out;
  EXPECT_NE(example.find(" with 127.0.0.1:" + std::to_string(server.port())), std::string::npos) << r.out;
  EXPECT_LT(wall_s, 20.0);  // a hang guard, not a timing assertion
}

TEST(RunCli, ErrorExamplesFromAPasswordProtectedServerNeverHoldThePassword) {
  // Timeouts (and the reconnects after them, AUTH included) against a server with a password: the first
  // message of each class lands in the report and on stderr, and the password in neither.
  auto server = start_server({"--requirepass", "s3cretpw"});
  const std::string dir = lh::test::temp_dir();
  lh::test::write_text(dir + "/slow.lua", "for i = 1, 60000000 do end\nreturn redis.call('INCR', KEYS[1])\n");
  auto r = run_harness({"run", "--target", url(server.port(), ":s3cretpw"), "--script", dir + "/slow.lua",
                        "--key", "slow", "--clients", "2", "--duration", "1s", "--reply-timeout", "30ms",
                        "--connect-timeout", "500ms", "--report", "-"});
  lh::test::remove_tree(dir);
  ASSERT_EQ(r.exit_code, 1) << r.err;  // every op timed out: inconclusive
  json j = parse_report(r);
  const json& res = j["results"][0];
  ASSERT_TRUE(res.contains("error_examples")) << r.out;
  EXPECT_NE(res["error_examples"].value("timeout", "").find("timeout during"), std::string::npos) << r.out;
  for (const auto& [cls, message] : res["error_examples"].items()) {
    EXPECT_GT(res["errors"][cls].get<uint64_t>(), 0u) << cls;
    EXPECT_FALSE(message.get<std::string>().empty()) << cls;
  }
  EXPECT_NE(r.err.find("timeout errors, the first: timeout during"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("s3cretpw"), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find("s3cretpw"), std::string::npos) << r.err;
}

TEST(RunCli, OnlyTheLastSeriesPointCanCoverPartOfASecond) {
  auto server = start_server();
  auto r = run_harness(rate_limit_args(url(server.port()), "1500ms"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = parse_report(r);
  const json& series = j["results"][0]["series"];
  ASSERT_EQ(series.size(), 2u) << series.dump();  // [0 s, 1 s) and the half second after it
  EXPECT_FALSE(series[0].contains("span_s"));
  ASSERT_TRUE(series[1].contains("span_s")) << series.dump();
  // The load stops at 1.5 s; the ops in flight then complete a little later (a loose bound: loaded CI hosts).
  EXPECT_GE(series[1]["span_s"].get<double>(), 0.5);
  EXPECT_LT(series[1]["span_s"].get<double>(), 1.0);
}
