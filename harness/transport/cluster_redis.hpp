// The Redis transport of one virtual client against a Redis Cluster (the router): routes every command by the
// slot of its route key, keeps one lazily opened connection per node, and follows the cluster's redirections
// as transport/redirect.hpp decides (kRouterLimits):
//   MOVED       the slot has a new owner: patch the map, retry there, and refresh the whole map at the next op;
//   ASK         the slot is migrating: ASKING + the command to the named node, once, pipelined, map unchanged;
//   TRYAGAIN    a multi-key op during a migration; CLUSTERDOWN: no quorum or uncovered slots;
//               both: bounded back-off (5 ms doubling, at most 12 waits and 2 s), then retry;
//   NOSCRIPT    the node never saw the script (a promoted replica, an importing node): SCRIPT LOAD there, retry once.
// Only errors that mean "not executed" are retried. A lost connection (the command may have run) ends the op as
// the standalone path does (indeterminate), marks the transport broken and asks for a topology refresh; a refused
// connect (nothing was sent) is retried with the same back-off after a refresh.
//
// The slot map lives in one ClusterTopology per worker thread (transport/cluster_topology.hpp), shared by that
// thread's clients without locks.
#pragma once
#include <utility>  // Boost 1.74 Asio needs std::exchange declared first

#include <boost/asio/io_context.hpp>
#include <memory>
#include <vector>

#include "harness/net/connection.hpp"
#include "harness/transport/cluster_topology.hpp"
#include "harness/transport/redirect.hpp"
#include "harness/transport/redis.hpp"
#include "harness/transport/standalone.hpp"

namespace lh::transport {

namespace asio = boost::asio;

class ClusterRedis final : public Redis {
 public:
  ClusterRedis(asio::io_context& io, std::shared_ptr<ClusterTopology> topology, net::ConnectionSet* watchdog,
               Counters* rec, bool eval);
  ~ClusterRedis() override;
  ClusterRedis(const ClusterRedis&) = delete;
  ClusterRedis& operator=(const ClusterRedis&) = delete;

  // Connections open lazily, per node, on first use. This refreshes the slot map when it is incomplete or a
  // refresh is due; it fails only when no node answers CLUSTER SLOTS.
  asio::awaitable<net::Reply> connect() override;
  asio::awaitable<net::Reply> call(std::span<const std::string_view> argv,
                                   std::string_view route_key) override;
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
  void count_into(Counters* c) override { rec_ = c; }

 private:
  // Sends argv (ASKING first when `asking`) until it is answered by the node serving `slot` (-1: any node).
  // `first`, when given, is a reply already received from `node` (a pipelined batch).
  asio::awaitable<net::Reply> deliver(std::span<const std::string_view> argv, int slot,
                                      const scripts::Script* s, int node, bool asking, net::Reply* first);
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
  net::Connection* ready(
      int node) const noexcept;  // the open connection to `node`, or nullptr (no coroutine)
  asio::awaitable<bool> load(int node, const scripts::Script& s);
  asio::awaitable<bool> refresh();  // CLUSTER SLOTS from the first node that answers
  asio::awaitable<void> refresh_if_due();
  // Waits before a retry, as the op's policy says; false when its budget (kRouterLimits) is spent.
  asio::awaitable<bool> back_off(RedirectPolicy& policy);
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
