// `lua-harness run` and `lua-harness demo`: parse, execute, gate, write the outputs.
#include <fstream>
#include <iostream>
#include <sstream>

#include "harness/cli/commands.hpp"
#include "harness/cli/options.hpp"
#include "harness/cli/validate.hpp"
#include "harness/util/exit_errors.hpp"
#include "harness/app/runner.hpp"
#include "harness/net/url.hpp"
#include "harness/util/secrets.hpp"
#include "harness/reports/console.hpp"
#include "harness/reports/format.hpp"
#include "harness/reports/outputs.hpp"
#include "harness/reports/thresholds.hpp"

namespace lh::cli {

namespace {

const char* kRunExamples = R"(examples:
  # the built-in scenarios against an embedded redis-server, atomic vs naive
  lua-harness run --scenario counter,cas --duration 5s
  # your own script, EVALSHA with templated keys and args, 50 clients, 10 s
  lua-harness run --script lua/rate_limit.lua --key 'ratelimit:user:${rand:1-50}' \
      --arg 60 --arg 100 --arg '${now_ms}' --arg '${uuid}' --report run.json
  # a CI gate against your Redis
  lua-harness run --target redis://127.0.0.1:6379 --scenario counter --variant atomic \
      --threshold 'p99_ms<5' --threshold 'violations==0' --report run.json
  # open loop at 20,000 ops/s, pipelined script calls
  lua-harness run --script lua/counter_incr.lua --key 'c:{${rand:1-100}}' --rate 20000 --duration 5s
)";

const char* kDemoExamples = R"(examples:
  lua-harness demo
  lua-harness demo --duration 1s --report demo.json
  lua-harness demo --scenario counter,lock --think-time 1ms
  lua-harness demo --target redis://127.0.0.1:6379
)";

reports::OutputOptions outputs_of(const CommonOptions& o) {
  reports::OutputOptions out;
  out.html = o.html;
  out.markdown = o.markdown;
  out.junit = o.junit;
  out.gbench = o.gbench;
  return out;
}

void write_json(const reports::Report& r, const std::string& path) {
  const std::string text = reports::to_json(r).dump(2) + "\n";
  if (path == "-") {
    std::cout << text;
    return;
  }
  std::ofstream f(path);
  if (!f || !(f << text) || !f.flush()) throw UsageError("--report " + path + ": cannot write the file");
}

// 12345 -> "12,345" (counts: never negative).
std::string thousands(int64_t v) { return reports::with_commas(static_cast<uint64_t>(std::max<int64_t>(v, 0))); }

// One plain sentence per scenario: what the naive twin got wrong.
std::string sentence(const reports::Result& r) {
  const auto n = thousands;
  const auto& d = r.correctness.details;
  const int64_t v = r.correctness.violations;
  const std::string who = r.variant + " " + r.scenario;
  if (r.scenario == "counter")
    return who + " lost " + n(v) + " of " + n(d.value("acknowledged", int64_t{0})) + " acknowledged increments";
  if (r.scenario == "cas") {
    const int64_t values = d.value("values_with_several_winners", int64_t{0});
    const int64_t extra = d.value("values_consumed_twice", int64_t{0});
    const int64_t breaks = d.value("chain_breaks", int64_t{0});
    std::string out = who + ": " + n(values) + (values == 1 ? " value was" : " values were") +
                      " consumed by more than one winning swap (" + n(extra) + " extra winners)";
    if (breaks > 0) out += ", and " + n(breaks) + " acknowledged swaps fell off the chain";
    return out;
  }
  if (r.scenario == "rate-limiter") return who + " admitted " + n(v) + " requests beyond its limit";
  if (r.scenario == "lock") return who + " let two clients hold the lock at once " + n(v) + " times";
  if (r.scenario == "inventory") return who + " oversold " + n(v) + " units";
  if (r.scenario == "leaderboard") return who + " lost the best score of " + n(v) + " members";
  return who + ": " + n(v) + " violations of \"" + r.correctness.invariant + "\"";
}

// What the demo concludes, in words: never "everything held" about something it did not see.
void demo_summary(const reports::Report& report, std::ostream& human) {
  human << "\n";
  bool clean = !report.aborted && report.not_run.empty() && !report.interrupted;
  bool safe_violated = false;
  for (const auto& r : report.results) {
    const std::string who = r.variant + " " + r.scenario;
    if (r.correctness.verdict == "inconclusive") {
      human << "  " << who << " is inconclusive: " << r.correctness.reason << ".\n";
      clean = false;
    } else if (!r.correctness.checked) {
      human << "  " << who << " was not checked" << (r.correctness.reason.empty() ? "" : ": " + r.correctness.reason)
            << ".\n";
      clean = false;
    } else if (r.correctness.violations > 0) {
      human << "  " << sentence(r) << ".\n";
      if (r.correctness.safe_by_design) safe_violated = true;
    }
  }
  for (const auto& n : report.not_run) human << "  " << n.variant << " " << n.scenario << " did not run: " << n.reason << ".\n";
  if (safe_violated)
    human << "  A variant that is safe by design showed violations: see the table above.\n";
  else if (clean)
    human << "  Every atomic script and transaction held its invariant.\n";
  else
    human << "  Not every variant could be judged: nothing is concluded about those above.\n";
}

