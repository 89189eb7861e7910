// Redis Functions under load: run --function LIB.lua --fcall NAME against a real redis-server, the library
// flushed mid-run and loaded again, and every way the library can be wrong refused before the load.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/faults.hpp"
#include "support/process.hpp"
#include "support/servers.hpp"

using lh::test::poll_until;
using lh::test::read_text;
using lh::test::redis_cmd;
using lh::test::run_harness;
using lh::test::start_server;
using nlohmann::json;

namespace {

// INCR of KEYS[1], and one that writes a key it was not given (for the function's own error class).
constexpr const char* kLibrary = R"(#!lua name=lhtest
redis.register_function('lh_incr', function(keys, args) return redis.call('INCR', keys[1]) end)
redis.register_function('lh_fail', function(keys, args) return redis.error_reply('ERR no such thing') end)
)";

class FunctionsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = lh::test::temp_dir();
    lh::test::write_text(file("lib.lua"), kLibrary);
  }
  void TearDown() override { lh::test::remove_tree(dir_); }
  std::string file(const std::string& name) const { return dir_ + "/" + name; }
  std::string dir_;
};

std::string target(const lh::app::RedisServer& s) { return "redis://127.0.0.1:" + std::to_string(s.port()); }

// The sum of every counter under the prefix: what Redis itself counts of the ops.
uint64_t sum_under(int port, const std::string& prefix) {
  uint64_t sum = 0;
  for (int i = 1; i <= 5; ++i) {
    const std::string v = redis_cmd(port, {"GET", prefix + "c:" + std::to_string(i)});
    if (v != "(nil)") sum += std::stoull(v);
  }
  return sum;
}

TEST_F(FunctionsCli, ALibraryRunsUnderLoadLikeAScriptPipelinedToo) {
  auto server = start_server();
  for (const std::string pipeline : {"1", "8"}) {
    const std::string prefix = "fn" + pipeline + ":";
    auto r =
        run_harness({"run",     "--target",   target(server),  "--function",   file("lib.lua"), "--fcall",
                     "lh_incr", "--key",      "c:${rand:1-5}", "--requests",   "4000",          "--clients",
                     "8",       "--pipeline", pipeline,        "--key-prefix", prefix,          "--keep-keys",
                     "--quiet", "--report",   file("r.json")},
                    std::chrono::seconds(60));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json j = json::parse(read_text(file("r.json")));
    const json& res = j["results"][0];
    EXPECT_EQ(res["scenario"], "custom");
    EXPECT_EQ(res["variant"], "fcall");
    EXPECT_EQ(res["pipeline"].get<int>(), std::stoi(pipeline));
    EXPECT_EQ(j["config"]["fcall"], "lh_incr");
    EXPECT_EQ(res["ops"]["ok"].get<uint64_t>(), 4000u);
    EXPECT_EQ(sum_under(server.port(), prefix), 4000u);  // Redis counted every FCALL
  }
  // The library is loaded under its own name, replacing any older version.
  EXPECT_NE(redis_cmd(server.port(), {"FUNCTION", "LIST", "LIBRARYNAME", "lhtest"}).find("lh_incr"),
            std::string::npos);
}

TEST_F(FunctionsCli, AFlushedLibraryIsLoadedAgainAndCountedAsNoscript) {
  auto server = start_server();
  const int port = server.port();
  auto r = run_harness({"run", "--target", target(server), "--function", file("lib.lua"), "--fcall",
                        "lh_incr", "--key", "c:${rand:1-5}", "--duration", "3s", "--clients", "8",
                        "--key-prefix", "fl:", "--keep-keys", "--quiet", "--report", file("r.json")},
                       std::chrono::seconds(60), [&](pid_t) {
                         ASSERT_TRUE(poll_until([&] { return lh::test::command_calls(port, "fcall") > 50; },
                                                std::chrono::seconds(20)));
                         EXPECT_EQ(redis_cmd(port, {"FUNCTION", "FLUSH"}), "OK");
                       });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json res = json::parse(read_text(file("r.json")))["results"][0];
  EXPECT_GE(res["errors"]["noscript"].get<uint64_t>(), 1u);
  EXPECT_EQ(res["ops"]["failed"], 0);
  EXPECT_EQ(res["ops"]["indeterminate"], 0);
  EXPECT_EQ(sum_under(port, "fl:"), res["ops"]["ok"].get<uint64_t>());
}

