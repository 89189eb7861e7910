#include "harness/transport/cluster_redis.hpp"
#include "harness/util/interrupt.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "harness/transport/slot.hpp"
#include "harness/util/strcat.hpp"

namespace lh::transport {

using net::Clock;
using net::ErrorClass;
using net::Reply;

namespace {

constexpr std::array<std::string_view, 1> kAsking = {"ASKING"};
constexpr std::array<std::string_view, 2> kClusterSlots = {"CLUSTER", "SLOTS"};

bool is_command(std::string_view arg, std::string_view upper) {
  if (arg.size() != upper.size()) return false;
  for (std::size_t i = 0; i < arg.size(); ++i) {
    char c = arg[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != upper[i]) return false;
  }
  return true;
}

// The slot a script call is routed by: its first key's; -1 (any node) without keys.
int slot_of(const ScriptCall& c) { return c.keys.empty() ? -1 : int(key_slot(c.keys[0])); }

}  // namespace

// ---- one client's transport ------------------------------------------------------------------------------------

ClusterRedis::ClusterRedis(asio::io_context& io, std::shared_ptr<ClusterTopology> topology,
                           net::ConnectionSet* watchdog, Counters* rec, bool eval)
    : io_(io), topo_(std::move(topology)), watchdog_(watchdog), rec_(rec), eval_(eval) {}

// Connections go before the topology (whose destructor may run here, handing its counts to the session).
ClusterRedis::~ClusterRedis() { conns_.clear(); }

void ClusterRedis::count(const Reply& r) {
  if (!rec_->measuring) return;
  ++rec_->commands;
  if (r.is_error()) rec_->count_error(r.error_class(), r.error_message());
}

void ClusterRedis::answered(int node) {
  if (node >= 0 && rec_->measuring) topo_->count_call(node);
}

void ClusterRedis::lost(int node) {
  broken_ = true;
  topo_->want_refresh();
  if (pinned_ == node) unpin();
}

int ClusterRedis::pick(int slot) const {
  return slot < 0 ? topo_->any_node() : topo_->node_for_slot(static_cast<uint16_t>(slot));
}

net::Connection* ClusterRedis::ready(int node) const noexcept {
  const auto i = static_cast<std::size_t>(node);
  return i < conns_.size() && conns_[i] && conns_[i]->is_open() ? conns_[i].get() : nullptr;
}

asio::awaitable<net::Connection*> ClusterRedis::open(int node, Reply& why) {
  const auto i = static_cast<std::size_t>(node);
  if (i >= conns_.size()) conns_.resize(std::max(i + 1, topo_->node_count()));
  auto& c = conns_[i];
  if (!c) {
    const auto& shared = *topo_->shared();
    c = std::make_unique<net::Connection>(io_, shared.url_for(topo_->node(node)), shared.timeouts, watchdog_);
  }
  if (c->is_open()) co_return c.get();
  why = co_await c->connect();
  if (why.is_error()) {
    c->close();
    co_return nullptr;
  }
  co_return c.get();
}

asio::awaitable<Reply> ClusterRedis::send(net::Connection& c, std::span<const std::string_view> argv,
                                          bool asking) {
  // ASKING and the command in one write: the node accepts the command for the importing slot just once.
  if (asking) c.append(kAsking);
  c.append(argv);
  Reply w = co_await c.flush();
  if (w.is_error()) co_return w;
  if (asking) {
    Reply a = co_await c.read_reply();
    count(a);
    if (a.is_transport_failure()) co_return a;
  }
  Reply r;
  if (!c.try_buffered_reply(r)) r = co_await c.read_reply();
  co_return r;
}

asio::awaitable<bool> ClusterRedis::back_off(RedirectPolicy& policy) {
  // The clock is read here only, once per wait: an op that never waits reads none.
  const Backoff::Wait w = policy.wait(Clock::now(), lh::g_interrupted.load(std::memory_order_relaxed));
  if (w.stop != Backoff::Stop::none) co_return false;
  asio::steady_timer t(io_, w.until);
  boost::system::error_code ec;
  co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  co_return true;
}

asio::awaitable<bool> ClusterRedis::refresh() {
  if (!topo_->begin_refresh()) co_return true;  // another client of this worker is at it
  bool ok = false;
  const std::size_t n = topo_->node_count();
  const std::size_t start = topo_->refresh_start();
  for (std::size_t i = 0; i < n && !ok; ++i) {
    const int node = static_cast<int>((start + i) % n);
    Reply why;
    net::Connection* c = co_await open(node, why);
    if (!c) continue;
    Reply r = co_await c->call(kClusterSlots);
    if (r.is_error() || !r.is_array()) continue;
    ok = topo_->apply_cluster_slots(r.raw(), topo_->node(node));
  }
  topo_->end_refresh(ok, Clock::now());
  co_return ok;
}

asio::awaitable<void> ClusterRedis::refresh_if_due() {
  if (topo_->refresh_due(Clock::now())) (void)co_await refresh();
}

asio::awaitable<bool> ClusterRedis::load(int node, const scripts::Script& s) {
  Reply why;
  net::Connection* c = co_await open(node, why);
  if (!c) co_return false;
  const LoadArgv argv(s);
  Reply r = co_await c->call(argv.view());
  count(r);
  if (r.is_transport_failure()) lost(node);
  co_return !r.is_error();
}

asio::awaitable<Reply> ClusterRedis::deliver(std::span<const std::string_view> argv, int slot,
                                             const scripts::Script* s, int node, bool asking, Reply* first) {
  Reply r;
  bool have = first != nullptr;
  if (first) r = std::move(*first);
  RedirectPolicy policy(kRouterLimits);
  for (;;) {
    Step step;
    bool connect_failed = false;
    if (!have) {
      if (node < 0) node = pick(slot);
      net::Connection* c = nullptr;
      if (node < 0) {
        r = Reply::failure(ErrorClass::clusterdown, cat("CLUSTERDOWN no known node serves slot ", slot));
        count(r);
        step = policy.on_no_owner();
      } else {
        c = ready(node);
        if (!c) c = co_await open(node, r);
        if (!c) {
          // Nothing was sent, so trying again is safe: the slot may have a new owner by then (a failover).
          if (rec_->measuring) rec_->count_error(r.error_class(), r.error_message());
          connect_failed = true;
          step = policy.on_connect_failed();
        }
      }
      if (c) {
        r = co_await send(*c, argv, asking);
        count(r);
        have = true;
      }
    }
    if (have) {
      have = false;
      last_node_ = node;
      last_asking_ = asking;
      // A lost connection: the command may have run, so the policy never resends it. The op is indeterminate;
      // the engine reconnects us.
      if (r.is_transport_failure()) lost(node);
      step = policy.on_reply(r, topo_->node(node).host, s != nullptr);
    }
    switch (step.kind) {
      case Step::Kind::done:
      case Step::Kind::give_up:
        answered(node);
        co_return r;
      case Step::Kind::moved:
        topo_->moved(step.slot, step.node);
        node = topo_->node_for_slot(step.slot);
        asking = false;
        continue;
      case Step::Kind::ask:
        node = topo_->index_of(step.node);  // this op only: the map still names the migrating node
        asking = true;
        continue;
      case Step::Kind::reload:  // on this node (ASKING is not needed for SCRIPT LOAD), then the command again
        if (!co_await load(node, *s)) {
          answered(node);
          co_return r;
        }
        continue;
      case Step::Kind::wait:
        if (step.refresh == Step::Refresh::now) topo_->want_refresh();
        if (!co_await back_off(policy)) {
          answered(node);
          if (!connect_failed) co_return r;
          // Known not to have run: `failed`, not the `indeterminate` a connection error would imply. (Each
          // refused attempt was counted as a connection error above.)
          co_return Reply::failure(
              ErrorClass::other, cat("not sent: no connection to ", topo_->node(node).to_string(), " (slot ",
                                     slot, ") within the retry budget: ", r.error_message()));
        }
        if (step.refresh == Step::Refresh::after_wait) topo_->want_refresh();
        if (step.refresh != Step::Refresh::none) co_await refresh_if_due();
        if (step.same_node) continue;
        // The map's owner again: a finished migration answers there, an unfinished one ASKs again.
        node = -1;
        asking = false;
        continue;
    }
  }
}

asio::awaitable<Reply> ClusterRedis::pinned_call(std::span<const std::string_view> argv) {
  const int node = pinned_;
  net::Connection* c = conns_[static_cast<std::size_t>(node)].get();
  if (!c || !c->is_open()) {
    // Only after a failure that already ended the transaction. Nothing is sent: `failed` (class other).
    unpin();
    co_return Reply::failure(ErrorClass::other, cat("not sent: the transaction's connection to ",
                                                    topo_->node(node).to_string(), " is gone"));
  }
  // Outside MULTI, a transaction begun by an ASK redirect needs ASKING before each command; inside MULTI the
  // node keeps the ASKING flag until EXEC.
  Reply r = co_await send(*c, argv, pinned_asking_ && !in_multi_);
  count(r);
  answered(node);
  if (r.is_transport_failure()) {
    lost(node);
    co_return r;
  }
  const std::string_view name = argv.empty() ? std::string_view() : argv[0];
  if (is_command(name, "EXEC") || is_command(name, "DISCARD") || (is_command(name, "UNWATCH") && !in_multi_))
    unpin();
  else if (is_command(name, "MULTI") && !r.is_error()) in_multi_ = true;
  co_return r;
}

asio::awaitable<Reply> ClusterRedis::connect() {
  broken_ = false;
  unpin();
  if (topo_->covered_slots() < kSlotCount || topo_->refresh_due(Clock::now())) {
    const bool ok = co_await refresh();
    if (!ok && topo_->covered_slots() == 0)
      co_return Reply::failure(ErrorClass::connection, "no cluster node answered CLUSTER SLOTS");
  }
  co_return Reply();
}

asio::awaitable<Reply> ClusterRedis::call(std::span<const std::string_view> argv,
                                          std::string_view route_key) {
  const int slot = route_key.empty() ? -1 : key_slot(route_key);
  // A WATCH that no EXEC/DISCARD/UNWATCH closed, followed by another key's command: a new op, start afresh.
  if (pinned_ >= 0 && !in_multi_ && slot >= 0 && slot != pinned_slot_) unpin();
  if (pinned_ >= 0) co_return co_await pinned_call(argv);
  if (topo_->refresh_due(Clock::now())) (void)co_await refresh();
  Reply r = co_await direct_or_deliver(argv, slot, nullptr);
  if (!r.is_error() && !argv.empty() && (is_command(argv[0], "WATCH") || is_command(argv[0], "MULTI"))) {
    // The rest of the transaction goes where WATCH (or MULTI) went, over the same connection.
    pinned_ = last_node_;
    pinned_slot_ = slot;
    pinned_asking_ = last_asking_;
    in_multi_ = is_command(argv[0], "MULTI");
  }
  co_return r;
}

asio::awaitable<Reply> ClusterRedis::evalsha(const scripts::Script& s, std::span<const std::string_view> keys,
                                             std::span<const std::string_view> args) {
  const int slot = keys.empty() ? -1 : key_slot(keys[0]);
  if (topo_->refresh_due(Clock::now())) (void)co_await refresh();
  argv_.build(s, eval_, keys, args);
  co_return co_await direct_or_deliver(argv_.view(), slot, &s);
}

asio::awaitable<Reply> ClusterRedis::direct_or_deliver(std::span<const std::string_view> argv, int slot,
                                                       const scripts::Script* s) {
  const int node = pick(slot);
  net::Connection* c = node < 0 ? nullptr : ready(node);
  if (!c) co_return co_await deliver(argv, slot, s, -1, false, nullptr);
  Reply r = co_await send(*c, argv, false);
  count(r);
  last_node_ = node;
  last_asking_ = false;
  if (needs_follow_up(r)) co_return co_await deliver(argv, slot, s, node, false, &r);
  answered(node);
  if (r.is_transport_failure()) lost(node);
  co_return r;
}

asio::awaitable<void> ClusterRedis::evalsha_batch(std::span<ScriptCall> calls, std::span<Reply> replies) {
  if (topo_->refresh_due(Clock::now())) (void)co_await refresh();
  if (calls.size() != 1) {
    co_await pipelined_batch(calls, replies);
    co_return;
  }
  // --pipeline 1, the default: the node is connected (the engine's frame-free path), or deliver() connects.
  if (start_single(calls[0], replies[0])) {
    co_await finish_batch();
    co_return;
  }
  argv_.build(*calls[0].script, eval_, calls[0]);
  replies[0] = co_await deliver(argv_.view(), slot_of(calls[0]), calls[0].script, -1, false, nullptr);
}

bool ClusterRedis::start_batch(std::span<ScriptCall> calls, std::span<Reply> replies) {
  if (calls.size() != 1 || topo_->refresh_due(Clock::now())) return false;
  return start_single(calls[0], replies[0]);
}

bool ClusterRedis::start_single(ScriptCall& call, Reply& reply) {
  const int slot = slot_of(call);
  const int node = pick(slot);
  net::Connection* c = node < 0 ? nullptr : ready(node);
  if (!c) return false;
  argv_.build(*call.script, eval_, call);
  c->append(argv_.view());
  fast_conn_ = c;
  fast_call_ = &call;
  fast_reply_ = &reply;
  fast_node_ = node;
  fast_slot_ = slot;
  fast_follow_up_ = false;
  return true;
}

bool ClusterRedis::poll_batch() {
  net::Connection& c = *fast_conn_;
  Reply& r = *fast_reply_;
  if (!c.out_buffer().empty()) {
    const auto f = c.try_flush(r);
    if (f == net::Connection::Flush::pending) return false;
    if (f == net::Connection::Flush::done && !c.poll_reply(r)) return false;
  } else if (!c.poll_reply(r)) {
    return false;
  }
  count(r);
  if (needs_follow_up(r)) {
    fast_first_ = std::move(r);
    fast_follow_up_ = true;
    return true;
  }
  answered(fast_node_);
  if (r.is_transport_failure()) lost(fast_node_);
  return true;
}

asio::awaitable<void> ClusterRedis::retry_batch() {
  fast_follow_up_ = false;
  argv_.build(*fast_call_->script, eval_, *fast_call_);
  *fast_reply_ =
      co_await deliver(argv_.view(), fast_slot_, fast_call_->script, fast_node_, false, &fast_first_);
}

// (Its own coroutine so that evalsha_batch's single-call path keeps a small frame: Asio recycles small
// coroutine frames, larger ones cost a full malloc per op.)
asio::awaitable<void> ClusterRedis::pipelined_batch(std::span<ScriptCall> calls, std::span<Reply> replies) {
  const std::size_t n = calls.size();
  // Each call's node; the distinct nodes in order of first use.
  enum : uint8_t { unsent, awaiting, done };
  batch_node_.resize(n);
  batch_slot_.resize(n);
  batch_state_.assign(n, unsent);
  batch_order_.clear();
  for (std::size_t i = 0; i < n; ++i) {
    batch_slot_[i] = slot_of(calls[i]);
    batch_node_[i] = pick(batch_slot_[i]);
    if (batch_node_[i] >= 0 &&
        std::find(batch_order_.begin(), batch_order_.end(), batch_node_[i]) == batch_order_.end())
      batch_order_.push_back(batch_node_[i]);
  }

  // Write every node's share before reading any reply, so the nodes work in parallel.
  for (const int node : batch_order_) {
    Reply why;
    net::Connection* c = ready(node);
    if (!c) c = co_await open(node, why);
    if (!c) continue;  // left unsent: deliver() below retries with back-off
    for (std::size_t i = 0; i < n; ++i) {
      if (batch_node_[i] != node) continue;
      argv_.build(*calls[i].script, eval_, calls[i]);
      c->append(argv_.view());
      batch_state_[i] = awaiting;
    }
    Reply w = co_await c->flush();
    if (!w.is_error()) continue;
    for (std::size_t i = 0; i < n; ++i) {
      if (batch_node_[i] != node || batch_state_[i] != awaiting) continue;
      replies[i] = Reply::failure(w.error_class(), std::string(w.error_message()));
      count(replies[i]);
      answered(node);
      batch_state_[i] = done;
    }
    lost(node);
  }
  for (const int node : batch_order_) {
    net::Connection* c = conns_[static_cast<std::size_t>(node)].get();
    for (std::size_t i = 0; i < n; ++i) {
      if (batch_node_[i] != node || batch_state_[i] != awaiting) continue;
      if (!c->try_buffered_reply(replies[i])) replies[i] = co_await c->read_reply();
      count(replies[i]);
    }
  }

  // Follow-ups, one call at a time: redirects, back-offs, NOSCRIPT (loaded once per node and script).
  batch_loaded_.clear();  // (script, node) pairs loaded again in this batch
  auto loaded = [this](const scripts::Script* s, int node) {
    return std::find(batch_loaded_.begin(), batch_loaded_.end(), std::make_pair(s, node)) !=
           batch_loaded_.end();
  };
  for (std::size_t i = 0; i < n; ++i) {
    if (batch_state_[i] == done) continue;
    const int node = batch_node_[i];
    if (batch_state_[i] == awaiting) {
      Reply& r = replies[i];
      if (r.is_transport_failure()) {
        answered(node);
        lost(node);
        continue;
      }
      if (!needs_follow_up(r)) {
        answered(node);
        continue;
      }
      argv_.build(*calls[i].script, eval_, calls[i]);
      if (r.error_class() == ErrorClass::noscript && loaded(calls[i].script, node)) {
        r = co_await deliver(argv_.view(), batch_slot_[i], calls[i].script, node, false, nullptr);
        continue;
      }
      const bool noscript = r.error_class() == ErrorClass::noscript;
      Reply first = std::move(r);
      r = co_await deliver(argv_.view(), batch_slot_[i], calls[i].script, node, false, &first);
      if (noscript) batch_loaded_.emplace_back(calls[i].script, node);
      continue;
    }
    argv_.build(*calls[i].script, eval_, calls[i]);
    replies[i] = co_await deliver(argv_.view(), batch_slot_[i], calls[i].script, -1, false, nullptr);
  }
}

}  // namespace lh::transport
