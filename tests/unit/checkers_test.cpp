// The checkers on synthetic histories: each must pass a clean history, count the exact violations of a broken
// one, and let indeterminate ops widen its bounds without hiding a real violation.
#include "harness/scenarios/checkers.hpp"

#include <gtest/gtest.h>

#include <string>

#include "harness/scenarios/scenario.hpp"

namespace lh::scenarios {
namespace {

constexpr Outcome ok = Outcome::ok, failed = Outcome::failed, maybe = Outcome::indeterminate;

struct E {
  uint16_t key = 0;
  uint8_t kind = 0;
  Outcome outcome = ok;
  int64_t a = 0, b = 0;
  uint32_t start_us = 0, end_us = 0;
  uint16_t client = 0;
  uint32_t seq = 0;
};
Event ev(const E& x) {
  Event e;
  e.key = x.key;
  e.kind = x.kind;
  e.outcome = static_cast<uint32_t>(x.outcome);
  e.a = x.a;
  e.b = x.b;
  e.start_us = x.start_us;
  e.end_us = x.end_us;
  e.client = x.client;
  e.seq = x.seq;
  return e;
}
bool any_example_contains(const reports::Correctness& c, const std::string& s) {
  for (const auto& x : c.examples)
    if (x.find(s) != std::string::npos) return true;
  return false;
}

TEST(EventLayout, StaysAtThirtyTwoBytes) { EXPECT_EQ(sizeof(Event), 32u); }

TEST(Registry, ListsTheSixScenariosInContractOrder) {
  std::vector<std::string> names;
  for (const Scenario* s : all_scenarios()) names.emplace_back(s->name());
  EXPECT_EQ(names,
            (std::vector<std::string>{"counter", "cas", "rate-limiter", "lock", "inventory", "leaderboard"}));
  ASSERT_NE(find_scenario("lock"), nullptr);
  EXPECT_EQ(find_scenario("nope"), nullptr);
  EXPECT_TRUE(find_scenario("leaderboard")->safe_by_design("gt"));
  EXPECT_FALSE(find_scenario("counter")->safe_by_design("naive"));
  EXPECT_EQ(find_scenario("counter")->make("bogus", Params{}), nullptr);
}

// ---- counter -----------------------------------------------------------------------------------------

TEST(CounterChecker, PassesWhenEveryAcknowledgedIncrementLanded) {
  History h;
  for (int v = 0; v < 5; ++v) h.push_back(ev({.a = v, .b = v + 1, .seq = uint32_t(v)}));
  h.push_back(ev({.outcome = failed, .a = -1, .b = -1}));
  auto c = check_counter({h, {0}, {5}, true});
  EXPECT_TRUE(c.checked);
  EXPECT_EQ(c.verdict, "pass");
  EXPECT_EQ(c.violations, 0);
  EXPECT_EQ(c.details["acknowledged"], 5);
  EXPECT_EQ(c.details["final"], 5);
  EXPECT_TRUE(c.safe_by_design);
}

TEST(CounterChecker, CountsEachLostUpdateAndNamesTheTwoWriters) {
  History h = {ev({.a = 0, .b = 1, .client = 1, .seq = 0}), ev({.a = 1, .b = 2, .client = 1, .seq = 1}),
               ev({.a = 1, .b = 2, .client = 2, .seq = 7}),  // read the same 1: lost
               ev({.a = 2, .b = 3, .client = 1, .seq = 2}), ev({.a = 2, .b = 3, .client = 3, .seq = 4})};
  auto c = check_counter({h, {0}, {3}, false});
  EXPECT_EQ(c.verdict, "violated");
  EXPECT_EQ(c.violations, 2);
  EXPECT_EQ(c.details["lost_updates"], 2);
  EXPECT_TRUE(any_example_contains(c, "value 2 of key 0 written by client 1 op 1 and client 2 op 7"))
      << c.examples[0];
}

TEST(CounterChecker, IndeterminateIncrementsWidenTheBoundsButDoNotHideALoss) {
  History h;
  for (int v = 0; v < 3; ++v) h.push_back(ev({.a = v, .b = v + 1}));
  h.push_back(ev({.outcome = maybe, .a = 3, .b = 4}));
  h.push_back(ev({.outcome = maybe, .a = 4, .b = 5}));
  for (int64_t fin : {3, 4, 5}) EXPECT_EQ(check_counter({h, {0}, {fin}, true}).violations, 0) << fin;
  EXPECT_EQ(check_counter({h, {0}, {2}, true}).violations, 1);  // 3 acknowledged, rose by 2
  auto high = check_counter({h, {0}, {6}, true});               // more than ok + indeterminate
  EXPECT_EQ(high.violations, 1);
  EXPECT_EQ(high.details["unexplained_increments"], 1);
}

TEST(CounterChecker, JudgesEachKeyOnItsOwn) {
  History h = {ev({.key = 0, .a = 10, .b = 11}), ev({.key = 1, .a = 0, .b = 1}),
               ev({.key = 1, .a = 0, .b = 1})};
  auto c = check_counter({h, {10, 0}, {11, 1}, false});
  EXPECT_EQ(c.violations, 1);  // key 1 lost one; key 0's surplus elsewhere cannot cover it
}

// ---- cas ---------------------------------------------------------------------------------------------

const int64_t A = cas_value(1, 0), B = cas_value(2, 0), C = cas_value(3, 0), D = cas_value(1, 1);

TEST(CasChecker, PassesOneChainFromInitialToFinal) {
  History h = {ev({.kind = kCasWon, .a = 0, .b = A}), ev({.kind = kCasRefused, .a = 0, .b = B}),
               ev({.kind = kCasWon, .a = A, .b = C}),
               ev({.kind = kCasWon, .outcome = failed, .a = -1, .b = D})};
  auto c = check_cas({h, {0}, {C}, true});
  EXPECT_EQ(c.verdict, "pass");
  EXPECT_EQ(c.details["chain_length"], 2);
  EXPECT_EQ(c.details["swaps_refused"], 1);
}

TEST(CasChecker, CheckerFlagsTwoSwapsFromTheSameValue) {
  History h = {ev({.kind = kCasWon, .a = 0, .b = A, .client = 1}),
               ev({.kind = kCasWon, .a = 0, .b = B, .client = 2})};
  auto c = check_cas({h, {0}, {B}, false});
  EXPECT_EQ(c.violations, 1);
  EXPECT_EQ(c.details["values_consumed_twice"], 1);
  EXPECT_EQ(c.details["chain_breaks"], 0);
  EXPECT_TRUE(any_example_contains(c, "value 0 of key 0 consumed twice: client 1 op 0 swapped it for c1#0"));
}

TEST(CasChecker, CountsValuesWithSeveralWinnersApartFromTheExtraWinners) {
  // Three acknowledged swaps from the initial value: one value, two extra winners.
  History h = {ev({.kind = kCasWon, .a = 0, .b = A, .client = 1}),
               ev({.kind = kCasWon, .a = 0, .b = B, .client = 2}),
               ev({.kind = kCasWon, .a = 0, .b = C, .client = 3})};
  auto c = check_cas({h, {0}, {C}, false});
  EXPECT_EQ(c.details["values_consumed_twice"], 2);
  EXPECT_EQ(c.details["values_with_several_winners"], 1);
}

TEST(CasChecker, CountsALostBranchBeyondTheForkAsABreak) {
  // 0 -> A and 0 -> B both acknowledged; then A -> C acknowledged, but the final value is B.
  History h = {ev({.kind = kCasWon, .a = 0, .b = A}), ev({.kind = kCasWon, .a = 0, .b = B}),
               ev({.kind = kCasWon, .a = A, .b = C})};
  auto c = check_cas({h, {0}, {B}, false});
  EXPECT_EQ(c.details["values_consumed_twice"], 1);
  EXPECT_EQ(c.details["chain_breaks"], 1);
  EXPECT_EQ(c.violations, 2);
}

TEST(CasChecker, TreatsAnIndeterminateSwapAsAnOptionalLink) {
  History h = {ev({.kind = kCasWon, .a = 0, .b = A}),
               ev({.kind = kCasWon, .outcome = maybe, .a = A, .b = B})};
  EXPECT_EQ(check_cas({h, {0}, {A}, true}).violations, 0);  // it did not apply
  EXPECT_EQ(check_cas({h, {0}, {B}, true}).violations, 0);  // it applied
}

TEST(CasChecker, AnIndeterminateSwapThatAppliedStillRevealsADoubleConsumption) {
  // 0 -> A acknowledged, 0 -> B indeterminate; the final value B proves B's swap applied from 0 too.
  History h = {ev({.kind = kCasWon, .a = 0, .b = A}),
               ev({.kind = kCasWon, .outcome = maybe, .a = 0, .b = B})};
  auto c = check_cas({h, {0}, {B}, true});
  EXPECT_EQ(c.violations, 1);
  EXPECT_EQ(c.details["chain_breaks"], 1);
}

TEST(CasChecker, FlagsAFinalValueNoSwapWrote) {
  History h = {ev({.kind = kCasWon, .a = 0, .b = A})};
  auto c = check_cas({h, {0}, {cas_value(9, 9)}, true});
  EXPECT_EQ(c.details["final_unreachable"], 1);
  EXPECT_EQ(c.violations, 2);  // the final value, and A's acknowledged swap that left no trace
  EXPECT_TRUE(any_example_contains(c, "which no recorded swap wrote"));
}

TEST(CasChecker, TakesAValueNoOpCouldWriteAsABreakInTheChain) {
  // Someone else wrote 5 into the key: a swap expected it. 5 is no cas_value (its client field is 0), so no
  // recorded swap can have written it: the chain from B breaks there, and A's swap fell off it.
  History h = {ev({.kind = kCasWon, .a = 0, .b = A}), ev({.kind = kCasWon, .a = 5, .b = B})};
  auto c = check_cas({h, {0}, {B}, true});
  EXPECT_EQ(c.details["final_unreachable"], 1);
  EXPECT_EQ(c.details["chain_breaks"], 2);
  EXPECT_EQ(c.violations, 2);
  EXPECT_TRUE(any_example_contains(c, "breaks at 5, which no recorded swap wrote")) << c.examples.size();
}

// ---- rate-limiter ------------------------------------------------------------------------------------

// An admitted request stamped at `ms` (client clock), answered `lat_us` later.
Event admit(int64_t ms, uint32_t lat_us = 500, uint16_t key = 0, int64_t decision = kRlAdmitted) {
  const uint32_t at = static_cast<uint32_t>(ms * 1000);
  return ev({.key = key, .a = ms, .b = rate_limit_b(decision, at), .start_us = at, .end_us = at + lat_us});
}

TEST(RateLimiterChecker, PassesWhenNoWindowHoldsMoreThanTheLimit) {
  History h = {admit(0), admit(10), admit(1000), admit(1010), admit(2005, 500, 1), admit(2006, 500, 1)};
  h.push_back(ev({.a = 20, .b = rate_limit_b(kRlLimited, 20000), .start_us = 20000, .end_us = 20500}));
  auto c = check_rate_limiter({h, 2, 2, 1000, false, true});
  EXPECT_EQ(c.verdict, "pass");
  EXPECT_EQ(c.details["admitted"], 6);
  EXPECT_EQ(c.details["limited"], 1);
  EXPECT_EQ(c.details["lambda_ms"], 2);  // 0.5 ms rounds up to 1, + 1 ms resolution
  EXPECT_EQ(c.details["clock"], "client");
  EXPECT_EQ(c.details["limit"], 2);
  EXPECT_EQ(c.details["window_ms"], 1000);
}

TEST(RateLimiterChecker, CountsEveryAdmissionBeyondTheLimit) {
  History h = {admit(100), admit(101), admit(102), admit(103), admit(900)};
  auto c = check_rate_limiter({h, 1, 2, 1000, false, false});
  EXPECT_EQ(c.violations, 3);
  EXPECT_EQ(c.details["max_admitted_in_full_window"], 5);
  EXPECT_TRUE(any_example_contains(c, "admitted at now=102 ms beyond the limit"));
}

TEST(RateLimiterChecker, ReportsTheSpecsReorderingExampleSeparatelyWithLambda) {
  // L=2, W=1000: A@100, B@110 admitted; C@1150 trims both; D@600 arrives late (stamped at 600, answered after
  // C ran) and is admitted: three admissions in (-400, 600], by the script's own stamps.
  History h = {admit(100), admit(110), admit(1150), admit(600, 560'000)};
  auto c = check_rate_limiter({h, 1, 2, 1000, false, true});
  EXPECT_EQ(c.details["lambda_ms"], 561);
  EXPECT_EQ(c.details["atomicity_window_ms"], 439);
  EXPECT_EQ(c.violations, 0);
  EXPECT_EQ(c.details["reordering_overadmissions"], 1);
  EXPECT_EQ(c.details["overadmissions_in_full_window"], 1);
  EXPECT_TRUE(any_example_contains(c, "out of stamp order"));
}

TEST(RateLimiterChecker, HoldsTheServerClockToTheFullWindow) {
  History h = {admit(100), admit(110), admit(600)};
  for (auto& e : h) e.b = rate_limit_b(kRlAdmitted, 0);
  auto c = check_rate_limiter({h, 1, 2, 1000, true, true});
  EXPECT_EQ(c.details["lambda_ms"], 0);
  EXPECT_EQ(c.details["clock"], "server");
  EXPECT_EQ(c.violations, 1);
}

TEST(RateLimiterChecker, IndeterminateRequestsNeverCountAsAdmitted) {
  History h = {admit(100), admit(101)};
  for (int i = 0; i < 3; ++i) {
    Event e = admit(102 + i);
    e.outcome = static_cast<uint32_t>(maybe);
    h.push_back(e);
  }
  auto c = check_rate_limiter({h, 1, 2, 1000, false, true});
  EXPECT_EQ(c.violations, 0);
  EXPECT_EQ(c.details["indeterminate"], 3);
  h.push_back(admit(110));  // a third acknowledged admission is still caught
  EXPECT_EQ(check_rate_limiter({h, 1, 2, 1000, false, true}).violations, 1);
}

TEST(RateLimiterChecker, CountsMemberCollisionsAsAdmissions) {
  History h = {admit(100), admit(100, 500, 0, kRlCollided), admit(100)};
  auto c = check_rate_limiter({h, 1, 2, 1000, false, true});
  EXPECT_EQ(c.details["member_collisions"], 1);
  EXPECT_EQ(c.violations, 1);
}

// ---- lock --------------------------------------------------------------------------------------------

// One lock op: acquire [s, acq_end], critical section [acq_end, rel], release answered at rel + 100.
Event hold(int64_t token, uint32_t s, uint32_t acq_end, uint32_t rel,
           uint8_t flags = kLockWriteAccepted | kLockReleasedKey, uint16_t client = 0, Outcome o = ok) {
  return ev({.kind = flags,
             .outcome = o,
             .a = token,
             .b = lock_b(acq_end, rel),
             .start_us = s,
             .end_us = rel + 100,
             .client = client});
}

TEST(LockChecker, PassesHoldersThatTakeTurns) {
  History h = {hold(1, 0, 100, 500), hold(2, 600, 700, 1000), hold(3, 1100, 1200, 1500),
               ev({.a = -1, .start_us = 200, .end_us = 300})};  // refused while held
  auto c = check_lock({h, 1, 2, {3}, true});
  EXPECT_EQ(c.verdict, "pass");
  EXPECT_EQ(c.details["acquisitions"], 3);
  EXPECT_EQ(c.details["refused"], 1);
  EXPECT_EQ(c.details["writes_accepted"], 3);
}

TEST(LockChecker, FlagsTwoHoldersInsideWithValidLeases) {
  History h = {hold(1, 0, 100, 900, kLockWriteAccepted | kLockReleasedKey, 1),
               hold(2, 50, 300, 800, kLockWriteAccepted | kLockReleasedKey | kLockSawOtherHolder, 2)};
  auto c = check_lock({h, 1, 2, {2}, false});
  EXPECT_EQ(c.details["mutual_exclusion_violations"], 1);
  EXPECT_EQ(c.details["overlaps_seen_in_process"], 1);
  EXPECT_EQ(c.violations, 1);
  EXPECT_TRUE(any_example_contains(c,
                                   "client 2 op 0 (token 2) entered the critical section at 0.300 ms while "
                                   "client 1 op 0 (token 1) was inside"));
}

TEST(LockChecker, AnOverlapAfterTheLeaseExpiredIsAnExpiredLeaseNotAViolation) {
  // ttl 2 ms: A holds from 0.1 ms to 5 ms; B acquires at 3 ms, after A's lease ran out. Fencing rejects A's
  // late write (A wrote after B), and A's compare-and-delete finds B's value and deletes nothing.
  History h = {hold(1, 0, 100, 5000, kLockWriteRejected), hold(2, 3000, 3100, 3500)};
  auto c = check_lock({h, 1, 2, {2}, true});
  EXPECT_EQ(c.violations, 0);
  EXPECT_EQ(c.details["expired_leases"], 1);
  EXPECT_EQ(c.details["stale_writes_rejected"], 1);
  EXPECT_EQ(c.details["foreign_releases"], 0);
}

TEST(LockChecker, FlagsAReleaseThatDeletedTheNextHoldersLock) {
  // As above, but A's naive release (GET, compare, DEL) deleted a key: B's.
  History h = {hold(1, 0, 100, 5000, kLockWriteRejected | kLockReleasedKey), hold(2, 3000, 3100, 6000)};
  auto c = check_lock({h, 1, 2, {2}, false});
  EXPECT_EQ(c.details["foreign_releases"], 1);
  EXPECT_EQ(c.violations, 1);
}

TEST(LockChecker, FlagsTokensThatGoBackwardsOrRepeat) {
  History h = {hold(5, 0, 100, 200), hold(3, 300, 400, 500), hold(7, 600, 700, 800),
               hold(7, 900, 1000, 1100)};
  auto c = check_lock({h, 1, 2, {7}, true});
  EXPECT_EQ(c.details["tokens_out_of_order"], 2);  // 3 after 5, and 7 again
}

TEST(LockChecker, JudgesFarApartTokensTheSameWay) {
  History h = {hold(1'000'000'000, 0, 100, 200), hold(5, 300, 400, 500), hold(5, 600, 700, 800)};
  auto c = check_lock({h, 1, 2, {1'000'000'000}, true});
  EXPECT_EQ(c.details["tokens_out_of_order"], 2);   // 5 after 10^9, and 5 again
  EXPECT_EQ(c.details["resource_regressions"], 2);  // accepted 5 after 10^9, and 5 twice
}

TEST(LockChecker, FlagsAResourceThatWentBackwards) {
  History h = {hold(1, 0, 100, 200), hold(2, 300, 400, 500)};
  auto c = check_lock({h, 1, 2, {1}, true});  // the resource holds 1 though it accepted 2
  EXPECT_EQ(c.details["resource_regressions"], 1);
  EXPECT_EQ(c.violations, 1);
  History back = {hold(2, 0, 100, 200), hold(3, 300, 400, 500), hold(1, 600, 700, 800)};
  EXPECT_EQ(check_lock({back, 1, 2, {3}, true}).details["resource_regressions"], 1);
}

TEST(LockChecker, IndeterminateStepsWidenButDoNotHideAnOverlap) {
  // A lost acquire (unknown token) and a release whose reply was lost (no deleted bit): nothing is claimed.
  History h = {ev({.outcome = maybe, .a = -1, .start_us = 0, .end_us = 100}),
               hold(1, 200, 300, 5000, kLockWriteAccepted, 1, maybe), hold(2, 6000, 6100, 6500)};
  auto c = check_lock({h, 1, 2, {2}, true});
  EXPECT_EQ(c.violations, 0);
  EXPECT_EQ(c.details["indeterminate"], 2);
  h.push_back(hold(3, 350, 400, 600, kLockWriteRejected, 2));  // inside 1's valid lease: caught
  EXPECT_EQ(check_lock({h, 1, 2, {2}, true}).details["mutual_exclusion_violations"], 1);
}

// ---- inventory ---------------------------------------------------------------------------------------

Event buy(int64_t left, Outcome o = ok) { return ev({.outcome = o, .a = left, .b = 1}); }
Event sold_out() { return ev({.a = 0, .b = 0}); }

TEST(InventoryChecker, PassesASellOutWithCleanRefusals) {
  History h = {buy(2), buy(1), buy(0), sold_out(), sold_out()};
  auto c = check_inventory({h, 3, {0}, true});
  EXPECT_EQ(c.verdict, "pass");
  EXPECT_EQ(c.details["purchases"], 3);
  EXPECT_EQ(c.details["sold_out_refusals"], 2);
}

TEST(InventoryChecker, CountsOversoldUnits) {
  History h = {buy(2), buy(1), buy(0), buy(-1), buy(-2)};
  auto c = check_inventory({h, 3, {-2}, false});
  EXPECT_EQ(c.violations, 2);
  EXPECT_EQ(c.details["oversold_units"], 2);
  EXPECT_TRUE(any_example_contains(c, "its DECR took the stock to -1"));
}

TEST(InventoryChecker, IndeterminatePurchasesWidenTheBoundsButNotPastTheStock) {
  History h = {buy(2), buy(1), buy(kStockUnknown, maybe)};
  EXPECT_EQ(check_inventory({h, 3, {0}, true}).violations, 0);
  EXPECT_EQ(check_inventory({h, 3, {1}, true}).violations, 0);
  h.push_back(buy(0));
  h.push_back(buy(-1));
  EXPECT_EQ(check_inventory({h, 3, {-1}, true}).violations, 1);
}

TEST(InventoryChecker, FlagsStockThatDoesNotMatchThePurchases) {
  History h = {buy(9), buy(8), buy(7)};
  auto c = check_inventory({h, 10, {9}, true});  // three sold, but the stock only dropped by one
  EXPECT_EQ(c.details["unaccounted_units"], 2);
  EXPECT_EQ(c.violations, 2);
}

// ---- leaderboard -------------------------------------------------------------------------------------

Event submit(uint16_t member, int64_t score, Outcome o = ok, uint16_t client = 0) {
  return ev({.key = member, .outcome = o, .a = score, .b = 1, .client = client});
}

TEST(LeaderboardChecker, PassesWhenEveryMemberHoldsItsBest) {
  History h = {submit(0, 5), submit(0, 9), submit(0, 3), submit(1, 4)};
  auto c = check_leaderboard({h, {9, 4, std::nullopt}, true});
  EXPECT_EQ(c.verdict, "pass");
  EXPECT_EQ(c.details["members_scored"], 2);
}

TEST(LeaderboardChecker, FlagsAMemberBelowItsBestAcknowledgedSubmission) {
  History h = {submit(0, 9, ok, 3), submit(0, 5, ok, 5), submit(1, 4), submit(2, 7)};
  auto c = check_leaderboard({h, {5, 4, std::nullopt}, false});
  EXPECT_EQ(c.violations, 2);  // m0 fell to 5, m2 lost its only score
  EXPECT_EQ(c.details["members_below_best"], 2);
  EXPECT_TRUE(
      any_example_contains(c,
                           "member m0: final score 5, below 9 submitted by client 3 op 0 (acknowledged); "
                           "overwritten by client 5 op 0's 5"));
}

TEST(LeaderboardChecker, AnIndeterminateHigherSubmissionMayBeTheFinalScore) {
  History h = {submit(0, 9), submit(0, 12, maybe)};
  EXPECT_EQ(check_leaderboard({h, {9}, true}).violations, 0);
  EXPECT_EQ(check_leaderboard({h, {12}, true}).violations, 0);
  auto c = check_leaderboard({h, {11}, true});  // nobody submitted 11
  EXPECT_EQ(c.details["members_with_unexplained_score"], 1);
  EXPECT_EQ(c.violations, 1);
  EXPECT_EQ(check_leaderboard({h, {8}, true}).violations, 1);  // still below the acknowledged 9
}

}  // namespace
}  // namespace lh::scenarios
