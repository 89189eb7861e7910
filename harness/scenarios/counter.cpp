// counter: lost updates. Each op reads the counter, adds 1 and writes it back.
//
// Keys: <prefix>counter:{c<i>} for i < --keys (default 1: one hot key), each a decimal integer, 0 before the
// load. Variants:
//   atomic       EVALSHA counter_incr.lua: GET + SET inside one script (not INCR, so the twins run the same
//                logic and differ only in atomicity).
//   naive        GET k, think, SET k v+1: two clients that read the same v both write v+1; one increment is
//   lost. transaction  WATCH k, GET k, think, MULTI, SET k v+1, EXEC; a nil EXEC (k changed) is retried and
//   counted.
// Checker: the counter must rise by exactly the acknowledged increments, within [ok, ok + indeterminate].
#include <algorithm>
#include <array>
#include <string>

#include "harness/scenarios/checkers.hpp"
#include "harness/scenarios/support.hpp"

namespace lh::scenarios {

namespace {

using net::Reply;
using support::Num;
using support::ScriptArgs;

constexpr uint8_t kIncr = 0;
enum class Variant { atomic, naive, transaction };

class CounterRun final : public support::ScriptedRun<CounterRun, Variant> {
 public:
  CounterRun(Variant v, const Params& p)
      : ScriptedRun(v),
        keys_(support::key_names(p.key_prefix, "counter:", "c", support::key_count(p, 1, "counter"))) {}

  void setup(SyncClient& s) override {
    for (const auto& k : keys_) s.command({"SET", k, "0"}, k);
  }

  reports::Correctness check(SyncClient& s, const History& h) override {
    CounterCheckInput in;
    in.history = h;
    in.initial.assign(keys_.size(), 0);
    for (const auto& k : keys_) in.final.push_back(s.command({"GET", k}, k).as_int(0));
    in.safe_by_design = variant_ != Variant::naive;
    return check_counter(in);
  }

 private:
  friend ScriptedRun;
  static Outcome record(ClientCtx& ctx, uint16_t k, Outcome o, int64_t read, int64_t written) {
    return support::record(ctx, k, kIncr, o, read, written);
  }

  // ---- atomic: one script call, pipelineable ----
  static const scripts::Script& script() { return scripts::builtin_script("counter_incr"); }
  void prepare(ClientCtx& ctx, ScriptArgs& a) const {
    a.key_index = support::pick(ctx, keys_.size());
    a.key(keys_[a.key_index]);
  }
  // The script returns the new value.
  static Outcome judge(ClientCtx& ctx, uint16_t k, const int64_t*, const Reply& r) {
    const Outcome o = support::script_outcome(r);
    if (o != Outcome::ok) return record(ctx, k, o, -1, -1);
    return record(ctx, k, o, r.integer() - 1, r.integer());
  }

  // ---- naive: GET, think, SET v+1 ----
  asio::awaitable<Outcome> naive(ClientCtx& ctx) const {
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

  // ---- transaction: WATCH, GET, think, MULTI SET EXEC, retry on conflict ----
  asio::awaitable<Outcome> transaction(ClientCtx& ctx) const {
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

  std::vector<std::string> keys_;
};

}  // namespace

const Scenario& counter_scenario() {
  static const support::VariantScenario<CounterRun, Variant> s(
      "counter", "lost updates: read a counter, add 1, write it back");
  return s;
}

// ---- checker ---------------------------------------------------------------------------------------------

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

}  // namespace lh::scenarios
