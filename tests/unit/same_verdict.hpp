// Two judgements of one history (a streaming state's and the whole-history checker's) agree: the verdict,
// the violation count and every detail; the examples, a bounded sample, need only both be there or not.
#pragma once
#include <gtest/gtest.h>

#include <string>

#include "harness/model/report.hpp"
#include "harness/scenarios/check_support.hpp"

namespace lh::scenarios {

inline void expect_same(const reports::Correctness& want, const reports::Correctness& got,
                        const std::string& what) {
  EXPECT_EQ(got.verdict, want.verdict) << what;
  EXPECT_EQ(got.violations, want.violations) << what;
  EXPECT_EQ(got.details, want.details) << what;
  EXPECT_EQ(got.examples.empty(), want.examples.empty()) << what;
  EXPECT_LE(got.examples.size(), support::kMaxExamples) << what;
}

}  // namespace lh::scenarios
