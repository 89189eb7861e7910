// Helpers the built-in scenarios share: key names, integers as text without allocating, outcome rules, the
// key pick and the event record, WATCH/MULTI/EXEC, the single-script call plumbing, the variant table, and
// the small sort the checkers use. Not part of the Scenario interface: a scenario file stays readable on its
// own, these are the words it is written in.
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

// Records the op's event (`a` and `b` as its scenario's checker reads them, see checkers.hpp) and returns
// its outcome.
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
// the reply (through CallSlot when the engine pipelines, through the coroutine frame in op()).
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
// Copies the arguments into the engine's reusable slot (no allocation once its strings have capacity).
void fill_slot(const scripts::Script& s, const ScriptArgs& a, CallSlot& slot);
// op() for a single-script variant: the same call through ctx.redis->evalsha.
asio::awaitable<Reply> call_script(ClientCtx& ctx, const scripts::Script& s, const ScriptArgs& a);

// ---- a scenario's variants, its single-script variant(s) ------------------------------------------
// The Scenario of a built-in scenario file: its variants are one VariantRun class `Run`, constructed as
// Run(variant, params) from the variant's name. variants() lists them in the given order (without a list:
// the usual three, "atomic", "naive", "transaction" = V::atomic, V::naive, V::transaction); every variant
// but "naive" is safe by design.
template <class Run, class V>
class VariantScenario final : public Scenario {
 public:
  struct Entry {
    std::string_view name;
    V value;
  };
  VariantScenario(std::string_view name, std::string_view summary, std::initializer_list<Entry> variants)
      : name_(name), summary_(summary), variants_(variants) {}
  VariantScenario(std::string_view name, std::string_view summary)
      : VariantScenario(name, summary,
                        {{"atomic", V::atomic}, {"naive", V::naive}, {"transaction", V::transaction}}) {}

  std::string_view name() const override { return name_; }
  std::string_view summary() const override { return summary_; }
  std::vector<std::string> variants() const override {
    std::vector<std::string> out;
    out.reserve(variants_.size());
    for (const Entry& v : variants_) out.emplace_back(v.name);
    return out;
  }
  bool safe_by_design(std::string_view v) const override { return v != "naive"; }
  std::unique_ptr<VariantRun> make(std::string_view v, const Params& p) const override {
    for (const Entry& known : variants_)
      if (known.name == v) return std::make_unique<Run>(known.value, p);
    return nullptr;
  }

 private:
  std::string_view name_, summary_;
  std::vector<Entry> variants_;
};

// Base of a scenario's VariantRun, for one variant `variant_` of its enum V, whose script variant(s) make one
// EVALSHA per op: the engine pipelines them through make_call/on_reply, op() makes the same call. Every other
// variant is multi-step: op() runs multi_step. Derived supplies (called directly: no virtual hop on the hot
// path), private with `friend ScriptedRun;`:
//   const scripts::Script& script() const        the script it calls
//   void prepare(ClientCtx&, ScriptArgs&) const  the call: key_index, keys, args, user[] (travels to judge)
//   net::Outcome judge(ClientCtx&, uint16_t key_index, const int64_t* user, const Reply&) const
//                                                the reply: records the op's event, returns its outcome
//   asio::awaitable<net::Outcome> naive(ClientCtx&) const, transaction(ClientCtx&) const
//                                                the multi-step variants' ops
// and, where its variants are other than atomic + naive + transaction, its own (hiding these defaults):
//   bool scripted() const                        this variant is a single-script one: V::atomic
//   asio::awaitable<net::Outcome> multi_step(ClientCtx&) const
//                                                the other variants' op: V::naive -> naive(), else
//                                                transaction() (a plain function returning their coroutine:
//                                                no extra frame)
template <class Derived, class V>
class ScriptedRun : public VariantRun {
 public:
  explicit ScriptedRun(V variant) : variant_(variant) {}

  std::vector<const scripts::Script*> scripts() const override {
    if (self().scripted()) return {&self().script()};
    return {};
  }
  bool single_call() const override { return self().scripted(); }
  void make_call(ClientCtx& ctx, CallSlot& slot) final {
    ScriptArgs a;
    self().prepare(ctx, a);
    fill_slot(self().script(), a, slot);
  }
  net::Outcome on_reply(ClientCtx& ctx, CallSlot& slot, const Reply& r) final {
    return self().judge(ctx, slot.key_index, slot.user, r);
  }
  asio::awaitable<net::Outcome> op(ClientCtx& ctx) final {
    if (!self().scripted()) co_return co_await self().multi_step(ctx);
    ScriptArgs a;
    self().prepare(ctx, a);
    Reply r = co_await call_script(ctx, self().script(), a);
    co_return self().judge(ctx, a.key_index, a.user, r);
  }

 protected:
  bool scripted() const { return variant_ == V::atomic; }
  asio::awaitable<net::Outcome> multi_step(ClientCtx& ctx) const {
    if (variant_ == V::naive) return self().naive(ctx);
    return self().transaction(ctx);
  }

  V variant_;

 private:
  const Derived& self() const { return static_cast<const Derived&>(*this); }
};

// ---- checkers ---------------------------------------------------------------------------------------
// Stable LSD radix sort of `v` by bytes [lo_byte, hi_byte) (byte 0 = least significant), 16-bit digits for
// large inputs; passes whose digit is the same in every element are skipped. `scratch` is reused.
void radix_sort(std::vector<uint64_t>& v, std::vector<uint64_t>& scratch, int lo_byte, int hi_byte);

// Fills the verdict fields of a Correctness from its violation count.
void set_verdict(reports::Correctness& c, int64_t violations);
// "client 3 op 12"
std::string who(const Event& e);
// At most this many example sentences per report.
inline constexpr std::size_t kMaxExamples = 10;

}  // namespace lh::scenarios::support
