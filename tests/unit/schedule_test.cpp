// The open-loop schedule (engine/schedule.hpp): a constant rate, and --stages' linear ramps, op by op.
#include <gtest/gtest.h>

#include <cmath>

#include "harness/engine/schedule.hpp"

namespace lh::engine {
namespace {

TEST(Schedule, ConstantRateIsKOverRate) {
  const Schedule s = Schedule::constant(1000);
  EXPECT_DOUBLE_EQ(s.time_of(0), 0.0);
  EXPECT_DOUBLE_EQ(s.time_of(1), 0.001);
  EXPECT_DOUBLE_EQ(s.time_of(2500), 2.5);
  EXPECT_DOUBLE_EQ(s.count_at(2.5), 2500);
  EXPECT_DOUBLE_EQ(s.rate_at(100), 1000);
  EXPECT_TRUE(std::isinf(s.end_s()));
}

TEST(Schedule, ARampFromZeroIsQuadratic) {
  // 0 -> 100 ops/s over 10 s: N(t) = 5 t^2, so op k is due at sqrt(k / 5); 500 ops in all.
  const Schedule s = Schedule::stages({{10, 100}});
  EXPECT_DOUBLE_EQ(s.end_s(), 10);
  EXPECT_NEAR(s.count_at(10), 500, 1e-9);
  for (uint64_t k : {1u, 5u, 20u, 125u, 499u}) EXPECT_NEAR(s.time_of(k), std::sqrt(k / 5.0), 1e-9) << k;
  EXPECT_TRUE(std::isinf(s.time_of(500)));  // the 501st op: the schedule ended before it
  EXPECT_NEAR(s.rate_at(2.5), 25, 1e-9);
}

TEST(Schedule, StagesHoldRampDownAndPause) {
  // 0 -> 200 in 2 s (200 ops), hold 200 for 3 s (600), down to 0 in 2 s (200), 0 for 1 s (none), 0 -> 100 in
  // 2 s (100).
  const Schedule s = Schedule::stages({{2, 200}, {3, 200}, {2, 0}, {1, 0}, {2, 100}});
  EXPECT_DOUBLE_EQ(s.end_s(), 10);
  EXPECT_NEAR(s.count_at(2), 200, 1e-9);
  EXPECT_NEAR(s.count_at(5), 800, 1e-9);
  EXPECT_NEAR(s.count_at(7), 1000, 1e-9);
  EXPECT_NEAR(s.count_at(8), 1000, 1e-9);
  EXPECT_NEAR(s.count_at(10), 1100, 1e-9);
  EXPECT_NEAR(s.time_of(500), 3.5, 1e-9);  // in the hold: 200 + 200 * 1.5
  // Ramping down: N(5 + d) = 800 + 200 d - 50 d^2; op 950 at d = 1 (800 + 200 - 50 = 950).
  EXPECT_NEAR(s.time_of(950), 6.0, 1e-9);
  // The pause is skipped: op 1000 is due when the last ramp starts, and op 1025 at 8 + sqrt(25 / 25) = 9.
  EXPECT_NEAR(s.time_of(1000), 8.0, 1e-9);
  EXPECT_NEAR(s.time_of(1025), 9.0, 1e-9);
  // Every op is due no earlier than the one before it (the engine binary-searches on it).
  double last = 0;
  for (uint64_t k = 0; k < 1100; ++k) {
    const double t = s.time_of(k);
    ASSERT_GE(t, last) << k;
    last = t;
  }
  EXPECT_NEAR(s.rate_at(6), 100, 1e-9);
  EXPECT_DOUBLE_EQ(s.rate_at(11), 0);
}

TEST(Schedule, RefusesWhatIsNoSchedule) {
  EXPECT_THROW(Schedule::constant(0), std::invalid_argument);
  EXPECT_THROW(Schedule::stages({}), std::invalid_argument);
  EXPECT_THROW(Schedule::stages({{0, 10}}), std::invalid_argument);
  EXPECT_THROW(Schedule::stages({{1, -1}}), std::invalid_argument);
}

}  // namespace
}  // namespace lh::engine
