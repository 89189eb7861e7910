// The streaming checker states against the checkers they replaced (reference_checkers.hpp, the code of
// 7cfaa44 that judged the whole history at once): on the same random histories, with and without violations,
// the verdict, the violation count and every detail must be equal, whether one state sees the whole history,
// or the history is dealt to several states (threads, shards) that are saved to JSON, loaded back and
// merged. And the states stay small: their bytes do not grow with the history.
#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "harness/scenarios/checkers.hpp"
#include "reference_checkers.hpp"
#include "same_verdict.hpp"

namespace lh::scenarios {
namespace {

using Rng = std::mt19937_64;

Outcome pick_outcome(Rng& r) {
  const auto x = r() % 100;
  return x < 88 ? Outcome::ok : x < 94 ? Outcome::indeterminate : Outcome::failed;
}

Event base(Rng& r, uint16_t key, uint16_t clients, uint32_t& seq) {
  Event e;
  e.key = key;
  e.client = static_cast<uint16_t>(r() % clients);
  e.seq = seq++ & 0xFFFFFF;
  e.outcome = static_cast<uint32_t>(pick_outcome(r));
  return e;
}

// Deals the history round-robin to `parts` states (as the engine's threads would hold it), round-trips each
// through save()/load(), merges them into the first.
template <class State, class Make>
std::unique_ptr<State> dealt(const History& h, std::size_t parts, Make make) {
  std::vector<std::unique_ptr<State>> s;
  for (std::size_t i = 0; i < parts; ++i) s.push_back(make());
  for (std::size_t i = 0; i < h.size(); ++i) s[(i / 7) % parts]->add(h[i]);
  auto out = make();
  for (auto& x : s) {
    auto copy = make();
    copy->load(nlohmann::json::parse(x->save().dump()));
    out->merge(*copy);
  }
  EXPECT_EQ(out->events(), h.size());
  return out;
}

TEST(CheckerStates, CounterAgreesWithTheWholeHistoryCheckerHoweverTheHistoryIsDealt) {
  int violated = 0;
  for (uint64_t seed = 1; seed <= 150; ++seed) {
    Rng r(seed);
    const uint16_t keys = static_cast<uint16_t>(1 + r() % 4);
    std::vector<int64_t> value(keys, 0);
    History h;
    uint32_t seq = 0;
    const int n = static_cast<int>(r() % 3000);
    for (int i = 0; i < n; ++i) {
      Event e = base(r, static_cast<uint16_t>(r() % (keys + (seed % 10 == 0))), 40, seq);
      const int64_t read = e.key < keys ? value[e.key] : 0;
      e.a = read;
      e.b = read + 1;
      if (e.key < keys && (r() % 100) >= static_cast<uint64_t>(seed % 3 == 0 ? 8 : 0))
        value[e.key] = read + 1;
      if (e.result() != Outcome::ok && r() % 2) e.a = e.b = -1;
      h.push_back(e);
    }
    CounterCheckInput in{h, std::vector<int64_t>(keys, 0), value, seed % 2 == 0};
    const auto want = reference::check_counter(in);
    violated += want.violations > 0;
    expect_same(want, check_counter(in), "whole, seed " + std::to_string(seed));
    for (std::size_t parts : {2u, 5u}) {
      auto s = dealt<CounterState>(h, parts, [&] { return std::make_unique<CounterState>(keys); });
      expect_same(want, s->finish(in.initial, in.final, in.safe_by_design),
                  "dealt, seed " + std::to_string(seed));
    }
  }
  EXPECT_GT(violated, 20);   // the histories include broken ones
  EXPECT_LT(violated, 150);  // and clean ones
}

TEST(CheckerStates, InventoryAgreesWithTheWholeHistoryChecker) {
  int violated = 0;
  for (uint64_t seed = 1; seed <= 150; ++seed) {
    Rng r(seed);
    const uint16_t items = static_cast<uint16_t>(1 + r() % 3);
    const int64_t stock = 40;
    std::vector<int64_t> left(items, stock);
    History h;
    uint32_t seq = 0;
    const int n = static_cast<int>(r() % 400);
    for (int i = 0; i < n; ++i) {
      Event e = base(r, static_cast<uint16_t>(r() % items), 30, seq);
      const bool oversell = seed % 3 == 0 && r() % 4 == 0;
      if (left[e.key] > 0 || oversell) {
        e.b = 1;
        e.a = r() % 9 == 0 ? kStockUnknown : left[e.key] - 1;
        if (e.result() != Outcome::failed) --left[e.key];
      } else {
        e.b = 0;
        e.a = left[e.key];
      }
      h.push_back(e);
    }
    if (seed % 5 == 0 && items > 0) left[0] += 1;  // a unit the history does not account for
    InventoryCheckInput in{h, stock, left, seed % 2 == 1};
    const auto want = reference::check_inventory(in);
    violated += want.violations > 0;
    expect_same(want, check_inventory(in), "whole, seed " + std::to_string(seed));
    auto s = dealt<InventoryState>(h, 3, [&] { return std::make_unique<InventoryState>(items); });
    expect_same(want, s->finish(stock, left, in.safe_by_design), "dealt, seed " + std::to_string(seed));
  }
  EXPECT_GT(violated, 20);
  EXPECT_LT(violated, 150);
}

TEST(CheckerStates, LeaderboardAgreesWithTheWholeHistoryChecker) {
  int violated = 0;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    Rng r(seed);
    const uint16_t members = static_cast<uint16_t>(1 + r() % 6);
    std::vector<std::vector<int64_t>> submitted(members);
    History h;
    uint32_t seq = 0;
    const int n = static_cast<int>(r() % 600);
    for (int i = 0; i < n; ++i) {
      Event e = base(r, static_cast<uint16_t>(r() % (members + (seed % 13 == 0))), 20, seq);
      e.a = static_cast<int64_t>(i / 3 + r() % 50);
      e.b = r() % 2;
      if (e.key < members) submitted[e.key].push_back(e.a);
      h.push_back(e);
    }
    std::vector<std::optional<int64_t>> final(members);
    for (uint16_t m = 0; m < members; ++m) {
      const auto& s = submitted[m];
      const auto x = r() % 10;
      if (s.empty() || x == 0) final[m] = x < 5 ? std::nullopt : std::optional<int64_t>(1000 + r() % 5);
      else if (x < 6 || seed % 4 != 0) final[m] = *std::max_element(s.begin(), s.end());
      else final[m] = s[r() % s.size()];  // a lower one, or an indeterminate one above
    }
    LeaderboardCheckInput in{h, final, true};
    const auto want = reference::check_leaderboard(in);
    violated += want.violations > 0;
    expect_same(want, check_leaderboard(in), "whole, seed " + std::to_string(seed));
    auto s = dealt<LeaderboardState>(h, 4, [&] { return std::make_unique<LeaderboardState>(members); });
    expect_same(want, s->finish(final, true), "dealt, seed " + std::to_string(seed));
  }
  EXPECT_GT(violated, 20);
  EXPECT_LT(violated, 200);
}

TEST(CheckerStates, RateLimiterAgreesWithTheWholeHistoryChecker) {
  int violated = 0;
  for (uint64_t seed = 1; seed <= 150; ++seed) {
    Rng r(seed);
    const uint32_t keys = static_cast<uint32_t>(1 + r() % 3);
    const int64_t limit = 5, window = 100;
    const bool server_clock = seed % 4 == 0;
    History h;
    uint32_t seq = 0;
    int64_t now = 1'700'000'000'000;
    uint32_t us = 1000;
    std::vector<std::vector<int64_t>> admitted(keys);
    const int n = static_cast<int>(r() % 1500);
    for (int i = 0; i < n; ++i) {
      Event e = base(r, static_cast<uint16_t>(r() % (keys + (seed % 11 == 0))), 25, seq);
      now += static_cast<int64_t>(r() % 3);
      us += static_cast<uint32_t>(r() % 3000);
      e.a = now - static_cast<int64_t>(r() % 4);  // stamps slightly out of order
      e.start_us = us;
      e.end_us = us + static_cast<uint32_t>(r() % 4000);
      int64_t decision = kRlLimited;
      if (e.key < keys) {
        auto& adm = admitted[e.key];
        int64_t in_window = 0;
        for (auto it = adm.rbegin(); it != adm.rend() && *it > e.a - window; ++it) ++in_window;
        const bool sloppy = seed % 3 == 0 && r() % 5 == 0;
        if (in_window < limit || sloppy) decision = r() % 30 == 0 ? kRlCollided : kRlAdmitted;
        if (decision != kRlLimited && e.result() == Outcome::ok) adm.push_back(e.a);
      }
      e.b = rate_limit_b(decision, server_clock ? 0 : us + static_cast<uint32_t>(r() % 200));
      h.push_back(e);
    }
    RateLimiterCheckInput in{h, keys, limit, window, server_clock, seed % 2 == 0};
    const auto want = reference::check_rate_limiter(in);
    violated += want.violations > 0;
    expect_same(want, check_rate_limiter(in), "whole, seed " + std::to_string(seed));
    auto s = dealt<RateLimiterState>(h, 3, [&] { return std::make_unique<RateLimiterState>(keys); });
    expect_same(want, s->finish(limit, window, server_clock, in.safe_by_design),
                "dealt, seed " + std::to_string(seed));
  }
  EXPECT_GT(violated, 10);
  EXPECT_LT(violated, 150);
}

// cas and lock keep only the events their checkers walk (winning swaps, holds) and count the rest: the same
// numbers as the whole history gives to check_cas / check_lock, and a state a fraction of its size.
TEST(CheckerStates, CasKeepsTheSwapsThatCountAndAgreesWithTheWholeHistory) {
  int violated = 0;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    Rng r(seed);
    const uint16_t keys = static_cast<uint16_t>(1 + r() % 2);
    std::vector<int64_t> current(keys, 0);
    std::vector<std::vector<int64_t>> seen(keys, std::vector<int64_t>{0});
    std::vector<uint64_t> seq(8, 0);
    History h;
    const int n = static_cast<int>(r() % 800);
    for (int i = 0; i < n; ++i) {
      Event e;
      e.client = static_cast<uint16_t>(r() % 8);
      e.seq = static_cast<uint32_t>(seq[e.client]) & 0xFFFFFF;
      e.key = static_cast<uint16_t>(r() % (keys + (seed % 9 == 0)));
      e.outcome = static_cast<uint32_t>(pick_outcome(r));
      e.b = cas_value(e.client, seq[e.client]++);
      const uint16_t k = e.key < keys ? e.key : 0;
      const bool stale = seed % 3 == 0 && r() % 6 == 0;
      e.a = stale ? seen[k][r() % seen[k].size()] : current[k];
      e.kind = r() % 4 == 0 ? kCasRefused : kCasWon;
      if (e.kind == kCasWon && e.result() != Outcome::failed && e.key < keys &&
          (e.result() == Outcome::ok || r() % 2)) {
        current[k] = e.b;
        seen[k].push_back(e.b);
      }
      h.push_back(e);
    }
    std::vector<int64_t> final = current;
    if (seed % 7 == 0) final[0] = cas_value(99, 5);  // a value nobody wrote
    CasCheckInput in{h, std::vector<int64_t>(keys, 0), final, seed % 2 == 0};
    const auto want = check_cas(in);
    violated += want.violations > 0;
    auto st = dealt<CasState>(h, 3, [&] { return std::make_unique<CasState>(keys); });
    const auto got = st->finish(in.initial, in.final, in.safe_by_design);
    expect_same(want, got, "seed " + std::to_string(seed));
    CasState whole(keys);  // in the history's order: the same evidence, sentence for sentence
    for (const Event& e : h) whole.add(e);
    EXPECT_EQ(whole.finish(in.initial, in.final, in.safe_by_design).examples, want.examples) << seed;
  }
  EXPECT_GT(violated, 20);
  EXPECT_LT(violated, 200);
}

