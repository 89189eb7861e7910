// Command-line options shared by `run` and `demo`: target, workload, outputs. Boost.Program_options.
#pragma once
#include <boost/program_options.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "harness/app/runner.hpp"

namespace lh::cli {

namespace po = boost::program_options;

// "10s", "500ms", "2m", "250us", "1.5s"; a bare number means seconds. Throws UsageError naming the flag.
std::chrono::microseconds parse_duration(const std::string& flag, const std::string& text);
std::vector<std::string> split_list(const std::string& s);

// Raw option values as parsed; turned into a RunConfig by to_run_config().
struct CommonOptions {
  std::vector<std::string> targets;
  bool cluster = false;
  std::string redis_server;
  int embedded_cluster = 0;
  int replicas = 0;
  std::string scenarios, variants;
  std::string script;
  std::vector<std::string> keys, args;
  bool eval = false;
  uint32_t clients = 50;
  uint32_t threads = 0;
  uint32_t pipeline = 1;
  std::string duration, requests_text, warmup, rate_text, think_time, keys_count_text, seed_text, lock_ttl;
  std::string key_prefix;
  bool keep_keys = false;
  std::string connect_timeout = "2s", reply_timeout = "5s";
  std::string max_error_rate;  // --max-error-rate text; empty: RunConfig's default
  std::vector<std::string> thresholds;
  std::string report, html, markdown, junit, gbench;
  bool quiet = false;
};

void add_target_options(po::options_description& d, CommonOptions& o);
void add_workload_options(po::options_description& d, CommonOptions& o, bool demo);
void add_output_options(po::options_description& d, CommonOptions& o);

// Validates and converts; throws UsageError (exit 2) with a one-line message naming the flag. What needs the
// variables_map (was a flag given at all) or the file system is checked by validate_before_load
// (validate.hpp).
app::RunConfig to_run_config(const CommonOptions& o, bool demo);

// "0.05" or "5%" -> 0.05; throws UsageError naming `flag` unless it is a share from 0 to 1.
double parse_share(const std::string& flag, const std::string& text);

// Parses argv: the visible options plus any number of positional FILE arguments, collected into `files`.
// Throws po::error (the caller words the usage message).
po::variables_map parse_with_files(int argc, char** argv, const po::options_description& visible,
                                   std::vector<std::string>& files);

// Parses argv with the description; unknown flags, bad values and (without `pos`) any positional argument
// become UsageError naming the flag or the argument. argv[0] is the command's name ("run").
po::variables_map parse_or_usage(int argc, char** argv, const po::options_description& d,
                                 const po::positional_options_description* pos = nullptr);

}  // namespace lh::cli
