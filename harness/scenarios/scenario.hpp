// One interface for "a scenario". A scenario is one .cpp file: its key layout, its variants and its checker
// side by side. Adding one = a new file + a line in registry.cpp + its lua/ file + tests.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "harness/engine/workload.hpp"
#include "harness/model/report.hpp"

namespace lh::scenarios {

namespace asio = boost::asio;
using engine::ClientCtx;
using engine::Event;
using net::Outcome;
using engine::History;
using transport::SyncClient;

struct Params {
  std::string key_prefix;   // "lh:<run-id>:" — every key starts with it
  uint64_t keys = 0;        // --keys; 0 = the scenario's own default
  double think_time_ms = 0; // --think-time
  uint32_t clients = 1;
  int64_t lock_ttl_ms = 0;  // --lock-ttl; 0 = the lock scenario's default (2000 ms)
};

// A single-script call, for atomic variants that the engine may pipeline (--pipeline).
using CallSlot = transport::ScriptCall;
using engine::VariantRun;

// A label for one key of a scenario's correctness.details, for the writers ("lost_updates" -> "lost updates").
struct DetailLabel {
  std::string_view key;
  std::string_view label;
};

// A built-in scenario: everything the rest of the program knows of it comes through this interface (the
// engine sees only the VariantRun that make() returns; the writers, the CLI and the schema ask the registry).
class Scenario {
 public:
  virtual ~Scenario() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view summary() const = 0;                 // one line for --help and the demo
  virtual std::vector<std::string> variants() const = 0;        // e.g. {"atomic", "naive", "transaction"}
  virtual bool safe_by_design(std::string_view variant) const = 0;
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
