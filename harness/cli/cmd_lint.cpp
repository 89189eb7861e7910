// `lua-harness lint SCRIPT.lua [--key T]... [--arg T]... [--budget D] [--format text|github] [--report F]
// [--target URL]`:
// the seed's common mistakes, read from the script and found by running it on a private redis-server.
// Exit 0 clean (notes and warnings only), 1 with errors, 2 for bad usage, an unreadable file or a script Redis
// rejects, 3 when no redis-server can be started or the --target cannot be reached or refuses the calls, 130
// when interrupted.
#include <fstream>
#include <iostream>

#include "harness/app/lint.hpp"
#include "harness/cli/commands.hpp"
#include "harness/cli/options.hpp"
#include "harness/util/exit_errors.hpp"
#include "harness/util/secrets.hpp"

namespace lh::cli {

namespace {

const char* kLintHelp =
    R"(Checks a Lua script for the seed's common mistakes, each finding with its severity, its line and
the fix in one sentence. It reads the script (literal key names, what Redis's sandbox forbids, O(N)
commands, unbounded loops around redis.call, writes MULTI/EXEC would do, KEYS/ARGV against the --key/--arg
given), then runs it on a private redis-server with the --key/--arg templates: every key a call touches
but did not pass in KEYS, keys of one call in different cluster slots, and the server time a call blocks
every other client for (INFO commandstats, above --budget: an error). With --target the very calls the
private server checked then run on your Redis too, under a fresh lh:<run-id>: prefix it verified empty and
cleans after, and only when they touched nothing but their own keys and found no error. There they run as
a temporary ACL user (made on every node, deleted after) that may touch only that prefix and the commands
the check saw, so a path the check never took is refused by Redis itself. The blocking time is measured
there (each call in its own MULTI with INFO before and after, so no other client's call counts), and a
library it loads there is deleted again (one of the same name with other code is never replaced). The
--target user must be allowed ACL GETUSER, SETUSER and DELUSER, or nothing runs there.
Exit 0 clean (notes and warnings only), 1 with errors, 2 for an unreadable or invalid script or bad
flags, 3 when no redis-server starts or the --target cannot be reached or refuses the calls, 130 when
interrupted (the target cleaned first).

examples:
  lua-harness lint lua/rate_limit.lua --key 'rl:${rand:1-100}' --arg 1 --arg 100 --arg '${now_ms}' --arg '${uuid}'
  lua-harness lint my_script.lua --key k --arg 1 --format github       # annotations in a pull request
  lua-harness lint my_script.lua --key k --budget 5ms --report lint.json
  lua-harness lint mylib.lua --fcall my_incr --key 'counter:${rand:1-50}'   # a Functions library
  lua-harness lint my_script.lua --key k --target redis://lint:secret@staging:6379 --budget 2ms
)";

}  // namespace

int cmd_lint(int argc, char** argv) {
  app::LintOptions o;
  std::string budget = "1ms", format = "text", report, connect_timeout = "2s", reply_timeout = "5s";
  std::vector<std::string> files;
  po::options_description d("lua-harness lint SCRIPT.lua [options]");
  // clang-format off
  d.add_options()
    ("help,h", "show this help")
    ("key", po::value(&o.keys)->composing(), "KEYS[i] template (repeatable), as run's")
    ("arg", po::value(&o.args)->composing(), "ARGV[i] template (repeatable), as run's")
    ("budget", po::value(&budget), "a call blocking the server longer (p99) is an error (default 1ms)")
    ("calls", po::value(&o.calls), "calls timed on the server (default 200)")
    ("format", po::value(&format), "text (default) or github (workflow annotations on the script's lines)")
    ("report", po::value(&report), "write the findings as JSON to FILE ('-' = stdout)")
    ("fcall", po::value(&o.fcall), "a Functions library (#!lua name=...): the function to run")
    ("redis-server", po::value(&o.redis_server), "redis-server binary (default: PATH)")
    ("target", po::value(&o.targets)->composing(),
     "also run it on this Redis (redis:// or rediss:// URL; repeat for cluster seeds), under a fresh "
     "lh:<run-id>: prefix, as a temporary ACL user fenced to it, after the private server saw it touch only "
     "the keys given")
    ("cluster", po::bool_switch(&o.cluster), "force cluster mode for --target (normally detected)")
    ("tls-ca", po::value(&o.tls.ca_file)->value_name("FILE"), "rediss://: the CA certificates (PEM)")
    ("tls-cert", po::value(&o.tls.cert_file)->value_name("FILE"), "rediss://: client certificate (PEM)")
    ("tls-key", po::value(&o.tls.key_file)->value_name("FILE"), "rediss://: the private key of --tls-cert")
    ("tls-sni", po::value(&o.tls.sni)->value_name("NAME"), "rediss://: the server name to send and verify")
    ("tls-insecure", po::bool_switch(&o.tls.insecure), "rediss://: verify neither the certificate nor the name")
    ("connect-timeout", po::value(&connect_timeout), "--target: connect timeout (default 2s)")
    ("reply-timeout", po::value(&reply_timeout), "--target: reply timeout (default 5s)");
  // clang-format on
  po::variables_map vm;
  try {
    vm = parse_with_files(argc, argv, d, files);
  } catch (const po::error& e) {
    throw UsageError(std::string("lint: ") + e.what() + " (see --help)");
  }
  if (vm.count("help")) {
    std::cout << kLintHelp << "\n" << d << "\n";
    return kExitOk;
  }
  if (files.size() != 1)
    throw UsageError("lint: expected one SCRIPT.lua (got " + std::to_string(files.size()) + ")");
  if (format != "text" && format != "github")
    throw UsageError("--format '" + format + "': expected text or github");
  if (o.calls < 1 || o.calls > 100000) throw UsageError("--calls: expected a number from 1 to 100000");
  o.budget = parse_duration("--budget", budget);
  if (o.budget.count() <= 0) throw UsageError("--budget: must be more than 0");
  auto timeout = [](const char* flag, const std::string& text) {
    const auto d = std::chrono::duration_cast<std::chrono::milliseconds>(parse_duration(flag, text));
    if (d.count() <= 0) throw UsageError(std::string(flag) + ": must be at least 1ms");
    return d;
  };
  o.timeouts.connect = timeout("--connect-timeout", connect_timeout);
  o.timeouts.reply = timeout("--reply-timeout", reply_timeout);
  if (o.targets.empty())
    for (const char* flag : {"cluster", "connect-timeout", "reply-timeout"})
      if (vm.count(flag) && !vm[flag].defaulted())
        throw UsageError(std::string("--") + flag + ": only with --target");
  if (o.targets.empty() && o.tls.any_given()) throw UsageError("--tls-*: only with --target");
  o.path = files.front();
  app::LintReport r;
  try {
    r = app::run_lint(o);
  } catch (const Interrupted&) {
    std::cerr << "lua-harness: lint interrupted\n";
    return kExitInterrupted;
  }
  if (r.interrupted) std::cerr << "lua-harness: lint interrupted: the findings so far\n";
  std::ostream& human = report == "-" ? std::cerr : std::cout;
  // No password reaches an output, a server's echo of a refused command included (util/secrets.hpp).
  human << redact(format == "github" ? app::lint_github(r) : app::lint_text(r));
  if (!report.empty()) {
    const std::string text = redact(app::lint_json(r).dump(2)) + "\n";
    if (report == "-") {
      std::cout << text;
    } else {
      std::ofstream f(report);
      if (!f || !(f << text) || !f.flush())
        throw UsageError("--report " + report + ": cannot write the file");
    }
  }
  return r.exit_code;
}

}  // namespace lh::cli
