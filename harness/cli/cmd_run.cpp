// `lua-harness run` and `lua-harness demo`: parse, execute, gate, write the outputs.
#include <fstream>
#include <iostream>
#include <sstream>

#include "harness/app/runner.hpp"
#include "harness/app/workload_file.hpp"
#include "harness/cli/commands.hpp"
#include "harness/cli/options.hpp"
#include "harness/cli/validate.hpp"
#include "harness/model/report_file.hpp"
#include "harness/net/url.hpp"
#include "harness/reports/console.hpp"
#include "harness/reports/format.hpp"
#include "harness/reports/outputs.hpp"
#include "harness/reports/summary.hpp"
#include "harness/reports/thresholds.hpp"
#include "harness/util/exit_errors.hpp"
#include "harness/util/secrets.hpp"

namespace lh::cli {

namespace {

const char* kRunExamples = R"(examples:
  # the built-in scenarios against an embedded redis-server, atomic vs naive
  lua-harness run --scenario $1,$2 --duration 5s
  # your own script, EVALSHA with templated keys and args, 50 clients, 10 s
  lua-harness run --script lua/rate_limit.lua --key 'ratelimit:user:${rand:1-50}' \
      --arg 60 --arg 100 --arg '${now_ms}' --arg '${uuid}' --report run.json
  # a CI gate against your Redis
  lua-harness run --target redis://127.0.0.1:6379 --scenario $1 --variant atomic \
      --threshold 'p99_ms<5' --threshold 'violations==0' --report run.json
  # open loop at 20,000 ops/s, pipelined script calls
  lua-harness run --script lua/counter_incr.lua --key 'c:{${rand:1-100}}' --rate 20000 --duration 5s
)";

const char* kCapacityHelp =
    R"(Finds the highest open-loop rate the target sustains while every --slo holds: steps of a fresh measured
run each (its own warmup, its keys set up anew), the rate doubling from --rate-start until a step fails, then
a binary search between the last good and the first bad rate down to --precision. A step also fails when it
completes less than 95 % of its target (the generator, not the server, was the limit: raise --clients or
--threads) or when a variant safe by design shows violations. Prints every step and the answer; the report
holds capacity.max_rate, capacity.steps[] and capacity.limited_by, and its results are the best step's.
Exit 0 when a rate met every SLO, 1 when even --rate-start failed.)";

const char* kCapacityExamples = R"(examples:
  # how many rate-limiter calls per second at p99 under 2 ms?
  lua-harness capacity --script lua/rate_limit.lua --key 'rl:${rand:1-1000}' \
      --arg 1000 --arg 100 --arg '${now_ms}' --arg '${uuid}' --slo 'p99_ms<2' --html capacity.html
  # a built-in scenario, checked at every step
  lua-harness capacity --scenario $1 --variant atomic --slo 'p99_ms<1' --slo 'violations==0'
  # a mix of scripts, one entry held to its own objective
  lua-harness capacity --workload mix.json --slo 'total:p99_ms<5' --slo 'limiter:p99_ms<2' --rate-max 50000
)";

const char* kDemoExamples = R"(examples:
  lua-harness demo
  lua-harness demo --duration 1s --report demo.json
  lua-harness demo --scenario $1,$2 --think-time 1ms
  lua-harness demo --target redis://127.0.0.1:6379
)";

void write_json(const reports::Report& r, const std::string& path) {
  const std::string text = redact(reports::to_json(r).dump(2) + "\n");
  if (path == "-") {
    std::cout << text;
    return;
  }
  std::ofstream f(path);
  if (!f || !(f << text) || !f.flush()) throw UsageError("--report " + path + ": cannot write the file");
}

// 12345 -> "12,345" (counts: never negative).
std::string thousands(int64_t v) {
  return reports::with_commas(static_cast<uint64_t>(std::max<int64_t>(v, 0)));
}

