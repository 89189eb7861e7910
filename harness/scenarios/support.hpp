// Helpers the built-in scenarios' variants share: key names, integers as text without allocating, outcome
// rules, the key pick and the event record, WATCH/MULTI/EXEC, the single-script call plumbing, the variant
// table and the facts a scenario states about itself. Not part of the Scenario interface: a scenario file
// stays readable on its own, these are the words it is written in. (The checkers' own words are in
// check_support.hpp.)
#pragma once
#include <array>
#include <charconv>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>  // Boost 1.74 Asio needs std::exchange declared first
#include <vector>

#include "harness/model/report.hpp"
#include "harness/scenarios/details.hpp"
#include "harness/scenarios/embedded_lua.hpp"
#include "harness/scenarios/scenario.hpp"

namespace lh::scenarios::support {

using net::Reply;

// The key-space size: --keys, else the scenario's default. Event.key is 16 bits, so at most 65535.
// Throws std::invalid_argument naming the scenario when --keys is out of range.
uint64_t key_count(const Params& p, uint64_t scenario_default, std::string_view scenario);

// `count` key names: prefix + stem + "{" + tag + index + "}", e.g. "lh:ab12:lock:{r7}". The hash tag holds
// only the index, so keys of one resource with different stems share a cluster slot.
std::vector<std::string> key_names(std::string_view prefix, std::string_view stem, std::string_view tag,
                                   uint64_t count);

// An integer as decimal text in a stack buffer (no allocation on the hot path).
class Num {
 public:
  Num() = default;
  explicit Num(int64_t v) { set(v); }
  std::string_view set(int64_t v) {
    n_ = static_cast<uint8_t>(std::to_chars(buf_, buf_ + sizeof buf_, v).ptr - buf_);
    return view();
  }
  std::string_view view() const { return {buf_, n_}; }

 private:
  char buf_[24] = {};
  uint8_t n_ = 0;
};

// "client:seq" (e.g. a lock holder id, a rate-limiter request id): unique per op in one run.
class OpId {
 public:
  std::string_view set(uint32_t client, uint64_t seq);
  std::string_view view() const { return {buf_, n_}; }

 private:
  char buf_[48] = {};
  uint8_t n_ = 0;
};

// The outcome of an op whose command `r` failed. `may_have_written`: this command, or an earlier one of the
// same op whose reply was not seen, can have changed the op's state. A read failing before any write: failed.
inline net::Outcome failure_outcome(const Reply& r, bool may_have_written) {
  return may_have_written ? r.outcome() : net::Outcome::failed;
}
// The outcome of an op whose last step is the write `w` (a naive variant's SET/ZADD): ok once it answered,
// else how it failed.
inline net::Outcome write_outcome(const Reply& w) {
  return w.is_error() ? failure_outcome(w, true) : net::Outcome::ok;
}

// The outcome of a script call that answers an integer: the error's when it failed, indeterminate when it
// answered something else (it ran, its effect is unknown), else ok.
inline net::Outcome script_outcome(const Reply& r) {
  if (r.is_error()) return r.outcome();
  return r.is_integer() ? net::Outcome::ok : net::Outcome::indeterminate;
}

// The key (index) an op touches: uniform over [0, n). With one key, no random draw.
inline uint16_t pick(ClientCtx& ctx, std::size_t n) {
  return n == 1 ? 0 : static_cast<uint16_t>(ctx.rng.uniform(0, int64_t(n) - 1));
}

// Records the op's event (`a` and `b` as its scenario's checker reads them, see NAME_check.hpp) and
// returns its outcome.
inline net::Outcome record(ClientCtx& ctx, uint16_t key, uint8_t kind, net::Outcome o, int64_t a, int64_t b) {
  Event e = ctx.event(key, kind, o);
  e.a = a;
  e.b = b;
  ctx.record(e);
  return o;
}

// Integer (or integral float text: ZSCORE replies) from a reply; `fallback` when nil or not a number.
int64_t reply_int(const Reply& r, int64_t fallback);

// One command, routed by `route` (the key it touches, so a cluster client picks that key's node). Use it as
// `co_await cmd(ctx, key, "GET", key)`: the arguments are referenced until the call completes. (Not
// ctx.call({...}): g++ 12 rejects a braced list inside co_await with "array used as initializer".)
template <class... A>
asio::awaitable<Reply> cmd(ClientCtx& ctx, std::string_view route, const A&... args) {
  const std::array<std::string_view, sizeof...(A)> argv = {std::string_view(args)...};
  co_return co_await ctx.redis->call(argv, route);
}

// ---- WATCH / MULTI / EXEC ------------------------------------------------------------------------------
enum class TxStatus { committed, conflict, failed, indeterminate };
struct TxResult {
  TxStatus status = TxStatus::failed;
  Reply exec;  // the EXEC reply when committed (one element per queued command)
};
// The most attempts a transaction op makes before it gives up as failed (nothing applied).
inline constexpr int kMaxTxAttempts = 1000;

// UNWATCH, when the connection still works (a failed read inside WATCH, or the op decided not to write).
asio::awaitable<void> unwatch(ClientCtx& ctx, std::string_view route);
// The first steps of a transaction attempt: WATCH key, then one read command routed by key, e.g.
// `co_await watch_read(ctx, key, "GET", key)`. Returns the read's reply, or an error reply when WATCH or the
// read failed: nothing was written, the op failed (after an UNWATCH when the read failed on a working
// connection). An op that reads and decides not to write calls unwatch() itself.
template <class... A>
asio::awaitable<Reply> watch_read(ClientCtx& ctx, std::string_view key, const A&... read) {
  Reply w = co_await cmd(ctx, key, "WATCH", key);
  if (w.is_error()) co_return w;
  Reply got = co_await cmd(ctx, key, read...);
  if (got.is_error()) co_await unwatch(ctx, key);
  co_return got;
}
// MULTI, the commands, EXEC, routed by `route` (one node, one connection). EXEC nil = a WATCHed key changed
// = conflict. A failure before EXEC is sent: DISCARD (when the connection works), failed. A transport failure
// of EXEC, or an EXEC whose elements hold errors (partly applied): indeterminate.
asio::awaitable<TxResult> multi_exec(ClientCtx& ctx, std::string_view route,
                                     std::span<const std::span<const std::string_view>> commands);
net::Outcome outcome_of(const TxResult& t);
// After multi_exec: true when the EXEC met a conflict (a WATCHed key changed, nothing applied), counting the
// retry; the op's loop then tries again, up to kMaxTxAttempts.
inline bool retry_on_conflict(ClientCtx& ctx, const TxResult& t) {
  if (t.status != TxStatus::conflict) return false;
  ctx.count_retry();
  return true;
}

// ---- one EVALSHA per op ---------------------------------------------------------------------------------
// The arguments of one script call, built on the stack. `user` and `key_index` travel with the call to
// the reply (through the engine's ScriptCall in a single-call variant, through the coroutine frame in op()).
struct ScriptArgs {
  std::array<std::string_view, 2> keys{};
  std::array<std::string_view, 4> args{};
  uint8_t nkeys = 0, nargs = 0;
  uint16_t key_index = 0;
  int64_t user[2] = {0, 0};
  std::array<Num, 4> nums;  // storage for integer arguments
  OpId id;                  // storage for an op id argument

