// `lua-harness run` and `lua-harness demo`: parse, execute, gate, write the outputs.
#include <fstream>
#include <iostream>
#include <sstream>

#include "harness/app/runner.hpp"
#include "harness/cli/commands.hpp"
#include "harness/cli/options.hpp"
#include "harness/cli/validate.hpp"
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

int run_or_demo(int argc, char** argv, bool demo) {
  RunOptions o;
  po::options_description d(demo ? "lua-harness demo [options]" : "lua-harness run [options]");
  d.add_options()("help,h", "show this help");
  add_run_options(d, o, demo);
  auto vm = parse_or_usage(argc, argv, d);
  if (vm.count("help")) {
    std::cout << d << "\n" << with_scenarios(demo ? kDemoExamples : kRunExamples);
    return 0;
  }
  notify_or_usage(vm);  // every flag into its field, each parsed and checked on its own
  validate_before_load(o, vm);
  const app::RunConfig& cfg = o.run;
  // Threshold scopes must name a scenario or variant of this run: found now, not after the whole load. The
  // outputs are known writable by now, so they say it too.
  const std::string checked_at = app::iso_now();
  try {
    const auto planned = app::planned_variants(cfg);
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

}  // namespace

int cmd_run(int argc, char** argv) { return run_or_demo(argc, argv, false); }
int cmd_demo(int argc, char** argv) { return run_or_demo(argc, argv, true); }

}  // namespace lh::cli