// Writes every output asked for, each attempted even when another fails; false (with each error said) if any
// could not be written.
bool write_all(const RunOptions& o, const reports::Report& report) {
  bool ok = true;
  auto attempt = [&](auto&& write) {
    try {
      write();
    } catch (const std::exception& e) {
      std::cerr << "lua-harness: " << e.what() << "\n";
      ok = false;
    }
  };
  if (!o.report.empty()) attempt([&] { write_json(report, o.report); });
  attempt([&] { reports::write_outputs(report, o.outputs); });
  return ok;
}

bool any_on_stdout(const RunOptions& o) {
  const auto& out = o.outputs;
  return o.report == "-" || out.markdown == "-" || out.junit == "-" || out.gbench == "-" || out.html == "-";
}

int finish(const RunOptions& o, reports::Report& report, bool demo) {
  if (!o.thresholds.empty()) reports::evaluate_thresholds(o.thresholds, report);
  std::ostream& human = any_on_stdout(o) ? std::cerr : std::cout;  // stdout belongs to that output
  reports::print_table(report, human);
  if (demo) reports::demo_summary(report, human);
  reports::print_capacity(report, human);
  // Warnings, an abort and a cleanup that left keys are said on stderr as they happen (the log); with --quiet
  // the log is silent, so they are said here.
  if (o.quiet) {
    for (const auto& w : report.warnings) std::cerr << "warning: " << w << "\n";
    if (report.cleanup)
      std::cerr << "cleanup incomplete: "
                << (report.cleanup->keys_left < 0 ? std::string("an unknown number of")
                                                  : thousands(report.cleanup->keys_left))
                << " keys left under '" << report.config.key_prefix << "': " << report.cleanup->reason
                << "\n";
    if (report.aborted) std::cerr << "aborted: " << *report.aborted << "\n";
  }
  if (report.interrupted) human << "interrupted: partial results\n";
  // A lost output never hides the run's own failure; it fails a run that passed (exit 2).
  if (!write_all(o, report) && report.exit_code == kExitOk) return kExitUsage;
  return report.exit_code;
}

bool wants_outputs(const RunOptions& o) { return !o.report.empty() || o.outputs.any(); }

// The run ended before its load (bad input found by Redis, the target unreachable, a signal): the outputs
// asked for are still written, with the exit code and the message, so CI never loses the why.
int early_exit(const RunOptions& o, const std::string& started_at, int code, const std::string& raw_message) {
  const std::string message = redact(raw_message);  // Redis may echo arguments in an error
  std::cerr << "lua-harness: " << message << "\n";
  if (!wants_outputs(o)) return code;
  write_all(o, app::error_report(o.run, started_at, code, message));
  return code;
}

// The (scenario, variant) pairs of the plan, and a --workload's entry names (with "total") as (name, ""),
// which threshold and SLO scopes may name.
std::vector<std::pair<std::string, std::string>> planned_scopes(const app::RunConfig& cfg) {
  auto planned = app::planned_variants(cfg);
  if (!cfg.workload_path.empty()) {
    for (const auto& w : app::read_workload(cfg.workload_path)) planned.emplace_back(w.name, "");
    planned.emplace_back("total", "");
  }
  return planned;
}

enum class Command { run, demo, capacity };

