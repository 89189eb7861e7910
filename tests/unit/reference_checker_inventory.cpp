// The inventory checker as it was before it streamed (7cfaa44), kept verbatim as the reference the
// streaming state must agree with (checker_state_test.cpp).
#include "reference_checkers.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "harness/scenarios/check_support.hpp"

namespace lh::scenarios::reference {

reports::Correctness check_inventory(const InventoryCheckInput& in) {
  const std::size_t n = in.final_stock.size();
  std::vector<int64_t> bought(n), refused(n), indeterminate(n), failed(n);
  int64_t ignored = 0;
  for (const Event& e : in.history) {
    if (e.key >= n) {
      ++ignored;
      continue;
    }
    switch (e.result()) {
      case Outcome::ok:
        (e.b == 1 ? bought : refused)[e.key] += 1;
        break;
      case Outcome::failed:
        ++failed[e.key];
        break;
      default:
        ++indeterminate[e.key];
        break;
    }
  }

  int64_t violations = 0, oversold = 0, unaccounted = 0;
  int64_t sum_bought = 0, sum_refused = 0, sum_ind = 0, sum_failed = 0, sum_final = 0, min_final = INT64_MAX;
  std::vector<std::size_t> bad_items;
  for (std::size_t k = 0; k < n; ++k) {
    const int64_t fin = in.final_stock[k];
    const int64_t over = std::max<int64_t>({0, bought[k] - in.stock, -fin});
    const int64_t sold = in.stock - fin;  // units the stock says left
    const int64_t off =
        std::max<int64_t>(0, bought[k] - sold) + std::max<int64_t>(0, sold - bought[k] - indeterminate[k]);
    oversold += over;
    unaccounted += off;
    violations += std::max(over, off);
    if (over || off) bad_items.push_back(k);
    sum_bought += bought[k];
    sum_refused += refused[k];
    sum_ind += indeterminate[k];
    sum_failed += failed[k];
    sum_final += fin;
    min_final = std::min(min_final, fin);
  }

  reports::Correctness c;
  c.invariant =
      "purchases <= stock, final stock >= 0, and stock - final = purchases (within the indeterminate ones)";
  c.safe_by_design = in.safe_by_design;
  c.details = {{"items", n},
               {"stock_per_item", in.stock},
               {"purchases", sum_bought},
               {"sold_out_refusals", sum_refused},
               {"indeterminate", sum_ind},
               {"failed", sum_failed},
               {"final_stock", sum_final},
               {"lowest_final_stock", n ? min_final : 0},
               {"oversold_units", oversold},
               {"unaccounted_units", unaccounted}};
  if (ignored) c.details["ignored_events"] = ignored;
  support::set_verdict(c, violations);

  // Evidence: the items that broke the invariant, then purchases whose DECR took the stock below zero.
  for (std::size_t k : bad_items) {
    if (c.examples.size() >= support::kMaxExamples / 2) break;
    c.examples.push_back("item " + std::to_string(k) + ": " + std::to_string(bought[k]) +
                         " purchases acknowledged (+" + std::to_string(indeterminate[k]) +
                         " indeterminate) from a stock of " + std::to_string(in.stock) + ", final stock " +
                         std::to_string(in.final_stock[k]));
  }
  for (const Event& e : in.history) {
    if (c.violations == 0 || c.examples.size() >= support::kMaxExamples) break;
    if (e.key >= n || e.result() != Outcome::ok || e.b != 1 || e.a == kStockUnknown || e.a >= 0) continue;
    c.examples.push_back("item " + std::to_string(e.key) + ": " + support::who(e) +
                         " bought a unit that did not exist: its DECR took the stock to " +
                         std::to_string(e.a));
  }
  return c;
}

}  // namespace lh::scenarios::reference
