// The checkers: pure functions from a merged history (plus the final state read back) to a verdict, one per
// built-in scenario, each in its own NAME_check.{hpp,cpp} with the event encoding it reads (the contract
// between a scenario's variants and its checker) and the keys it writes into correctness.details.
// Indeterminate ops widen the bounds; they never hide a violation. Every checker streams over the history (or
// sorts it by radix), at well over 5 million events per second (bench/checkers_bench.cpp).
#pragma once
#include "harness/scenarios/cas_check.hpp"
#include "harness/scenarios/counter_check.hpp"
#include "harness/scenarios/inventory_check.hpp"
#include "harness/scenarios/leaderboard_check.hpp"
#include "harness/scenarios/lock_check.hpp"
#include "harness/scenarios/rate_limiter_check.hpp"