TEST(CheckerStates, LockKeepsTheHoldsAndAgreesWithTheWholeHistory) {
  int violated = 0;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    Rng r(seed);
    const uint32_t keys = static_cast<uint32_t>(1 + r() % 2);
    std::vector<int64_t> token(keys, 0), accepted(keys, 0);
    std::vector<uint32_t> free_at(keys, 0);
    History h;
    uint32_t seq = 0, us = 100;
    const int n = static_cast<int>(r() % 600);
    for (int i = 0; i < n; ++i) {
      Event e = base(r, static_cast<uint16_t>(r() % (keys + (seed % 11 == 0))), 12, seq);
      const uint32_t k = e.key < keys ? e.key : 0;
      us += static_cast<uint32_t>(r() % 400);
      e.start_us = us;
      const bool overlap = seed % 3 == 0 && r() % 5 == 0;
      if (r() % 3 == 0 || (!overlap && us < free_at[k])) {
        e.a = -1;  // refused (or unknown)
        e.end_us = us + 50;
      } else {
        e.a = ++token[k];
        if (seed % 5 == 0 && r() % 8 == 0) e.a -= 2;  // a token out of order
        const uint32_t acq = us + static_cast<uint32_t>(r() % 100),
                       rel = acq + static_cast<uint32_t>(r() % 900);
        e.b = lock_b(acq, rel);
        e.end_us = rel + 30;
        free_at[k] = rel + 30;
        e.kind = static_cast<uint32_t>(r() % 3) | (r() % 4 == 0 ? kLockReleasedKey : 0) |
                 (overlap ? kLockSawOtherHolder : 0);
        if ((e.kind & 3) == kLockWriteAccepted) accepted[k] = std::max(accepted[k], e.a);
      }
      h.push_back(e);
    }
    std::vector<int64_t> final_resource = accepted;
    if (seed % 6 == 0 && keys > 0) final_resource[0] -= 1;
    LockCheckInput in{h, keys, 2, final_resource, seed % 2 == 1};
    const auto want = check_lock(in);
    violated += want.violations > 0;
    auto st = dealt<LockState>(h, 3, [&] { return std::make_unique<LockState>(keys); });
    const auto got = st->finish(2, final_resource, in.safe_by_design);
    expect_same(want, got, "seed " + std::to_string(seed));
  }
  EXPECT_GT(violated, 20);
  EXPECT_LT(violated, 200);
}

