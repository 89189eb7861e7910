// Helpers the built-in scenarios share: key names, integers as text without allocating, outcome rules,
// WATCH/MULTI/EXEC, the single-script call plumbing, and the small sort the checkers use. Not part of the
// Scenario interface: a scenario file stays readable on its own, these are the words it is written in.
#pragma once
#include <array>
#include <charconv>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>  // Boost 1.74 Asio needs std::exchange declared first
#include <vector>

#include "reports/report.hpp"
#include "scenarios/scenario.hpp"

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

// WATCH key. False (and the failure in `out`) when the command failed: nothing was written.
asio::awaitable<bool> watch(ClientCtx& ctx, std::string_view key, Reply& out);
// UNWATCH, when the connection still works (a failed read inside WATCH, or the op decided not to write).
asio::awaitable<void> unwatch(ClientCtx& ctx, std::string_view route);
// MULTI, the commands, EXEC, routed by `route` (one node, one connection). EXEC nil = a WATCHed key changed
// = conflict. A failure before EXEC is sent: DISCARD (when the connection works), failed. A transport failure
// of EXEC, or an EXEC whose elements hold errors (partly applied): indeterminate.
asio::awaitable<TxResult> multi_exec(ClientCtx& ctx, std::string_view route,
                                     std::span<const std::span<const std::string_view>> commands);
net::Outcome outcome_of(const TxResult& t);

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
