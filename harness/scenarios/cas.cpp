// cas: compare-and-swap (docs/seed.md, step 2). Each op reads the value (expected), then swaps expected ->
// new, where new = cas_value(client, op) is unique in the run, so every value has at most one writer.
//
// Keys: <prefix>cas:{x<i>} for i < --keys (default 1), "0" before the load. Variants:
//   atomic       GET k, think, EVALSHA cas.lua k expected new (GET, compare, SET inside the script).
//   naive        GET k, then the swap from the client: GET k, compare with expected, think, SET k new.
//                Two clients can both see `expected` and both "win": one swap silently overwrites the other.
//   transaction  WATCH k, GET k, think, MULTI, SET k new, EXEC; nil EXEC = conflict, retried and counted.
// Every variant takes two steps or more (the read that learns `expected` comes first): all are multi-step.
// Checker (cas_check.hpp): every value is consumed by at most one successful swap, and the successful swaps
// form one chain from the initial value to the final one (an indeterminate swap is an optional link).
#include <array>
#include <string>

#include "harness/scenarios/cas_check.hpp"
#include "harness/scenarios/support.hpp"

namespace lh::scenarios {

namespace {

using net::Reply;
using support::Num;

Outcome record(ClientCtx& ctx, uint16_t k, uint8_t kind, Outcome o, int64_t expected, int64_t fresh) {
  return support::record(ctx, k, kind, o, expected, fresh);
}

// What every cas variant shares: the keys, their initial value (0), and the check.
class CasRun : public MultiStepRun {
 public:
  CasRun(const Params& p, bool safe_by_design)
      : keys_(support::key_names(p.key_prefix, "cas:", "x", support::key_count(p, 1, "cas"))),
        safe_by_design_(safe_by_design) {}

  void setup(SyncClient& s) override {
    for (const auto& k : keys_) s.command({"SET", k, "0"}, k);
  }

  std::unique_ptr<engine::CheckState> new_state() const override {
    return std::make_unique<CasState>(keys_.size());
  }

  reports::Correctness check(SyncClient& s, const engine::CheckState& state) override {
    std::vector<int64_t> final;
    for (const auto& k : keys_) final.push_back(s.command({"GET", k}, k).as_int(-1));
    return static_cast<const CasState&>(state).finish(std::vector<int64_t>(keys_.size(), 0), final,
                                                      safe_by_design_);
  }

 protected:
  const std::vector<std::string> keys_;
  const bool safe_by_design_;
};

// ---- atomic: GET expected, think, then the compare and the swap in one script ----
class CasAtomic final : public CasRun {
 public:
  using CasRun::CasRun;

  std::vector<const scripts::Script*> scripts() const override { return {&script_}; }

  asio::awaitable<Outcome> op(ClientCtx& ctx) override {
    const uint16_t k = support::pick(ctx, keys_.size());
    const std::string& key = keys_[k];
    const int64_t fresh = cas_value(ctx.id, ctx.seq);
    Reply got = co_await support::cmd(ctx, key, "GET", key);  // expected
    if (got.is_error()) co_return record(ctx, k, kCasWon, support::failure_outcome(got, false), -1, fresh);
    const int64_t expected = support::reply_int(got, -1);
    Num fresh_text(fresh);
    co_await ctx.think();
    support::ScriptArgs args;
    args.key(key);
    args.arg(got.str());
    args.arg(fresh_text.view());
    Reply r = co_await support::call_script(ctx, script_, args);
    const Outcome o = support::script_outcome(r);
    if (o != Outcome::ok) co_return record(ctx, k, kCasWon, o, expected, fresh);
    co_return record(ctx, k, r.integer() == 1 ? kCasWon : kCasRefused, o, expected, fresh);
  }

 private:
  const scripts::Script& script_ = scripts::builtin_script("cas");
};

// ---- naive: GET expected, then the compare in the client, between two round trips ----
class CasNaive final : public CasRun {
 public:
  using CasRun::CasRun;

