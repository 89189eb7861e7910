// inventory: oversell. Clients buy one unit at a time until the stock runs out.
//
// Keys: <prefix>stock:{i<i>} for i < --keys (default 1 item), each an integer, 1000 before the load.
// Variants:
//   atomic       EVALSHA inventory_buy.lua: if stock > 0 then DECR, return 1, else return 0.
//   naive        GET stock, compare in the client, think, DECR: every client that read "1" buys the last
//   unit. transaction  WATCH, GET, compare, think, MULTI DECR EXEC; nil EXEC = conflict, retried and counted.
// Once the stock is 0, a refusal (0) is the right answer: an ok op, not a failure.
// Checker: purchases <= stock, final stock >= 0, and stock - final = purchases (within the indeterminate
// ones).
#include <algorithm>
#include <array>
#include <string>

#include "harness/scenarios/checkers.hpp"
#include "harness/scenarios/support.hpp"

namespace lh::scenarios {

namespace {

using net::Reply;
using support::ScriptArgs;

constexpr int64_t kStock = 1000;
enum class Variant { atomic, naive, transaction };

class InventoryRun final : public support::ScriptedRun<InventoryRun, Variant> {
 public:
  InventoryRun(Variant v, const Params& p)
      : ScriptedRun(v),
        keys_(support::key_names(p.key_prefix, "stock:", "i", support::key_count(p, 1, "inventory"))) {}

  void setup(SyncClient& s) override {
    for (const auto& k : keys_) s.command({"SET", k, std::to_string(kStock)}, k);
  }

  reports::Correctness check(SyncClient& s, const History& h) override {
    InventoryCheckInput in;
    in.history = h;
    in.stock = kStock;
    for (const auto& k : keys_) in.final_stock.push_back(s.command({"GET", k}, k).as_int(0));
    in.safe_by_design = variant_ != Variant::naive;
    return check_inventory(in);
  }

 private:
  friend ScriptedRun;
  static Outcome record(ClientCtx& ctx, uint16_t k, Outcome o, int64_t left, int64_t bought) {
    return support::record(ctx, k, 0, o, left, bought);
  }

  // ---- atomic: one script call, pipelineable ----
  static const scripts::Script& script() { return scripts::builtin_script("inventory_buy"); }
  void prepare(ClientCtx& ctx, ScriptArgs& a) const {
    a.key_index = support::pick(ctx, keys_.size());
    a.key(keys_[a.key_index]);
  }
  static Outcome judge(ClientCtx& ctx, uint16_t k, const int64_t*, const Reply& r) {
    const Outcome o = support::script_outcome(r);
    if (o != Outcome::ok) return record(ctx, k, o, kStockUnknown, 1);
    return record(ctx, k, o, kStockUnknown, r.integer() == 1 ? 1 : 0);
  }

  // ---- naive: GET, compare, think, DECR ----
  asio::awaitable<Outcome> naive(ClientCtx& ctx) const {
    const uint16_t k = support::pick(ctx, keys_.size());
    const std::string& key = keys_[k];
    Reply got = co_await support::cmd(ctx, key, "GET", key);
    if (got.is_error()) co_return record(ctx, k, support::failure_outcome(got, false), kStockUnknown, 1);
    const int64_t stock = support::reply_int(got, 0);
    if (stock <= 0) co_return record(ctx, k, Outcome::ok, stock, 0);
    co_await ctx.think();
    Reply decr = co_await support::cmd(ctx, key, "DECR", key);
    if (decr.is_error()) co_return record(ctx, k, support::failure_outcome(decr, true), kStockUnknown, 1);
    co_return record(ctx, k, Outcome::ok, decr.integer(), 1);
  }

  // ---- transaction: WATCH, GET, compare, think, MULTI DECR EXEC ----
  asio::awaitable<Outcome> transaction(ClientCtx& ctx) const {
    const uint16_t k = support::pick(ctx, keys_.size());
    const std::string& key = keys_[k];
    for (int attempt = 0; attempt < support::kMaxTxAttempts; ++attempt) {
      Reply got = co_await support::watch_read(ctx, key, "GET", key);
      if (got.is_error()) co_return record(ctx, k, Outcome::failed, kStockUnknown, 1);
      const int64_t stock = support::reply_int(got, 0);
      if (stock <= 0) {
        co_await support::unwatch(ctx, key);
        co_return record(ctx, k, Outcome::ok, stock, 0);
      }
      co_await ctx.think();
      const std::array<std::string_view, 2> decr = {"DECR", key};
      const std::array<std::span<const std::string_view>, 1> cmds = {decr};
      support::TxResult t = co_await support::multi_exec(ctx, key, cmds);
      if (support::retry_on_conflict(ctx, t)) continue;
      const bool known = t.status == support::TxStatus::committed;
      co_return record(ctx, k, support::outcome_of(t), known ? t.exec.element(0)->integer : kStockUnknown, 1);
    }
    co_return record(ctx, k, Outcome::failed, kStockUnknown, 1);
  }

  std::vector<std::string> keys_;
};

}  // namespace

const Scenario& inventory_scenario() {
  static const support::VariantScenario<InventoryRun, Variant> s(
      "inventory", "oversell: buy one unit while stock lasts (1000 per item)");
  return s;
}

// ---- checker ---------------------------------------------------------------------------------------------

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

}  // namespace lh::scenarios
