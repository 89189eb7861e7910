// One run, end to end: target (given or embedded) -> scripts loaded and verified -> for each scenario x variant:
// setup, load, check -> key cleanup -> the report model. Used by `run` and `demo` alike.
#pragma once
#include <iosfwd>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harness/app/capacity.hpp"
#include "harness/engine/engine.hpp"
#include "harness/model/report.hpp"
#include "harness/net/connection.hpp"
#include "harness/net/tls.hpp"

namespace lh::app {

// What one run does. The CLI's flags write straight into these fields (harness/cli/options.cpp declares each flag
// once: its name, help, field and parser).
struct RunConfig {
  std::vector<std::string> targets;  // redis:// URLs; empty = embedded
  bool cluster = false;              // --cluster: force cluster mode
  std::string redis_server;          // --redis-server PATH for the embedded default
  int embedded_cluster = 0;          // --embedded-cluster N
  int replicas = 0;                  // --replicas R
  std::vector<std::string> scenarios;
  std::vector<std::string> variants;
  std::string script_path;  // --script
  // --function LIB.lua --fcall NAME: a Redis Functions library, FCALL NAME per op (its keys and args from
  // --key/--arg, as a script's).
  std::string function_path, fcall;
  std::vector<std::string> key_templates, arg_templates;
  bool eval = false;
  engine::LoadConfig load;
  std::optional<uint64_t> keys;
  int64_t lock_ttl_ms = 0;  // --lock-ttl (0: the scenario's default)
  std::string key_prefix;   // empty: lh:<run-id>:
  bool keep_keys = false;
  net::Timeouts timeouts;
  net::TlsOptions tls;  // --tls-*: for rediss:// targets
  // --max-error-rate: share of failed + indeterminate ops above which a variant is inconclusive.
  double max_error_rate = 0.01;
  // --shard INDEX/COUNT: this process runs its share of the clients, rate and requests (the flags give the
  // run's totals) under the shared --key-prefix; shard 0 alone verifies the prefix empty, runs the ACL
  // preflight and writes the initial state; no shard judges or cleans (lua-harness merge does), and each
  // result carries its merge_state. --start-at (unix microseconds) starts the load then, on every shard.
  std::optional<uint32_t> shard_index, shard_count;
  std::optional<int64_t> start_at_unix_us;
  // --workload FILE.json (app/workload_file.hpp): a weighted mix instead of --scenario or --script.
  std::string workload_path;
  // lua-harness capacity: search the highest open-loop rate meeting every SLO (app/capacity.hpp).
  std::optional<CapacityConfig> capacity;
};

// `lua-harness merge`: the shards' merge states of one run, per (scenario, variant) in the run's order.
struct MergeInput {
  std::vector<std::vector<nlohmann::json>> states;            // [job][shard]
  std::vector<std::string> files;                             // [shard]: its report's path, for the errors
  std::vector<std::map<std::string, uint64_t>> ops_per_node;  // [job]: the shards' summed (a cluster)
  bool failover_detected = false;                             // some shard saw the cluster's topology change
};

// Runs everything; throws ExitError (usage 2, target 3) for setup problems. `log` gets one line per variant.
// With `merge`, nothing is loaded or set up: each job's LoadResult is the shards' merged, then judged
// against the final state read back, cleaned up and reported as a run's (lua-harness merge).
reports::Report execute(const RunConfig& cfg, std::ostream& log, const MergeInput* merge = nullptr);

// The (scenario, variant) pairs a run with this config would run, in order ("custom"/"evalsha" for --script
// and a --workload's script entries), without contacting anything. Throws UsageError for an unknown scenario or when no variant applies.
std::vector<std::pair<std::string, std::string>> planned_variants(const RunConfig& cfg);

// The report of a run that ended before its load (exit 2, 3 or 130): config as asked, no results, `error`
// holding the message.
reports::Report error_report(const RunConfig& cfg, const std::string& started_at, int exit_code,
                             const std::string& message);

// ISO 8601 UTC, now ("2026-11-27T10:00:00Z").
std::string iso_now();

// Validates a user-supplied key prefix (no braces, not empty); throws UsageError naming --key-prefix.
void validate_key_prefix(const std::string& prefix);

}  // namespace lh::app
