// `lua-harness run` against real local clusters: every scenario's script on 3 masters + 3 replicas, a slot
// resharded under load, a coordinated failover, a SIGKILLed master, and cross-slot key templates refused.
// Synchronised by polling what the cluster says, never by sleeping.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "harness/transport/slot.hpp"
#include "harness/transport/slot_map.hpp"
#include "support/json_schema.hpp"
#include "support/process.hpp"
#include "support/servers.hpp"

using lh::transport::key_slot;
using lh::transport::SlotMap;
using lh::app::LocalCluster;
using lh::test::poll_until;
using lh::test::run_harness;
using nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kLua = std::string(LH_SOURCE_DIR) + "/lua/";

json parse_report(const lh::test::ProcResult& r) {
  json j = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "stdout is not JSON:\n" << r.out << "\nstderr:\n" << r.err;
  if (j.is_discarded()) return json::object();
  auto problems = lh::test::validate_report_schema(j);
  EXPECT_TRUE(problems.empty()) << "report violates the schema: " << (problems.empty() ? "" : problems[0]);
  return j;
}

int port_of(const std::string& address) { return std::stoi(address.substr(address.rfind(':') + 1)); }

std::string seed(LocalCluster& c) { return "redis://" + c.seed_addresses().front(); }

// The master serving `slot`, per CLUSTER SLOTS of the first node.
int owner_port(LocalCluster& c, uint16_t slot) {
  auto reply = lh::test::raw_command(port_of(c.seed_addresses().front()), {"CLUSTER", "SLOTS"});
  if (!reply) return -1;
  const SlotMap map = SlotMap::from_cluster_slots(reply.get());
  const int i = map.node_for_slot(slot);
  return i < 0 ? -1 : map.nodes()[static_cast<std::size_t>(i)].port;
}

int64_t int_value(int port, const std::string& key) {
  try {
    const std::string v = redis_cmd(port, {"GET", key});
    return v.empty() || v[0] < '0' || v[0] > '9' ? -1 : std::stoll(v);
  } catch (const std::exception&) {
    return -1;
  }
}

// "calls=N" of one command in INFO commandstats.
uint64_t command_calls(int port, const std::string& command) {
  const std::string stats = redis_cmd(port, {"INFO", "commandstats"});
  const auto at = stats.find("cmdstat_" + command + ":calls=");
  if (at == std::string::npos) return 0;
  return std::stoull(stats.substr(at + command.size() + 15));
}

uint64_t errors(const json& res, const char* cls) { return res["errors"][cls].get<uint64_t>(); }

