// The inventory's checker: no unit sold that was not in stock, and the stock accounts for every purchase.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "harness/engine/history.hpp"
#include "harness/model/report.hpp"
#include "harness/scenarios/check_support.hpp"
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
// The streaming state: per item, purchases, sold-out refusals, indeterminate and failed ops, and the first
// purchases whose DECR went below zero (evidence).
class InventoryState final : public engine::CheckState {
 public:
  explicit InventoryState(std::size_t items)
      : bought_(items), refused_(items), indeterminate_(items), failed_(items) {}
  std::string_view form() const override { return "inventory"; }
  void add(const Event& e) override;
  void merge(const engine::CheckState& o) override;
  nlohmann::json save() const override;
  void load(const nlohmann::json& j) override;
  std::size_t bytes() const override { return 4 * bought_.capacity() * sizeof(int64_t); }
  uint64_t events() const override { return events_; }
  reports::Correctness finish(int64_t stock, const std::vector<int64_t>& final_stock,
                              bool safe_by_design) const;

 private:
  std::vector<int64_t> bought_, refused_, indeterminate_, failed_;
  int64_t ignored_ = 0;
  uint64_t events_ = 0;
  support::EventSample below_zero_;
};

// check_inventory on a whole history: an InventoryState fed with it, then finish().
// Per item: oversold = max(0, purchases - stock, -final); unaccounted = stock - final outside
// [purchases, purchases + indeterminate]. violations = sum over items of max(oversold, unaccounted).
reports::Correctness check_inventory(const InventoryCheckInput& in);
// The keys check_inventory writes into correctness.details.
std::span<const DetailField> inventory_details();

}  // namespace lh::scenarios
