// inventory: oversell. Clients buy one unit at a time until the stock runs out.
//
// Keys: <prefix>stock:{i<i>} for i < --keys (default 1 item), each an integer, 1000 before the load.
// Variants:
//   atomic       EVALSHA inventory_buy.lua: if stock > 0 then DECR, return 1, else return 0.
//   naive        GET stock, compare in the client, think, DECR: every client that read "1" buys the last
//                unit.
//   transaction  WATCH, GET, compare, think, MULTI DECR EXEC; nil EXEC = conflict, retried and counted.
// Once the stock is 0, a refusal (0) is the right answer: an ok op, not a failure.
// Checker (inventory_check.hpp): purchases <= stock, final stock >= 0, and stock - final = purchases (within
// the indeterminate ones).
#include <array>
#include <string>

#include "harness/scenarios/inventory_check.hpp"
#include "harness/scenarios/support.hpp"

namespace lh::scenarios {

namespace {

using net::Reply;
using support::ScriptArgs;

constexpr int64_t kStock = 1000;

Outcome record(ClientCtx& ctx, uint16_t k, Outcome o, int64_t left, int64_t bought) {
  return support::record(ctx, k, 0, o, left, bought);
}

// What every inventory variant shares: the items (kStock units each before the load), and the check.
template <class Shape>
class InventoryRun : public Shape {
 public:
  InventoryRun(const Params& p, bool safe_by_design)
      : keys_(support::key_names(p.key_prefix, "stock:", "i", support::key_count(p, 1, "inventory"))),
        safe_by_design_(safe_by_design) {}

  void setup(SyncClient& s) override {
    for (const auto& k : keys_) s.command({"SET", k, std::to_string(kStock)}, k);
  }

  std::unique_ptr<engine::CheckState> new_state() const override {
    return std::make_unique<InventoryState>(keys_.size());
  }

  reports::Correctness check(SyncClient& s, const engine::CheckState& state) override {
    std::vector<int64_t> final;
    for (const auto& k : keys_) final.push_back(s.command({"GET", k}, k).as_int(0));
    return static_cast<const InventoryState&>(state).finish(kStock, final, safe_by_design_);
  }

 protected:
  const std::vector<std::string> keys_;
  const bool safe_by_design_;
};

// ---- atomic: one script call, pipelineable ----
class InventoryAtomic final : public InventoryRun<SingleCallRun> {
 public:
  using InventoryRun::InventoryRun;

  std::vector<const scripts::Script*> scripts() const override { return {&script_}; }

  void make_call(ClientCtx& ctx, ScriptCall& call) override {
    ScriptArgs a;
    a.key_index = support::pick(ctx, keys_.size());
    a.key(keys_[a.key_index]);
    support::fill_slot(script_, a, call);
  }

  // The script returns 1 bought, 0 sold out.
  Outcome on_reply(ClientCtx& ctx, ScriptCall& call, const Reply& r) override {
    const Outcome o = support::script_outcome(r);
    if (o != Outcome::ok) return record(ctx, call.key_index, o, kStockUnknown, 1);
    return record(ctx, call.key_index, o, kStockUnknown, r.integer() == 1 ? 1 : 0);
  }

 private:
  const scripts::Script& script_ = scripts::builtin_script("inventory_buy");
};

// ---- naive: GET, compare, think, DECR ----
class InventoryNaive final : public InventoryRun<MultiStepRun> {
 public:
  using InventoryRun::InventoryRun;

  asio::awaitable<Outcome> op(ClientCtx& ctx) override {
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
};

// ---- transaction: WATCH, GET, compare, think, MULTI DECR EXEC ----
class InventoryTransaction final : public InventoryRun<MultiStepRun> {
 public:
  using InventoryRun::InventoryRun;

  asio::awaitable<Outcome> op(ClientCtx& ctx) override {
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
};

class InventoryScenario final : public support::BuiltinScenario {
 public:
  InventoryScenario()
      : BuiltinScenario({
            .name = "inventory",
            .summary = "oversell: buy one unit while stock lasts (1000 per item)",
            .violation_noun = "oversold units",
            .variants = {{"atomic", true, support::make_run<InventoryAtomic>},
                         {"naive", false, support::make_run<InventoryNaive>},
                         {"transaction", true, support::make_run<InventoryTransaction>}},
            .details = inventory_details(),
        }) {}

  // "naive inventory oversold 12 units"
  std::string explain(const reports::Result& r) const override {
    return r.variant + " " + r.scenario + " oversold " + support::thousands(r.correctness.violations) +
           " units";
  }
};

}  // namespace

const Scenario& inventory_scenario() {
  static const InventoryScenario s;
  return s;
}

}  // namespace lh::scenarios