std::vector<std::string> run_args(const std::string& target, std::vector<std::string> extra) {
  std::vector<std::string> a = {"run", "--target", target, "--report", "-", "--quiet"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

void print_errors(const char* what, const json& res) {
  std::printf(
      "%s: ops ok %llu failed %llu indeterminate %llu; errors moved %llu ask %llu tryagain %llu "
      "clusterdown %llu noscript %llu connection %llu timeout %llu; violations %lld\n",
      what, (unsigned long long)res["ops"]["ok"].get<uint64_t>(),
      (unsigned long long)res["ops"]["failed"].get<uint64_t>(),
      (unsigned long long)res["ops"]["indeterminate"].get<uint64_t>(),
      (unsigned long long)errors(res, "moved"), (unsigned long long)errors(res, "ask"),
      (unsigned long long)errors(res, "tryagain"), (unsigned long long)errors(res, "clusterdown"),
      (unsigned long long)errors(res, "noscript"), (unsigned long long)errors(res, "connection"),
      (unsigned long long)errors(res, "timeout"), (long long)res["correctness"]["violations"].get<int64_t>());
}

}  // namespace

TEST(ClusterCli, EveryAtomicScenarioRunsCleanOnThreeMastersWithReplicas) {
  auto c = start_cluster(3, 1);
  const auto masters = c->master_addresses();
  auto r =
      run_harness(run_args(seed(*c), {"--variant", "atomic", "--duration", "2s", "--clients", "20"}), 90s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = parse_report(r);
  EXPECT_EQ(j["target"]["mode"], "cluster");
  EXPECT_EQ(j["target"]["failover_detected"], false);
  EXPECT_EQ(j["target"]["nodes"].get<std::vector<std::string>>(), masters);
  ASSERT_EQ(j["results"].size(), 6u);
  for (const json& res : j["results"]) {
    SCOPED_TRACE(res["scenario"].get<std::string>());
    EXPECT_GT(res["ops"]["ok"].get<uint64_t>(), 0u);
    EXPECT_EQ(res["ops"]["failed"], 0);
    EXPECT_EQ(res["ops"]["indeterminate"], 0);
    EXPECT_EQ(res["correctness"]["violations"], 0);
    EXPECT_EQ(errors(res, "crossslot"), 0u);
    // ops_per_node names masters only and adds up to the op count (calls = ops for single-call variants).
    uint64_t sum = 0;
    for (const auto& [node, n] : res["ops_per_node"].items()) {
      EXPECT_NE(std::find(masters.begin(), masters.end(), node), masters.end()) << node;
      sum += n.get<uint64_t>();
    }
    EXPECT_NEAR(double(sum), res["ops"]["total"].get<double>(), 3.0);
  }
  for (const auto& m : masters)  // keys cleaned up
    EXPECT_EQ(redis_cmd(port_of(m), {"DBSIZE"}), "0") << m << ": " << redis_cmd(port_of(m), {"KEYS", "*"});
}

TEST(ClusterCli, ReshardingTheHotKeysSlotUnderLoadCompletesEveryOp) {
  auto c = start_cluster(3, 0);
  const std::string key = "lh:reshard:counter:{c0}";  // scenarios/counter.cpp: <prefix>counter:{c<i>}
  const uint16_t slot = key_slot(key);
  const int src = owner_port(*c, slot);
  ASSERT_GT(src, 0);
  int dst = -1;
  for (const auto& m : c->master_addresses())
    if (port_of(m) != src) dst = port_of(m);
  const std::string src_id = redis_cmd(src, {"CLUSTER", "MYID"}),
                    dst_id = redis_cmd(dst, {"CLUSTER", "MYID"});
  const std::string s = std::to_string(slot);
  Clock::duration migration{};

  auto r =
      run_harness(run_args(seed(*c), {"--scenario", "counter", "--variant", "atomic", "--keys", "1",
                                      "--duration", "6s", "--clients", "20", "--key-prefix", "lh:reshard:"}),
                  60s, [&](pid_t) {
                    ASSERT_TRUE(poll_until([&] { return int_value(src, key) > 500; }, 20s));
                    const auto t0 = Clock::now();
                    ASSERT_EQ(redis_cmd(dst, {"CLUSTER", "SETSLOT", s, "IMPORTING", src_id}), "OK");
                    ASSERT_EQ(redis_cmd(src, {"CLUSTER", "SETSLOT", s, "MIGRATING", dst_id}), "OK");
                    for (;;) {
                      const std::string keys = redis_cmd(src, {"CLUSTER", "GETKEYSINSLOT", s, "100"});
                      if (keys.empty()) break;
                      std::vector<std::string> migrate = {
                          "MIGRATE", "127.0.0.1", std::to_string(dst), "", "0", "5000", "KEYS"};
                      std::istringstream in(keys);
                      for (std::string k; in >> k;) migrate.push_back(k);
                      ASSERT_EQ(redis_cmd(src, migrate), "OK");
                    }
                    // The clients now get ASK from the source: wait until the target saw ASKING.
                    EXPECT_TRUE(poll_until([&] { return command_calls(dst, "asking") > 0; }, 5s));
                    for (int node : {dst, src})
                      ASSERT_EQ(redis_cmd(node, {"CLUSTER", "SETSLOT", s, "NODE", dst_id}), "OK");
                    for (const auto& m : c->master_addresses()) {
                      if (port_of(m) != src && port_of(m) != dst) {
                        ASSERT_EQ(redis_cmd(port_of(m), {"CLUSTER", "SETSLOT", s, "NODE", dst_id}), "OK");
                      }
                    }
                    migration = Clock::now() - t0;
                    // Still under load after the move: the counter keeps rising on its new owner.
                    const int64_t moved_at = int_value(dst, key);
                    EXPECT_TRUE(poll_until([&] { return int_value(dst, key) > moved_at + 100; }, 10s));
                  });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = parse_report(r);
  const json& res = j["results"][0];
  print_errors("resharding", res);
  std::printf("slot %s moved from :%d to :%d in %lld ms\n", s.c_str(), src, dst,
              (long long)std::chrono::duration_cast<std::chrono::milliseconds>(migration).count());
  EXPECT_EQ(res["ops"]["failed"], 0);
  EXPECT_EQ(res["ops"]["indeterminate"], 0);
  EXPECT_EQ(res["correctness"]["violations"], 0);
  EXPECT_GE(errors(res, "ask"), 1u);
  EXPECT_GE(errors(res, "moved"), 1u);
  EXPECT_EQ(owner_port(*c, slot), dst);
  EXPECT_EQ(j["target"]["failover_detected"], false);  // a slot moved; the masters did not change
  EXPECT_TRUE(res["ops_per_node"].contains("127.0.0.1:" + std::to_string(dst)));
}

TEST(ClusterCli, CoordinatedFailoverUnderLoadReloadsTheScriptOnThePromotedNode) {
  auto c = start_cluster(3, 1);
  const std::string key = "lh:fo:counter:{c0}";
  const int old_master = owner_port(*c, key_slot(key));
  const std::string master_id = redis_cmd(old_master, {"CLUSTER", "MYID"});
  int replica = -1;
  for (auto* n : c->nodes()) {
    const std::string info = redis_cmd(n->port(), {"INFO", "replication"});
    if (info.find("role:slave") != std::string::npos &&
        info.find("master_port:" + std::to_string(old_master) + "\r") != std::string::npos)
      replica = n->port();
  }
  ASSERT_GT(replica, 0);

  auto r =
      // A manual failover pauses the master's writers until it completes, and gives up after 5 s when the
      // replica cannot catch up (a loaded machine): the test asks up to three times. --reply-timeout 30s lets
      // an op wait out a failed attempt's pause (it then runs, ok), and 20 s of load leaves room for the third
      // attempt and the ops after it.
      run_harness(
          run_args(seed(*c), {"--scenario", "counter", "--variant", "atomic", "--keys", "1", "--duration",
                              "20s", "--reply-timeout", "30s", "--clients", "20", "--key-prefix", "lh:fo:"}),
          60s, [&](pid_t) {
            ASSERT_TRUE(poll_until([&] { return int_value(old_master, key) > 500; }, 20s));
            // The master must know the replica as its own over the cluster bus, or it ignores the
            // replica's failover request (and the replica gives up after 5 s).
            ASSERT_TRUE(poll_until(
                [&] {
                  return redis_cmd(old_master, {"CLUSTER", "REPLICAS", master_id})
                                 .find(":" + std::to_string(replica) + "@") != std::string::npos &&
                         redis_cmd(replica, {"INFO", "replication"}).find("master_link_status:up") !=
                             std::string::npos;
                },
                20s));
            // A manual failover gives up after 5 s when the replica cannot catch up (a loaded
            // machine): ask again, at most three times.
            bool promoted = false;
            for (int attempt = 0; attempt < 3 && !promoted; ++attempt) {
              ASSERT_EQ(redis_cmd(replica, {"CLUSTER", "FAILOVER"}), "OK");
              promoted = poll_until([&] { return owner_port(*c, key_slot(key)) == replica; }, 7s);
            }
            ASSERT_TRUE(promoted) << "replica: " << c->node_by_port(replica)->log_tail(8)
                                  << "\nmaster: " << c->node_by_port(old_master)->log_tail(8);
            const int64_t at = int_value(replica, key);
            EXPECT_TRUE(poll_until([&] { return int_value(replica, key) > at + 100; }, 10s));
          });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = parse_report(r);
  const json& res = j["results"][0];
  print_errors("coordinated failover", res);
  EXPECT_EQ(res["correctness"]["violations"], 0);
  EXPECT_EQ(res["ops"]["indeterminate"], 0);
  EXPECT_EQ(res["ops"]["failed"], 0);
  EXPECT_GE(errors(res, "noscript"), 1u);  // SCRIPT LOAD is not replicated: the promoted node had to load it
  EXPECT_GE(errors(res, "moved"), 1u);
  EXPECT_EQ(j["target"]["failover_detected"], true);
  // The report names the masters at the end as well: the promoted replica replaced the old master.
  ASSERT_TRUE(j["target"].contains("nodes_at_end")) << j["target"].dump();
  const auto at_end = j["target"]["nodes_at_end"].dump();
  EXPECT_NE(at_end.find(":" + std::to_string(replica) + "\""), std::string::npos) << at_end;
  EXPECT_EQ(at_end.find(":" + std::to_string(old_master) + "\""), std::string::npos) << at_end;
}

TEST(ClusterCli, SigkillOfAMasterUnderLoadNeitherCrashesNorHangsAndIsReported) {
  auto c = start_cluster(3, 1);
  // 30 counters over the three masters; the victim serves c0, the witness key lives elsewhere.
  const std::string prefix = "lh:kill:";
  auto key = [&](int i) { return prefix + "counter:{c" + std::to_string(i) + "}"; };
  const int victim = owner_port(*c, key_slot(key(0)));
  std::string witness;
  int witness_port = -1;
  for (int i = 1; i < 30 && witness.empty(); ++i)
    if (const int p = owner_port(*c, key_slot(key(i))); p != victim) witness = key(i), witness_port = p;
  ASSERT_FALSE(witness.empty());

  const int duration_s = 8;
  const auto t0 = Clock::now();
  auto r = run_harness(
      run_args(seed(*c), {"--scenario", "counter", "--variant", "atomic", "--keys", "30", "--duration",
                          std::to_string(duration_s) + "s", "--clients", "20", "--key-prefix", prefix}),
      90s, [&](pid_t) {
        ASSERT_TRUE(poll_until([&] { return int_value(victim, key(0)) > 50; }, 20s));
        c->node_by_port(victim)->kill(SIGKILL);
        // Other slots keep serving: the witness counter on another master keeps rising
        // (before the cluster marks the victim failed, and again once a replica took over).
        const int64_t at = int_value(witness_port, witness);
        EXPECT_TRUE(poll_until([&] { return int_value(witness_port, witness) > at + 50; }, 15s));
      });
  const auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - t0);
  std::printf("run with a SIGKILLed master took %lld s (duration %d s)\n", (long long)elapsed.count(),
              duration_s);
  ASSERT_FALSE(r.timed_out);
  // Acknowledged writes the victim had not replicated yet are lost: the checker reports them (exit 1).
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.exit_code << "\n" << r.err;
  EXPECT_LE(elapsed.count(), duration_s + 15);
  json j = parse_report(r);
  ASSERT_FALSE(j.empty());
  const json& res = j["results"][0];
  print_errors("SIGKILL of a master", res);
  EXPECT_GT(res["ops"]["ok"].get<uint64_t>(), 0u);
  EXPECT_GT(res["ops"]["failed"].get<uint64_t>() + res["ops"]["indeterminate"].get<uint64_t>(), 0u);
  EXPECT_EQ(j["target"]["failover_detected"], true);
  std::printf("lost acknowledged increments reported by the checker: %lld\n",
              (long long)res["correctness"]["details"]["lost_updates"].get<int64_t>());
}

TEST(ClusterCli, CrossSlotKeyTemplatesAreRefusedAndHashTaggedOnesRun) {
  // Forced cluster mode refuses before connecting anywhere.
  auto r = run_harness({"run", "--cluster", "--target", "redis://127.0.0.1:1", "--script",
                        kLua + "acquire_lock.lua", "--key", "lock:${rand:1-100}", "--key",
                        "fence:${rand:1-100}", "--arg", "${client}:${seq}", "--arg", "1000"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("lock:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("fence:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("slot"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find('{'), std::string::npos) << r.err;  // the hash-tag fix

  // Detected from the server: the same refusal, and the hash-tagged keys run.
  auto c = start_cluster(3, 0);
  r = run_harness(
      run_args(seed(*c), {"--script", kLua + "acquire_lock.lua", "--key", "lock:${rand:1-100}", "--key",
                          "fence:${rand:1-100}", "--arg", "${client}:${seq}", "--arg", "1000"}));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("fence:"), std::string::npos) << r.err;
  r = run_harness(run_args(seed(*c), {"--script", kLua + "acquire_lock.lua", "--key", "lock:{${rand:1-100}}",
                                      "--key", "fence:{${rand:1-100}}", "--arg", "${client}:${seq}", "--arg",
                                      "1000", "--duration", "1s", "--pipeline", "4"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = parse_report(r);
  const json& res = j["results"][0];
  EXPECT_EQ(j["target"]["mode"], "cluster");
  EXPECT_GT(res["ops"]["ok"].get<uint64_t>(), 0u);
  EXPECT_EQ(res["ops"]["failed"], 0);
  EXPECT_EQ(errors(res, "crossslot"), 0u);
  EXPECT_EQ(res["ops_per_node"].size(), 3u);  // 100 resources spread over every master
}

TEST(ClusterCli, EmbeddedClusterRunsAndGoesAway) {
  auto r = run_harness(
      {"run", "--embedded-cluster", "3", "--scenario", "counter", "--variant", "atomic,naive,transaction",
       "--keys", "10", "--duration", "1s", "--clients", "10", "--report", "-", "--quiet"},
      60s);
  ASSERT_TRUE(r.exit_code == 0) << r.err;
  json j = parse_report(r);
  EXPECT_EQ(j["target"]["mode"], "cluster");
  EXPECT_EQ(j["target"]["embedded"], true);
  ASSERT_EQ(j["target"]["nodes"].size(), 3u);
  ASSERT_EQ(j["results"].size(), 3u);
  for (const json& res : j["results"]) {
    SCOPED_TRACE(res["variant"].get<std::string>());
    EXPECT_EQ(res["ops"]["failed"], 0);
    EXPECT_GT(res["ops"]["ok"].get<uint64_t>(), 0u);
    EXPECT_EQ(res["ops_per_node"].size(), 3u);  // 10 counters spread over every master
    // The transaction's WATCH, MULTI and EXEC stay on one node: no lost update.
    if (res["variant"] != "naive") {
      EXPECT_EQ(res["correctness"]["violations"], 0);
    }
  }
  const std::string node = j["target"]["nodes"][0];
  EXPECT_THROW(redis_cmd(port_of(node), {"PING"}), std::runtime_error);  // the private cluster is gone
}
