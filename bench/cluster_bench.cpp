// The cluster router's own routing structures. bench/slot_bench.cpp measures CRC16 and SlotMap lookups; the router
// routes through its per-worker ClusterTopology instead, so this pins that hot path (key -> slot -> node index,
// once per op), the cost of a topology refresh (a CLUSTER SLOTS reply applied after MOVED or a lost node) and of
// the redirect policy's decision after a MOVED.
#include <benchmark/benchmark.h>
#include <hiredis/hiredis.h>

#include <memory>
#include <string>
#include <vector>

#include "harness/transport/cluster_topology.hpp"
#include "harness/transport/redirect.hpp"
#include "harness/transport/slot.hpp"

using namespace lh::transport;

namespace {

// CLUSTER SLOTS of three masters with one replica each, as Redis sends it.
std::string cluster_slots_resp() {
  std::string out = "*3\r\n";
  const int bounds[3][2] = {{0, 5460}, {5461, 10922}, {10923, 16383}};
  for (int i = 0; i < 3; ++i) {
    const std::string lo = std::to_string(bounds[i][0]), hi = std::to_string(bounds[i][1]);
    out += "*4\r\n:" + lo + "\r\n:" + hi + "\r\n";
    for (int port : {30001 + i, 30004 + i})
      out += "*3\r\n$9\r\n127.0.0.1\r\n:" + std::to_string(port) + "\r\n$40\r\n" + std::string(40, 'a' + i) +
             "\r\n";
  }
  return out;
}

struct ReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
struct ReaderFree {
  void operator()(redisReader* r) const { redisReaderFree(r); }
};
std::unique_ptr<redisReply, ReplyFree> parse(const std::string& resp) {
  std::unique_ptr<redisReader, ReaderFree> reader(redisReaderCreate());
  redisReaderFeed(reader.get(), resp.data(), resp.size());
  void* r = nullptr;
  redisReaderGetReply(reader.get(), &r);
  return std::unique_ptr<redisReply, ReplyFree>(static_cast<redisReply*>(r));
}

std::shared_ptr<ClusterShared> shared_state() {
  auto shared = std::make_shared<ClusterShared>();
  shared->seeds = {NodeAddr{"127.0.0.1", 30001}};
  return shared;
}

}  // namespace

// What ClusterRedis does before every send: the slot of the route key, then the node index in its topology.
static void BM_Router_KeyToNodeIndex(benchmark::State& state) {
  auto shared = shared_state();
  const auto reply = parse(cluster_slots_resp());
  ClusterTopology topo(shared, SlotMap::from_cluster_slots(reply.get()));
  std::vector<std::string> keys;
  for (int i = 0; i < 1024; ++i)
    keys.push_back("lh:3f9a1c:counter:{c" + std::to_string(i * 7919 % 100000) + "}");
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(topo.node_for_slot(key_slot(keys[i++ & 1023])));
  state.SetItemsProcessed(state.iterations());
}

// A full refresh: parse CLUSTER SLOTS and re-point all 16384 slots (rate-limited to one per 100 ms per worker).
static void BM_Router_ApplyClusterSlots(benchmark::State& state) {
  auto shared = shared_state();
  const auto reply = parse(cluster_slots_resp());
  ClusterTopology topo(shared, SlotMap{});
  const NodeAddr asked{"127.0.0.1", 30001};
  for (auto _ : state) benchmark::DoNotOptimize(topo.apply_cluster_slots(reply.get(), asked));
}

// The redirect policy's decision for one MOVED reply (a fresh policy per op, as deliver() makes one): parse, count,
// the step with the new node. Off the hot path (a MOVED costs a round trip more), pinned so it stays small.
static void BM_Router_RedirectPolicyMoved(benchmark::State& state) {
  const lh::net::Reply moved(parse("-MOVED 3999 127.0.0.1:30002\r\n").release());
  for (auto _ : state) {
    RedirectPolicy policy(kRouterLimits);
    benchmark::DoNotOptimize(policy.on_reply(moved, "127.0.0.1", true));
  }
}

BENCHMARK(BM_Router_KeyToNodeIndex);
BENCHMARK(BM_Router_ApplyClusterSlots);
BENCHMARK(BM_Router_RedirectPolicyMoved);
