// One run, end to end: target (given or embedded) -> scripts loaded and verified -> for each scenario x variant:
// setup, load, check -> key cleanup -> the report model. Used by `run` and `demo` alike.
#pragma once
#include <iosfwd>
#include <optional>
#include <string>
#include <utility>
#include <vector>

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
};

// Runs everything; throws ExitError (usage 2, target 3) for setup problems. `log` gets one line per variant.
reports::Report execute(const RunConfig& cfg, std::ostream& log);

// The (scenario, variant) pairs a run with this config would run, in order ("custom"/"evalsha" for --script),
// without contacting anything. Throws UsageError for an unknown scenario or when no variant applies.
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