  asio::awaitable<Outcome> op(ClientCtx& ctx) override {
    const uint16_t k = support::pick(ctx, keys_.size());
    const std::string& key = keys_[k];
    const int64_t fresh = cas_value(ctx.id, ctx.seq);
    Reply got = co_await support::cmd(ctx, key, "GET", key);  // expected
    if (got.is_error()) co_return record(ctx, k, kCasWon, support::failure_outcome(got, false), -1, fresh);
    const int64_t expected = support::reply_int(got, -1);
    Num fresh_text(fresh);
    Reply cur = co_await support::cmd(ctx, key, "GET", key);
    if (cur.is_error())
      co_return record(ctx, k, kCasWon, support::failure_outcome(cur, false), expected, fresh);
    if (!cur.is_string() || cur.str() != got.str())
      co_return record(ctx, k, kCasRefused, Outcome::ok, expected, fresh);
    co_await ctx.think();
    Reply set = co_await support::cmd(ctx, key, "SET", key, fresh_text.view());
    co_return record(ctx, k, kCasWon, support::write_outcome(set), expected, fresh);
  }
};

// ---- transaction: WATCH, GET expected, think, MULTI SET EXEC, retry on conflict ----
class CasTransaction final : public CasRun {
 public:
  using CasRun::CasRun;

  asio::awaitable<Outcome> op(ClientCtx& ctx) override {
    const uint16_t k = support::pick(ctx, keys_.size());
    const std::string& key = keys_[k];
    const int64_t fresh = cas_value(ctx.id, ctx.seq);
    Num fresh_text(fresh);
    for (int attempt = 0; attempt < support::kMaxTxAttempts; ++attempt) {
      Reply got = co_await support::watch_read(ctx, key, "GET", key);
      if (got.is_error()) co_return record(ctx, k, kCasWon, Outcome::failed, -1, fresh);
      const int64_t expected = support::reply_int(got, -1);
      co_await ctx.think();
      const std::array<std::string_view, 3> set = {"SET", key, fresh_text.view()};
      const std::array<std::span<const std::string_view>, 1> cmds = {set};
      support::TxResult t = co_await support::multi_exec(ctx, key, cmds);
      if (support::retry_on_conflict(ctx, t)) continue;
      co_return record(ctx, k, kCasWon, support::outcome_of(t), expected, fresh);
    }
    co_return record(ctx, k, kCasWon, Outcome::failed, -1, fresh);
  }
};

class CasScenario final : public support::BuiltinScenario {
 public:
  CasScenario()
      : BuiltinScenario({
            .name = "cas",
            .summary = "compare-and-swap: read a value, swap it for a new one",
            .violation_noun = "conflicting swaps",
            .variants = {{"atomic", true, support::make_run<CasAtomic>},
                         {"naive", false, support::make_run<CasNaive>},
                         {"transaction", true, support::make_run<CasTransaction>}},
            .details = cas_details(),
        }) {}

  // "naive cas: 183 values were consumed by more than one winning swap (2,154 extra winners), and 28
  // acknowledged swaps fell off the chain"
  std::string explain(const reports::Result& r) const override {
    const auto& d = r.correctness.details;
    const auto n = support::thousands;
    const int64_t values = d.value("values_with_several_winners", int64_t{0});
    const int64_t extra = d.value("values_consumed_twice", int64_t{0});
    const int64_t breaks = d.value("chain_breaks", int64_t{0});
    std::string out = r.variant + " " + r.scenario + ": " + n(values) +
                      (values == 1 ? " value was" : " values were") +
                      " consumed by more than one winning swap (" + n(extra) + " extra winners)";
    if (breaks > 0) out += ", and " + n(breaks) + " acknowledged swaps fell off the chain";
    return out;
  }
};

}  // namespace

const Scenario& cas_scenario() {
  static const CasScenario s;
  return s;
}

}  // namespace lh::scenarios