int run_or_demo(int argc, char** argv, Command command) {
  const bool demo = command == Command::demo, capacity = command == Command::capacity;
  RunOptions o;
  po::options_description d(demo       ? "lua-harness demo [options]"
                            : capacity ? "lua-harness capacity --slo EXPR [options]"
                                       : "lua-harness run [options]");
  d.add_options()("help,h", "show this help");
  add_run_options(d, o, demo);
  if (capacity) {
    add_capacity_options(d, o);
    o.run.variants = {"atomic"};  // one workload: the script itself, unless --variant says otherwise
  }
  auto vm = parse_or_usage(argc, argv, d);
  if (vm.count("help")) {
    if (capacity) std::cout << kCapacityHelp << "\n";
    std::cout << d << "\n"
              << with_scenarios(demo       ? kDemoExamples
                                : capacity ? kCapacityExamples
                                           : kRunExamples);
    return 0;
  }
  notify_or_usage(vm);  // every flag into its field, each parsed and checked on its own
  validate_before_load(o, vm);
  const app::RunConfig& cfg = o.run;
  // Threshold scopes must name a scenario or variant of this run: found now, not after the whole load. The
  // outputs are known writable by now, so they say it too.
  const std::string checked_at = app::iso_now();
  try {
    const auto planned = planned_scopes(cfg);
    if (cfg.capacity)
      for (const auto& t : cfg.capacity->slos)
        if (auto problem = reports::threshold_scope_problem(t, planned)) {
          std::string p = *problem;
          if (p.rfind("--threshold", 0) == 0) p.replace(0, 11, "--slo");
          throw UsageError(p);
        }
    if (cfg.shard_count && planned.size() != 1)
      throw UsageError("--shard runs one scenario and variant (this plan has " +
                       std::to_string(planned.size()) +
                       "): give --scenario NAME --variant NAME, one Job per variant");
    for (const auto& t : o.thresholds)
      if (auto problem = reports::threshold_scope_problem(t, planned)) throw UsageError(*problem);
  } catch (const UsageError& e) {
    return early_exit(o, checked_at, kExitUsage, e.what());
  }
  std::ostringstream sink;
  std::ostream& log = o.quiet ? static_cast<std::ostream&>(sink) : std::cerr;
  log << "seed " << cfg.load.seed << "\n";
  const std::string started_at = app::iso_now();
  reports::Report report;
  try {
    report = app::execute(cfg, log);
  } catch (const ExitError& e) {
    return early_exit(o, started_at, e.exit_code, e.what());
  } catch (const Interrupted&) {
    return early_exit(o, started_at, kExitInterrupted, "interrupted before the load started");
  }
  return finish(o, report, demo);
}

// The flags that shape a run's load: a merge takes them from its shards' config.
constexpr const char* kShardsOwn[] = {
    "scenario",   "variant",      "script",         "key",        "arg",      "eval",     "pipeline",
    "requests",   "rate",         "warmup",         "clients",    "threads",  "duration", "keys",
    "think-time", "lock-ttl",     "seed",           "key-prefix", "shard",    "start-at", "embedded-cluster",
    "replicas",   "redis-server", "max-error-rate", "stages",     "workload", "function", "fcall"};

const char* kMergeHelp =
    R"(Merges the reports of one run's shards (run --shard INDEX/COUNT) into the report one process
would have written: it checks they are one run (the same config, every index from 0 to COUNT - 1 once),
adds their histograms, series and counts, merges their checkers' states, reads the final state back from
--target once, judges it, deletes the run's keys (unless --keep-keys) and writes every output run writes,
with run's exit code.

examples:
  lua-harness merge --target redis://redis:6379 --report run.json shard-0.json shard-1.json shard-2.json
  lua-harness merge --target redis://redis:6379 --junit junit.xml --threshold 'violations==0' /reports/*.json
)";

// The config of a shard's report, as merge compares it: without what may differ between shards.
nlohmann::json run_identity(const reports::Report& r) {
  nlohmann::json c = reports::to_json(r).at("config");
  c.erase("threads");
  if (c.contains("shard")) c["shard"].erase("index");
  return c;
}

