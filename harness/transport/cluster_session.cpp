#include "harness/transport/cluster_session.hpp"
#include "harness/util/interrupt.hpp"

#include <algorithm>
#include <optional>
#include <sstream>
#include <thread>

#include "harness/transport/cluster_redis.hpp"
#include "harness/transport/redirect.hpp"
#include "harness/transport/slot.hpp"
#include "harness/util/exit_errors.hpp"
#include "harness/util/strcat.hpp"

namespace lh::transport {

using net::Clock;
using net::Reply;
using namespace std::chrono_literals;

namespace {

// How long the admin client waits for the cluster to come back (a failover: node timeout + election), and how
// long once it has already given up on a command (so reading back many keys of a dead node does not take ages).
constexpr auto kPatience = 10s;
constexpr auto kImpatience = 500ms;

// One node, as a SyncClient: for the helpers that work on "every master" (script load, key cleanup).
class OnNode final : public SyncClient {
 public:
  OnNode(ClusterSync& c, NodeAddr a) : c_(c), a_(std::move(a)) {}
  Reply command(const std::vector<std::string>& argv, std::string_view) override {
    return c_.command_on(a_, argv);
  }
  Reply command_once(const std::vector<std::string>& argv, std::string_view) override {
    return c_.try_on(a_, argv);
  }

