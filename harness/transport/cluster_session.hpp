// A run against a Redis Cluster: the blocking admin client (setup, read-back, cleanup) that routes by slot and
// follows redirects, and the TargetSession that hands each client a ClusterRedis, loads scripts on every
// master, cleans the run's keys on every master and tells the report whether the masters changed (a failover).
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "harness/transport/cluster_topology.hpp"
#include "harness/transport/node_client.hpp"
#include "harness/transport/target.hpp"

namespace lh::transport {

// Blocking, for setup and read-back (not the hot path). Routes by route_key's slot (no key: a master), follows
// MOVED and ASK, waits out TRYAGAIN and CLUSTERDOWN, and, after a lost connection or a refused connect,
// refreshes the map and tries again for up to 10 s (a failover in progress). That retry is safe for what the
// harness sends through it: idempotent setup (SET k 0, DEL) and reads. Throws std::runtime_error (TargetError)
// once the cluster stays unreachable past that.
class ClusterSync final : public SyncClient {
 public:
  explicit ClusterSync(std::shared_ptr<ClusterShared> shared);
  ClusterSync(const ClusterSync&) = delete;
  ClusterSync& operator=(const ClusterSync&) = delete;

  net::Reply command(const std::vector<std::string>& argv, std::string_view route_key = {}) override;
  // On the node the map says serves route_key's slot (refresh() after a MOVED to learn the new owner).
  net::Reply command_once(const std::vector<std::string>& argv, std::string_view route_key) override;
  // One attempt on one given node (a lost connection: a failure Reply, and the connection dropped).
  net::Reply try_on(const NodeAddr& node, const std::vector<std::string>& argv);
  // argv on one given node, no routing; reconnects for up to `patience`, then throws TargetError (TargetLost).
  net::Reply command_on(const NodeAddr& node, const std::vector<std::string>& argv,
                        std::chrono::milliseconds patience = std::chrono::milliseconds(1000));
  // CLUSTER SLOTS from the first node that answers (known masters, other known nodes, seeds); false if none.
  bool refresh();
  const SlotMap& map() const noexcept { return map_; }
  // Every node this client has heard of, masters first.
  std::vector<NodeAddr> known_nodes() const;

 private:
  NodeClient& context(const NodeAddr& node);  // connects on first use; throws TargetError
  void drop(const NodeAddr& node);

  std::shared_ptr<ClusterShared> shared_;
  SlotMap map_;
  std::map<std::string, std::unique_ptr<NodeClient>> conns_;
  net::Clock::time_point
      impatient_until_{};  // after a give-up, fail fast for a while instead of waiting again
};

class ClusterSession final : public TargetSession {
 public:
  ClusterSession(std::shared_ptr<ClusterShared> shared, bool embedded);

  SyncClient& admin() override { return admin_; }
  RedisFactory factory(bool eval) override;
  void load_script(const scripts::Script& s) override;         // on every master
  PrefixScan scan_prefix(const std::string& prefix) override;  // on every master
  CleanupResult cleanup(const std::string& prefix) override;   // SCAN + UNLINK on every master
  void each_master(const std::function<void(SyncClient&, const std::string&)>& f) override;
  void each_node(const std::function<void(SyncClient&, const std::string&)>& f,
                 const std::function<void(const std::string&, const std::string&)>& unreachable) override;
  // mode "cluster", nodes = the current masters, failover_detected = failover_detected().
  reports::Target describe() override;

  // The masters changed since the session opened (a replica was promoted), or a master of the start is flagged
  // failing by the cluster now.
  bool failover_detected() override;
  // The masters now (refreshed from the cluster), e.g. after a failover; empty if no node answers.
  std::vector<std::string> current_masters() override;
  // Per node, the calls it answered since the last take (from the workers' topologies, which report when a
  // variant's load ends), scaled to `ops_total`: exact for single-call variants (atomic, --script), where a
  // call is an op; for multi-step variants, whose commands all go to the key's node, each node's share.
  std::map<std::string, uint64_t> take_ops_per_node(uint64_t ops_total) override;

 private:
  std::shared_ptr<ClusterShared> shared_;
  bool embedded_;
  ClusterSync admin_;
};

// Opens a session from the first seed that answers CLUSTER SLOTS. Throws TargetError (exit 3) when no seed
// answers, UsageError (exit 2) when a seed answers but is not a cluster node (cluster support disabled).
std::unique_ptr<TargetSession> open_cluster(const std::vector<net::RedisUrl>& seeds, net::Timeouts t,
                                            bool embedded);

// Whether the first seed that answers says cluster_enabled:1 (INFO cluster). Throws the first seed's
// TargetError when none answers.
bool cluster_enabled(const std::vector<net::RedisUrl>& seeds, net::Timeouts t);

}  // namespace lh::transport