int merge_shards(int argc, char** argv) {
  RunOptions o;
  po::options_description d("lua-harness merge [options] SHARD.json...");
  d.add_options()("help,h", "show this help");
  add_run_options(d, o, false);
  std::vector<std::string> files;
  po::variables_map vm;
  try {
    vm = parse_with_files(argc, argv, d, files);
  } catch (const po::error& e) {
    throw UsageError(e.what());
  }
  if (vm.count("help")) {
    std::cout << kMergeHelp << "\n" << d << "\n";
    return 0;
  }
  notify_or_usage(vm);
  for (const char* flag : kShardsOwn)
    if (vm.count(flag) && !vm[flag].defaulted())
      throw UsageError(std::string("merge: --") + flag +
                       " is the shards' own (their config decides): leave it out");
  if (files.empty())
    throw UsageError("merge: no SHARD.json given (lua-harness merge [--target URL] SHARD.json...)");

  std::vector<reports::Report> shards;
  for (const auto& f : files) {
    try {
      shards.push_back(reports::load_report_file(f));
    } catch (const std::exception& e) {
      throw UsageError(f + ": " + e.what());
    }
    const auto& r = shards.back();
    if (!r.config.shard_count || !r.config.shard_index)
      throw UsageError(f +
                       ": not a shard's report (it has no config.shard.index; run with --shard INDEX/COUNT)");
    if (r.error)
      throw ExitError(r.exit_code ? r.exit_code : kExitFailed,
                      f + ": the shard ended before its load: " + r.error.value());
    if (r.aborted) throw TargetError(f + ": the shard was aborted: " + *r.aborted);
    if (*r.config.shard_count < 1 || *r.config.shard_index >= *r.config.shard_count)
      throw UsageError(f + ": config.shard index " + std::to_string(*r.config.shard_index) + " of " +
                       std::to_string(*r.config.shard_count) + " is not a shard");
    if (!r.not_run.empty())
      throw UsageError(f + ": shard " + std::to_string(*r.config.shard_index) + " did not run " +
                       r.not_run.front().scenario + "/" + r.not_run.front().variant + ": " +
                       r.not_run.front().reason);
    if (r.config.script.size() || r.config.function.size())
      throw UsageError(f +
                       ": merging --script and --function runs is not supported: their key and arg templates "
                       "are not in the report");
  }
  const uint32_t count = *shards.front().config.shard_count;
  std::vector<int> by_index(count, -1);
  const nlohmann::json identity = run_identity(shards.front());
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const auto& c = shards[i].config;
    if (*c.shard_count != count)
      throw UsageError(files[i] + ": shard of " + std::to_string(*c.shard_count) + ", but " + files[0] +
                       " is of " + std::to_string(count));
    const auto& t0 = shards.front().target;
    const auto& t = shards[i].target;
    if (t.mode != t0.mode || t.nodes != t0.nodes || t.tls != t0.tls)
      throw UsageError(files[i] + ": ran against " + t.mode + " " +
                       (t.nodes.empty() ? "?" : t.nodes.front()) + ", " + files[0] + " against " + t0.mode +
                       " " + (t0.nodes.empty() ? "?" : t0.nodes.front()) + ": not one run");
    if (const auto other = run_identity(shards[i]); other != identity) {
      std::string key;
      for (const auto& [k, v] : identity.items())
        if (!other.contains(k) || other.at(k) != v) key = k;
      for (const auto& [k, v] : other.items())
        if (!identity.contains(k)) key = k;
      throw UsageError(files[i] + ": not the same run as " + files[0] + " (config." + key + " differs)");
    }
    int& slot = by_index[*c.shard_index];
    if (slot >= 0)
      throw UsageError(files[i] + " and " + files[static_cast<std::size_t>(slot)] + " are both shard " +
                       std::to_string(*c.shard_index) + "/" + std::to_string(count));
    slot = static_cast<int>(i);
  }
  for (uint32_t k = 0; k < count; ++k)
    if (by_index[k] < 0)
      throw UsageError("shard " + std::to_string(k) + "/" + std::to_string(count) + " is missing (" +
                       std::to_string(shards.size()) + " of " + std::to_string(count) + " given)");

  const auto& first = shards[static_cast<std::size_t>(by_index[0])];
  // No --target: the shards' own, when their report names it fully (no credentials, which it never holds).
  if (o.run.targets.empty()) {
    if (first.target.embedded)
      throw UsageError("merge: the shards ran against an embedded server, which is gone: give --target URL");
    for (const auto& node : first.target.nodes) {
      if (node.find('@') != std::string::npos || node.find("***") != std::string::npos)
        throw UsageError("merge needs --target URL: the shards' target " + node +
                         " takes credentials, which their reports do not hold");
      o.run.targets.push_back(node.find("://") != std::string::npos
                                  ? node
                                  : (first.target.tls ? "rediss://" : "redis://") + node);
    }
  }
  app::MergeInput input;
  input.states.resize(first.results.size());
  input.ops_per_node.resize(first.results.size());
  for (uint32_t k = 0; k < count; ++k) {
    const auto& s = shards[static_cast<std::size_t>(by_index[k])];
    const std::string& f = files[static_cast<std::size_t>(by_index[k])];
    input.files.push_back(f);
    input.failover_detected = input.failover_detected || s.target.failover_detected;
    if (s.results.size() != first.results.size())
      throw UsageError(f + ": " + std::to_string(s.results.size()) + " results, shard 0 has " +
                       std::to_string(first.results.size()));
    for (std::size_t j = 0; j < s.results.size(); ++j) {
      const auto& r = s.results[j];
      if (r.scenario != first.results[j].scenario || r.variant != first.results[j].variant)
        throw UsageError(f + ": result " + std::to_string(j) + " is " + r.scenario + "/" + r.variant +
                         ", shard 0's " + first.results[j].scenario + "/" + first.results[j].variant);
      if (!r.merge_state) throw UsageError(f + ": " + r.scenario + "/" + r.variant + " has no merge_state");
      input.states[j].push_back(*r.merge_state);
      for (const auto& [node, n] : r.ops_per_node) input.ops_per_node[j][node] += n;
    }
  }

  // The run as the shards' config describes it, against the merge's --target.
  app::RunConfig& cfg = o.run;
  const auto& c = first.config;
  cfg.scenarios = c.scenarios;
  cfg.variants = c.variants;
  cfg.keys = c.keys;
  cfg.lock_ttl_ms = c.lock_ttl_ms;
  cfg.key_prefix = c.key_prefix;
  cfg.max_error_rate = c.max_error_rate;
  cfg.load.clients = c.clients;
  cfg.load.pipeline = c.pipeline;
  cfg.load.duration = std::chrono::microseconds(static_cast<int64_t>(c.duration_s * 1e6));
  cfg.load.requests = c.requests;
  cfg.load.rate = c.rate;
  cfg.load.seed = c.seed;
  cfg.load.warmup = std::chrono::microseconds(static_cast<int64_t>(c.warmup_s * 1e6));
  cfg.load.think_time_ms = c.think_time_ms;
  cfg.load.stages = c.stages;
  cfg.load.threads = 0;
  for (const auto& s : shards) cfg.load.threads += s.config.threads;
  validate_before_load(o, vm);
  cfg.shard_count = count;  // the merged report says how many shards it merged
  cfg.start_at_unix_us = c.start_at_unix_us;

  std::ostringstream sink;
  std::ostream& log = o.quiet ? static_cast<std::ostream&>(sink) : std::cerr;
  log << "merging " << count << " shards of " << c.key_prefix << "\n";
  const std::string started_at = app::iso_now();
  reports::Report report;
  try {
    report = app::execute(cfg, log, &input);
  } catch (const ExitError& e) {
    return early_exit(o, started_at, e.exit_code, e.what());
  } catch (const Interrupted&) {
    return early_exit(o, started_at, kExitInterrupted, "interrupted before the merge read the final state");
  }
  report.started_at = first.started_at;  // the run's, not the merge's
  return finish(o, report, false);
}

}  // namespace

int cmd_merge(int argc, char** argv) { return merge_shards(argc, argv); }
int cmd_run(int argc, char** argv) { return run_or_demo(argc, argv, Command::run); }
int cmd_demo(int argc, char** argv) { return run_or_demo(argc, argv, Command::demo); }
int cmd_capacity(int argc, char** argv) { return run_or_demo(argc, argv, Command::capacity); }

}  // namespace lh::cli
