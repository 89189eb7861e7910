// The slot map of a cluster run, in two parts: what the session and every worker share (ClusterShared: the
// nodes' URL template, the seeds, the newest map, the calls each node answered), and one worker thread's own
// view (ClusterTopology: slot -> node index), which the worker's clients read and patch without locks (they all
// run on the worker's io_context). Every topology starts from the session's latest map and reports the calls
// each node answered back to the session when the worker's last client ends. Fetching CLUSTER SLOTS is the
// router's (cluster_redis.hpp) or the admin client's (cluster_session.hpp); this only keeps the result.
#pragma once
#include <utility>  // Boost 1.74 Asio needs std::exchange declared first

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "harness/net/connection.hpp"
#include "harness/net/url.hpp"
#include "harness/transport/slot_map.hpp"

struct redisReply;

namespace lh::transport {

namespace asio = boost::asio;

class ClusterTopology;

// What the session and every worker's topology share. Touched only off the hot path (a client's creation, a
// refresh's result, a worker's end), under `mu`.
struct ClusterShared {
  ClusterShared() = default;
  ClusterShared(const ClusterShared&) = delete;
  ClusterShared& operator=(const ClusterShared&) = delete;

  net::RedisUrl node_template;  // user, password, db for every node; host/port replaced per node
  net::Timeouts timeouts;
  std::vector<NodeAddr> seeds;
  std::vector<std::string> masters_at_start;  // sorted "host:port"
  std::atomic<bool> masters_changed{false};   // a refresh saw another set of masters (a failover)

  std::mutex mu;
  SlotMap latest;                                                 // the newest map anyone fetched
  std::map<std::string, uint64_t> calls_per_node;                 // answered calls, from finished topologies
  std::map<const void*, std::weak_ptr<ClusterTopology>> workers;  // key: the worker's io_context

  net::RedisUrl url_for(const NodeAddr& a) const;
  // The topology of the worker running `io`: the live one, or a new one copied from `latest`.
  static std::shared_ptr<ClusterTopology> topology_for(const std::shared_ptr<ClusterShared>& shared,
                                                       const asio::io_context& io);
  // Records a freshly fetched map: becomes `latest`; flags a changed set of masters.
  void publish(const SlotMap& fresh);
};

// Sorted "host:port" of the nodes owning slots.
std::vector<std::string> master_names(const SlotMap& m);
// CLUSTER SLOTS names a node by an empty host when the node does not know its own address (a one-node cluster
// that never met a peer): "the host you asked". Replaces those by `asked_host`.
SlotMap with_known_hosts(const SlotMap& m, const std::string& asked_host);

// One worker thread's view of the cluster: slot -> node index, and the node list (indices never change, so a
// client's per-node connections stay valid across refreshes). Not thread-safe by design: one per worker.
class ClusterTopology {
 public:
  // Starts from `initial` (the session's latest map) plus the seeds, so a refresh can always ask someone.
  ClusterTopology(std::shared_ptr<ClusterShared> shared, const SlotMap& initial);
  ~ClusterTopology();  // hands the per-node call counts to the session
  ClusterTopology(const ClusterTopology&) = delete;
  ClusterTopology& operator=(const ClusterTopology&) = delete;

  // Node index serving `slot`, or -1.
  int node_for_slot(uint16_t slot) const noexcept { return owner_[slot]; }
  // A node to send key-less commands to (one that owns slots), or -1.
  int any_node() const noexcept { return any_; }
  // Index of a node, added when new.
  int index_of(const NodeAddr& a);
  const NodeAddr& node(int i) const { return nodes_[static_cast<std::size_t>(i)]; }
  std::size_t node_count() const noexcept { return nodes_.size(); }
  int covered_slots() const noexcept { return covered_; }  // slots with an owner

  // After MOVED: the slot's new owner, and a full refresh at the next op.
  void moved(uint16_t slot, const NodeAddr& a);
  // Replaces the map with a CLUSTER SLOTS reply from `asked`; false when the reply is not one.
  bool apply_cluster_slots(const redisReply* reply, const NodeAddr& asked);

  // Refreshes are asked for (MOVED, a lost node) and run at the start of some client's next op, at most one at
  // a time per worker and at most every kRefreshInterval.
  static constexpr std::chrono::milliseconds kRefreshInterval{100};
  void want_refresh() noexcept { refresh_wanted_ = true; }
  bool refresh_due(net::Clock::time_point now) const noexcept {
    return refresh_wanted_ && !refreshing_ && now >= next_refresh_;
  }
  bool begin_refresh() noexcept;  // false when another client is refreshing
  void end_refresh(bool ok, net::Clock::time_point now) noexcept;
  // Where the next refresh starts looking (rotates, so a dead node is not always asked first).
  std::size_t refresh_start() noexcept { return refresh_cursor_++; }

  void count_call(int node) {
    if (static_cast<std::size_t>(node) >= calls_.size()) calls_.resize(nodes_.size(), 0);
    ++calls_[static_cast<std::size_t>(node)];
  }
  const std::shared_ptr<ClusterShared>& shared() const noexcept { return shared_; }

 private:
  void assign_from(const SlotMap& m);
  void update_any();

  std::shared_ptr<ClusterShared> shared_;
  std::vector<int16_t> owner_;  // kSlotCount entries, -1 = unassigned
  std::vector<NodeAddr> nodes_;
  std::vector<uint64_t> calls_;
  int any_ = -1, covered_ = 0;
  bool refresh_wanted_ = false, refreshing_ = false;
  net::Clock::time_point next_refresh_{};
  std::size_t refresh_cursor_ = 0;
};

}  // namespace lh::transport
