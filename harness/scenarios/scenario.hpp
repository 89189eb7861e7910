// One interface for "a scenario". A built-in scenario is its own files and nothing else knows it:
//
//   NAME.cpp        its key layout and variants; the Scenario (facts and the sentence that explains its
//                   violations) that registry.cpp lists
//   NAME_check.hpp  its checker: the event encoding its variants record, the checker's input, check_NAME(),
//   NAME_check.cpp  and the keys the checker writes into correctness.details (label and JSON type)
//   lua/*.lua       its scripts
//
// Each variant is a small class of one of the engine's two shapes (engine/workload.hpp): a SingleCallRun
// (make_call + on_reply: one script call per op, which the engine pipelines) or a MultiStepRun (op(): a
// coroutine). The variants of one scenario share a base holding the keys, setup() and check(), e.g.
//
//   template <class Shape> class CounterRun : public Shape { keys, setup, check };
//   class CounterAtomic final : public CounterRun<engine::SingleCallRun> { make_call, on_reply };
//   class CounterNaive final : public CounterRun<engine::MultiStepRun> { op };
//
// and the scenario's table (support::ScenarioFacts) names them, says which are safe by design and how to
// make each. Adding one: NAME.cpp, NAME_check.{hpp,cpp}, lua/NAME*.lua, one line in registry.cpp, its tests.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "harness/engine/workload.hpp"
#include "harness/model/report.hpp"
#include "harness/scenarios/details.hpp"

namespace lh::scenarios {

namespace asio = boost::asio;
using engine::ClientCtx;
using engine::Event;
using engine::History;
using engine::MultiStepRun;
using engine::SingleCallRun;
using engine::VariantRun;
using net::Outcome;
using transport::ScriptCall;
using transport::SyncClient;

// What a scenario's variants are made from (the run's settings that shape the keys and the state).
struct Params {
  std::string key_prefix;   // "lh:<run-id>:" — every key starts with it
  uint64_t keys = 0;        // --keys; 0 = the scenario's own default
  int64_t lock_ttl_ms = 0;  // --lock-ttl; 0 = the lock scenario's default (2000 ms)
};

// A built-in scenario: everything the rest of the program knows of it comes through this interface (the
// engine sees only the VariantRun that make() returns; the writers, the CLI and the schema ask the registry).
class Scenario {
 public:
  virtual ~Scenario() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view summary() const = 0;           // one line for --help and the demo
  virtual std::vector<std::string> variants() const = 0;  // e.g. {"atomic", "naive", "transaction"}
  // Whether a violation in this variant is a failure (true) or the expected demonstration (false; also for a
  // variant the scenario lacks). The one place this is decided: the checker's input and the report take it
  // from here.
  virtual bool safe_by_design(std::string_view variant) const = 0;
  // A fresh run of one variant (nullptr for a variant the scenario lacks). Throws std::invalid_argument when
  // the Params do not fit the scenario (--keys too large).
  virtual std::unique_ptr<VariantRun> make(std::string_view variant, const Params& p) const = 0;

  // ---- what the writers say about its results ----
  // The violations in the scenario's own words, plural: "lost updates" (console, markdown, JUnit, HTML).
  virtual std::string_view violation_noun() const { return "violations"; }
  // One plain sentence on what a variant with violations got wrong, for the demo's conclusion, without a
  // trailing period: "naive counter lost 37 of 10,000 acknowledged increments". Built from r.correctness.
  virtual std::string explain(const reports::Result& r) const;
  // Labels for the keys of correctness.details, in the order a reader should see them.
  virtual std::vector<DetailLabel> detail_labels() const { return {}; }
  // The JSON Schema (draft 2020-12) of correctness.details for this scenario: an object schema, as JSON text.
  virtual std::string_view details_schema() const { return R"({"type": "object"})"; }
};

// All built-in scenarios, in the contract's order.
const std::vector<const Scenario*>& all_scenarios();
const Scenario* find_scenario(std::string_view name);
// Every variant name any built-in scenario offers, in first-seen order over all_scenarios(): the demo's list.
std::vector<std::string> all_variant_names();

}  // namespace lh::scenarios
