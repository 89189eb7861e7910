// The four checkers that now stream (counter, inventory, leaderboard, rate limiter), as they were when they
// judged the whole history at once (commit 7cfaa44): the reference checker_state_test.cpp compares the
// streaming states with, on the same histories.
#pragma once
#include "harness/scenarios/checkers.hpp"

namespace lh::scenarios::reference {

reports::Correctness check_counter(const CounterCheckInput& in);
reports::Correctness check_inventory(const InventoryCheckInput& in);
reports::Correctness check_leaderboard(const LeaderboardCheckInput& in);
reports::Correctness check_rate_limiter(const RateLimiterCheckInput& in);

}  // namespace lh::scenarios::reference
