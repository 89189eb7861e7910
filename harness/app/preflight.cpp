#include "harness/app/preflight.hpp"

#include <optional>

#include "harness/util/exit_errors.hpp"
#include "harness/util/strcat.hpp"

namespace lh::app {

namespace {

using net::ErrorClass;
using net::Reply;

std::string who(const std::string& user) { return user.empty() ? "the default user" : "user '" + user + "'"; }

// The command a NOPERM message names ("... to run the 'evalsha' command"), or "".
std::string refused_command(const std::string& message) {
  const std::string marker = "to run the '";
  const auto at = message.find(marker);
  if (at == std::string::npos) return "";
  const auto end = message.find('\'', at + marker.size());
  return end == std::string::npos ? "" : message.substr(at + marker.size(), end - at - marker.size());
}

// The refusal in words: which command or which keys, and the fix.
[[noreturn]] void refuse(const std::string& user, const std::string& run_prefix,
                         const std::string& what_sends, const std::string& message) {
  const std::string cmd = refused_command(message);
  if (!cmd.empty())
    throw TargetError(cat("ACL: ", who(user), " may not run ", cmd, ", which ", what_sends, " sends (",
                          message, "): grant it (ACL SETUSER ", user.empty() ? "default" : user, " +", cmd,
                          ") or leave out what sends it"));
  if (message.find("keys") != std::string::npos)
    throw TargetError(
        cat("ACL: ", who(user), " may not use keys under '", run_prefix, "' (", message,
            "): a user limited to a key pattern needs a --key-prefix inside it (e.g. --key-prefix ",
            "app:lh: for ~app:*)"));
  if (message.find("can't run this command") != std::string::npos)  // a redis.call inside the script
    throw TargetError(cat("ACL: ", who(user), " may not run a command the script of ", what_sends, " calls (",
                          message, "): grant the commands its redis.call()s name (ACL DRYRUN ",
                          user.empty() ? "default" : user, " COMMAND ... tells which)"));
  throw TargetError(cat("ACL: ", who(user), " is refused what ", what_sends, " sends (", message, ")"));
}

// NOPERM as a reply, or inside a script's error (a redis.call the ACL refused).
bool is_noperm(const std::string& message) {
  return message.find("NOPERM") != std::string::npos || message.find("no permissions") != std::string::npos ||
         message.find("can't run this command") != std::string::npos;
}

// Probe 1: the admin path's commands, queued and discarded.
void queued_probe(transport::SyncClient& admin, const std::string& user, const std::string& run_prefix,
                  const std::string& key) {
  Reply multi = admin.command({"MULTI"}, key);
  if (multi.is_error()) return;  // no MULTI (an ACL, or a proxy): probe 2 still runs
  std::optional<std::pair<std::string, std::string>> refused;  // (what sends it, message)
  const std::vector<std::pair<std::string, std::vector<std::string>>> probes = {
      {"loading the scripts", {"SCRIPT", "LOAD", "return 1"}},
      {"cleanup", {"UNLINK", key}},
  };
  for (const auto& [what, argv] : probes) {
    Reply r = admin.command(argv, key);
    if (r.is_error() && is_noperm(std::string(r.error_message())) && !refused)
      refused.emplace(what, std::string(r.error_message()));
  }
  admin.command({"DISCARD"}, key);
  if (refused) refuse(user, run_prefix, refused->first, refused->second);
}

void op_probes(transport::TargetSession& target, const transport::RedisFactory& factory,
               const std::vector<ProbeJob>& probes, const std::string& user, const std::string& run_prefix,
               uint64_t seed);

}  // namespace

void acl_preflight(transport::TargetSession& target, const transport::RedisFactory& factory,
                   const std::vector<ProbeJob>& probes, const std::string& user,
                   const std::string& run_prefix, const std::string& probe_prefix, uint64_t seed) {
  queued_probe(target.admin(), user, run_prefix, probe_prefix + "probe");  // before any key is made
  try {
    op_probes(target, factory, probes, user, run_prefix, seed);
  } catch (const TargetError& refused) {
    // What the probes made goes too (UNLINK was allowed, or the queued probe had refused already).
    const transport::CleanupResult left = target.cleanup(probe_prefix);
    if (left.left == 0) throw;
    throw TargetError(cat(refused.what(), "; the probe left ",
                          left.left < 0 ? std::string("keys") : std::to_string(left.left) + " keys",
                          " under '", probe_prefix, "' (", left.reason, ")"));
  }
  target.cleanup(probe_prefix);
}

namespace {

void op_probes(transport::TargetSession& target, const transport::RedisFactory& factory,
               const std::vector<ProbeJob>& probes, const std::string& user, const std::string& run_prefix,
               uint64_t seed) {
  for (const auto& p : probes) {
    // Setup, one op, read-back: a refusal of any of them is a refusal of the run.
    struct Watch final : transport::SyncClient {
      transport::SyncClient& inner;
      std::string noperm;
      explicit Watch(transport::SyncClient& s) : inner(s) {}
      Reply command(const std::vector<std::string>& argv, std::string_view route) override {
        Reply r = inner.command(argv, route);
        if (r.is_error() && noperm.empty() && is_noperm(std::string(r.error_message())))
          noperm = std::string(r.error_message());
        return r;
      }
      Reply command_once(const std::vector<std::string>& argv, std::string_view route) override {
        return inner.command_once(argv, route);
      }
    } watch(target.admin());
    for (const auto* s : p.run->scripts()) target.load_script(*s);
    p.run->setup(watch);
    if (!watch.noperm.empty()) refuse(user, run_prefix, p.label + "'s setup", watch.noperm);
    engine::LoadConfig one;
    one.threads = 1;
    one.clients = 1;
    one.requests = 1;
    one.seed = seed;
    one.label = p.label + " (preflight)";
    const engine::LoadResult lr = engine::run_load(one, *p.run, factory);
    const auto& m = lr.merged;
    for (ErrorClass c : {ErrorClass::noperm, ErrorClass::script}) {
      const auto i = static_cast<std::size_t>(c);
      if (m.errors[i] > 0 && is_noperm(m.first_error[i])) refuse(user, run_prefix, p.label, m.first_error[i]);
    }
    (void)p.run->check(watch, *lr.merged.check);
    if (!watch.noperm.empty()) refuse(user, run_prefix, p.label + "'s read-back", watch.noperm);
  }
}

}  // namespace

}  // namespace lh::app
