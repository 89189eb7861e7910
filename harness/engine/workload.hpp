// What the engine runs: one variant of a workload (a built-in scenario's variant, or a user's script), for
// one run. The engine knows nothing else of scenarios: it calls setup() once, then, per op, either
// make_call/on_reply (single-call variants, pipelined with --pipeline) or op() (multi-step variants), then
// check() once on the merged history.
#pragma once
#include <vector>

#include "harness/engine/client_ctx.hpp"
#include "harness/engine/history.hpp"
#include "harness/model/report.hpp"
#include "harness/transport/admin_client.hpp"

namespace lh::engine {

using transport::SyncClient;

// One variant of one scenario, for one run. Shared read-only by all worker threads during the run
// (per-client state lives in ClientCtx); the lock scenario's holder count is the one deliberate exception.
class VariantRun {
 public:
  virtual ~VariantRun() = default;
  // Writes the initial state (under the prefix) before the load starts.
  virtual void setup(SyncClient&) {}
  // Multi-step variants: one logical op. Returns its outcome.
  virtual asio::awaitable<Outcome> op(ClientCtx&) = 0;
  // Single-call variants (pipelineable): fill the slot, then judge the reply.
  virtual bool single_call() const { return false; }
  virtual void make_call(ClientCtx&, ScriptCall&) {}
  virtual Outcome on_reply(ClientCtx&, ScriptCall&, const net::Reply&) { return Outcome::ok; }
  // After the load: reads the final state back and judges the merged history.
  virtual reports::Correctness check(SyncClient&, const History&) = 0;
  // Scripts this variant calls (loaded on every master before the run).
  virtual std::vector<const scripts::Script*> scripts() const { return {}; }
};

}  // namespace lh::engine
