// The Redis transport of one virtual client against a Redis Cluster: routes every command by the slot of its
// route key, keeps one lazily opened connection per node, and follows the cluster's redirections:
//   MOVED       the slot has a new owner: patch the map, retry there, and refresh the whole map at the next op;
//   ASK         the slot is migrating: ASKING + the command to the named node, once, pipelined, map unchanged;
//   TRYAGAIN    a multi-key op during a migration; CLUSTERDOWN: no quorum or uncovered slots;
//               both: bounded back-off (5 ms doubling, at most 12 waits and 2 s), then retry;
//   NOSCRIPT    the node never saw the script (a promoted replica, an importing node): SCRIPT LOAD there, retry once.
// Only errors that mean "not executed" are retried. A lost connection (the command may have run) ends the op as
// the standalone path does (indeterminate), marks the transport broken and asks for a topology refresh; a refused
// connect (nothing was sent) is retried with the same back-off after a refresh.
//
// The slot map lives in one ClusterTopology per worker thread, shared by that thread's clients without locks
// (they all run on the worker's io_context). Every topology starts from the session's latest map and reports the
// calls each node answered back to the session when the worker's last client ends.
#pragma once
#include <utility>  // Boost 1.74 Asio needs std::exchange declared first

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "harness/transport/slot_map.hpp"
#include "harness/transport/redis.hpp"
#include "harness/transport/standalone.hpp"
#include "harness/net/connection.hpp"

namespace lh::transport {

namespace asio = boost::asio;

class ClusterTopology;

// What the session and every worker's topology share. Touched only off the hot path (a client's creation, a
// refresh's result, a worker's end), under `mu`.
struct ClusterShared {
  net::RedisUrl node_template;  // user, password, db for every node; host/port replaced per node
  net::Timeouts timeouts;
  std::vector<NodeAddr> seeds;
  std::vector<std::string> masters_at_start;  // sorted "host:port"
  std::atomic<bool> masters_changed{false};   // a refresh saw another set of masters (a failover)

  std::mutex mu;
  SlotMap latest;                                           // the newest map anyone fetched
  std::map<std::string, uint64_t> calls_per_node;           // answered calls, from finished topologies
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
  bool begin_refresh() noexcept;                 // false when another client is refreshing
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

class ClusterRedis final : public Redis {
 public:
  ClusterRedis(asio::io_context& io, std::shared_ptr<ClusterTopology> topology, net::ConnectionSet* watchdog,
               Counters* rec, bool eval);
  ~ClusterRedis() override;

  // Connections open lazily, per node, on first use. This refreshes the slot map when it is incomplete or a
  // refresh is due; it fails only when no node answers CLUSTER SLOTS.
  asio::awaitable<net::Reply> connect() override;
  asio::awaitable<net::Reply> call(std::span<const std::string_view> argv, std::string_view route_key) override;
  asio::awaitable<net::Reply> evalsha(const scripts::Script& s, std::span<const std::string_view> keys,
                                      std::span<const std::string_view> args) override;
  // Grouped by node: each node's calls are pipelined in one write, all nodes' writes go out before any read.
  // A call answered by a redirect, TRYAGAIN, CLUSTERDOWN or NOSCRIPT is then followed up on its own.
  asio::awaitable<void> evalsha_batch(std::span<ScriptCall> calls, std::span<net::Reply> replies) override;
  // The frame-free path for the common case: one call (--pipeline 1) whose node is connected and no refresh
  // due. Anything else (a pipelined batch, a connect, a redirect) goes by evalsha_batch()/deliver().
  bool start_batch(std::span<ScriptCall> calls, std::span<net::Reply> replies) override;
  bool poll_batch() override;
  asio::awaitable<std::size_t> batch_io() override { return fast_conn_->io(); }  // not a coroutine
  void batch_io_done(std::size_t n) override { fast_conn_->io_done(n); }
  bool batch_needs_retry() const override { return fast_follow_up_; }
  asio::awaitable<void> retry_batch() override;
  bool broken() const override { return broken_; }

 private:
  // Sends argv (ASKING first when `asking`) until it is answered by the node serving `slot` (-1: any node).
  // `first`, when given, is a reply already received from `node` (a pipelined batch).
  asio::awaitable<net::Reply> deliver(std::span<const std::string_view> argv, int slot, const scripts::Script* s,
                                      int node, bool asking, net::Reply* first);
  // The common case without deliver()'s large frame: the map's node, already connected, answers.
  asio::awaitable<net::Reply> direct_or_deliver(std::span<const std::string_view> argv, int slot,
                                                const scripts::Script* s);
  // start_batch() for one call, the slot map being fresh enough: false when its node is not connected.
  bool start_single(ScriptCall& call, net::Reply& reply);
  asio::awaitable<void> pipelined_batch(std::span<ScriptCall> calls, std::span<net::Reply> replies);
  asio::awaitable<net::Reply> send(net::Connection& c, std::span<const std::string_view> argv, bool asking);
  // A command of the transaction pinned to one node: sent there, redirects returned as they are.
  asio::awaitable<net::Reply> pinned_call(std::span<const std::string_view> argv);
  // The open connection to `node`, connecting first when needed; nullptr (and the failure in `why`) otherwise.
  asio::awaitable<net::Connection*> open(int node, net::Reply& why);
  net::Connection* ready(int node) const noexcept;  // the open connection to `node`, or nullptr (no coroutine)
  asio::awaitable<bool> load(int node, const scripts::Script& s);
  asio::awaitable<bool> refresh();              // CLUSTER SLOTS from the first node that answers
  asio::awaitable<void> refresh_if_due();
  // Waits before a retry; false when the op's budget (kMaxWaits waits, 2 s from its first wait) is spent.
  asio::awaitable<bool> back_off(int& waits, std::chrono::milliseconds& delay, net::Clock::time_point& give_up);
  int pick(int slot) const;
  void count(const net::Reply& r);
  void answered(int node);
  void lost(int node);
  void unpin() noexcept { pinned_ = -1, pinned_asking_ = false, in_multi_ = false; }

  asio::io_context& io_;
  std::shared_ptr<ClusterTopology> topo_;
  net::ConnectionSet* watchdog_;
  Counters* rec_;
  bool eval_;
  bool broken_ = false;
  std::vector<std::unique_ptr<net::Connection>> conns_;  // by topology node index
  ScriptArgv argv_;
  // Where deliver() got its answer (WATCH and MULTI pin the transaction there).
  int last_node_ = -1;
  bool last_asking_ = false;
  // A transaction in progress: WATCH ... MULTI ... EXEC/DISCARD/UNWATCH all go to one node and connection,
  // and redirects inside it are returned, not followed (following one would leave the WATCH behind).
  int pinned_ = -1, pinned_slot_ = -1;
  bool pinned_asking_ = false, in_multi_ = false;
  // evalsha_batch scratch, reused.
  std::vector<int> batch_node_, batch_slot_, batch_order_;
  std::vector<uint8_t> batch_state_;
  std::vector<std::pair<const scripts::Script*, int>> batch_loaded_;
  // The frame-free single call in flight (start_batch .. retry_batch).
  net::Connection* fast_conn_ = nullptr;
  ScriptCall* fast_call_ = nullptr;
  net::Reply* fast_reply_ = nullptr;
  net::Reply fast_first_;  // the answer that needs following up (a redirect, NOSCRIPT, ...)
  int fast_node_ = -1, fast_slot_ = -1;
  bool fast_follow_up_ = false;
};

}  // namespace lh::transport
