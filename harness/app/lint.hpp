// `lua-harness lint SCRIPT.lua`: the seed's common mistakes, found by reading the script (lint_static) and by
// running it on a private redis-server (run_lint): literal key names, what Redis's sandbox forbids, O(N)
// commands, unbounded loops around redis.call, writes MULTI/EXEC would do, KEYS/ARGV counts against the
// --key/--arg given, keys touched but not passed in KEYS, keys of one call in different cluster slots, and the
// server time a call blocks every other client for.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/net/connection.hpp"
#include "harness/net/tls.hpp"

namespace lh::app {

struct LintFinding {
  std::string severity;  // error | warning | info
  int line = 0;          // 1-based; 0 when the finding has no one line (what the run found)
  std::string rule;      // literal-key, forbidden, o-n, unbounded-loop, multi-exec, keys-count, args-count,
                         // undeclared-key, cross-slot, blocking, script-error
  std::string message;   // what, naming the key, command or line
  std::string fix;       // the fix in one sentence
};

// Reads the script: every finding with its line. `keys_given`/`args_given`: how many --key/--arg the user gave.
std::vector<LintFinding> lint_static(std::string_view body, std::size_t keys_given, std::size_t args_given);

struct LintTiming {
  uint64_t calls = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;  // the server's own accounting (INFO commandstats) per call
  // Calls left out: their MULTI/INFO/call/INFO/EXEC did not count exactly one call (a lost connection, a
  // moved slot).
  uint64_t discarded = 0;
};

struct LintOptions {
  std::string path;
  std::vector<std::string> keys, args;     // templates, as run's --key/--arg
  std::chrono::microseconds budget{1000};  // --budget: a call blocking longer is an error
  std::string redis_server;                // --redis-server
  std::string fcall;                       // a Functions library (#!lua name=...): the function to run
  int calls = 200;                         // calls checked and timed
  // --target: the user's Redis (cluster seeds when several). It gets exactly the calls the private server ran
  // under MONITOR, and only when they touched nothing but their own keys and found no error.
  std::vector<std::string> targets;
  bool cluster = false;  // --cluster
  net::TlsOptions tls;
  net::Timeouts timeouts;
};

// What the run on --target did.
struct LintTarget {
  std::string mode;                  // standalone | cluster
  std::vector<std::string> nodes;    // masters, passwords masked
  std::string key_prefix;            // lh:<run-id>: (verified empty, cleaned after)
  std::string not_run;               // why the script was not run there (empty when it was)
  std::optional<LintTiming> timing;  // absent when not run, or the timing was refused
  std::string timing_refused;        // why: MULTI, INFO commandstats or EXEC refused (e.g. NOPERM)
  uint64_t calls_run = 0;            // calls the target answered without an error
};

struct LintReport {
  std::string file;
  std::vector<LintFinding> findings;  // static first, then the run's
  std::optional<LintTiming> timing;   // on the private server; absent when the script could not run
  std::optional<LintTarget> target;   // with --target
  bool interrupted = false;           // SIGINT/SIGTERM: the calls stopped, the target was cleaned
  int exit_code = 0;                  // 0 clean (info/warnings only), 1 errors, 130 interrupted
};

// Reads, checks and runs the script on a private redis-server, then (--target) on the user's Redis under a
// fresh run prefix. Throws UsageError (exit 2) for an unreadable file, a bad --target or a script Redis
// rejects, TargetError (3) when no redis-server can be started or the target cannot be reached, refuses the
// calls or is lost (the target cleaned first, and what is left said in the message).
LintReport run_lint(const LintOptions& o);

nlohmann::json lint_json(const LintReport& r);
// "FILE:LINE: error: MESSAGE\n  fix: FIX" per finding, then the timing and a summary line.
std::string lint_text(const LintReport& r);
// GitHub Actions workflow commands: "::error file=F,line=N,title=lua-harness lint RULE::MESSAGE. FIX".
std::string lint_github(const LintReport& r);

}  // namespace lh::app
