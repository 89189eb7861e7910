// Checker throughput over 1M synthetic events each (items/s = events/s; the budget is >= 5M/s). Each
// history is shaped like a real run's: threads' histories concatenated, so time and values are only
// roughly ordered. The "Violated" cases also build their example sentences.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <memory>
#include <random>

#include "harness/scenarios/checkers.hpp"

namespace lh::scenarios {
namespace {

using net::Outcome;

constexpr std::size_t kEvents = 1'000'000;
constexpr uint32_t kClients = 50;

Event make(uint16_t key, uint8_t kind, int64_t a, int64_t b, uint32_t start_us, uint32_t end_us,
           uint32_t client, uint32_t seq, Outcome o = Outcome::ok) {
  Event e;
  e.key = key;
  e.kind = kind;
  e.a = a;
  e.b = b;
  e.start_us = start_us;
  e.end_us = end_us;
  e.client = static_cast<uint16_t>(client);
  e.seq = seq & 0xFFFFFF;
  e.outcome = static_cast<uint32_t>(o);
  return e;
}

// Per-thread histories appended one after another (4 threads), as the engine merges them.
History interleave_by_thread(History h) {
  History out;
  out.reserve(h.size());
  for (uint32_t t = 0; t < 4; ++t)
    for (const Event& e : h)
      if (e.client % 4 == t) out.push_back(e);
  return out;
}

template <class F>
void run(benchmark::State& state, F check) {
  for (auto _ : state) {
    auto c = check();
    benchmark::DoNotOptimize(c.violations);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kEvents));
}

void BM_Counter(benchmark::State& state, bool violated) {
  History h;
  int64_t v = 0;
  for (uint32_t i = 0; i < kEvents; ++i) {
    const int64_t read = violated && i % 10 == 1 ? v - 1 : v;  // every tenth op read a stale value
    h.push_back(make(0, 0, read, read + 1, i, i + 100, i % kClients, i / kClients));
    v = std::max(v, read + 1);
  }
  h = interleave_by_thread(std::move(h));
  CounterCheckInput in{h, {0}, {v}, !violated};
  run(state, [&] { return check_counter(in); });
}
BENCHMARK_CAPTURE(BM_Counter, Pass, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Counter, Violated, true)->Unit(benchmark::kMillisecond);

// One key's swaps in time order, a quarter refused; `cur` ends as the final value.
History cas_history(bool violated, int64_t& cur) {
  History h;
  cur = 0;
  std::mt19937_64 rng(1);
  for (uint32_t i = 0; i < kEvents; ++i) {
    const uint32_t client = i % kClients, seq = i / kClients;
    const int64_t fresh = cas_value(client, seq);
    if (rng() % 4 == 0) {  // refused: the value had changed
      h.push_back(make(0, kCasRefused, cur, fresh, i, i + 100, client, seq));
      continue;
    }
    h.push_back(make(0, kCasWon, cur, fresh, i, i + 100, client, seq));
    if (violated && i % 10 == 3) continue;  // a second winner from the same value: its swap is lost
    cur = fresh;
  }
  return h;
}

void BM_Cas(benchmark::State& state, bool violated) {
  int64_t cur = 0;
  History h = interleave_by_thread(cas_history(violated, cur));
  CasCheckInput in{h, {0}, {cur}, !violated};
  run(state, [&] { return check_cas(in); });
}
BENCHMARK_CAPTURE(BM_Cas, Pass, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Cas, Violated, true)->Unit(benchmark::kMillisecond);

// Worst case for the sort: every request admitted (no refusals to skip), 10 keys, 100 requests per ms.
void BM_RateLimiter(benchmark::State& state, bool violated) {
  History h;
  std::mt19937_64 rng(2);
  const int64_t base = 1'700'000'000'000;
  for (uint32_t i = 0; i < kEvents; ++i) {
    // Pass: one admission per key every 10 ms, exactly the limit of 100 per 1000 ms. Violated: 10x that,
    // keys at random.
    const uint16_t key = static_cast<uint16_t>(violated ? rng() % 10 : i % 10);
    const int64_t stamp = base + (violated ? i / 100 : i);
    const uint32_t at = static_cast<uint32_t>(stamp - base) * 1000;
    h.push_back(make(key, 0, stamp, rate_limit_b(kRlAdmitted, at), at, at + 300, i % kClients, i / kClients));
  }
  h = interleave_by_thread(std::move(h));
  RateLimiterCheckInput in{h, 10, 100, 1000, false, !violated};
  run(state, [&] { return check_rate_limiter(in); });
}
BENCHMARK_CAPTURE(BM_RateLimiter, Pass, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_RateLimiter, Violated, true)->Unit(benchmark::kMillisecond);

// Worst case: every op acquired (no refusals to skip) on one hot lock.
void BM_Lock(benchmark::State& state, bool violated) {
  History h;
  for (uint32_t i = 0; i < kEvents; ++i) {
    const uint32_t s = i * 10, acq_end = s + 3, rel = s + (violated && i % 10 == 0 ? 25 : 8);
    const uint8_t flags = kLockWriteAccepted | kLockReleasedKey;
    h.push_back(make(0, flags, i + 1, lock_b(acq_end, rel), s, rel + 2, i % kClients, i / kClients));
  }
  h = interleave_by_thread(std::move(h));
  LockCheckInput in{h, 1, 2000, {static_cast<int64_t>(kEvents)}, !violated};
  run(state, [&] { return check_lock(in); });
}
BENCHMARK_CAPTURE(BM_Lock, Pass, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Lock, Violated, true)->Unit(benchmark::kMillisecond);

void BM_Inventory(benchmark::State& state, bool violated) {
  History h;
  const int64_t stock = 1000;
  int64_t left = stock;
  for (uint32_t i = 0; i < kEvents; ++i) {
    const bool buy = left > 0 || (violated && i < 2000);
    if (buy) --left;
    h.push_back(make(0, 0, buy ? left : 0, buy ? 1 : 0, i, i + 100, i % kClients, i / kClients));
  }
  h = interleave_by_thread(std::move(h));
  InventoryCheckInput in{h, stock, {left}, !violated};
  run(state, [&] { return check_inventory(in); });
}
BENCHMARK_CAPTURE(BM_Inventory, Pass, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Inventory, Violated, true)->Unit(benchmark::kMillisecond);

void BM_Leaderboard(benchmark::State& state, bool violated) {
  History h;
  std::mt19937_64 rng(3);
  std::vector<std::optional<int64_t>> best(100);
  for (uint32_t i = 0; i < kEvents; ++i) {
    const uint16_t m = static_cast<uint16_t>(rng() % 100);
    const int64_t score = static_cast<int64_t>(rng() % 1'000'000'000) + 1;
    const Outcome o = i % 1000 == 7 ? Outcome::indeterminate : Outcome::ok;
    h.push_back(make(m, 0, score, 1, i, i + 100, i % kClients, i / kClients, o));
    if (o == Outcome::ok && (!best[m] || score > *best[m])) best[m] = score;
  }
  if (violated)
    for (std::size_t m = 0; m < best.size(); m += 3) *best[m] -= 1;
  h = interleave_by_thread(std::move(h));
  LeaderboardCheckInput in{h, best, !violated};
  run(state, [&] { return check_leaderboard(in); });
}
BENCHMARK_CAPTURE(BM_Leaderboard, Pass, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Leaderboard, Violated, true)->Unit(benchmark::kMillisecond);

// The streamed cas and lock states (what a run uses): the same histories in time order, each event added to
// its thread's state (4 threads), every thread handing over every 2,000 events with the next event's start as
// its floor. items/s = events/s, the add and the judging together.
template <class State, class Make, class Finish>
void run_streamed(benchmark::State& state, const History& h, Make make, Finish finish) {
  for (auto _ : state) {
    auto shared = make();
    shared->start_stream(4);
    std::vector<std::unique_ptr<State>> local;
    for (int t = 0; t < 4; ++t) local.push_back(make());
    for (std::size_t i = 0; i < h.size(); ++i) {
      local[h[i].client % 4]->add(h[i]);
      if (i % 2000 == 1999 && i + 1 < h.size())
        for (uint32_t t = 0; t < 4; ++t) local[t]->hand_off(*shared, t, h[i + 1].start_us);
    }
    for (uint32_t t = 0; t < 4; ++t) local[t]->hand_off(*shared, t, engine::CheckState::kNoFloor);
    auto c = finish(*shared);
    benchmark::DoNotOptimize(c.violations);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * h.size()));
}

void BM_CasStreamed(benchmark::State& state) {
  int64_t cur = 0;
  const History h = cas_history(false, cur);
  run_streamed<CasState>(
      state, h, [] { return std::make_unique<CasState>(1); },
      [&](const CasState& s) { return s.finish({0}, {cur}, true); });
}
BENCHMARK(BM_CasStreamed)->Unit(benchmark::kMillisecond);

void BM_LockStreamed(benchmark::State& state) {
  History h;
  for (uint32_t i = 0; i < kEvents; ++i) {
    const uint32_t s = i * 10, acq_end = s + 3, rel = s + 8;
    const uint8_t flags = kLockWriteAccepted | kLockReleasedKey;
    h.push_back(make(0, flags, i + 1, lock_b(acq_end, rel), s, rel + 2, i % kClients, i / kClients));
  }
  run_streamed<LockState>(
      state, h, [] { return std::make_unique<LockState>(1, 2000); },
      [](const LockState& s) { return s.finish(2000, {static_cast<int64_t>(kEvents)}, true); });
}
BENCHMARK(BM_LockStreamed)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace lh::scenarios
