// lua-harness: load-test and verify Redis Lua scripts. Dispatches to the subcommands.
#include <atomic>
#include <csignal>
#include <cstring>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>

#include "harness/app/redis_server.hpp"
#include "harness/cli/commands.hpp"
#include "harness/net/url.hpp"
#include "harness/util/exit_errors.hpp"
#include "harness/util/interrupt.hpp"
#include "harness/util/secrets.hpp"

namespace {

// SIGHUP too: a closed terminal or SSH session must stop the run the same orderly way (report, cleanup, 130).
constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP};
// SIGHUP ignored when we started stays ignored: that is what nohup asks for. (SIGINT and SIGTERM are always
// caught, as before: a background job of a script inherits an ignored SIGINT, and `kill -INT` must still stop
// it.)
bool g_inherited_ignore[std::size(kStopSignals)] = {};

// Signals seen, apart from g_interrupted (which other code may read or set): lock-free, so signal-safe.
std::atomic<bool> g_signalled{false};
static_assert(std::atomic<bool>::is_always_lock_free);

void on_signal(int sig) {
  const bool second = g_signalled.exchange(true);
  lh::g_interrupted.store(true);
  // The first signal asks for an orderly stop; any second one (of any of the three) ends the process at once
  // (embedded servers die with it: PR_SET_PDEATHSIG; their directories go at the next launch). The other two
  // are blocked on this thread while this runs (sa_mask), so one arriving now is delivered after the reset
  // and kills.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  for (std::size_t i = 0; i < std::size(kStopSignals); ++i)
    if (!g_inherited_ignore[i]) sigaction(kStopSignals[i], &dfl, nullptr);
  // A second signal that reached another thread before the reset above ran this handler again: re-raise it;
  // it is blocked until we return, then delivered with its default action.
  if (second) raise(sig);
}

void usage(std::ostream& out) {
  out << "lua-harness " LH_VERSION
         " - load-test and verify Redis Lua scripts\n\n"
         "usage: lua-harness COMMAND [options]\n\n"
         "commands:\n"
         "  run       run scenarios (or your own --script) under load and check them\n"
         "  demo      the race demonstration: every scenario, atomic vs naive vs transaction\n"
         "  merge     merge the reports of one run's shards (run --shard I/N) into one, judged once\n"
         "  capacity  the highest open-loop rate that meets every --slo (p99_ms<2, ...), step by step\n"
         "  lint      a script's common mistakes: literal keys, forbidden calls, O(N) commands, blocking time\n"
         "  compare   gate a report against a baseline report\n"
         "  report    render a saved JSON report as HTML, markdown, JUnit or gbench\n"
         "  schema    print the JSON Schema of the report (docs/report-schema.json)\n\n"
         "  lua-harness COMMAND --help   shows each command's options and examples\n\n"
      << lh::cli::with_scenarios(
             "examples:\n"
             "  lua-harness demo\n"
             "  lua-harness run --scenario $1,$2 --duration 5s --report run.json\n")
      << "  lua-harness compare base.json run.json --max-regression throughput=10%\n";
}

}  // namespace

int main(int argc, char** argv) {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : kStopSignals) sigaddset(&sa.sa_mask, sig);
  // SA_RESETHAND: the kernel restores SIG_DFL for the signal being handled before the handler runs.
  sa.sa_flags = SA_RESETHAND;
  for (std::size_t i = 0; i < std::size(kStopSignals); ++i) {
    struct sigaction old {};
    sigaction(kStopSignals[i], nullptr, &old);
    g_inherited_ignore[i] = kStopSignals[i] == SIGHUP && old.sa_handler == SIG_IGN;
    if (!g_inherited_ignore[i]) sigaction(kStopSignals[i], &sa, nullptr);
  }
  std::signal(SIGPIPE, SIG_IGN);

  if (argc < 2) {
    usage(std::cerr);
    return lh::kExitUsage;
  }
  const std::string cmd = argv[1];
  // Every --target's password, before anything can print it (util/secrets.hpp: the one redaction path).
  for (int i = 2; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--target" && i + 1 < argc) lh::net::add_url_secrets(argv[i + 1]);
    else if (a.rfind("--target=", 0) == 0) lh::net::add_url_secrets(a.substr(9));
  }
  int code = lh::kExitUsage;
  try {
    if (cmd == "--version" || cmd == "version") {
      std::cout << "lua-harness " LH_VERSION "\n";
      return 0;
    }
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
      usage(std::cout);
      return 0;
    }
    if (cmd == "run") code = lh::cli::cmd_run(argc - 1, argv + 1);
    else if (cmd == "demo") code = lh::cli::cmd_demo(argc - 1, argv + 1);
    else if (cmd == "merge") code = lh::cli::cmd_merge(argc - 1, argv + 1);
    else if (cmd == "capacity") code = lh::cli::cmd_capacity(argc - 1, argv + 1);
    else if (cmd == "lint") code = lh::cli::cmd_lint(argc - 1, argv + 1);
    else if (cmd == "compare") code = cmd_compare(argc - 1, argv + 1);
    else if (cmd == "report") code = cmd_report(argc - 1, argv + 1);
    else if (cmd == "schema") code = lh::cli::cmd_schema(argc - 1, argv + 1);
    else {
      std::cerr << "lua-harness: unknown command '" << cmd
                << "' (run, demo, capacity, lint, merge, compare, report, schema; see --help)\n";
      code = lh::kExitUsage;
    }
  } catch (const lh::ExitError& e) {
    std::cerr << "lua-harness: " << lh::redact(e.what()) << "\n";
    code = e.exit_code;
  } catch (const std::exception& e) {
    std::cerr << "lua-harness: " << lh::redact(e.what()) << "\n";
    code = lh::kExitUsage;
  }
  lh::app::stop_all_embedded();
  return code;
}
