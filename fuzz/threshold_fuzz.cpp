// Fuzz target: the --threshold grammar and compare's --max-regression (reports/thresholds, reports/compare).
// Any input either parses or throws std::invalid_argument.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "harness/reports/compare.hpp"
#include "harness/reports/thresholds.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)lh::reports::parse_threshold(text);
  } catch (const std::invalid_argument&) {
  }
  try {
    (void)lh::reports::parse_regression_limit(text);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