TEST_F(FunctionsCli, EveryScenariosFunctionVariantIsCheckedAndCallsFcallOnly) {
  auto server = start_server();
  const int port = server.port();
  auto r = run_harness({"run", "--target", target(server), "--variant", "function", "--requests", "1500",
                        "--clients", "10", "--quiet", "--report", file("r.json")},
                       std::chrono::seconds(120));
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const json j = json::parse(read_text(file("r.json")));
  ASSERT_EQ(j["results"].size(), 6u);  // every built-in scenario has an atomic variant, so a function one
  for (const auto& res : j["results"]) {
    EXPECT_EQ(res["variant"], "function");
    EXPECT_EQ(res["correctness"]["verdict"], "pass") << res["scenario"];
    EXPECT_TRUE(res["correctness"]["safe_by_design"].get<bool>());
    EXPECT_EQ(res["ops"]["ok"].get<uint64_t>() + res["ops"]["failed"].get<uint64_t>(), 1500u)
        << res["scenario"];
  }
  // The server ran FCALL, never EVALSHA, and holds the twins' libraries.
  EXPECT_GE(lh::test::command_calls(port, "fcall"), 6 * 1500);
  EXPECT_EQ(lh::test::command_calls(port, "evalsha"), 0);
  EXPECT_NE(redis_cmd(port, {"FUNCTION", "LIST", "LIBRARYNAME", "lh_counter_incr"}).find("lh_counter_incr"),
            std::string::npos);
}

TEST_F(FunctionsCli, OnAClusterEveryMasterHoldsTheLibraryAndOneFlushedMidRunLoadsItAgain) {
  auto c = lh::test::start_cluster(3, 0);
  const auto masters = c->master_addresses();
  ASSERT_EQ(masters.size(), 3u);
  auto port_of = [](const std::string& a) { return std::stoi(a.substr(a.rfind(':') + 1)); };
  const int flushed = port_of(masters[1]);
  auto r =
      run_harness({"run", "--target", "redis://" + c->seed_addresses().front(), "--function", file("lib.lua"),
                   "--fcall", "lh_incr", "--key", "c:${rand:1-300}", "--duration", "3s", "--clients", "8",
                   "--key-prefix", "fc:", "--keep-keys", "--quiet", "--report", file("r.json")},
                  std::chrono::seconds(90), [&](pid_t) {
                    ASSERT_TRUE(poll_until([&] { return lh::test::command_calls(flushed, "fcall") > 50; },
                                           std::chrono::seconds(20)));
                    EXPECT_EQ(redis_cmd(flushed, {"FUNCTION", "FLUSH"}), "OK");
                  });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(read_text(file("r.json")));
  EXPECT_EQ(j["target"]["mode"], "cluster");
  const json& res = j["results"][0];
  EXPECT_GE(res["errors"]["noscript"].get<uint64_t>(), 1u);
  EXPECT_EQ(res["ops"]["failed"], 0);
  EXPECT_EQ(res["ops"]["indeterminate"], 0);
  // Each master ran its keys' FCALLs and holds the library again; Redis's counters sum to the ops.
  uint64_t sum = 0;
  for (const auto& m : masters) {
    const int port = port_of(m);
    EXPECT_GT(lh::test::command_calls(port, "fcall"), 0) << m;
    EXPECT_NE(redis_cmd(port, {"FUNCTION", "LIST", "LIBRARYNAME", "lhtest"}).find("lh_incr"),
              std::string::npos)
        << m;
    const auto keys = lh::test::scan_keys(port, "fc:c:*");
    EXPECT_FALSE(keys.empty()) << m;
    for (const auto& k : keys) sum += std::stoull(redis_cmd(port, {"GET", k}));
  }
  EXPECT_EQ(sum, res["ops"]["ok"].get<uint64_t>());
}

TEST_F(FunctionsCli, AWrongLibraryIsRefusedBeforeAnyLoad) {
  auto server = start_server();
  lh::test::write_text(file("noshebang.lua"), "redis.register_function('f', function() return 1 end)\n");
  lh::test::write_text(file("broken.lua"), "#!lua name=broken\nredis.register_function('f', function(\n");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--function", file("noshebang.lua"), "--fcall", "f"}, "first line must be \"#!lua name=LIBRARY\""},
      {{"--function", file("broken.lua"), "--fcall", "f"}, "rejected the library of --function"},
      {{"--function", file("lib.lua"), "--fcall", "nope"},
       "--fcall nope: library 'lhtest' (--function " + file("lib.lua") +
           ") registers no function of that name"},
      {{"--function", file("lib.lua")}, "--function LIB.lua needs --fcall NAME"},
      {{"--fcall", "lh_incr"}, "--fcall NAME needs --function LIB.lua"},
      {{"--function", file("lib.lua"), "--fcall", "lh_incr", "--eval"}, "--function and --eval exclude"},
      {{"--function", file("nothere.lua"), "--fcall", "x"},
       "--function " + file("nothere.lua") + ": cannot read"},
  };
  for (const auto& [flags, wanted] : cases) {
    std::vector<std::string> args = {"run", "--target", target(server), "--duration", "1s"};
    args.insert(args.end(), flags.begin(), flags.end());
    auto r = run_harness(args, std::chrono::seconds(20));
    EXPECT_EQ(r.exit_code, 2) << flags[0] << " " << r.err;
    EXPECT_NE(r.err.find(wanted), std::string::npos) << "wanted: " << wanted << "\ngot: " << r.err;
  }
  EXPECT_EQ(redis_cmd(server.port(), {"DBSIZE"}), "0");  // nothing was loaded against
}

}  // namespace