// The flat-memory claim at the level of one state: a million ops hold what a thousand do (counter,
// inventory, leaderboard), and the rate limiter's state grows with the admissions, not with the requests.
TEST(CheckerStates, TheirSizeDoesNotGrowWithTheHistory) {
  auto feed = [](engine::CheckState& s, uint64_t n, auto fill) {
    Rng r(7);
    uint32_t seq = 0;
    for (uint64_t i = 0; i < n; ++i) {
      Event e = base(r, static_cast<uint16_t>(i % 4), 50, seq);
      fill(e, i);
      s.add(e);
    }
    return s.bytes();
  };
  auto counter = [](Event& e, uint64_t i) {
    e.a = static_cast<int64_t>(i / 4);
    e.b = e.a + 1;
  };
  CounterState c1(4), c2(4);
  const auto small = feed(c1, 1'000, counter), big = feed(c2, 1'000'000, counter);
  EXPECT_LT(big, 512u * 1024) << "counter state after 1M ops";
  EXPECT_LT(big, small * 4 + 512u * 1024);
  auto lb = [](Event& e, uint64_t i) { e.a = static_cast<int64_t>(i); };
  LeaderboardState l1(4), l2(4);
  EXPECT_LT(feed(l2, 1'000'000, lb), feed(l1, 1'000, lb) + 64u * 1024);
  auto inv = [](Event& e, uint64_t) { e.b = 0; };
  InventoryState i2(4);
  EXPECT_LT(feed(i2, 1'000'000, inv), 4096u);
  // 1M requests, all limited but 1 in 1000: the state holds about the 1000 admissions.
  auto rl = [](Event& e, uint64_t i) {
    e.a = static_cast<int64_t>(i);
    e.b = rate_limit_b(i % 1000 == 0 ? kRlAdmitted : kRlLimited, 0);
  };
  RateLimiterState r2(4);
  EXPECT_LT(feed(r2, 1'000'000, rl), 128u * 1024);
}

TEST(CheckerStates, LoadRefusesAStateOfAnotherFormOrSizeNamingTheField) {
  CounterState c(2);
  EXPECT_THROW(c.load(InventoryState(2).save()), std::invalid_argument);
  try {
    c.load(CounterState(3).save());
    FAIL() << "a 3-key state loaded into a 2-key one";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("check_state.keys"), std::string::npos) << e.what();
  }
  auto j = CounterState(2).save();
  j["ok"] = {1, "x"};
  EXPECT_THROW(c.load(j), std::invalid_argument);
  EXPECT_THROW(c.merge(InventoryState(2)), std::invalid_argument);
  EXPECT_THROW(c.merge(CounterState(5)), std::invalid_argument);
  engine::HistoryState h;
  auto hj = h.save();
  hj["data"] = "not base64!";
  EXPECT_THROW(h.load(hj), std::invalid_argument);
}

TEST(CheckerStates, TheHistoryStateRoundTripsItsEvents) {
  engine::HistoryState a;
  Rng r(3);
  uint32_t seq = 0;
  for (int i = 0; i < 5000; ++i) {
    Event e = base(r, static_cast<uint16_t>(r() % 9), 60, seq);
    e.a = static_cast<int64_t>(r());
    e.b = -static_cast<int64_t>(r() % 1000);
    e.start_us = static_cast<uint32_t>(r());
    e.end_us = e.start_us + 5;
    a.add(e);
  }
  engine::HistoryState b;
  b.load(nlohmann::json::parse(a.save().dump()));
  ASSERT_EQ(b.history.size(), a.history.size());
  for (std::size_t i = 0; i < a.history.size(); ++i) {
    EXPECT_EQ(b.history[i].a, a.history[i].a);
    EXPECT_EQ(b.history[i].b, a.history[i].b);
    EXPECT_EQ(b.history[i].start_us, a.history[i].start_us);
    EXPECT_EQ(b.history[i].seq, a.history[i].seq);
    EXPECT_EQ(b.history[i].outcome, a.history[i].outcome);
  }
}

}  // namespace
}  // namespace lh::scenarios
