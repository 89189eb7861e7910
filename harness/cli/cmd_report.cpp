// `lua-harness report RUN.json [--html F] [--markdown F] [--junit F] [--gbench F]`: renders a saved report.
// With no output flag it prints the console table. Exit 0, or 2 on bad usage / unreadable input / a file
// that cannot be written.
#include <boost/program_options.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "harness/cli/commands.hpp"
#include "harness/cli/options.hpp"
#include "harness/model/report_file.hpp"
#include "harness/reports/console.hpp"
#include "harness/reports/outputs.hpp"

namespace po = boost::program_options;

namespace {

const char* kUsage = "usage: lua-harness report RUN.json [--html F] [--markdown F] [--junit F] [--gbench F]";

void print_help(const po::options_description& d, std::ostream& out) {
  out << kUsage << "\n\n"
      << "Renders a JSON report written by `lua-harness run --report RUN.json` (RUN.json = - reads stdin).\n"
         "With no output option it prints the results table. F = - writes to stdout.\n\n"
      << d << "\n"
      << lh::cli::with_scenarios(
             "examples:\n"
             "  lua-harness run --scenario $1 --duration 5s --report run.json\n")
      << "  lua-harness report run.json\n"
         "  lua-harness report run.json --html run.html --junit junit.xml --gbench gbench.json\n"
         "  lua-harness report run.json --markdown -\n"
         "  lua-harness report run.json --markdown github    # inside GitHub Actions: the job summary\n";
}

int usage_error(const std::string& msg) {
  std::cerr << "lua-harness report: " << msg << "\n" << kUsage << " (see lua-harness report --help)\n";
  return 2;
}

}  // namespace

int cmd_report(int argc, char** argv) {
  std::vector<std::string> files;
  lh::reports::OutputOptions out;
  po::options_description d("options");
  // clang-format off
  d.add_options()
    ("help,h", "show this help")
    ("html", po::value(&out.html)->value_name("F"), "one self-contained HTML page with charts")
    ("markdown", po::value(&out.markdown)->value_name("F"),
     "GitHub-flavoured markdown summary; F = github appends to $GITHUB_STEP_SUMMARY")
    ("junit", po::value(&out.junit)->value_name("F"),
     "JUnit XML (valid against Jenkins' junit-10.xsd): a testcase per variant's invariant, per variant not "
     "run (skipped when interrupted), per threshold, and for an aborted run, an error or a failed cleanup")
    ("gbench", po::value(&out.gbench)->value_name("F"),
     "Google Benchmark JSON (for compare.py and github-action-benchmark's googlecpp tool); an interruption, "
     "abort or error is in its context, and an inconclusive row has error_occurred");
  // clang-format on

  po::variables_map vm;
  try {
    vm = lh::cli::parse_with_files(argc, argv, d, files);
  } catch (const po::error& e) {
    return usage_error(e.what());
  }
  if (vm.count("help")) {
    print_help(d, std::cout);
    return 0;
  }
  if (files.size() != 1)
    return usage_error("expected one report file, RUN.json (got " + std::to_string(files.size()) + ")");

  try {
    lh::reports::Report report = lh::reports::load_report_file(files[0]);
    if (!out.any()) {
      lh::reports::print_table(report, std::cout);
      lh::reports::print_capacity(report, std::cout);
      return 0;
    }
    lh::reports::write_outputs(report, out);
  } catch (const std::exception& e) {
    std::cerr << "lua-harness report: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
