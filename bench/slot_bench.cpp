// Cluster routing hot path: key -> slot (CRC16 over the hash tag) and slot -> node.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "harness/transport/slot.hpp"
#include "harness/transport/slot_map.hpp"

using namespace lh::transport;

namespace {

std::vector<std::string> keys(const std::string& pattern_head, const std::string& pattern_tail) {
  std::vector<std::string> out;
  for (int i = 0; i < 1024; ++i)
    out.push_back(pattern_head + std::to_string(i * 7919 % 100000) + pattern_tail);
  return out;
}

void run_key_slot(benchmark::State& state, const std::vector<std::string>& ks) {
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(key_slot(ks[i++ & 1023]));
  }
  state.SetItemsProcessed(state.iterations());
}

SlotMap three_masters() {
  SlotMap map;
  for (int s = 0; s < kSlotCount; ++s)
    map.set_slot(static_cast<uint16_t>(s), NodeAddr{"127.0.0.1", 30001 + s * 3 / kSlotCount});
  return map;
}

}  // namespace

static void BM_KeySlot_Plain(benchmark::State& state) { run_key_slot(state, keys("lh:3f9a1c:counter:", "")); }
static void BM_KeySlot_HashTag(benchmark::State& state) {
  run_key_slot(state, keys("lh:3f9a1c:lock:{", "}"));
}
static void BM_KeySlot_Long(benchmark::State& state) {
  run_key_slot(state, keys("lh:3f9a1c:leaderboard:season-2026:region-eu-west:players:", ":scores:by-day"));
}

static void BM_SlotMap_Lookup(benchmark::State& state) {
  const SlotMap map = three_masters();
  uint16_t slot = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(map.node_for_slot(slot));
    slot = static_cast<uint16_t>((slot + 4099) & (kSlotCount - 1));
  }
  state.SetItemsProcessed(state.iterations());
}

static void BM_KeyToNode(benchmark::State& state) {
  const SlotMap map = three_masters();
  const auto ks = keys("lh:3f9a1c:inventory:{", "}");
  size_t i = 0;
  for (auto _ : state) {
    const NodeAddr& node = map.nodes()[map.node_for_slot(key_slot(ks[i++ & 1023]))];
    benchmark::DoNotOptimize(node.port);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_KeySlot_Plain);
BENCHMARK(BM_KeySlot_HashTag);
BENCHMARK(BM_KeySlot_Long);
BENCHMARK(BM_SlotMap_Lookup);
BENCHMARK(BM_KeyToNode);