 private:
  ClusterSync& c_;
  NodeAddr a_;
};

bool has_failing_flag(const std::string& flags) {
  std::istringstream in(flags);
  for (std::string f; std::getline(in, f, ',');)
    if (f == "fail" || f == "fail?") return true;
  return false;
}

// One CLUSTER NODES line's address ("host:port", without @cport or ,hostname) and flags.
struct NodeLine {
  std::string addr, flags;
};

}  // namespace

// ---- ClusterSync ---------------------------------------------------------------------------------------------

ClusterSync::ClusterSync(std::shared_ptr<ClusterShared> shared) : shared_(std::move(shared)) {
  std::lock_guard lock(shared_->mu);
  map_ = shared_->latest;
}

NodeClient& ClusterSync::context(const NodeAddr& node) {
  const std::string key = node.to_string();
  auto it = conns_.find(key);
  if (it != conns_.end()) return *it->second;
  auto c = std::make_unique<NodeClient>(shared_->url_for(node), shared_->timeouts);
  c->connect();  // throws TargetError
  return *conns_.emplace(key, std::move(c)).first->second;
}

void ClusterSync::drop(const NodeAddr& node) { conns_.erase(node.to_string()); }

std::vector<NodeAddr> ClusterSync::known_nodes() const {
  std::vector<NodeAddr> out = map_.masters();
  auto add = [&out](const NodeAddr& a) {
    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
  };
  for (const auto& n : map_.nodes()) add(n);
  for (const auto& n : shared_->seeds) add(n);
  return out;
}

Reply ClusterSync::command_on(const NodeAddr& node, const std::vector<std::string>& argv,
                              std::chrono::milliseconds patience) {
  try {
    return context(node).command(argv, patience);
  } catch (const TargetError&) {
    drop(node);
    throw;
  }
}

bool ClusterSync::refresh() {
  for (const NodeAddr& n : known_nodes()) {
    try {
      Reply r = command_on(n, {"CLUSTER", "SLOTS"});
      if (r.is_error() || !r.is_array()) continue;
      SlotMap m = with_known_hosts(SlotMap::from_cluster_slots(r.raw()), n.host);
      if (m.covered_slots() == 0) continue;
      map_ = std::move(m);
      shared_->publish(map_);
      return true;
    } catch (const std::runtime_error&) {
      continue;  // unreachable or not answering like a cluster node: ask the next one
    }
  }
  return false;
}

Reply ClusterSync::command_once(const std::vector<std::string>& argv, std::string_view route_key) {
  const int i = map_.node_for_slot(route_key.empty() ? 0 : key_slot(route_key));
  if (i < 0) return Reply::failure(net::ErrorClass::connection, "no node serves the slot");
  return try_on(map_.nodes()[static_cast<std::size_t>(i)], argv);
}

Reply ClusterSync::try_on(const NodeAddr& node, const std::vector<std::string>& argv) {
  try {
    Reply r = context(node).try_command(argv);
    if (r.is_transport_failure()) drop(node);
    return r;
  } catch (const TargetError&) {
    drop(node);
    throw;
  }
}

Reply ClusterSync::command(const std::vector<std::string>& argv, std::string_view route_key) {
  const int slot = route_key.empty() ? -1 : key_slot(route_key);
  const auto start = Clock::now();
  const RetryLimits limits = admin_limits(start < impatient_until_ ? std::chrono::milliseconds(kImpatience)
                                                                   : std::chrono::milliseconds(kPatience));
  RedirectPolicy policy(limits, start);
  std::optional<NodeAddr> target;  // set by a redirect
  bool asking = false;
  for (;;) {
    NodeAddr node;
    Reply r;
    Step step;
    enum { answered, no_owner, lost } what = answered;
    std::string lost_why;
    if (target) {
      node = *target;
    } else if (const int i = map_.node_for_slot(static_cast<uint16_t>(slot < 0 ? 0 : slot)); i >= 0) {
      node = map_.nodes()[static_cast<std::size_t>(i)];
    } else {
      what = no_owner;
      step = policy.on_no_owner();
    }
    if (what == answered) {
      try {
        NodeClient& c = context(node);
        if (asking) (void)c.try_command({"ASKING"});
        r = c.try_command(argv);
        step = policy.on_reply(r, node.host, false);  // a lost connection: resent (idempotent commands only)
        if (r.is_transport_failure()) {
          drop(node);
          what = lost;
          lost_why = r.error_message();
        }
      } catch (const TargetError& e) {  // unreachable, or its handshake refused
        drop(node);
        what = lost;
        lost_why = e.what();
        step = policy.on_connect_failed();
      }
    }
    switch (step.kind) {
      case Step::Kind::done:
      case Step::Kind::give_up:
      case Step::Kind::reload:  // not asked for: no script to load
        return r;
      case Step::Kind::moved:
        map_.set_slot(step.slot, step.node);
        target = std::move(step.node);
        asking = false;
        continue;
      case Step::Kind::ask:
        target = std::move(step.node);
        asking = true;
        continue;
      case Step::Kind::wait: {
        const Backoff::Wait w = policy.wait(Clock::now(), interrupt_grace_over());
        if (w.stop == Backoff::Stop::interrupted) throw Interrupted();
        if (w.stop != Backoff::Stop::none) {
          if (what == no_owner)
            throw TargetLost(cat("no node of the cluster serves slot ", slot < 0 ? 0 : slot));
          if (what == lost) {
            impatient_until_ = Clock::now() + 30s;
            throw TargetLost(cat("lost the cluster: ", lost_why));
          }
          return r;
        }
        std::this_thread::sleep_until(w.until);
        if (step.refresh != Step::Refresh::none) refresh();
        if (!step.same_node) {
          target.reset();
          asking = false;
        }
        continue;
      }
    }
  }
}

// ---- ClusterSession ---------------------------------------------------------------------------------------------

ClusterSession::ClusterSession(std::shared_ptr<ClusterShared> shared, bool embedded)
    : shared_(std::move(shared)), embedded_(embedded), admin_(shared_) {}

RedisFactory ClusterSession::factory(bool eval) {
  return [shared = shared_, eval](asio::io_context& io, net::ConnectionSet& conns, Counters& rec) {
    return std::unique_ptr<Redis>(
        new ClusterRedis(io, ClusterShared::topology_for(shared, io), &conns, &rec, eval));
  };
}

void ClusterSession::load_script(const scripts::Script& s) {
  each_master([&](SyncClient& node, const std::string& where) { load_script_on(node, s, where); });
}

void ClusterSession::each_master(const std::function<void(SyncClient&, const std::string&)>& f) {
  admin_.refresh();
  for (const NodeAddr& m : admin_.map().masters()) {
    OnNode node(admin_, m);
    f(node, m.to_string());
  }
}

// CLUSTER NODES of the first known node that answers, line by line; empty when none does.
static std::vector<NodeLine> cluster_nodes(ClusterSync& admin) {
  std::vector<NodeLine> out;
  for (const NodeAddr& n : admin.known_nodes()) {
    Reply r;
    try {
      r = admin.command_on(n, {"CLUSTER", "NODES"});
    } catch (const std::runtime_error&) {
      continue;
    }
    if (!r.is_string()) continue;
    std::istringstream lines{std::string(r.str())};
    for (std::string line; std::getline(lines, line);) {
      std::istringstream fields(line);
      std::string id, addr, flags;
      if (fields >> id >> addr >> flags) out.push_back({addr.substr(0, addr.find_first_of("@,")), flags});
    }
    break;
  }
  return out;
}

void ClusterSession::each_node(
    const std::function<void(SyncClient&, const std::string&)>& f,
    const std::function<void(const std::string&, const std::string&)>& unreachable) {
  admin_.refresh();
  std::vector<NodeAddr> nodes = admin_.known_nodes();
  for (const NodeLine& l : cluster_nodes(admin_)) {
    const auto colon = l.addr.rfind(':');
    if (colon == std::string::npos || l.flags.find("noaddr") != std::string::npos) continue;
    NodeAddr a{l.addr.substr(0, colon), std::atoi(l.addr.c_str() + colon + 1)};
    if (a.port > 0 && std::find(nodes.begin(), nodes.end(), a) == nodes.end()) nodes.push_back(a);
  }
  for (const NodeAddr& n : nodes) {
    try {
      OnNode node(admin_, n);
      f(node, n.to_string());
    } catch (const TargetError& e) {
      unreachable(n.to_string(), e.what());
    }
  }
}

PrefixScan ClusterSession::scan_prefix(const std::string& prefix) {
  admin_.refresh();
  PrefixScan total;
  for (const NodeAddr& m : admin_.map().masters()) {
    OnNode node(admin_, m);
    PrefixScan one = scan_prefix_on(node, prefix);
    if (!one.refused.empty()) return one;
    if (total.keys == 0) total.example = one.example;
    total.keys += one.keys;
  }
  return total;
}

CleanupResult ClusterSession::cleanup(const std::string& prefix) {
  admin_.refresh();
  CleanupResult total;
  for (const NodeAddr& m : admin_.map().masters()) {
    OnNode node(admin_, m);
    try {
      add_cleanup(total, unlink_prefix_on(node, prefix, true));
    } catch (const TargetError& e) {
      // A master that is gone and not replaced: what it held is unknown (lost with it, or back when it is).
      add_cleanup(total, {0, -1, cat("master ", m.to_string(), " unreachable: ", e.what())});
    }
  }
  return total;
}

bool ClusterSession::failover_detected() {
  if (shared_->masters_changed.load(std::memory_order_relaxed)) return true;
  if (admin_.refresh() && admin_.map().covered_slots() == kSlotCount &&
      master_names(admin_.map()) != shared_->masters_at_start)
    return true;
  // Not promoted yet, but the cluster already flags a master of the start as failing.
  const auto& start = shared_->masters_at_start;
  for (const NodeLine& l : cluster_nodes(admin_))
    if (has_failing_flag(l.flags) && std::find(start.begin(), start.end(), l.addr) != start.end())
      return true;
  return false;
}

std::vector<std::string> ClusterSession::current_masters() {
  // Only a map covering every slot: mid-failover, a partial map could leave out the promoted replica.
  if (!admin_.refresh() || admin_.map().covered_slots() != kSlotCount) return {};
  return master_names(admin_.map());
}

reports::Target ClusterSession::describe() {
  reports::Target t;
  t.mode = "cluster";
  t.embedded = embedded_;
  admin_.refresh();
  t.nodes = master_names(admin_.map());
  for (const NodeAddr& m : admin_.map().masters()) {
    try {
      Reply info = admin_.command_on(m, {"INFO", "server"});
      t.redis_version = info_field(info.str(), "redis_version");
      break;
    } catch (const std::runtime_error&) {
    }
  }
  t.failover_detected = failover_detected();
  return t;
}

std::map<std::string, uint64_t> ClusterSession::take_ops_per_node(uint64_t ops_total) {
  std::map<std::string, uint64_t> calls;
  {
    std::lock_guard lock(shared_->mu);
    calls.swap(shared_->calls_per_node);
  }
  uint64_t total = 0;
  for (const auto& [_, n] : calls) total += n;
  if (total == 0 || ops_total == 0) return {};
  for (auto& [_, n] : calls) n = (n * ops_total + total / 2) / total;
  return calls;
}

// ---- opening -------------------------------------------------------------------------------------------------------

std::unique_ptr<TargetSession> open_cluster(const std::vector<net::RedisUrl>& seeds, net::Timeouts t,
                                            bool embedded) {
  if (seeds.empty()) throw TargetError("cluster mode needs at least one seed node (--target)");
  auto shared = std::make_shared<ClusterShared>();
  shared->timeouts = t;
  for (const auto& u : seeds) shared->seeds.push_back(NodeAddr{u.host, u.port});
  std::string last;
  for (const auto& url : seeds) {
    Reply r;
    try {
      NodeClient c(url, t);
      c.connect();
      r = c.try_command({"CLUSTER", "SLOTS"});
      if (r.is_transport_failure()) throw TargetError(cat(url.display(), ": ", r.error_message()));
    } catch (const UsageError&) {
      throw;
    } catch (const TargetError& e) {
      last = e.what();
      continue;
    }
    if (r.is_error()) {
      const std::string msg(r.error_message());
      if (msg.find("cluster support disabled") != std::string::npos)
        throw UsageError(cat(url.display(),
                             " is not a cluster node (cluster_enabled:0): drop --cluster, or give ",
                             "a node of the cluster as --target"));
      last = cat("CLUSTER SLOTS at ", url.display(), ": ", msg);
      continue;
    }
    SlotMap m;
    try {
      m = with_known_hosts(SlotMap::from_cluster_slots(r.raw()), url.host);
    } catch (const std::runtime_error& e) {
      last = cat(url.display(), ": ", e.what());
      continue;
    }
    if (m.covered_slots() == 0) {
      last = cat(url.display(),
                 " serves no slot: the cluster is not set up yet (redis-cli --cluster create ...)");
      continue;
    }
    shared->node_template = url;
    shared->latest = m;
    shared->masters_at_start = master_names(m);
    return std::make_unique<ClusterSession>(shared, embedded);
  }
  if (last.find("TLS") != std::string::npos) throw TargetError(cat("no cluster seed node answered: ", last));
  throw TargetError(cat("no cluster seed node answered: ", last,
                        " (is Redis running there? omit --target to use an embedded redis-server)"));
}

bool cluster_enabled(const std::vector<net::RedisUrl>& seeds, net::Timeouts t) {
  std::optional<TargetError> first;
  for (const auto& url : seeds) {
    try {
      StandaloneSync s(url, t);
      Reply info = s.command({"INFO", "cluster"});
      return info_field(info.str(), "cluster_enabled") == "1";
    } catch (const TargetError& e) {
      if (!first) first = e;
    }
  }
  if (first) throw *first;
  return false;
}

}  // namespace lh::transport