// Writes every output asked for, each attempted even when another fails; false (with each error said) if any
// could not be written.
bool write_all(const CommonOptions& o, const reports::Report& report) {
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
  attempt([&] { reports::write_outputs(report, outputs_of(o)); });
  return ok;
}

bool any_on_stdout(const CommonOptions& o) {
  return o.report == "-" || o.markdown == "-" || o.junit == "-" || o.gbench == "-" || o.html == "-";
}

int finish(const CommonOptions& o, reports::Report& report, bool demo) {
  std::vector<reports::ThresholdSpec> specs;
  for (const auto& t : o.thresholds) specs.push_back(reports::parse_threshold(t));
  if (!specs.empty()) reports::evaluate_thresholds(specs, report);
  std::ostream& human = any_on_stdout(o) ? std::cerr : std::cout;  // stdout belongs to that output
  reports::print_table(report, human);
  if (demo) demo_summary(report, human);
  // Warnings, an abort and a cleanup that left keys are said on stderr as they happen (the log); with --quiet
  // the log is silent, so they are said here.
  if (o.quiet) {
    for (const auto& w : report.warnings) std::cerr << "warning: " << w << "\n";
    if (report.cleanup)
      std::cerr << "cleanup incomplete: "
                << (report.cleanup->keys_left < 0 ? std::string("an unknown number of")
                                                  : thousands(report.cleanup->keys_left))
                << " keys left under '" << report.config.key_prefix << "': " << report.cleanup->reason << "\n";
    if (report.aborted) std::cerr << "aborted: " << *report.aborted << "\n";
  }
  if (report.interrupted) human << "interrupted: partial results\n";
  // A lost output never hides the run's own failure; it fails a run that passed (exit 2).
  if (!write_all(o, report) && report.exit_code == kExitOk) return kExitUsage;
  return report.exit_code;
}

bool wants_outputs(const CommonOptions& o) {
  return !o.report.empty() || !o.html.empty() || !o.markdown.empty() || !o.junit.empty() || !o.gbench.empty();
}

// The run ended before its load (bad input found by Redis, the target unreachable, a signal): the outputs
// asked for are still written, with the exit code and the message, so CI never loses the why.
int early_exit(const CommonOptions& o, const app::RunConfig& cfg, const std::string& started_at, int code,
               const std::string& raw_message) {
  std::vector<std::string> secrets;  // Redis may echo arguments in an error: mask the passwords of the URLs
  for (const auto& t : cfg.targets) {
    try {
      if (auto u = net::parse_redis_url(t); !u.password.empty()) secrets.push_back(u.password);
    } catch (const std::exception&) {
    }
  }
  const std::string message = without_secrets(raw_message, secrets);
  std::cerr << "lua-harness: " << message << "\n";
  if (!wants_outputs(o)) return code;
  write_all(o, app::error_report(cfg, started_at, code, message));
  return code;
}

int run_or_demo(int argc, char** argv, bool demo) {
  CommonOptions o;
  po::options_description d(demo ? "lua-harness demo [options]" : "lua-harness run [options]");
  d.add_options()("help,h", "show this help");
  add_target_options(d, o);
  add_workload_options(d, o, demo);
  add_output_options(d, o);
  auto vm = parse_or_usage(argc, argv, d);
  if (vm.count("help")) {
    std::cout << d << "\n" << (demo ? kDemoExamples : kRunExamples);
    return 0;
  }
  // Malformed thresholds fail before any load starts.
  for (const auto& t : o.thresholds) {
    try {
      reports::parse_threshold(t);
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
  }
  app::RunConfig cfg = to_run_config(o, demo);
  validate_before_load(o, cfg, vm);
  if (demo) {
    if (cfg.variants.empty()) cfg.variants = {"atomic", "naive", "transaction", "gt", "atomic-server-clock"};
    if (o.think_time.empty()) cfg.load.think_time_ms = 1.0;  // widen the naive twins' race window
  }
  // Threshold scopes must name a scenario or variant of this run: found now, not after the whole load. The
  // outputs are known writable by now, so they say it too.
  const std::string checked_at = app::iso_now();
  try {
    const auto planned = app::planned_variants(cfg);
    for (const auto& t : o.thresholds)
      if (auto problem = reports::threshold_scope_problem(reports::parse_threshold(t), planned))
        throw UsageError(*problem);
  } catch (const UsageError& e) {
    return early_exit(o, cfg, checked_at, kExitUsage, e.what());
  }
  std::ostringstream sink;
  std::ostream& log = o.quiet ? static_cast<std::ostream&>(sink) : std::cerr;
  log << "seed " << cfg.load.seed << "\n";
  const std::string started_at = app::iso_now();
  reports::Report report;
  try {
    report = app::execute(cfg, log);
  } catch (const ExitError& e) {
    return early_exit(o, cfg, started_at, e.exit_code, e.what());
  } catch (const Interrupted&) {
    return early_exit(o, cfg, started_at, kExitInterrupted, "interrupted before the load started");
  }
  return finish(o, report, demo);
}

}  // namespace

int cmd_run(int argc, char** argv) { return run_or_demo(argc, argv, false); }
int cmd_demo(int argc, char** argv) { return run_or_demo(argc, argv, true); }

}  // namespace lh::cli
