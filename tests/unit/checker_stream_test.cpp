// The streamed cas and lock states (cas_stream.hpp, lock_stream.hpp) against check_cas / check_lock on the
// whole history. A history is replayed as the engine would hand it over: dealt to threads by client, each
// event handed over when its op ended, every thread handing over its new events every `tick` us with its
// floor (the earliest start among its events not yet handed over), then the rest with kNoFloor. The verdict,
// the violation count and every detail must be equal; and the streamed state stays small however long the
// history.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <numeric>
#include <queue>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "harness/scenarios/checkers.hpp"
#include "same_verdict.hpp"

namespace lh::scenarios {
namespace {

using Rng = std::mt19937_64;
using engine::CheckState;

struct Replay {
  uint32_t threads = 2;
  uint32_t tick_us = 100;
  uint32_t offset_us = 0;  // added to every time (mod 2^32): a run clock that wraps mid-history
};

// Hands `h` over as the engine would (see the top). Returns the shared state, and the largest bytes() it had
// between hand-offs.
template <class State, class Make>
std::unique_ptr<State> replay(const History& h, const Replay& p, Make make, std::size_t* peak = nullptr) {
  std::vector<std::size_t> order(h.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t x, std::size_t y) { return h[x].end_us < h[y].end_us; });
  auto shared = make();
  shared->start_stream(p.threads);
  std::vector<std::unique_ptr<State>> local;
  std::vector<std::multiset<uint64_t>> unsent(p.threads);  // starts of each thread's events not handed over
  for (uint32_t t = 0; t < p.threads; ++t) local.push_back(make());
  for (const Event& e : h) unsent[e.client % p.threads].insert(e.start_us);
  auto shifted = [&](Event e) {
    e.start_us += p.offset_us;
    e.end_us += p.offset_us;
    if (e.b != 0 && static_cast<uint64_t>(e.b) >> 32 != 0 && std::is_same_v<State, LockState>)
      e.b = lock_b(static_cast<uint32_t>(static_cast<uint64_t>(e.b) >> 32) + p.offset_us,
                   static_cast<uint32_t>(e.b) + p.offset_us);
    return e;
  };
  auto hand_all = [&](bool last) {
    for (uint32_t t = 0; t < p.threads; ++t) {
      const uint64_t floor =
          last || unsent[t].empty() ? CheckState::kNoFloor : *unsent[t].begin() + p.offset_us;
      local[t]->hand_off(*shared, t, floor);
    }
    if (peak) *peak = std::max(*peak, shared->bytes());
  };
  uint64_t next_tick = p.tick_us;
  for (std::size_t i : order) {
    const Event& e = h[i];
    while (e.end_us >= next_tick) {
      hand_all(false);
      next_tick += p.tick_us;
    }
    const uint32_t t = e.client % p.threads;
    unsent[t].erase(unsent[t].find(e.start_us));
    local[t]->add(shifted(e));
  }
  hand_all(true);
  EXPECT_EQ(shared->events(), h.size());
  return shared;
}

// A run of the cas scenario against a simulated Redis: clients take turns by time on one timeline; an op
// reads the key (its expected value), then swaps: atomic compares and sets in one step, naive compares and
// sets later (another swap can land between: a lost update), transaction sets only if nobody wrote since
// its read. Some ops lose their reply: indeterminate, applied or not, sometimes after the client gave up
// (a paused server); some fail before being sent.
struct CasRun {
  History history;
  std::vector<int64_t> final;
};
enum class CasMode { atomic, naive, transaction };

CasRun simulate_cas(uint64_t seed, CasMode mode, uint16_t keys, uint32_t clients, uint32_t ops,
                    bool faults = true) {
  Rng r(seed);
  struct Step {
    uint64_t t;
    uint32_t client;
    int phase;  // 0 start, 1 read, 2 compare, 3 set, 4 reply, 5 a late apply of a lost reply
    bool operator>(const Step& o) const { return t > o.t || (t == o.t && client > o.client); }
  };
  struct Op {
    Event e;
    uint64_t read_version = 0;
    bool lost = false, applies = false, late = false, failed = false, matched = false;
  };
  std::vector<int64_t> value(keys, 0);
  std::vector<uint64_t> version(keys, 0);
  std::vector<Op> op(clients);
  std::vector<uint64_t> seq(clients, 0);
  std::priority_queue<Step, std::vector<Step>, std::greater<Step>> q;
  for (uint32_t c = 0; c < clients; ++c) q.push(Step{r() % 50, c, 0});
  CasRun out;
  uint32_t started = 0;
  auto set = [&](uint16_t k, int64_t v) {
    value[k] = v;
    ++version[k];
  };
  while (!q.empty()) {
    const Step s = q.top();
    q.pop();
    Op& o = op[s.client];
    Event& e = o.e;
    switch (s.phase) {
      case 0: {
        if (started++ >= ops) break;
        o = Op{};
        e.client = static_cast<uint16_t>(s.client);
        e.seq = static_cast<uint32_t>(seq[s.client]) & 0xFFFFFF;
        e.key = static_cast<uint16_t>(r() % keys);
        e.start_us = static_cast<uint32_t>(s.t);
        e.b = cas_value(s.client, seq[s.client]++);
        const auto x = faults ? r() % 100 : 99;
        o.failed = x < 2;
        o.lost = x >= 2 && x < 6;
        o.applies = o.lost && r() % 2;
        o.late = o.applies && r() % 3 == 0;
        q.push(Step{s.t + 1 + r() % 40, s.client, o.failed ? 4 : 1});
        break;
      }
      case 1:
        e.a = value[e.key];
        o.read_version = version[e.key];
        q.push(Step{s.t + 1 + r() % 60, s.client, 2});
        break;
      case 2:
        o.matched = mode == CasMode::transaction ? version[e.key] == o.read_version : value[e.key] == e.a;
        if (o.matched && (!o.lost || (o.applies && !o.late))) {
          if (mode == CasMode::naive) {
            q.push(Step{s.t + 1 + r() % 30, s.client, 3});  // the SET, later
            break;
          }
          set(e.key, e.b);
        }
        q.push(Step{s.t + 1 + r() % 40, s.client, 4});
        break;
      case 3:
        set(e.key, e.b);
        q.push(Step{s.t + 1 + r() % 40, s.client, 4});
        break;
      case 4:
        e.end_us = static_cast<uint32_t>(s.t);
        e.kind = o.matched || o.lost ? kCasWon : kCasRefused;
        e.outcome = static_cast<uint32_t>(o.failed ? Outcome::failed
                                          : o.lost ? Outcome::indeterminate
                                                   : Outcome::ok);
        out.history.push_back(e);
        if (o.late) q.push(Step{s.t + 50 + r() % 500, s.client, 5});
        else q.push(Step{s.t + r() % 20, s.client, 0});
        break;
      case 5:  // the lost swap lands now: atomic and transaction still compare
        if (mode == CasMode::naive || value[e.key] == e.a) set(e.key, e.b);
        q.push(Step{s.t + r() % 20, s.client, 0});
        break;
    }
  }
  out.final = value;
  return out;
}

TEST(CheckerStreams, CasAgreesWithCheckCasOnSimulatedRuns) {
  int violated = 0, clean = 0, runs = 0;
  for (uint64_t seed = 1; seed <= 240; ++seed) {
    const auto mode = static_cast<CasMode>(seed % 3);
    const uint16_t keys = static_cast<uint16_t>(1 + seed % 2);
    const auto run =
        simulate_cas(seed, mode, keys, 2 + static_cast<uint32_t>(seed % 12), 50 + seed * 13 % 1500);
    const std::vector<int64_t> initial(keys, 0);
    CasCheckInput in{run.history, initial, run.final, mode != CasMode::naive};
    const auto want = check_cas(in);
    (want.violations > 0 ? violated : clean) += 1;
    for (const Replay& p :
         {Replay{1, 50}, Replay{2, 100}, Replay{3, 1000}, Replay{2, 37, 0xFFFFFFFFu - 20000}}) {
      auto s = replay<CasState>(run.history, p, [&] { return std::make_unique<CasState>(keys); });
      expect_same(want, s->finish(initial, run.final, in.safe_by_design),
                  "seed " + std::to_string(seed) + ", " + std::to_string(p.threads) + " threads, tick " +
                      std::to_string(p.tick_us));
      ++runs;
    }
  }
  EXPECT_GT(violated, 40);  // naive runs lose swaps, indeterminate ones break chains
  EXPECT_GT(clean, 40);
}

// A value consumed twice, a chain that breaks, the final value nobody wrote: the same numbers, and examples.
TEST(CheckerStreams, CasFindsWhatCheckCasFinds) {
  const auto run = simulate_cas(7, CasMode::naive, 1, 12, 3000);
  for (int64_t final : {run.final[0], cas_value(99, 5), int64_t{0}}) {
    CasCheckInput in{run.history, {0}, {final}, false};
    const auto want = check_cas(in);
    ASSERT_GT(want.violations, 0);
    auto s = replay<CasState>(run.history, Replay{}, [] { return std::make_unique<CasState>(1); });
    const auto got = s->finish({0}, {final}, false);
    expect_same(want, got, "final " + std::to_string(final));
    EXPECT_NE(got.examples.at(0).find("consumed twice"), std::string::npos) << got.examples.at(0);
  }
}

// The lock stream needs no premise about the server: any history whose times are in order (acquire start
// <= entry <= exit) gives check_lock's numbers; these are random, with every kind of violation.
History random_lock_history(uint64_t seed, uint32_t keys, std::vector<int64_t>& accepted) {
  Rng r(seed);
  std::vector<int64_t> token(keys, 0);
  std::vector<uint32_t> free_at(keys, 0);
  accepted.assign(keys, 0);
  History h;
  uint32_t us = 100;
  std::vector<uint32_t> seq(12, 0);
  const int n = static_cast<int>(r() % 1500);
  for (int i = 0; i < n; ++i) {
    Event e;
    e.client = static_cast<uint16_t>(r() % 12);
    e.seq = seq[e.client]++;
    e.key = static_cast<uint16_t>(r() % (keys + (seed % 11 == 0)));
    const auto x = r() % 100;
    e.outcome = static_cast<uint32_t>(x < 88   ? Outcome::ok
                                      : x < 94 ? Outcome::indeterminate
                                               : Outcome::failed);
    const uint32_t k = e.key < keys ? e.key : 0;
    us += static_cast<uint32_t>(r() % 400);
    e.start_us = us;
    const bool overlap = seed % 3 == 0 && r() % 5 == 0;
    if (r() % 3 == 0 || (!overlap && us < free_at[k])) {
      e.a = -1;
      e.end_us = us + 50;
    } else {
      e.a = ++token[k];
      if (seed % 5 == 0 && r() % 8 == 0) e.a -= 2;                 // a token out of order
      if (seed % 7 == 0 && r() % 50 == 0) e.a = token[k] / 2 + 1;  // one issued again, long after
      const uint32_t acq = us + static_cast<uint32_t>(r() % 100),
                     rel = acq + static_cast<uint32_t>(r() % 2500);
      e.b = lock_b(acq, rel);
      e.end_us = rel + 30;
      free_at[k] = rel + 30;
      e.kind = static_cast<uint32_t>(r() % 3) | (r() % 4 == 0 ? kLockReleasedKey : 0) |
               (overlap ? kLockSawOtherHolder : 0);
      if ((e.kind & 3) == kLockWriteAccepted && e.a >= 0) accepted[k] = std::max(accepted[k], e.a);
    }
    h.push_back(e);
  }
  return h;
}

TEST(CheckerStreams, LockAgreesWithCheckLockOnAnyHistory) {
  int violated = 0, clean = 0;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    const uint32_t keys = 1 + static_cast<uint32_t>(seed % 3);
    std::vector<int64_t> final_resource;
    const History h = random_lock_history(seed, keys, final_resource);
    if (seed % 6 == 0) final_resource[0] -= 1;
    const int64_t ttl_ms = seed % 4 == 0 ? 1 : 2;
    LockCheckInput in{h, keys, ttl_ms, final_resource, seed % 2 == 1};
    const auto want = check_lock(in);
    (want.violations > 0 ? violated : clean) += 1;
    for (const Replay& p :
         {Replay{1, 50}, Replay{2, 300}, Replay{4, 5000}, Replay{3, 77, 0xFFFFFFFFu - 50000}}) {
      auto s = replay<LockState>(h, p, [&] { return std::make_unique<LockState>(keys, ttl_ms); });
      expect_same(want, s->finish(ttl_ms, final_resource, in.safe_by_design),
                  "seed " + std::to_string(seed) + ", " + std::to_string(p.threads) + " threads, tick " +
                      std::to_string(p.tick_us));
    }
  }
  EXPECT_GT(violated, 60);
  EXPECT_GT(clean, 20);
}

