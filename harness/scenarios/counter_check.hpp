// The counter's checker: did the counter rise by exactly the acknowledged increments?
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "harness/engine/history.hpp"
#include "harness/model/report.hpp"
#include "harness/scenarios/details.hpp"

namespace lh::scenarios {

using engine::Event;
using engine::History;

// Event: kind 0 (increment), key = counter index, a = value read (-1 if unknown), b = value written (a + 1).
struct CounterCheckInput {
  std::span<const Event> history;
  std::vector<int64_t> initial;  // per key, before the load
  std::vector<int64_t> final;    // per key, read back after it
  bool safe_by_design = false;
};
// final - initial must lie in [ok, ok + indeterminate]. violations = lost updates (ok - rise, when positive)
// + unexplained increments (rise - ok - indeterminate, when positive).
reports::Correctness check_counter(const CounterCheckInput& in);
// The keys check_counter writes into correctness.details.
std::span<const DetailField> counter_details();

}  // namespace lh::scenarios