  void key(std::string_view k) { keys[nkeys++] = k; }
  void arg(std::string_view a) { args[nargs++] = a; }
  void arg(int64_t v) {
    args[nargs] = nums[nargs].set(v);
    ++nargs;
  }
};
// Copies the arguments into the engine's reusable call (no allocation once its strings have capacity): what a
// single-call variant's make_call does.
void fill_slot(const scripts::Script& s, const ScriptArgs& a, ScriptCall& slot);
// A script call from inside a multi-step op, through ctx.redis->evalsha.
asio::awaitable<Reply> call_script(ClientCtx& ctx, const scripts::Script& s, const ScriptArgs& a);

// ---- a built-in scenario: its variant table and its facts ------------------------------------------
// One variant of a built-in scenario: its name, whether it is safe by design (decided here, once: the report,
// the exit code and the checker's input all take it from this table), and how to make its run.
struct VariantEntry {
  std::string_view name;
  bool safe_by_design = true;
  std::unique_ptr<VariantRun> (*make)(const Params&, bool safe_by_design) = nullptr;
};
// `make` for a variant class constructed as Run(params, safe_by_design).
template <class Run>
std::unique_ptr<VariantRun> make_run(const Params& p, bool safe_by_design) {
  return std::make_unique<Run>(p, safe_by_design);
}

// What a built-in scenario says of itself, as data.
struct ScenarioFacts {
  std::string_view name;
  std::string_view summary;         // one line for --help and the demo
  std::string_view violation_noun;  // plural: "lost updates"
  std::vector<VariantEntry> variants;
  std::span<const DetailField> details;  // what its checker writes into correctness.details (NAME_check.hpp)
};

// The Scenario of a built-in scenario file, made from its facts; the file adds explain(), its one sentence.
class BuiltinScenario : public Scenario {
 public:
  explicit BuiltinScenario(ScenarioFacts facts);

  std::string_view name() const override { return facts_.name; }
  std::string_view summary() const override { return facts_.summary; }
  std::vector<std::string> variants() const override;
  bool safe_by_design(std::string_view variant) const override;
  std::unique_ptr<VariantRun> make(std::string_view variant, const Params& p) const override;
  std::string_view violation_noun() const override { return facts_.violation_noun; }
  std::vector<DetailLabel> detail_labels() const override { return labels_of(facts_.details); }
  std::string_view details_schema() const override { return schema_; }

 private:
  ScenarioFacts facts_;
  std::string schema_;  // schema_of(facts_.details), made once
};

// 12345 -> "12,345", below 0 -> "0": counts in explain() sentences, written as the report writers write them.
std::string thousands(int64_t v);

}  // namespace lh::scenarios::support
