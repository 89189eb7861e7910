// Fuzz target: the report reader of `report` and `compare` (model/report), and the writers it feeds. Any JSON
// either reads as a report or throws std::exception with a message; a report that reads is written by every
// writer without fault, compared with itself, and read back from its own JSON.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "harness/model/report.hpp"
#include "harness/reports/compare.hpp"
#include "harness/reports/console.hpp"
#include "harness/reports/gbench.hpp"
#include "harness/reports/html.hpp"
#include "harness/reports/junit.hpp"
#include "harness/reports/markdown.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  lh::reports::Report r;
  try {
    r = lh::reports::report_from_json(j);
  } catch (const std::exception&) {
    return 0;
  }
  std::ostringstream out;
  lh::reports::print_table(r, out);
  (void)lh::reports::to_markdown(r);
  (void)lh::reports::to_junit_xml(r);
  (void)lh::reports::to_html(r);
  (void)lh::reports::to_gbench_json(r).dump();
  const auto cmp = lh::reports::compare_reports(r, r, lh::reports::default_regression_limits());
  lh::reports::print_comparison(cmp, out);
  (void)lh::reports::report_from_json(lh::reports::to_json(r));  // its own JSON reads back
  return 0;
}
