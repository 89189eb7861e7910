#include "harness/cli/validate.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "harness/app/redis_server.hpp"
#include "harness/app/workload_file.hpp"
#include "harness/net/url.hpp"
#include "harness/reports/format.hpp"
#include "harness/util/exit_errors.hpp"
#include "harness/util/strcat.hpp"

namespace lh::cli {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void refuse(const std::string& flag, const std::string& path, const std::string& why) {
  throw UsageError(flag + " " + path + ": " + why);
}

// How two paths are compared: the file they name, as far as it can be resolved (an output need not exist
// yet).
std::string identity(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(path, ec), ec);
  return ec ? path : p.string();
}

void check_script(const std::string& path, const std::string& flag = "--script") {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    refuse(flag, path, std::string("cannot read the file: ") + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) refuse(flag, path, "is a directory, not a Lua file");
  if (!S_ISREG(st.st_mode)) refuse(flag, path, "not a regular file");
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) refuse(flag, path, std::string("cannot read the file: ") + std::strerror(errno));
  ::close(fd);
  if (st.st_size == 0) refuse(flag, path, "the file is empty");
}

// A bare name is looked up in PATH, as a shell would; a path must be an executable regular file.
void check_redis_server(const std::string& wanted) {
  if (const auto found = app::locate_redis_server(wanted); found.path.empty())
    refuse("--redis-server", wanted, found.problem);
}

}  // namespace

void check_output_path(const std::string& flag, const std::string& path) {
  if (path == "-") return;
  if (path.empty()) throw UsageError(flag + " '': an empty file name");
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) refuse(flag, path, "is a directory; give a file name");
    if (S_ISREG(st.st_mode)) {
      // Opening without O_TRUNC changes nothing; O_NONBLOCK in case it is swapped for a FIFO meanwhile.
      const int fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
      if (fd < 0) refuse(flag, path, std::string("cannot write the file: ") + std::strerror(errno));
      ::close(fd);
    } else if (::access(path.c_str(), W_OK) != 0) {  // a FIFO or a device (/dev/stdout): opening could block
      refuse(flag, path, std::string("cannot write to it: ") + std::strerror(errno));
    }
    return;
  }
  if (errno != ENOENT) refuse(flag, path, std::strerror(errno));  // e.g. a file where a directory should be
  if (path.back() == '/') refuse(flag, path, "names a directory that does not exist; give a file name");
  const std::string parent = fs::path(path).parent_path().string();
  const std::string dir = parent.empty() ? std::string(".") : parent;
  if (::stat(dir.c_str(), &st) != 0) refuse(flag, path, cat("the directory ", dir, " does not exist"));
  if (!S_ISDIR(st.st_mode)) refuse(flag, path, cat(dir, " is not a directory"));
  // The only proof that a file can be created there (permissions, a read-only mount, quotas): create it.
  // O_EXCL: never anybody else's file; removed at once, so no empty file is left behind if the run fails.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0644);
  if (fd < 0) {
    if (errno == EEXIST) return;  // appeared meanwhile, or a dangling symlink: the write will tell
    refuse(flag, path, std::string("cannot create the file: ") + std::strerror(errno));
  }
  ::close(fd);
  ::unlink(path.c_str());
}

void check_outputs(const std::vector<std::pair<std::string, std::string>>& outputs,
                   const std::string& protected_input, const std::string& protected_flag) {
  std::vector<std::pair<std::string, std::string>> files;  // (flag as shown, path), "-" and github resolved
  std::string on_stdout;
  for (const auto& [flag, path] : outputs) {
    if (path.empty()) continue;
    if (path == "-") {
      if (!on_stdout.empty())
        throw UsageError(
            cat(on_stdout, " - and ", flag, " -: both would write to stdout; give one of them a file name"));
      on_stdout = flag;
      continue;
    }
    if (flag == "--markdown" && path == "github") {
      const char* summary = std::getenv("GITHUB_STEP_SUMMARY");
      if (!summary || !*summary)
        throw UsageError(
            "--markdown github: $GITHUB_STEP_SUMMARY is not set (it is set inside GitHub Actions; elsewhere "
            "give a "
            "file name or -)");
      files.emplace_back("--markdown github ($GITHUB_STEP_SUMMARY)", summary);
      continue;
    }
    files.emplace_back(flag, path);
  }
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::string id = identity(files[i].second);
    for (std::size_t j = 0; j < i; ++j)
      if (identity(files[j].second) == id)
        throw UsageError(files[j].first + " " + files[j].second + " and " + files[i].first + " " +
                         files[i].second + ": the same file; give each output its own");
    if (!protected_input.empty() && identity(protected_input) == id)
      throw UsageError(files[i].first + " " + files[i].second + ": that is the " + protected_flag +
                       " file, which the output would overwrite");
  }
  for (const auto& [flag, path] : files) check_output_path(flag, path);
}

