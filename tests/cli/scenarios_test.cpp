// Every scenario through the binary against a real redis-server: the naive twin is caught, the script and the
// transaction are clean, and the checkers' numbers agree with what Redis holds.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>

#include "support/json_schema.hpp"
#include "support/process.hpp"
#include "support/servers.hpp"

using lh::test::run_harness;
using nlohmann::json;

namespace {

struct ScenarioRun {
  json report;
  int exit_code;
};

// A hot key, 16 clients and a think time between read and write: contention high enough that the naive
// twin's race shows up in every run, not just most.
ScenarioRun run_scenario(int port, const std::string& scenario, std::vector<std::string> extra = {}) {
  // Defaults, each overridable by a flag of the same name in `extra`.
  std::vector<std::pair<std::string, std::string>> flags = {{"--variant", "atomic,naive,transaction"},
                                                            {"--clients", "16"},
                                                            {"--keys", "1"},
                                                            {"--think-time", "1ms"},
                                                            {"--duration", "2s"}};
  std::vector<std::string> args = {"run",        "--target", "redis://127.0.0.1:" + std::to_string(port),
                                   "--scenario", scenario,   "--report",
                                   "-",          "--quiet"};
  for (const auto& [flag, value] : flags) {
    if (std::find(extra.begin(), extra.end(), flag) != extra.end()) continue;
    args.push_back(flag);
    args.push_back(value);
  }
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = run_harness(args, std::chrono::seconds(120));
  json j = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.err;
  if (!j.is_discarded()) {
    auto problems = lh::test::validate_report_schema(j);
    EXPECT_TRUE(problems.empty()) << problems[0];
  }
  return {j, r.exit_code};
}

const json& result(const json& report, const std::string& variant) {
  for (const auto& r : report["results"])
    if (r["variant"] == variant) return r;
  static const json none;
  ADD_FAILURE() << "no result for variant " << variant;
  return none;
}

void expect_naive_caught_and_safe_clean(const ScenarioRun& run, const std::string& scenario) {
  ASSERT_EQ(run.exit_code, 0) << scenario << ": naive violations are expected, not a failure";
  ASSERT_EQ(run.report["results"].size(), 3u);
  const json& naive = result(run.report, "naive");
  EXPECT_GT(naive["correctness"]["violations"].get<int64_t>(), 0)
      << scenario << " naive: " << naive["correctness"].dump();
  EXPECT_EQ(naive["correctness"]["verdict"], "violated");
  EXPECT_EQ(naive["correctness"]["safe_by_design"], false);
  EXPECT_FALSE(naive["correctness"]["examples"].empty());
  for (const char* safe : {"atomic", "transaction"}) {
    const json& r = result(run.report, safe);
    EXPECT_EQ(r["correctness"]["violations"], 0)
        << scenario << " " << safe << ": " << r["correctness"].dump();
    EXPECT_EQ(r["correctness"]["verdict"], "pass");
    EXPECT_EQ(r["correctness"]["safe_by_design"], true);
    EXPECT_GT(r["ops"]["ok"].get<uint64_t>(), 0u);
  }
}

}  // namespace

TEST(Scenarios, NaiveCounterLosesUpdates) {
  auto server = start_server();
  expect_naive_caught_and_safe_clean(run_scenario(server.port(), "counter"), "counter");
}

TEST(Scenarios, CounterLostUpdatesEqualAcknowledgedMinusWhatRedisHolds) {
  auto server = start_server();
  ScenarioRun run =
      run_scenario(server.port(), "counter", {"--variant", "naive", "--keep-keys", "--key-prefix", "t:"});
  ASSERT_EQ(run.report["results"].size(), 1u);
  const json& naive = result(run.report, "naive");
  const json& d = naive["correctness"]["details"];
  ASSERT_EQ(d["indeterminate"], 0);
  ASSERT_EQ(d["initial"], 0);
  const int64_t in_redis = std::stoll(redis_cmd(server.port(), {"GET", "t:counter:{c0}"}));
  EXPECT_EQ(d["final"].get<int64_t>(), in_redis);
  EXPECT_EQ(naive["correctness"]["violations"].get<int64_t>(), d["acknowledged"].get<int64_t>() - in_redis);
  EXPECT_GT(naive["correctness"]["violations"].get<int64_t>(), 0);
}

TEST(Scenarios, NaiveCasLetsTwoClientsWinFromTheSameValue) {
  auto server = start_server();
  expect_naive_caught_and_safe_clean(run_scenario(server.port(), "cas"), "cas");
}

