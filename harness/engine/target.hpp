// What a run needs from its target, standalone or cluster: an admin client for setup and read-back, a factory
// for the clients' transports, scripts loaded on every master, cleanup of the run's keys on every master.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "harness/engine/engine.hpp"
#include "harness/engine/sync_client.hpp"
#include "harness/net/url.hpp"
#include "reports/report.hpp"

namespace lh::engine {

class TargetSession {
 public:
  virtual ~TargetSession() = default;
  virtual SyncClient& admin() = 0;
  virtual RedisFactory factory(bool eval) = 0;
  // SCRIPT LOAD on every master; checks Redis's digest against ours. Throws UsageError (exit 2) with Redis's
  // own message (it names the line) when Redis rejects the script.
  virtual void load_script(const scripts::Script& s) = 0;
  // SCAN + UNLINK of every key under the prefix on every master. Returns the number of keys deleted.
  virtual uint64_t cleanup(const std::string& prefix) = 0;
  virtual reports::Target describe() = 0;
};

// A standalone Redis at `url`. Throws TargetError (exit 3) when it cannot be reached or AUTH fails.
std::unique_ptr<TargetSession> open_standalone(const net::RedisUrl& url, net::Timeouts t, bool embedded);

// Helpers shared by the standalone and cluster sessions.
std::string info_field(std::string_view info, std::string_view field);
void load_script_on(SyncClient& node, const scripts::Script& s, const std::string& where);
uint64_t unlink_prefix_on(SyncClient& node, const std::string& prefix);
std::string glob_escape(const std::string& s);

}  // namespace lh::engine
