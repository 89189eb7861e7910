// Command-line options of `run` and `demo`: each flag declared once (name, help, the field it sets, its parser),
// written by Boost.Program_options straight into the run's config.
#pragma once
#include <boost/program_options.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "harness/app/runner.hpp"
#include "harness/reports/outputs.hpp"
#include "harness/reports/thresholds.hpp"

namespace lh::cli {

namespace po = boost::program_options;

// "10s", "500ms", "2m", "250us", "1.5s"; a bare number means seconds. Throws UsageError naming the flag.
std::chrono::microseconds parse_duration(const std::string& flag, const std::string& text);
std::vector<std::string> split_list(const std::string& s);

// --shard "INDEX/COUNT" -> {INDEX, COUNT}, INDEX < COUNT; throws UsageError naming --shard.
std::pair<uint32_t, uint32_t> parse_shard(const std::string& text);
// --start-at: unix seconds (with a fraction) or RFC 3339 with a zone -> unix microseconds; UsageError else.
int64_t parse_start_at(const std::string& text);

// --stages "30s:1000,1m:1000,30s:0" -> {{30, 1000}, {60, 1000}, {30, 0}}; throws UsageError naming --stages
// and the stage at fault.
std::vector<reports::Stage> parse_stages(const std::string& text);

// "0.05" or "5%" -> 0.05; throws UsageError naming `flag` unless it is a share from 0 to 1.
double parse_share(const std::string& flag, const std::string& text);

// What `run` and `demo` are asked to do: the run itself, and what the CLI does with its report.
struct RunOptions {
  app::RunConfig run;
  std::vector<reports::ThresholdSpec> thresholds;  // --threshold, parsed
  std::string report;                              // --report FILE ('-' = stdout)
  reports::OutputOptions outputs;                  // --html, --markdown, --junit, --gbench
  bool quiet = false;                              // --quiet (also: run.load.progress off)
};

// Declares every flag of `run` (or, with `demo`, of `demo`) on `d`, each bound to the field of `o` it sets, and
// gives `o` the command's defaults (demo: 16 clients, 2 s per variant, every variant, --think-time 1ms). A flag's
// parser runs when po::notify stores it (notify_or_usage) and throws UsageError (exit 2) with one line naming the
// flag; a text flag given as '' is left to validate_before_load ("an empty value"), which also checks what
// involves several flags, whether a flag was given at all, and the file system.
void add_run_options(po::options_description& d, RunOptions& o, bool demo);

// `capacity`'s own flags (--slo, --rate-start, --rate-max, --step-duration, --step-warmup, --precision), into
// o.run.capacity (which this sets); capacity takes run's flags besides.
void add_capacity_options(po::options_description& d, RunOptions& o);

// Parses argv: the visible options plus any number of positional FILE arguments, collected into `files`.
// Throws po::error (the caller words the usage message).
po::variables_map parse_with_files(int argc, char** argv, const po::options_description& visible,
                                   std::vector<std::string>& files);

// Parses argv with the description, without storing into the bound fields yet (notify_or_usage does, so that
// --help is answered whatever else is on the line); unknown flags, bad values and (without `pos`) any positional
// argument become UsageError naming the flag or the argument. argv[0] is the command's name ("run").
po::variables_map parse_or_usage(int argc, char** argv, const po::options_description& d,
                                 const po::positional_options_description* pos = nullptr);

// po::notify: stores every value into its field and runs the flags' parsers (UsageError), in the variables_map's
// order (by flag name); Boost's own errors become UsageError too.
void notify_or_usage(po::variables_map& vm);

}  // namespace lh::cli
