// `lua-harness compare BASE.json CURRENT.json [--max-regression METRIC=PCT]...`: the CI gate against a
// baseline report. Loads both, calls reports::compare_reports, prints the table. Exit 1 on a regression
// beyond a limit or when CURRENT fails on its own (an inconclusive row, violations in a variant safe by
// design, a run that ended with an error or was aborted), 0 otherwise, 2 on bad usage or a file that is not a
// readable report.
#include <boost/program_options.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "harness/cli/commands.hpp"
#include "harness/cli/options.hpp"
#include "harness/model/metrics.hpp"
#include "harness/model/report_file.hpp"
#include "harness/reports/compare.hpp"

namespace po = boost::program_options;

namespace {

const char* kUsage =
    "usage: lua-harness compare BASE.json CURRENT.json [--max-regression METRIC=PCT]... [--strict]";

void print_help(const po::options_description& d, std::ostream& out) {
  out << kUsage << "\n\n"
      << "Compares CURRENT against BASE row by row (scenario/variant) and fails (exit 1) when a metric got "
         "worse\n"
         "by more than its limit: throughput when it drops, latencies, violations, error_rate and "
         "indeterminate\n"
         "when they rise. Violations of a variant that is not safe by design (naive) are the expected\n"
         "demonstration and never count as a regression. CURRENT also fails on its own, whatever BASE says,\n"
         "when a row is inconclusive (nothing could be concluded: no op succeeded, or too many failed), a\n"
         "variant that is safe by design shows violations, or the run ended with an error or was aborted.\n"
         "The change column shows what was judged, with two decimals (more when needed to show which side\n"
         "of the limit it fell).\n\n"
      << d << "\n"
      << "metrics: " << lh::reports::metric_names() << "\n"
      << "exit codes: 0 no regression beyond a limit, 1 regression or CURRENT failing on its own (or, with\n"
         "--strict, rows missing on one side), 2 bad usage or a file that is not a readable lua-harness "
         "report\n\n"
      << lh::cli::with_scenarios(
             "examples:\n"
             "  lua-harness run --scenario $1 --duration 5s --report base.json\n"
             "  lua-harness run --scenario $1 --duration 5s --report run.json\n"
             "  lua-harness compare base.json run.json\n"
             "  lua-harness compare base.json run.json --max-regression throughput=10% --max-regression "
             "p99_ms=15%\n"
             "  lua-harness compare base.json run.json --max-regression violations=0% --strict\n");
}

int usage_error(const std::string& msg) {
  std::cerr << "lua-harness compare: " << msg << "\n" << kUsage << " (see lua-harness compare --help)\n";
  return 2;
}

}  // namespace

int cmd_compare(int argc, char** argv) {
  std::vector<std::string> files, limits_text;
  bool strict = false;
  po::options_description d("options");
  // clang-format off
  d.add_options()
    ("help,h", "show this help")
    ("max-regression", po::value(&limits_text)->composing()->value_name("METRIC=PCT"),
     "METRIC=PCT, repeatable (or comma-separated): how much worse METRIC may get, in percent of BASE. "
     "Default when none is given: throughput=10% p99_ms=20% violations=0%")
    ("strict", po::bool_switch(&strict), "also fail when a row is only in one of the reports");
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
  if (files.size() != 2)
    return usage_error("expected two report files, BASE.json and CURRENT.json (got " +
                       std::to_string(files.size()) + ")");

  std::vector<lh::reports::RegressionLimit> limits;
  try {
    for (const auto& arg : limits_text)
      for (const auto& one : lh::cli::split_list(arg))
        limits.push_back(lh::reports::parse_regression_limit(one));
  } catch (const std::invalid_argument& e) {
    return usage_error(e.what());
  }
  if (limits.empty()) limits = lh::reports::default_regression_limits();

  lh::reports::Report base, current;
  try {
    base = lh::reports::load_report_file(files[0]);
    current = lh::reports::load_report_file(files[1]);
  } catch (const std::exception& e) {
    std::cerr << "lua-harness compare: " << e.what() << "\n";
    return 2;
  }

  auto result = lh::reports::compare_reports(base, current, limits);
  std::cout << "base " << files[0] << " (" << base.started_at << ") vs current " << files[1] << " ("
            << current.started_at << ")\n\n";
  lh::reports::print_comparison(result, std::cout);
  return result.exit_code(strict);
}
