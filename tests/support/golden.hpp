// Golden-file checks for output formats (HdrHistogram and google/benchmark pin their formats this way).
// Goldens live in tests/data/golden/. To accept a deliberate format change, regenerate them:
//   LH_UPDATE_GOLDEN=1 ./build/tests/unit_tests --gtest_filter='*Golden*'
// then review the diff like any code change.
#pragma once
#include <gtest/gtest.h>

#include <string>

namespace lh::test {

// The golden file's content, or "" when it does not exist.
std::string read_golden(const std::string& name);

// Succeeds when `actual` equals tests/data/golden/<name>; on a difference, names the first differing line.
// With LH_UPDATE_GOLDEN=1 in the environment it (re)writes the file and succeeds.
::testing::AssertionResult MatchesGolden(const std::string& name, const std::string& actual);

}  // namespace lh::test