void validate_before_load(const RunOptions& o, const po::variables_map& vm) {
  const app::RunConfig& cfg = o.run;
  auto given = [&](const char* flag) { return vm.count(flag) > 0 && !vm[flag].defaulted(); };

  for (const auto& t : cfg.targets) {
    net::RedisUrl u;
    try {
      u = net::parse_redis_url(t);
    } catch (const net::UrlError& e) {
      throw UsageError(e.what());
    }
    // Several --targets are cluster seeds, and Redis Cluster serves database 0 only.
    if (u.db != 0 && (cfg.cluster || cfg.targets.size() > 1))
      throw UsageError("--target " + u.display() + ": Redis Cluster has database 0 only (drop /" +
                       std::to_string(u.db) + ")");
  }
  // --start-at: a wall time soon enough to wait for, and not long gone (a typo would wait for years, or start
  // every shard at once without shard 0's setup).
  if (cfg.start_at_unix_us) {
    const int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    const int64_t ahead_s = (*cfg.start_at_unix_us - now_us) / 1'000'000;
    if (ahead_s > int64_t{24} * 3600)
      throw UsageError("--start-at is " + std::to_string(ahead_s / 3600) +
                       " hours ahead: at most 24 (is the date right? the time zone?)");
    if (ahead_s < -60)
      throw UsageError(
          "--start-at was " + std::to_string(-ahead_s) +
          " s ago: give a time ahead, far enough for every shard to be started and shard 0's setup");
  }
  // A sharded run: every shard's keys under one prefix, and one variant (setup, load and merge line up).
  if (cfg.shard_count) {
    if (cfg.key_prefix.empty())
      throw UsageError("--shard needs --key-prefix: the shards share one prefix (a random one would differ)");
    if (cfg.targets.empty())
      throw UsageError(
          "--shard needs --target: the shards load one Redis (an embedded server is each's own)");
    if (*cfg.shard_count > 1 && !cfg.start_at_unix_us)
      throw UsageError(
          "--shard " + std::to_string(*cfg.shard_index) + "/" + std::to_string(*cfg.shard_count) +
          " needs --start-at: shard 0 writes the initial state before it, every shard loads from it");
    if (cfg.load.clients < *cfg.shard_count)
      throw UsageError("--shard " + std::to_string(*cfg.shard_index) + "/" +
                       std::to_string(*cfg.shard_count) + ": --clients " + std::to_string(cfg.load.clients) +
                       " gives some shards no client: at least " + std::to_string(*cfg.shard_count));
    if (!given("seed"))
      throw UsageError("--shard needs --seed: every shard's clients draw from the run's one seed");
    if (cfg.keep_keys)
      throw UsageError("--shard leaves the keys for lua-harness merge anyway: give --keep-keys to the merge");
    // The merge judges a sharded lock run on the whole history, whose run-clock times are 32-bit microseconds:
    // they wrap after 71.6 minutes (one process streams the lock's checker and widens them: no such limit).
    const bool lock = cfg.script_path.empty() &&
                      (cfg.scenarios.empty() ||
                       std::find(cfg.scenarios.begin(), cfg.scenarios.end(), "lock") != cfg.scenarios.end());
    if (lock && (cfg.load.requests || cfg.load.duration + cfg.load.warmup > std::chrono::minutes(70)))
      throw UsageError(
          std::string("--shard with the lock scenario: ") +
          (cfg.load.requests ? "--requests has no end to bound" : "--warmup + --duration over 70m") +
          " (the merge judges its leases on a microsecond clock that wraps after 71.6 minutes): give "
          "--duration of at most 70m, or run it in one process");
  }
  // --stages is the load's whole schedule.
  if (!cfg.load.stages.empty())
    for (const char* flag : {"rate", "duration", "requests", "warmup"})
      if (given(flag))
        throw UsageError(
            std::string("--stages and --") + flag +
            " exclude each other: the stages are the load's whole open-loop schedule (start with a "
            "ramp stage, e.g. 10s:1000, instead of a warmup)");
  // --workload names its own scripts and scenarios.
  if (!cfg.workload_path.empty()) {
    for (const char* flag : {"script", "scenario", "variant", "key", "arg"})
      if (given(flag))
        throw UsageError(std::string("--workload and --") + flag +
                         " exclude each other: the file names each entry's script or scenario and variant");
    if (cfg.shard_count)
      throw UsageError(
          "--workload cannot be sharded: lua-harness merge merges one variant per run (run the mix "
          "in one process, or shard each entry as its own run)");
    app::read_workload(cfg.workload_path);  // a malformed file: exit 2 now, naming the entry and the field
  }
  if (cfg.capacity) {
    const app::CapacityConfig& c = *cfg.capacity;
    if (c.slos.empty())
      throw UsageError("capacity needs at least one --slo, e.g. --slo 'p99_ms<2' (what a step must meet)");
    for (const char* flag : {"rate", "duration", "requests", "warmup", "stages", "shard", "start-at"})
      if (given(flag))
        throw UsageError(
            std::string("capacity: --") + flag +
            " is the search's own (each step runs at the rate it tries): use --rate-start, --rate-max, "
            "--step-duration and --step-warmup");
    if (c.rate_start > c.rate_max)
      throw UsageError(cat("--rate-start ", reports::compact_number(c.rate_start), " is above --rate-max ",
                           reports::compact_number(c.rate_max)));
    if (cfg.workload_path.empty() && app::planned_variants(cfg).size() != 1)
      throw UsageError(
          "capacity measures one workload: name one --scenario and one --variant, or give --script, or "
          "--workload (this plan has " +
          std::to_string(app::planned_variants(cfg).size()) + " variants)");
  }
  if (cfg.embedded_cluster > 0 && !cfg.targets.empty())
    throw UsageError("--embedded-cluster and --target exclude each other");
  if (!cfg.script_path.empty() && given("scenario"))
    throw UsageError("--script and --scenario exclude each other");
  if (given("function") != given("fcall"))
    throw UsageError(given("function")
                         ? "--function LIB.lua needs --fcall NAME (the function each op calls)"
                         : "--fcall NAME needs --function LIB.lua (the library that registers it)");
  if (given("function"))
    for (const char* flag : {"script", "scenario", "variant", "eval", "workload"})
      if (given(flag))
        throw UsageError(std::string("--function and --") + flag +
                         " exclude each other: --function runs FCALL --fcall NAME of its library");
  if (cfg.script_path.empty() && cfg.function_path.empty() &&
      (!cfg.key_templates.empty() || !cfg.arg_templates.empty()))
    throw UsageError("--key/--arg need --script FILE.lua (or --function LIB.lua)");

  // Any text option given as '' would silently mean its default (--duration '', --key-prefix '').
  for (const auto& [name, value] : vm) {
    if (value.defaulted()) continue;
    if (const auto* text = boost::any_cast<std::string>(&value.value()); text && text->empty())
      throw UsageError("--" + name + " '': an empty value (leave the flag out for the default)");
  }
  if (given("replicas") && cfg.embedded_cluster < 1)
    throw UsageError(
        "--replicas needs --embedded-cluster N: it sets the replicas per master of that private cluster");
  if (cfg.cluster && cfg.targets.empty() && cfg.embedded_cluster < 1)
    throw UsageError(
        "--cluster needs --target URL (a seed node of your cluster); for a private cluster use "
        "--embedded-cluster N");

  // Explicit paths must be what they claim: no fallback to PATH's redis-server, no empty script from a
  // directory.
  if (given("redis-server")) check_redis_server(cfg.redis_server);
  if (given("script")) check_script(cfg.script_path);
  if (given("function")) check_script(cfg.function_path, "--function");

  // Outputs last: their probe may briefly create a file, which is pointless when something else is wrong.
  check_outputs({{"--report", o.report},
                 {"--html", o.outputs.html},
                 {"--markdown", o.outputs.markdown},
                 {"--junit", o.outputs.junit},
                 {"--gbench", o.outputs.gbench}},
                cfg.script_path, "--script");
}

}  // namespace lh::cli
