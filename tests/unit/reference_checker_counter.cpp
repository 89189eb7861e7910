// The counter checker as it was before it streamed (7cfaa44), kept verbatim as the reference the
// streaming state must agree with (checker_state_test.cpp).
#include "reference_checkers.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "harness/scenarios/check_support.hpp"

namespace lh::scenarios::reference {

reports::Correctness check_counter(const CounterCheckInput& in) {
  const std::size_t n = std::min(in.initial.size(), in.final.size());
  std::vector<int64_t> ok(n), indeterminate(n), failed(n);
  int64_t ignored = 0;
  for (const Event& e : in.history) {
    if (e.key >= n) {
      ++ignored;
      continue;
    }
    switch (e.result()) {
      case Outcome::ok:
        ++ok[e.key];
        break;
      case Outcome::failed:
        ++failed[e.key];
        break;
      default:
        ++indeterminate[e.key];
        break;
    }
  }

  int64_t lost = 0, unexplained = 0, sum_ok = 0, sum_ind = 0, sum_failed = 0, sum_initial = 0, sum_final = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const int64_t rise = in.final[k] - in.initial[k];
    lost += std::max<int64_t>(0, ok[k] - rise);
    unexplained += std::max<int64_t>(0, rise - ok[k] - indeterminate[k]);
    sum_ok += ok[k];
    sum_ind += indeterminate[k];
    sum_failed += failed[k];
    sum_initial += in.initial[k];
    sum_final += in.final[k];
  }

  reports::Correctness c;
  c.invariant =
      "the counter rises by exactly the acknowledged increments: final - initial in [ok, ok + indeterminate]";
  c.safe_by_design = in.safe_by_design;
  c.details = {{"keys", n},
               {"acknowledged", sum_ok},
               {"indeterminate", sum_ind},
               {"failed", sum_failed},
               {"initial", sum_initial},
               {"final", sum_final},
               {"rise_lower_bound", sum_ok},
               {"rise_upper_bound", sum_ok + sum_ind},
               {"lost_updates", lost},
               {"unexplained_increments", unexplained}};
  if (ignored) c.details["ignored_events"] = ignored;
  support::set_verdict(c, lost + unexplained);
  if (c.violations == 0) return c;

  // Evidence: values written by two acknowledged increments (both read the same value). Value v of key k
  // lives at slot base[k] + (v - initial - 1); values outside the range an honest run can reach are skipped.
  if (lost > 0) {
    std::vector<uint64_t> base(n + 1, 0);
    for (std::size_t k = 0; k < n; ++k) base[k + 1] = base[k] + ok[k] + indeterminate[k] + failed[k] + 1;
    std::vector<uint32_t> first(base[n], UINT32_MAX);
    for (uint32_t i = 0; i < in.history.size() && c.examples.size() < support::kMaxExamples; ++i) {
      const Event& e = in.history[i];
      if (e.key >= n || e.result() != Outcome::ok) continue;
      const int64_t off = e.b - in.initial[e.key] - 1;
      if (off < 0 || static_cast<uint64_t>(off) >= base[e.key + 1] - base[e.key]) continue;
      uint32_t& f = first[base[e.key] + static_cast<uint64_t>(off)];
      if (f == UINT32_MAX) {
        f = i;
      } else {
        const Event& o = in.history[f];
        c.examples.push_back("value " + std::to_string(e.b) + " of key " + std::to_string(e.key) +
                             " written by " + support::who(o) + " and " + support::who(e) + ": both read " +
                             std::to_string(e.a) + ", both acknowledged, one increment lost");
      }
    }
  }
  for (std::size_t k = 0; k < n && c.examples.size() < support::kMaxExamples; ++k) {
    const int64_t rise = in.final[k] - in.initial[k];
    if (rise < ok[k] || rise > ok[k] + indeterminate[k])
      c.examples.push_back("key " + std::to_string(k) + ": " + std::to_string(ok[k]) +
                           " increments acknowledged (+" + std::to_string(indeterminate[k]) +
                           " indeterminate), but the counter rose by " + std::to_string(rise));
  }
  return c;
}

}  // namespace lh::scenarios::reference