TEST(Scenarios, NaiveRateLimiterOverAdmits) {
  auto server = start_server();
  ScenarioRun run = run_scenario(server.port(), "rate-limiter");
  expect_naive_caught_and_safe_clean(run, "rate-limiter");
  const json& atomic = result(run.report, "atomic");
  EXPECT_EQ(atomic["correctness"]["details"]["clock"], "client");
}

TEST(Scenarios, ServerClockRateLimiterShowsNoOverAdmissionEvenInFullWindows) {
  auto server = start_server();
  ScenarioRun run = run_scenario(server.port(), "rate-limiter", {"--variant", "atomic-server-clock"});
  ASSERT_EQ(run.exit_code, 0);
  const json& r = result(run.report, "atomic-server-clock");
  EXPECT_EQ(r["correctness"]["violations"], 0);
  EXPECT_EQ(r["correctness"]["details"]["clock"], "server");
  EXPECT_EQ(r["correctness"]["details"]["reordering_overadmissions"], 0);
}

TEST(Scenarios, NaiveLockHasTwoHoldersAtOnce) {
  auto server = start_server();
  expect_naive_caught_and_safe_clean(run_scenario(server.port(), "lock"), "lock");
}

TEST(Scenarios, LockHeldPastItsTtlShowsExpiredLeasesAndFencingRejectsStaleWrites) {
  auto server = start_server();
  ScenarioRun run =
      run_scenario(server.port(), "lock",
                   {"--variant", "atomic", "--lock-ttl", "20ms", "--think-time", "40ms", "--clients", "4"});
  ASSERT_EQ(run.report["results"].size(), 1u);
  const json& d = result(run.report, "atomic")["correctness"]["details"];
  EXPECT_GT(d["expired_leases"].get<int64_t>(), 0) << d.dump();
  EXPECT_GT(d["stale_writes_rejected"].get<int64_t>(), 0) << d.dump();
  EXPECT_EQ(d["resource_regressions"], 0) << d.dump();  // the resource never goes backwards
  EXPECT_EQ(d["tokens_out_of_order"], 0) << d.dump();
}

TEST(Scenarios, NaiveInventoryOversells) {
  auto server = start_server();
  expect_naive_caught_and_safe_clean(run_scenario(server.port(), "inventory"), "inventory");
}

TEST(Scenarios, NaiveLeaderboardLosesBestScores) {
  auto server = start_server();
  // Many members: a lost best score is judged on each member's final value, so more members, more chances.
  ScenarioRun run = run_scenario(server.port(), "leaderboard", {"--keys", "100"});
  expect_naive_caught_and_safe_clean(run, "leaderboard");
}

TEST(Scenarios, LeaderboardZaddGtNeedsNoScript) {
  auto server = start_server();
  ScenarioRun run = run_scenario(server.port(), "leaderboard", {"--variant", "gt"});
  ASSERT_EQ(run.exit_code, 0);
  EXPECT_EQ(result(run.report, "gt")["correctness"]["violations"], 0);
}

TEST(Scenarios, UnknownScenarioOrVariantIsAUsageError) {
  auto r = run_harness({"run", "--scenario", "counterz", "--target", "redis://127.0.0.1:1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("counterz"), std::string::npos) << r.err;
}

TEST(Demo, ShowsEveryNaiveTwinCaughtAndEveryScriptCleanOnTheEmbeddedRedis) {
  const std::string dir = lh::test::temp_dir();
  auto r =
      run_harness({"demo", "--duration", "1s", "--report", dir + "/demo.json"}, std::chrono::seconds(120));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(lh::test::read_text(dir + "/demo.json"), nullptr, false);
  lh::test::remove_tree(dir);
  ASSERT_FALSE(j.is_discarded());
  EXPECT_TRUE(lh::test::validate_report_schema(j).empty());
  EXPECT_EQ(j["target"]["embedded"], true);
  int naive = 0;
  for (const auto& res : j["results"]) {
    if (res["variant"] == "naive") {
      ++naive;
      EXPECT_GT(res["correctness"]["violations"].get<int64_t>(), 0) << res["scenario"];
    } else {
      EXPECT_EQ(res["correctness"]["violations"], 0) << res["scenario"] << "/" << res["variant"];
    }
  }
  EXPECT_EQ(naive, 6);
  EXPECT_NE(r.out.find("naive counter lost"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Every atomic script and transaction held its invariant"), std::string::npos) << r.out;
}
