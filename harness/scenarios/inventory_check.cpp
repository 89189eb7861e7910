#include "harness/scenarios/inventory_check.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

#include "harness/scenarios/check_support.hpp"

namespace lh::scenarios {

namespace {

constexpr std::array<DetailField, 11> kDetails = {{
    {"items", "items"},
    {"stock_per_item", "initial stock per item"},
    {"purchases", "purchases acknowledged"},
    {"sold_out_refusals", "refusals (sold out)"},
    {"indeterminate", "purchases indeterminate"},
    {"failed", "purchases failed"},
    {"final_stock", "final stock (all items)"},
    {"lowest_final_stock", "lowest final stock of an item"},
    {"oversold_units", "oversold units"},
    {"unaccounted_units", "units the stock does not account for"},
    {"ignored_events", "events of unknown items (ignored)"},
}};

}  // namespace

std::span<const DetailField> inventory_details() { return kDetails; }

void InventoryState::add(const Event& e) {
  ++events_;
  if (e.key >= bought_.size()) {
    ++ignored_;
    return;
  }
  switch (e.result()) {
    case Outcome::ok:
      (e.b == 1 ? bought_ : refused_)[e.key] += 1;
      if (e.b == 1 && e.a != kStockUnknown && e.a < 0) below_zero_.add(e);
      break;
    case Outcome::failed:
      ++failed_[e.key];
      break;
    default:
      ++indeterminate_[e.key];
      break;
  }
}

void InventoryState::merge(const engine::CheckState& other) {
  const auto& o = engine::same_form<InventoryState>(*this, other);
  support::add_tally(bought_, o.bought_);
  support::add_tally(refused_, o.refused_);
  support::add_tally(indeterminate_, o.indeterminate_);
  support::add_tally(failed_, o.failed_);
  ignored_ += o.ignored_;
  events_ += o.events_;
  below_zero_.merge(o.below_zero_);
}

nlohmann::json InventoryState::save() const {
  return {{"form", "inventory"}, {"keys", bought_.size()}, {"events", events_},
          {"bought", bought_},   {"refused", refused_},    {"indeterminate", indeterminate_},
          {"failed", failed_},   {"ignored", ignored_},    {"below_zero", below_zero_.save()}};
}

void InventoryState::load(const nlohmann::json& j) {
  engine::expect_form(j, "inventory");
  const std::size_t n = bought_.size();
  support::expect_keys(j, n);
  bought_ = support::load_tally(j, "bought", n);
  refused_ = support::load_tally(j, "refused", n);
  indeterminate_ = support::load_tally(j, "indeterminate", n);
  failed_ = support::load_tally(j, "failed", n);
  ignored_ = support::load_int(j, "ignored");
  events_ = static_cast<uint64_t>(support::load_int(j, "events"));
  below_zero_.load(engine::state_field(j, "below_zero"), "below_zero");
}

reports::Correctness InventoryState::finish(int64_t stock, const std::vector<int64_t>& final_stock,
                                            bool safe_by_design) const {
  const std::size_t n = std::min(final_stock.size(), bought_.size());
  const auto& bought = bought_;
  const auto& refused = refused_;
  const auto& indeterminate = indeterminate_;
  const auto& failed = failed_;
  const int64_t ignored = ignored_;
  int64_t violations = 0, oversold = 0, unaccounted = 0;
  int64_t sum_bought = 0, sum_refused = 0, sum_ind = 0, sum_failed = 0, sum_final = 0, min_final = INT64_MAX;
  std::vector<std::size_t> bad_items;
  for (std::size_t k = 0; k < n; ++k) {
    const int64_t fin = final_stock[k];
    const int64_t over = std::max<int64_t>({0, bought[k] - stock, -fin});
    const int64_t sold = stock - fin;  // units the stock says left
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
  c.safe_by_design = safe_by_design;
  c.details = {{"items", n},
               {"stock_per_item", stock},
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
                         " indeterminate) from a stock of " + std::to_string(stock) + ", final stock " +
                         std::to_string(final_stock[k]));
  }
  for (const Event& e : below_zero_.events) {
    if (c.violations == 0 || c.examples.size() >= support::kMaxExamples) break;
    c.examples.push_back("item " + std::to_string(e.key) + ": " + support::who(e) +
                         " bought a unit that did not exist: its DECR took the stock to " +
                         std::to_string(e.a));
  }
  return c;
}

reports::Correctness check_inventory(const InventoryCheckInput& in) {
  InventoryState s(in.final_stock.size());
  for (const Event& e : in.history) s.add(e);
  return s.finish(in.stock, in.final_stock, in.safe_by_design);
}

}  // namespace lh::scenarios
