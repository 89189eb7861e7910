// lua-harness: load-test and verify Redis Lua scripts. Dispatches to the subcommands.
#include <csignal>
#include <cstring>
#include <iostream>
#include <string>

#include "harness/cli/commands.hpp"
#include "harness/embedded/redis_server.hpp"
#include "harness/engine/engine.hpp"
#include "harness/engine/exit_errors.hpp"

namespace {

void on_signal(int) {
  lh::engine::g_interrupted.store(true);
  // A second Ctrl-C ends the process at once (embedded servers die with it: PR_SET_PDEATHSIG).
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

void usage(std::ostream& out) {
  out << "lua-harness " LH_VERSION " - load-test and verify Redis Lua scripts\n\n"
         "usage: lua-harness COMMAND [options]\n\n"
         "commands:\n"
         "  run       run scenarios (or your own --script) under load and check them\n"
         "  demo      the race demonstration: every scenario, atomic vs naive vs transaction\n"
         "  compare   gate a report against a baseline report\n"
         "  report    render a saved JSON report as HTML, markdown, JUnit or gbench\n\n"
         "  lua-harness COMMAND --help   shows each command's options and examples\n\n"
         "examples:\n"
         "  lua-harness demo\n"
         "  lua-harness run --scenario counter,cas --duration 5s --report run.json\n"
         "  lua-harness compare base.json run.json --max-regression throughput=10%\n";
}

}  // namespace

int main(int argc, char** argv) {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  if (argc < 2) {
    usage(std::cerr);
    return lh::kExitUsage;
  }
  const std::string cmd = argv[1];
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
    else if (cmd == "compare") code = cmd_compare(argc - 1, argv + 1);
    else if (cmd == "report") code = cmd_report(argc - 1, argv + 1);
    else {
      std::cerr << "lua-harness: unknown command '" << cmd << "' (run, demo, compare, report; see --help)\n";
      code = lh::kExitUsage;
    }
  } catch (const lh::ExitError& e) {
    std::cerr << "lua-harness: " << e.what() << "\n";
    code = e.exit_code;
  } catch (const std::exception& e) {
    std::cerr << "lua-harness: " << e.what() << "\n";
    code = lh::kExitUsage;
  }
  lh::embedded::stop_all_embedded();
  return code;
}
