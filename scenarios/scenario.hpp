// One interface for "a scenario". A scenario is one .cpp file: its key layout, its variants and its checker
// side by side. Adding one = a new file + a line in registry.cpp + its lua/ file + tests.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "harness/engine/client.hpp"
#include "harness/engine/sync_client.hpp"
#include "reports/report.hpp"
#include "scenarios/history.hpp"

namespace lh::scenarios {

namespace asio = boost::asio;
using engine::ClientCtx;
using engine::SyncClient;

struct Params {
  std::string key_prefix;   // "lh:<run-id>:" — every key starts with it
  uint64_t keys = 0;        // --keys; 0 = the scenario's own default
  double think_time_ms = 0; // --think-time
  uint32_t clients = 1;
  int64_t lock_ttl_ms = 0;  // --lock-ttl; 0 = the lock scenario's default (2000 ms)
};

// A single-script call, for atomic variants that the engine may pipeline (--pipeline).
using CallSlot = engine::ScriptCall;

// One variant of one scenario, for one run. Shared read-only by all worker threads during the run
// (per-client state lives in ClientCtx); the lock scenario's holder count is the one deliberate exception.
class VariantRun {
 public:
  virtual ~VariantRun() = default;
  // Writes the initial state (under the prefix) before the load starts.
  virtual void setup(SyncClient&) {}
  // Multi-step variants: one logical op. Returns its outcome.
  virtual asio::awaitable<engine::Outcome> op(ClientCtx&) = 0;
  // Single-call variants (pipelineable): fill the slot, then judge the reply.
  virtual bool single_call() const { return false; }
  virtual void make_call(ClientCtx&, CallSlot&) {}
  virtual engine::Outcome on_reply(ClientCtx&, CallSlot&, const net::Reply&) { return engine::Outcome::ok; }
  // After the load: reads the final state back and judges the merged history.
  virtual reports::Correctness check(SyncClient&, const History&) = 0;
  // Scripts this variant calls (loaded on every master before the run).
  virtual std::vector<const scripts::Script*> scripts() const { return {}; }
};

class Scenario {
 public:
  virtual ~Scenario() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view summary() const = 0;                 // one line for --help and the demo
  virtual std::vector<std::string> variants() const = 0;        // e.g. {"atomic", "naive", "transaction"}
  virtual bool safe_by_design(std::string_view variant) const = 0;
  virtual std::unique_ptr<VariantRun> make(std::string_view variant, const Params& p) const = 0;
};

// All built-in scenarios, in the contract's order.
const std::vector<const Scenario*>& all_scenarios();
const Scenario* find_scenario(std::string_view name);

}  // namespace lh::scenarios
