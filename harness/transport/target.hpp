// What a run needs from its target, standalone or cluster: an admin client for setup and read-back, a factory
// for the clients' transports, scripts loaded on every master, cleanup of the run's keys on every master.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "harness/model/report.hpp"
#include "harness/net/url.hpp"
#include "harness/transport/admin_client.hpp"
#include "harness/transport/redis.hpp"

namespace lh::transport {

// Keys found under a prefix (SCAN MATCH on every master).
struct PrefixScan {
  uint64_t keys = 0;
  std::string example;  // one of them
  std::string refused;  // SCAN was refused (e.g. NOPERM): the prefix could not be looked at
};

// What cleanup did: deleted, and what a SCAN afterwards still found (-1: that SCAN could not run).
struct CleanupResult {
  uint64_t deleted = 0;
  int64_t left = 0;
  std::string reason;  // why keys are left (the first refusal, or the lost node), empty when left == 0
};

class TargetSession {
 public:
  TargetSession() = default;
  virtual ~TargetSession() = default;
  // Owns the admin client's connections: never copied.
  TargetSession(const TargetSession&) = delete;
  TargetSession& operator=(const TargetSession&) = delete;

  virtual SyncClient& admin() = 0;
  virtual RedisFactory factory(bool eval) = 0;
  // SCRIPT LOAD on every master; checks Redis's digest against ours. Throws UsageError (exit 2) with Redis's
  // own message (it names the line) when Redis rejects the script.
  virtual void load_script(const scripts::Script& s) = 0;
  // Every key under the prefix on every master (the run refuses a prefix that is not empty).
  virtual PrefixScan scan_prefix(const std::string& prefix) = 0;
  // SCAN + UNLINK of every key under the prefix on every master, then a SCAN to see what is left.
  virtual CleanupResult cleanup(const std::string& prefix) = 0;
  virtual reports::Target describe() = 0;
  // Calls `f` with a client of every master and its address (refreshed first on a cluster).
  virtual void each_master(const std::function<void(SyncClient&, const std::string& where)>& f) = 0;
  // The same for every node, replicas and masters failed meanwhile too (CLUSTER NODES of the first node that
  // answers, with every node this session has heard of). `f` is called for each; a node that cannot be reached
  // is handed to `unreachable` with the reason, and the walk goes on.
  virtual void each_node(
      const std::function<void(SyncClient&, const std::string& where)>& f,
      const std::function<void(const std::string& where, const std::string& why)>& unreachable) = 0;

  // What only a cluster has; a standalone Redis answers the defaults (no failover, no per-node split).
  // The masters changed since the session opened (a replica was promoted), or one is flagged failing now.
  virtual bool failover_detected() { return false; }
  // The masters now (refreshed from the cluster), e.g. after a failover; empty if no node answers.
  virtual std::vector<std::string> current_masters() { return {}; }
  // Per node, the calls it answered since the last take, scaled to `ops_total`; empty when there is one node.
  virtual std::map<std::string, uint64_t> take_ops_per_node(uint64_t /*ops_total*/) { return {}; }
};

// A standalone Redis at `url`. Throws TargetError (exit 3) when it cannot be reached or AUTH fails.
std::unique_ptr<TargetSession> open_standalone(const net::RedisUrl& url, net::Timeouts t, bool embedded);

// Helpers shared by the standalone and cluster sessions.
std::string info_field(std::string_view info, std::string_view field);
void load_script_on(SyncClient& node, const scripts::Script& s, const std::string& where);
// SCAN MATCH prefix* on one node: how many keys, one example, or the refusal.
PrefixScan scan_prefix_on(SyncClient& node, const std::string& prefix);
// SCAN + UNLINK of the prefix on one node (one UNLINK per slot when `per_slot`: a cluster refuses a multi-key
// UNLINK across slots), then a SCAN for what is left. Only keys that start with the prefix are ever deleted.
CleanupResult unlink_prefix_on(SyncClient& node, const std::string& prefix, bool per_slot);
// Adds one node's cleanup to a total.
void add_cleanup(CleanupResult& total, const CleanupResult& one);
std::string glob_escape(const std::string& s);

}  // namespace lh::transport
