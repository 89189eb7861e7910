// counter: lost updates. Each op reads the counter, adds 1 and writes it back.
//
// Keys: <prefix>counter:{c<i>} for i < --keys (default 1: one hot key), each a decimal integer, 0 before the
// load. Variants:
//   atomic       EVALSHA counter_incr.lua: GET + SET inside one script (not INCR, so the twins run the same
//                logic and differ only in atomicity).
//   naive        GET k, think, SET k v+1: two clients that read the same v both write v+1; one increment is
//                lost.
//   transaction  WATCH k, GET k, think, MULTI, SET k v+1, EXEC; a nil EXEC (k changed) is retried and
//                counted.
// Checker (counter_check.hpp): the counter must rise by exactly the acknowledged increments, within
// [ok, ok + indeterminate].
#include <array>
#include <string>

#include "harness/scenarios/counter_check.hpp"
#include "harness/scenarios/support.hpp"

namespace lh::scenarios {

namespace {

using net::Reply;
using support::Num;
using support::ScriptArgs;

constexpr uint8_t kIncr = 0;

Outcome record(ClientCtx& ctx, uint16_t k, Outcome o, int64_t read, int64_t written) {
  return support::record(ctx, k, kIncr, o, read, written);
}

// What every counter variant shares: the keys, their initial state (0), and the check.
template <class Shape>
class CounterRun : public Shape {
 public:
  CounterRun(const Params& p, bool safe_by_design)
      : keys_(support::key_names(p.key_prefix, "counter:", "c", support::key_count(p, 1, "counter"))),
        safe_by_design_(safe_by_design) {}

  void setup(SyncClient& s) override {
    for (const auto& k : keys_) s.command({"SET", k, "0"}, k);
  }

  std::unique_ptr<engine::CheckState> new_state() const override {
    return std::make_unique<CounterState>(keys_.size());
  }

  reports::Correctness check(SyncClient& s, const engine::CheckState& state) override {
    std::vector<int64_t> final;
    for (const auto& k : keys_) final.push_back(s.command({"GET", k}, k).as_int(0));
    return static_cast<const CounterState&>(state).finish(std::vector<int64_t>(keys_.size(), 0), final,
                                                          safe_by_design_);
  }

 protected:
  const std::vector<std::string> keys_;
  const bool safe_by_design_;
};

// ---- atomic: one script call, pipelineable ----
class CounterAtomic final : public CounterRun<SingleCallRun> {
 public:
  using CounterRun::CounterRun;

  std::vector<const scripts::Script*> scripts() const override { return {&script_}; }

  void make_call(ClientCtx& ctx, ScriptCall& call) override {
    ScriptArgs a;
    a.key_index = support::pick(ctx, keys_.size());
    a.key(keys_[a.key_index]);
    support::fill_slot(script_, a, call);
  }

  // The script returns the new value.
  Outcome on_reply(ClientCtx& ctx, ScriptCall& call, const Reply& r) override {
    const Outcome o = support::script_outcome(r);
    if (o != Outcome::ok) return record(ctx, call.key_index, o, -1, -1);
    return record(ctx, call.key_index, o, r.integer() - 1, r.integer());
  }

 private:
  const scripts::Script& script_ = scripts::builtin_script("counter_incr");
};

// ---- naive: GET, think, SET v+1 ----
class CounterNaive final : public CounterRun<MultiStepRun> {
 public:
  using CounterRun::CounterRun;

  asio::awaitable<Outcome> op(ClientCtx& ctx) override {
    const uint16_t k = support::pick(ctx, keys_.size());
    const std::string& key = keys_[k];
    Reply got = co_await support::cmd(ctx, key, "GET", key);
    if (got.is_error()) co_return record(ctx, k, support::failure_outcome(got, false), -1, -1);
    const int64_t v = support::reply_int(got, 0);
    co_await ctx.think();
    Num next(v + 1);
    Reply set = co_await support::cmd(ctx, key, "SET", key, next.view());
    co_return record(ctx, k, support::write_outcome(set), v, v + 1);
  }
};

// ---- transaction: WATCH, GET, think, MULTI SET EXEC, retry on conflict ----
class CounterTransaction final : public CounterRun<MultiStepRun> {
 public:
  using CounterRun::CounterRun;

  asio::awaitable<Outcome> op(ClientCtx& ctx) override {
    const uint16_t k = support::pick(ctx, keys_.size());
    const std::string& key = keys_[k];
    for (int attempt = 0; attempt < support::kMaxTxAttempts; ++attempt) {
      Reply got = co_await support::watch_read(ctx, key, "GET", key);
      if (got.is_error()) co_return record(ctx, k, Outcome::failed, -1, -1);
      const int64_t v = support::reply_int(got, 0);
      co_await ctx.think();
      Num next(v + 1);
      const std::array<std::string_view, 3> set = {"SET", key, next.view()};
      const std::array<std::span<const std::string_view>, 1> cmds = {set};
      support::TxResult t = co_await support::multi_exec(ctx, key, cmds);
      if (support::retry_on_conflict(ctx, t)) continue;
      co_return record(ctx, k, support::outcome_of(t), v, v + 1);
    }
    co_return record(ctx, k, Outcome::failed, -1, -1);  // gave up: the last EXEC applied nothing
  }
};

class CounterScenario final : public support::BuiltinScenario {
 public:
  CounterScenario()
      : BuiltinScenario({
            .name = "counter",
            .summary = "lost updates: read a counter, add 1, write it back",
            .violation_noun = "lost updates",
            .variants = {{"atomic", true, support::make_run<CounterAtomic>},
                         {"naive", false, support::make_run<CounterNaive>},
                         {"transaction", true, support::make_run<CounterTransaction>}},
            .details = counter_details(),
        }) {}

  // "naive counter lost 4,726 of 5,105 acknowledged increments"
  std::string explain(const reports::Result& r) const override {
    const auto& d = r.correctness.details;
    return r.variant + " " + r.scenario + " lost " + support::thousands(r.correctness.violations) + " of " +
           support::thousands(d.value("acknowledged", int64_t{0})) + " acknowledged increments";
  }
};

}  // namespace

const Scenario& counter_scenario() {
  static const CounterScenario s;
  return s;
}

}  // namespace lh::scenarios
