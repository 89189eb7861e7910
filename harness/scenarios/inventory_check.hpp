// The inventory's checker: no unit sold that was not in stock, and the stock accounts for every purchase.
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

// Event: kind 0, key = item index, b = 1 bought / 0 sold out, a = the stock after the op when known (a
// purchase: DECR's reply, below 0 when it oversold; a refusal: the stock read), else kStockUnknown.
inline constexpr int64_t kStockUnknown = INT64_MIN;
struct InventoryCheckInput {
  std::span<const Event> history;
  int64_t stock = 1000;              // initial stock of every item
  std::vector<int64_t> final_stock;  // per item
  bool safe_by_design = false;
};
// Per item: oversold = max(0, purchases - stock, -final); unaccounted = stock - final outside
// [purchases, purchases + indeterminate]. violations = sum over items of max(oversold, unaccounted).
reports::Correctness check_inventory(const InventoryCheckInput& in);
// The keys check_inventory writes into correctness.details.
std::span<const DetailField> inventory_details();

}  // namespace lh::scenarios