// The token bits of old blocks live in a file: a token issued again long after (a fence counter that went
// back), or accepted again, is still found from there, with check_lock's numbers.
TEST(CheckerStreams, LockFindsATokenIssuedAgainLongAfterItsBlockWasSpilled) {
  History h;
  auto hold = [&h](uint32_t i, int64_t token, uint8_t write) {
    Event e;
    e.client = static_cast<uint16_t>(i % 8);
    e.seq = i / 8;
    e.start_us = i * 10;
    e.a = token;
    e.b = lock_b(i * 10 + 2, i * 10 + 6);
    e.kind = write;
    e.end_us = i * 10 + 8;
    h.push_back(e);
  };
  uint32_t i = 0;
  for (int64_t t = 1; t <= 60'000; ++t) hold(i++, t, kLockWriteAccepted);
  hold(i++, 17,
       kLockWriteAccepted);  // issued again and accepted again: two tokens out of order, a regression
  hold(i++, 9'000, kLockWriteRejected);  // issued again, its write refused (fencing at work)
  for (int64_t t = 60'001; t <= 60'100; ++t) hold(i++, t, kLockWriteAccepted);
  LockCheckInput in{h, 1, 2000, {60'100}, true};
  const auto want = check_lock(in);
  ASSERT_GT(want.violations, 2);
  auto s = replay<LockState>(h, Replay{2, 500}, [] { return std::make_unique<LockState>(1, 2000); });
  const auto got = s->finish(2000, {60'100}, true);
  expect_same(want, got, "spilled tokens");
  // The counts alone would not show it (a token lower than the ones before it is out of order either way):
  // the example says the token was found issued before.
  EXPECT_TRUE(std::any_of(got.examples.begin(), got.examples.end(), [](const std::string& x) {
    return x.find("token 17) got a token already issued") != std::string::npos;
  })) << testing::PrintToString(got.examples);
  EXPECT_TRUE(std::any_of(got.examples.begin(), got.examples.end(), [](const std::string& x) {
    return x.find("accepted client") != std::string::npos && x.find("(token 17) again") != std::string::npos;
  })) << testing::PrintToString(got.examples);
}

// Memory: the streamed state holds what is in flight, not what happened. A long simulated atomic run (and a
// naive one, whose lost swaps branch the tree) peaks at about what a short one does; the whole-history state
// grows with it. (Not with lost replies: an indeterminate swap's value is kept to the end, since a paused
// server may still apply it; --max-error-rate bounds how many there are.)
TEST(CheckerStreams, TheirSizeDoesNotGrowWithTheRun) {
  for (CasMode mode : {CasMode::atomic, CasMode::naive}) {
    std::size_t small = 0, big = 0;
    const auto a = simulate_cas(3, mode, 1, 16, 20'000, false),
               b = simulate_cas(3, mode, 1, 16, 400'000, false);
    replay<CasState>(
        a.history, Replay{2, 1000}, [] { return std::make_unique<CasState>(1); }, &small);
    replay<CasState>(
        b.history, Replay{2, 1000}, [] { return std::make_unique<CasState>(1); }, &big);
    EXPECT_LT(big, 2 * small + 64 * 1024) << "cas " << static_cast<int>(mode);
    EXPECT_LT(big, b.history.size() * sizeof(Event) / 50) << "cas " << static_cast<int>(mode);
  }
  // The lock: 300k holds one after another on 2 resources, against 15k.
  auto holds = [](uint32_t n) {
    History h;
    uint32_t us = 0;
    for (uint32_t i = 0; i < n; ++i) {
      Event e;
      e.client = static_cast<uint16_t>(i % 16);
      e.key = static_cast<uint16_t>(i % 2);
      e.seq = i / 16;
      e.start_us = us;
      e.a = i / 2 + 1;
      e.b = lock_b(us + 5, us + 20);
      e.kind = kLockWriteAccepted | kLockReleasedKey;
      e.end_us = us + 30;
      us += 12;
      h.push_back(e);
    }
    return h;
  };
  std::size_t small = 0, big = 0;
  replay<LockState>(
      holds(15'000), Replay{2, 1000}, [] { return std::make_unique<LockState>(2, 2000); }, &small);
  auto s = replay<LockState>(
      holds(300'000), Replay{2, 1000}, [] { return std::make_unique<LockState>(2, 2000); }, &big);
  EXPECT_EQ(s->finish(2000, {150000, 150000}, true).violations, 0);
  // Two bits a token, the older blocks of 4096 in a temporary file: 150k tokens a resource hold what 7,500 do.
  EXPECT_LT(big, small + 2 * LockState::kHotTokenBlocks * 1100);
  EXPECT_LT(big, 32u * 1024);
  EXPECT_LT(big, 300'000 * sizeof(Event) / 20);
}

}  // namespace
}  // namespace lh::scenarios
