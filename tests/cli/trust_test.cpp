// Trust under real conditions (issue 9), standalone: the binary run as a user would against servers the test
// starts and then hurts: user keys under the chosen prefix, an ACL user refused EVALSHA or UNLINK, an idle
// timeout, CLIENT KILL, a restart on the same port, SIGKILL and SIGSTOP of the server, Ctrl-C while it hangs,
// and errors before the load. Each asserts the contract: nothing of the user's touched, no false pass, no
// report lost, and the exit code that says what happened. Synchronised by polling the server, never by
// sleeping.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/faults.hpp"
#include "support/json_schema.hpp"
#include "support/process.hpp"
#include "support/servers.hpp"

using lh::test::command_calls;
using lh::test::dump_keys;
using lh::test::lines_of;
using lh::test::ms_between;
using lh::test::OwnedServer;
using lh::test::contains;
using lh::test::poll_until;
using lh::test::read_report;
using lh::test::TempDir;
using lh::test::run_harness;
using lh::test::scan_keys;
using nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// `run` of the counter scenario, quiet, with a JSON report file.
std::vector<std::string> counter_run(const std::string& target, const std::string& variants,
                                     const std::string& duration, const std::string& report,
                                     std::vector<std::string> extra = {}) {
  std::vector<std::string> a = {"run",    "--target",   target,   "--scenario", "counter", "--variant",
                                variants, "--duration", duration, "--report",   report,    "--quiet"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

const json* result_of(const json& report, const std::string& scenario, const std::string& variant) {
  if (!report.contains("results")) return nullptr;
  for (const json& r : report["results"])
    if (r["scenario"] == scenario && r["variant"] == variant) return &r;
  return nullptr;
}

// One line per result: ops, the error classes seen, and the correctness verdict with its reason.
std::string brief(const json& res) {
  std::string errors;
  for (const auto& [name, n] : res["errors"].items())
    if (n.get<uint64_t>() > 0) errors += " " + name + "=" + n.dump();
  const json& c = res["correctness"];
  return res["scenario"].get<std::string>() + "/" + res["variant"].get<std::string>() + ": ops " +
         res["ops"].dump() + ", errors" + (errors.empty() ? " none" : errors) + "; " +
         c.value("verdict", "") + ", " + c["violations"].dump() + " violations" +
         (c.contains("reason") ? " (" + c.value("reason", "") + ")" : "");
}

void print_result(const char* what, const json& res) { std::printf("%s: %s\n", what, brief(res).c_str()); }

// Load has reached the server: the atomic counter's EVALSHA was called more than `n` times.
bool evalsha_above(int port, int64_t n) { return command_calls(port, "evalsha") > n; }

}  // namespace

// ---- 1. nothing of the user's touched ---------------------------------------------------------------------

TEST(TrustCli, KeyPrefixMatchingUserKeysIsRefusedBeforeAnyLoadAndEveryUserKeyIsUnchanged) {
  OwnedServer server;
  const int port = server.port();
  for (int i = 1; i <= 48; ++i)
    ASSERT_EQ(redis_cmd(port, {"SET", "user:" + std::to_string(i), "value of user " + std::to_string(i)}),
              "OK");
  ASSERT_EQ(redis_cmd(port, {"HSET", "user:49", "name", "Ada", "role", "admin"}), "2");
  ASSERT_EQ(redis_cmd(port, {"RPUSH", "user:50", "first", "second", "third"}), "3");
  const auto before = dump_keys(port);
  ASSERT_EQ(before.size(), 50u);
  const int64_t sets_before = command_calls(port, "set");

  TempDir tmp;
  const std::string report = tmp.file("refused.json");
  const auto t0 = Clock::now();
  auto r = run_harness(counter_run(server.url(), "atomic", "300ms", report, {"--key-prefix", "us"}), 30s);
  const int64_t took_ms = ms_between(t0, Clock::now());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  const auto err = lines_of(r.err);
  ASSERT_EQ(err.size(), 1u) << r.err;
  EXPECT_TRUE(contains(err[0], "--key-prefix")) << err[0];
  EXPECT_TRUE(contains(err[0], "50 keys already match")) << err[0];
  EXPECT_TRUE(contains(err[0], "'user:")) << "names one example: " << err[0];
  EXPECT_LT(took_ms, 5000) << "refused before the load, not after it";
  // Before any load: no script call and no write reached the server.
  EXPECT_EQ(command_calls(port, "evalsha"), 0);
  EXPECT_EQ(command_calls(port, "set"), sets_before);
  EXPECT_EQ(command_calls(port, "unlink"), 0);
  EXPECT_EQ(command_calls(port, "del"), 0);
  json j = read_report(report);
  EXPECT_EQ(j.value("exit_code", -1), 2);
  EXPECT_TRUE(contains(j["error"].value("message", ""), "--key-prefix")) << j.dump();
  EXPECT_EQ(dump_keys(port), before) << "a user key changed";

  // The default (random) prefix matches none of them: the same server runs fine, and its keys stay.
  auto ok = run_harness(counter_run(server.url(), "atomic", "300ms", tmp.file("ok.json")), 30s);
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  json k = read_report(tmp.file("ok.json"));
  const json* res = result_of(k, "counter", "atomic");
  ASSERT_NE(res, nullptr) << k.dump();
  EXPECT_EQ((*res)["correctness"]["verdict"], "pass");
  EXPECT_GT((*res)["ops"]["ok"].get<uint64_t>(), 0u);
  EXPECT_EQ(dump_keys(port), before) << "the run's cleanup touched a user key";
}

TEST(TrustCli, AnUnverifiablePrefixIsRefusedWhenChosenAndSaidWhenRandom) {
  OwnedServer server;
  const int port = server.port();
  const std::string pw = "NoScan-pw-5120";
  ASSERT_EQ(redis_cmd(port, {"ACL", "SETUSER", "noscan", "on", ">" + pw, "~*", "&*", "+@all", "-scan"}),
            "OK");
  ASSERT_EQ(redis_cmd(port, {"SET", "lh:mine:config", "precious"}), "OK");
  TempDir tmp;
  // A chosen prefix that cannot be checked is refused: it may be the user's.
  auto r = run_harness(counter_run(server.url("noscan:" + pw), "atomic", "300ms", tmp.file("chosen.json"),
                                   {"--key-prefix", "lh:mine:"}),
                       30s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  ASSERT_EQ(lines_of(r.err).size(), 1u) << r.err;
  EXPECT_TRUE(contains(r.err, "--key-prefix")) << r.err;
  EXPECT_TRUE(contains(r.err, "SCAN")) << r.err;
  EXPECT_EQ(command_calls(port, "evalsha"), 0);
  EXPECT_EQ(redis_cmd(port, {"GET", "lh:mine:config"}), "precious");
  // The random prefix is assumed unused, and the report says the check could not be made; cleanup (which
  // needs SCAN too) cannot delete the run's keys, and says so.
  const std::string report = tmp.file("random.json");
  r = run_harness(counter_run(server.url("noscan:" + pw), "atomic", "300ms", report), 30s);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(contains(r.err, "SCAN")) << r.err;
  EXPECT_FALSE(contains(r.err + r.out, pw));
  json j = read_report(report);
  ASSERT_FALSE(j.value("warnings", json::array()).empty()) << j.dump();
  EXPECT_TRUE(contains(j["warnings"].dump(), "SCAN")) << j["warnings"].dump();
  ASSERT_TRUE(j.contains("cleanup")) << j.dump();
  const int64_t left = j["cleanup"].value("keys_left", int64_t{0});
  EXPECT_TRUE(left == -1 || left > 0) << j["cleanup"].dump();
  EXPECT_EQ(redis_cmd(port, {"GET", "lh:mine:config"}), "precious");
}

// ---- 2. no false pass -------------------------------------------------------------------------------------

// A user refused EVALSHA from the start is refused by the ACL preflight (tests/cli/acl_test.cpp). Refused in
// the middle of the run (an operator's ACL SETUSER), the failed ops make the variant inconclusive: never a pass,
// even under a violations==0 threshold, which 0 violations among failed ops do not meet.
TEST(TrustCli, EvalshaRevokedMidRunIsInconclusiveAndFailsEvenWithAViolationsThreshold) {
  OwnedServer server;
  const std::string pw = "Lim1ted-pw-4417";
  const std::vector<std::string> grant = {"ACL", "SETUSER", "limited", "on", ">" + pw, "~*", "&*", "+@all"};
  const std::string target = server.url("limited:" + pw);
  TempDir tmp;
  auto no_secret = [&](const lh::test::ProcResult& r, const std::string& report) {
    EXPECT_FALSE(contains(r.out, pw)) << r.out;
    EXPECT_FALSE(contains(r.err, pw)) << r.err;
    if (!report.empty()) {
      EXPECT_FALSE(contains(lh::test::read_text(report), pw));
    }
  };

  for (bool with_threshold : {false, true}) {
    SCOPED_TRACE(with_threshold ? "--threshold violations==0" : "no threshold");
    ASSERT_EQ(redis_cmd(server.port(), grant), "OK");
    const std::string report = tmp.file(with_threshold ? "threshold.json" : "plain.json");
    std::vector<std::string> extra;
    if (with_threshold) extra = {"--threshold", "violations==0"};
    const int64_t calls_before = command_calls(server.port(), "evalsha");
    auto r = run_harness(counter_run(target, "atomic", "2s", report, extra), 30s, [&](pid_t) {
      // Once the load is under way (past the preflight's one call), the user loses EVALSHA.
      ASSERT_TRUE(
          poll_until([&] { return command_calls(server.port(), "evalsha") > calls_before + 50; }, 10s));
      ASSERT_EQ(redis_cmd(server.port(), {"ACL", "SETUSER", "limited", "-evalsha", "-eval"}), "OK");
    });
    EXPECT_EQ(r.exit_code, 1) << r.err;
    no_secret(r, report);
    json j = read_report(report);
    EXPECT_EQ(j.value("verdict", ""), "fail");
    EXPECT_EQ(j.value("exit_code", -1), 1);
    const json* res = result_of(j, "counter", "atomic");
    ASSERT_NE(res, nullptr) << j.dump();
    print_result("EVALSHA revoked", *res);
    EXPECT_GT((*res)["ops"]["failed"].get<uint64_t>(), 0u);
    EXPECT_GT((*res)["errors"]["noperm"].get<uint64_t>(), 0u);
    const json& c = (*res)["correctness"];
    EXPECT_EQ(c["verdict"], "inconclusive");
    const std::string reason = c.value("reason", "");
    EXPECT_TRUE(contains(reason, "NOPERM")) << reason;
    if (with_threshold) {
      ASSERT_EQ(j["thresholds"].size(), 1u) << j["thresholds"].dump();
      EXPECT_EQ(j["thresholds"][0]["ok"], false) << "0 violations among failed ops proves nothing";
    }
  }

  // Refused from the start, the demo says why in words instead of "everything held".
  ASSERT_EQ(redis_cmd(server.port(), {"ACL", "SETUSER", "limited", "-evalsha", "-eval"}), "OK");
  auto d = run_harness({"demo", "--target", target, "--scenario", "counter", "--duration", "300ms"}, 60s);
  EXPECT_EQ(d.exit_code, 3) << d.out << d.err;
  EXPECT_FALSE(contains(d.out + d.err, "Every atomic script and transaction held its invariant")) << d.out;
  EXPECT_TRUE(contains(d.err, "may not run evalsha")) << d.err;
  no_secret(d, "");
}

// ---- 3-5. one transport: the admin connection survives what the load survives -----------------------------

TEST(TrustCli, IdleTimeoutShorterThanAVariantClosesTheAdminConnectionAndTheRunStillChecksBoth) {
  // hz 100: the server visits every client for its idle timeout ten times a second, so the admin connection,
  // idle for the whole 4 s variant, is closed during it (at hz 10 a client is visited about once a second).
  OwnedServer server({"--loglevel", "verbose", "--hz", "100"});
  ASSERT_EQ(redis_cmd(server.port(), {"CONFIG", "SET", "timeout", "3"}), "OK");
  TempDir tmp;
  const std::string report = tmp.file("timeout.json");
  auto r = run_harness(counter_run(server.url(), "atomic,naive", "4s", report), 60s);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(server.log(), "Closing idle client"))
      << "the idle timeout never fired: the test proves nothing";
  json j = read_report(report);
  for (const char* variant : {"atomic", "naive"}) {
    const json* res = result_of(j, "counter", variant);
    ASSERT_NE(res, nullptr) << variant << ": " << j.dump();
    print_result("idle timeout 3 s", *res);
    EXPECT_EQ((*res)["correctness"]["checked"], true) << brief(*res);
    EXPECT_GT((*res)["ops"]["ok"].get<uint64_t>(), 0u);
  }
  if (const json* atomic = result_of(j, "counter", "atomic")) {
    EXPECT_EQ((*atomic)["correctness"]["verdict"], "pass");
  }
  EXPECT_FALSE(j.contains("aborted")) << j["aborted"].dump();
  EXPECT_FALSE(j.contains("cleanup")) << j["cleanup"].dump();
  EXPECT_EQ(scan_keys(server.port(), "*"), std::vector<std::string>{}) << "cleanup after the idle close";
}

TEST(TrustCli, ClientKillOfEveryConnectionMidRunIsSurvivedByLoadChecksAndCleanup) {
  OwnedServer server;
  const int port = server.port();
  TempDir tmp;
  const std::string report = tmp.file("kill.json");
  std::vector<std::string> killed;
  auto r = run_harness(counter_run(server.url(), "atomic,naive", "3s", report), 60s, [&](pid_t) {
    // Once each variant is under way, kill every normal client: the load's connections and the admin
    // connection alike (SKIPME spares ours). commandstats counts the script's own GET too, one per EVALSHA:
    // the GETs beyond those are the naive variant's.
    ASSERT_TRUE(poll_until([&] { return evalsha_above(port, 2000); }, 20s));
    killed.push_back(redis_cmd(port, {"CLIENT", "KILL", "TYPE", "normal"}));
    ASSERT_TRUE(
        poll_until([&] { return command_calls(port, "get") > command_calls(port, "evalsha") + 2000; }, 20s));
    killed.push_back(redis_cmd(port, {"CLIENT", "KILL", "TYPE", "normal"}));
  });
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(killed.size(), 2u);
  for (const auto& n : killed) EXPECT_GT(std::stoll(n), 0) << "CLIENT KILL found no client to kill";
  std::printf("CLIENT KILL TYPE normal killed %s and %s connections\n", killed[0].c_str(), killed[1].c_str());
  json j = read_report(report);
  for (const char* variant : {"atomic", "naive"}) {
    const json* res = result_of(j, "counter", variant);
    ASSERT_NE(res, nullptr) << variant << ": " << j.dump();
    print_result("CLIENT KILL", *res);
    EXPECT_EQ((*res)["correctness"]["checked"], true) << brief(*res);
    // Each variant met its kill: the ops in flight on the killed connections were counted, not lost.
    EXPECT_GE((*res)["errors"]["connection"].get<uint64_t>(), 1u) << brief(*res);
  }
  if (const json* atomic = result_of(j, "counter", "atomic")) {
    EXPECT_EQ((*atomic)["correctness"]["verdict"], "pass");
  }
  EXPECT_FALSE(j.contains("aborted"));
  EXPECT_FALSE(j.contains("cleanup"));
  EXPECT_EQ(scan_keys(port, "*"), std::vector<std::string>{});
}

TEST(TrustCli, ServerRestartOnTheSamePortMidRunIsSurvivedAndTheAtomicCounterLosesNothing) {
  // Every write on disk before its reply: what was acknowledged before the restart is there after it.
  OwnedServer server({"--appendonly", "yes", "--appendfsync", "always"});
  const int port = server.port();
  TempDir tmp;
  const std::string report = tmp.file("restart.json");
  int64_t down_ms = -1;
  auto r = run_harness(counter_run(server.url(), "atomic,naive", "3s", report), 60s, [&](pid_t) {
    ASSERT_TRUE(poll_until([&] { return evalsha_above(port, 1000); }, 20s));
    const auto t0 = Clock::now();
    server.terminate();  // SIGTERM: Redis's clean SHUTDOWN
    server.start();
    down_ms = ms_between(t0, Clock::now());
    // The load found the restarted server (its script cache is empty: the harness loaded the script again).
    EXPECT_TRUE(poll_until([&] { return evalsha_above(port, 500); }, 10s)) << "the load did not resume";
  });
  std::printf("server down for %lld ms\n", (long long)down_ms);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  json j = read_report(report);
  const json* atomic = result_of(j, "counter", "atomic");
  const json* naive = result_of(j, "counter", "naive");
  ASSERT_NE(atomic, nullptr) << j.dump();
  ASSERT_NE(naive, nullptr) << j.dump();
  print_result("restart", *atomic);
  print_result("after the restart", *naive);
  EXPECT_EQ((*atomic)["correctness"]["checked"], true);
  EXPECT_EQ((*atomic)["correctness"]["violations"], 0) << brief(*atomic);
  EXPECT_EQ((*atomic)["correctness"]["verdict"], "pass") << brief(*atomic);
  EXPECT_GE(
      (*atomic)["errors"]["noscript"].get<uint64_t>() + (*atomic)["errors"]["connection"].get<uint64_t>(), 1u)
      << "the restart went unnoticed: " << brief(*atomic);
  EXPECT_EQ((*naive)["correctness"]["checked"], true);
  EXPECT_FALSE(j.contains("aborted"));
  EXPECT_EQ(scan_keys(port, "*"), std::vector<std::string>{});
}

// ---- 6-7. never lose the report ---------------------------------------------------------------------------

TEST(TrustCli, SigkillOfTheServerMidRunExits3WithTheMeasuredResultAndTheRestMarkedNotRun) {
  OwnedServer server;
  const int port = server.port();
  TempDir tmp;
  const std::string report = tmp.file("lost.json");
  Clock::time_point killed_at{};
  auto r = run_harness({"run", "--target", server.url(), "--scenario", "counter,cas", "--variant",
                        "atomic,naive", "--duration", "2s", "--report", report, "--quiet"},
                       60s, [&](pid_t) {
                         ASSERT_TRUE(poll_until([&] { return evalsha_above(port, 1000); }, 20s));
                         server.kill_now();
                         killed_at = Clock::now();
                       });
  const int64_t after_kill_ms = ms_between(killed_at, Clock::now());
  std::printf("the harness exited %lld ms after the SIGKILL\n", (long long)after_kill_ms);
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_LT(after_kill_ms, 25'000);
  EXPECT_TRUE(contains(r.err, "aborted")) << r.err;
  json j = read_report(report);
  EXPECT_EQ(j.value("exit_code", -1), 3);
  EXPECT_EQ(j.value("interrupted", true), false);
  EXPECT_EQ(j.value("verdict", ""), "fail");
  ASSERT_TRUE(j.contains("aborted")) << j.dump();
  const std::string reason = j["aborted"].value("reason", "");
  EXPECT_TRUE(contains(reason, "127.0.0.1:" + std::to_string(port))) << "names the lost target: " << reason;

  // The variant that was running: its measured ops, not checked, and why.
  ASSERT_EQ(j["results"].size(), 1u) << j["results"].dump();
  const json& res = j["results"][0];
  EXPECT_EQ(res["scenario"], "counter");
  EXPECT_EQ(res["variant"], "atomic");
  EXPECT_GT(res["ops"]["ok"].get<uint64_t>(), 1000u);
  EXPECT_EQ(res["correctness"]["verdict"], "not-checked");
  EXPECT_EQ(res["correctness"]["checked"], false);
  EXPECT_FALSE(res["correctness"].value("reason", "").empty()) << res["correctness"].dump();

  // The variants that never started, each marked as not run because of the abort (not an interrupt).
  std::vector<std::string> not_run;
  for (const json& n : j.value("not_run", json::array())) {
    not_run.push_back(n["scenario"].get<std::string>() + "/" + n["variant"].get<std::string>());
    EXPECT_EQ(n["interrupted"], false) << n.dump();
    EXPECT_FALSE(n.value("reason", "").empty()) << n.dump();
  }
  EXPECT_EQ(not_run, (std::vector<std::string>{"counter/naive", "cas/atomic", "cas/naive"}));
}

TEST(TrustCli, CtrlCWhileTheServerHangsExits130WithinASecondAndSaysTheKeysWereLeft) {
  OwnedServer server;
  const int port = server.port();
  const std::string prefix = "lh:hung:";
  TempDir tmp;
  const std::string report = tmp.file("hung.json");
  Clock::time_point sigint_at{};
  {
    lh::test::ContinueOnExit resume(server);
    auto r = run_harness(counter_run(server.url(), "atomic,naive", "10s", report, {"--key-prefix", prefix}),
                         60s, [&](pid_t harness) {
                           ASSERT_TRUE(poll_until([&] { return evalsha_above(port, 1000); }, 20s));
                           server.signal(SIGSTOP);
                           ASSERT_TRUE(poll_until([&] { return server.stopped(); }, 5s));
                           sigint_at = Clock::now();
                           ::kill(harness, SIGINT);
                         });
    const int64_t exit_ms = ms_between(sigint_at, Clock::now());
    std::printf("exit %d %lld ms after SIGINT with the server stopped\n", r.exit_code, (long long)exit_ms);
    EXPECT_EQ(r.exit_code, 130) << r.err;
    EXPECT_LE(exit_ms, 1500);
    json j = read_report(report);
    EXPECT_EQ(j.value("interrupted", false), true);
    EXPECT_EQ(j.value("exit_code", -1), 130);
    ASSERT_TRUE(j.contains("cleanup")) << "the hung server could not be cleaned: " << j.dump();
    const int64_t left = j["cleanup"].value("keys_left", int64_t{0});
    EXPECT_TRUE(left == -1 || left > 0) << j["cleanup"].dump();
    EXPECT_FALSE(j["cleanup"].value("reason", "").empty()) << j["cleanup"].dump();
    // The variant not yet run is marked interrupted.
    bool naive_skipped = false;
    for (const json& n : j.value("not_run", json::array()))
      if (n["variant"] == "naive") naive_skipped = n["interrupted"] == true;
    EXPECT_TRUE(naive_skipped) << j.value("not_run", json::array()).dump();
  }
  // Continued: the keys the report said were left are there.
  ASSERT_TRUE(poll_until([&] { return lh::test::info_field(port, "uptime_in_seconds") >= 0; }, 5s));
  EXPECT_FALSE(scan_keys(port, prefix + "*").empty()) << "the report said keys were left, but none are";
}

TEST(TrustCli, CtrlCWhileConnectingToAHungServerExits130WithAMinimalReport) {
  OwnedServer server;
  lh::test::ContinueOnExit resume(server);
  server.signal(SIGSTOP);  // the kernel still accepts connections; nothing answers them
  ASSERT_TRUE(poll_until([&] { return server.stopped(); }, 5s));
  TempDir tmp;
  const std::string report = tmp.file("hung-start.json");
  Clock::time_point sigint_at{};
  auto r = run_harness(counter_run(server.url(), "atomic", "1s", report), 60s, [&](pid_t harness) {
    // Once its handlers are installed, the harness is past startup and waiting on the server.
    ASSERT_TRUE(poll_until([&] { return lh::test::catches_signal(harness, SIGINT); }, 5s));
    sigint_at = Clock::now();
    ::kill(harness, SIGINT);
  });
  const int64_t exit_ms = ms_between(sigint_at, Clock::now());
  std::printf("exit %d %lld ms after SIGINT while connecting\n", r.exit_code, (long long)exit_ms);
  EXPECT_EQ(r.exit_code, 130) << r.err;
  EXPECT_LE(exit_ms, 1500);
  json j = read_report(report);
  EXPECT_EQ(j.value("exit_code", -1), 130);
  EXPECT_EQ(j.value("interrupted", false), true);
}

TEST(TrustCli, ASecondCtrlCEndsTheProcessAtOnceEvenWhileTheServerHangs) {
  OwnedServer server;
  const int port = server.port();
  TempDir tmp;
  lh::test::ContinueOnExit resume(server);
  lh::test::HarnessProcess harness(counter_run(server.url(), "atomic", "10s", tmp.file("twice.json")));
  ASSERT_TRUE(poll_until([&] { return evalsha_above(port, 1000); }, 20s)) << harness.err();
  server.signal(SIGSTOP);
  ASSERT_TRUE(poll_until([&] { return server.stopped(); }, 5s));
  ::kill(harness.pid(), SIGINT);
  // Two signals sent back to back would merge into one pending signal: send the second once the first was
  // taken (its handler, installed with SA_RESETHAND, is gone then).
  ASSERT_TRUE(poll_until([&] { return !lh::test::catches_signal(harness.pid(), SIGINT); }, 2s));
  const auto second_at = Clock::now();
  ::kill(harness.pid(), SIGINT);
  ASSERT_TRUE(harness.wait_for(10s)) << "still running 10 s after the second SIGINT";
  const int64_t exit_ms = ms_between(second_at, Clock::now());
  std::printf("%s %lld ms after the second SIGINT\n",
              harness.killed_by_signal() ? ("killed by signal " + std::to_string(harness.signal())).c_str()
                                         : ("exit " + std::to_string(harness.exit_code())).c_str(),
              (long long)exit_ms);
  // At once: killed by the signal's default action, or an exit with 130 well before the ~0.5 s an orderly
  // stop gives a hung server.
  if (harness.killed_by_signal()) {
    EXPECT_EQ(harness.signal(), SIGINT);
  } else {
    EXPECT_EQ(harness.exit_code(), 130) << harness.err();
    EXPECT_LE(exit_ms, 250) << "the second SIGINT did not end the process at once";
  }
}

TEST(TrustCli, SigtermAndSighupStopTheRunInOrderWithTheReportAndTheKeysCleanedUp) {
  OwnedServer server;
  const int port = server.port();
  TempDir tmp;
  for (int sig : {SIGTERM, SIGHUP}) {
    SCOPED_TRACE(sig == SIGTERM ? "SIGTERM" : "SIGHUP");
    const std::string report = tmp.file(std::to_string(sig) + ".json");
    Clock::time_point sent_at{};
    const int64_t calls_before = command_calls(port, "evalsha");  // the same server serves both runs
    auto r = run_harness(counter_run(server.url(), "atomic,naive", "10s", report), 60s, [&](pid_t harness) {
      ASSERT_TRUE(poll_until([&] { return evalsha_above(port, calls_before + 1000); }, 20s));
      sent_at = Clock::now();
      ::kill(harness, sig);
    });
    const int64_t exit_ms = ms_between(sent_at, Clock::now());
    EXPECT_EQ(r.exit_code, 130) << r.err;
    EXPECT_LE(exit_ms, 1500);
    json j = read_report(report);
    EXPECT_EQ(j.value("interrupted", false), true);
    EXPECT_EQ(j.value("exit_code", -1), 130);
    ASSERT_EQ(j["results"].size(), 1u) << j.dump();
    EXPECT_GT(j["results"][0]["ops"]["ok"].get<uint64_t>(), 1000u) << "the measured ops are kept";
    ASSERT_EQ(j.value("not_run", json::array()).size(), 1u) << j.dump();
    EXPECT_EQ(j["not_run"][0]["variant"], "naive");
    EXPECT_EQ(j["not_run"][0]["interrupted"], true);
    // A healthy server: cleanup ran and deleted everything.
    EXPECT_FALSE(j.contains("cleanup")) << j["cleanup"].dump();
    EXPECT_EQ(scan_keys(port, "*"), std::vector<std::string>{});
  }
}

// ---- 8. a cleanup that could not delete everything says so ------------------------------------------------

// UNLINK refused from the start is refused by the preflight (tests/cli/acl_test.cpp); refused during the run,
// cleanup cannot delete, and the run says how many keys it left and why.
TEST(TrustCli, CleanupRefusedByAclLeavesKeysAndSaysHowManyAndWhyWithExit1) {
  OwnedServer server;
  const int port = server.port();
  const std::string pw = "NoDel-pw-2291";
  ASSERT_EQ(redis_cmd(port, {"ACL", "SETUSER", "nodel", "on", ">" + pw, "~*", "&*", "+@all"}), "OK");
  const std::string prefix = "lh:nodel:";
  TempDir tmp;
  const std::string report = tmp.file("nodel.json");
  const int64_t calls_before = command_calls(port, "evalsha");
  auto r = run_harness(
      counter_run(server.url("nodel:" + pw), "atomic", "1s", report, {"--key-prefix", prefix, "--keys", "5"}),
      30s, [&](pid_t) {
        ASSERT_TRUE(poll_until([&] { return command_calls(port, "evalsha") > calls_before + 50; }, 10s));
        ASSERT_EQ(redis_cmd(port, {"ACL", "SETUSER", "nodel", "-unlink", "-del"}), "OK");
      });
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const auto left = scan_keys(port, prefix + "*");
  EXPECT_EQ(left.size(), 5u);
  EXPECT_TRUE(contains(r.err, "cleanup")) << r.err;
  EXPECT_TRUE(contains(r.err, std::to_string(left.size()) + " keys")) << r.err;
  EXPECT_FALSE(contains(r.err + r.out, pw));
  json j = read_report(report);
  EXPECT_EQ(j.value("exit_code", -1), 1);
  ASSERT_TRUE(j.contains("cleanup")) << j.dump();
  EXPECT_EQ(j["cleanup"].value("keys_left", int64_t{-2}), static_cast<int64_t>(left.size()));
  const std::string reason = j["cleanup"].value("reason", "");
  EXPECT_TRUE(contains(reason, "UNLINK") || contains(reason, "unlink")) << reason;
  EXPECT_TRUE(contains(reason, "NOPERM")) << reason;
  // The load itself was fine: the exit code is the cleanup's.
  const json* res = result_of(j, "counter", "atomic");
  ASSERT_NE(res, nullptr);
  EXPECT_EQ((*res)["correctness"]["verdict"], "pass");
}

// ---- 9-10. errors before the load -------------------------------------------------------------------------

TEST(TrustCli, ADatabaseTheServerDoesNotHaveIsUsageErrorExit2InOneLine) {
  OwnedServer server;
  TempDir tmp;
  const std::string report = tmp.file("db99.json");
  auto r = run_harness(counter_run(server.url("", "/99"), "atomic", "300ms", report), 30s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  const auto err = lines_of(r.err);
  ASSERT_EQ(err.size(), 1u) << r.err;
  EXPECT_TRUE(contains(err[0], "99")) << err[0];
  json j = read_report(report);
  EXPECT_EQ(j.value("exit_code", -1), 2);
  EXPECT_EQ(command_calls(server.port(), "evalsha"), 0);
}

TEST(TrustCli, EarlyErrorsStillWriteAMinimalReportWithTheExitCodeAndTheMessage) {
  TempDir tmp;
  // Nothing listens on port 1; the password must not reach the report either.
  const std::string unreachable = tmp.file("unreachable.json");
  auto r = run_harness(counter_run("redis://u:Unre4ch-pw@127.0.0.1:1", "atomic", "300ms", unreachable), 30s);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  json j = read_report(unreachable);
  EXPECT_EQ(j.value("exit_code", -1), 3);
  EXPECT_FALSE(j.value("error", json::object()).value("message", "").empty()) << j.dump();
  EXPECT_FALSE(contains(lh::test::read_text(unreachable), "Unre4ch-pw"));
  EXPECT_FALSE(contains(r.err, "Unre4ch-pw"));

  // Lua that Redis rejects: exit 2, Redis's message (naming the line) in the report.
  OwnedServer server;
  lh::test::write_text(tmp.file("bad.lua"), "local x = 1\nreturn x +* 2\n");
  const std::string bad = tmp.file("bad.json");
  r = run_harness({"run", "--target", server.url(), "--script", tmp.file("bad.lua"), "--duration", "300ms",
                   "--report", bad, "--quiet"},
                  30s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  j = read_report(bad);
  EXPECT_EQ(j.value("exit_code", -1), 2);
  const std::string message = j.value("error", json::object()).value("message", "");
  EXPECT_TRUE(contains(message, "user_script:2")) << j.dump();
  EXPECT_EQ(scan_keys(server.port(), "*"), std::vector<std::string>{});
}

TEST(TrustCli, AThresholdScopeNamingNoScenarioIsRefusedBeforeContactingTheTargetAndSaidInTheReport) {
  // 127.0.0.1:1 has no server: an exit 2 (not 3) in well under a second proves nothing was contacted.
  TempDir dir;
  const auto t0 = Clock::now();
  auto r = run_harness({"run", "--target", "redis://127.0.0.1:1", "--scenario", "counter", "--variant",
                        "atomic", "--threshold", "nosuch:p99_ms<5", "--report", dir.file("r.json")});
  EXPECT_LT(ms_between(t0, Clock::now()), 2000);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(contains(r.err, "--threshold 'nosuch:p99_ms<5'")) << r.err;
  EXPECT_TRUE(contains(r.err, "counter/atomic")) << r.err;  // what the run does run
  json j = read_report(dir.file("r.json"));
  EXPECT_EQ(j.value("exit_code", 0), 2);
  EXPECT_TRUE(contains(j["error"].value("message", ""), "nosuch")) << j.dump();
}
