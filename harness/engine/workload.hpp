// What the engine runs: one variant of a workload (a built-in scenario's variant, or a user's script), for
// one run. The engine knows nothing else of scenarios. A variant has one of two shapes, fixed by the class it
// derives from:
//
//   SingleCallRun  one script call per op, sent by the engine (pipelined with --pipeline):
//                    make_call(ctx, call)        fills the engine's reusable ScriptCall (script, keys, args,
//                                                and what the judgement needs: key_index, user[])
//                    on_reply(ctx, call, reply)  judges the reply, records the op's event, returns its outcome
//   MultiStepRun   anything else (several commands, WATCH/MULTI/EXEC, a pause inside the op):
//                    op(ctx)                     one logical op as a coroutine, recording its own event
//
// Both share the VariantRun part: setup() once before the load, scripts() to load on every master,
// new_state() for each worker thread's checker state (engine/check_state.hpp), which each op's recorded event
// feeds, and check() once on the merged state after it. Per op the engine makes one virtual call for a multi-step op
// (op) and two for a single call (make_call, on_reply); a single call allocates nothing once the engine's
// ScriptCall strings have their capacity (a multi-step op's coroutine frames are its own).
//
//   class MyAtomic final : public engine::SingleCallRun { ... make_call, on_reply, check ... };
//   class MyNaive final : public engine::MultiStepRun { ... op, check ... };
#pragma once
#include <vector>

#include <memory>

#include "harness/engine/check_state.hpp"
#include "harness/engine/client_ctx.hpp"
#include "harness/engine/history.hpp"
#include "harness/model/report.hpp"
#include "harness/transport/admin_client.hpp"

namespace lh::engine {

using transport::SyncClient;

class SingleCallRun;
class MultiStepRun;

// One variant of one scenario, for one run. Shared read-only by all worker threads during the run
// (per-client state lives in ClientCtx); a variant's own shared count, said in its file, is the one deliberate exception.
// Derive from SingleCallRun or MultiStepRun, never from VariantRun itself (its constructor is theirs).
class VariantRun {
 public:
  enum class Shape : uint8_t { single_call, multi_step };

  virtual ~VariantRun() = default;
  VariantRun(const VariantRun&) = delete;
  VariantRun& operator=(const VariantRun&) = delete;

  // Writes the initial state (under the prefix) before the load starts.
  virtual void setup(SyncClient&) {}
  // A fresh checker state (one per worker thread, and one the engine merges them into). The default keeps
  // every event; a built-in scenario's keeps tallies bounded by its keys.
  virtual std::unique_ptr<CheckState> new_state() const { return std::make_unique<HistoryState>(); }
  // After the load: reads the final state back and judges the merged checker state (one new_state() made,
  // fed and merged: check() may cast it to that type).
  virtual reports::Correctness check(SyncClient&, const CheckState&) = 0;
  // Scripts this variant calls (loaded on every master before the run).
  virtual std::vector<const scripts::Script*> scripts() const { return {}; }

  Shape shape() const { return shape_; }
  bool single_call() const { return shape_ == Shape::single_call; }

 private:
  friend class SingleCallRun;
  friend class MultiStepRun;
  explicit VariantRun(Shape s) : shape_(s) {}
  const Shape shape_;
};

// One script call per op, which the engine sends (several per round trip with --pipeline).
class SingleCallRun : public VariantRun {
 public:
  SingleCallRun() : VariantRun(Shape::single_call) {}
  // Fills `call` for this op (ctx.seq, ctx.start_us are the op's). `call` is the engine's, reused op after op:
  // assign its strings, don't rebuild them.
  virtual void make_call(ClientCtx& ctx, ScriptCall& call) = 0;
  // The reply to the call make_call filled (the same `call`, unchanged): records the op's event, returns
  // its outcome.
  virtual Outcome on_reply(ClientCtx& ctx, ScriptCall& call, const Reply& reply) = 0;
};

// Any other op: a coroutine that sends what it needs through ctx.redis and records its own event.
class MultiStepRun : public VariantRun {
 public:
  MultiStepRun() : VariantRun(Shape::multi_step) {}
  virtual asio::awaitable<Outcome> op(ClientCtx& ctx) = 0;
};

// The variant as its shape; null when it has the other one. (Only the two classes above construct a
// VariantRun, so the shape says which one it is.)
inline SingleCallRun* as_single_call(VariantRun& v) {
  return v.single_call() ? static_cast<SingleCallRun*>(&v) : nullptr;
}
inline MultiStepRun* as_multi_step(VariantRun& v) {
  return v.single_call() ? nullptr : static_cast<MultiStepRun*>(&v);
}

}  // namespace lh::engine
