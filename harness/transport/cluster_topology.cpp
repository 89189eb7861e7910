#include "harness/transport/cluster_topology.hpp"

#include <algorithm>
#include <stdexcept>

#include "harness/transport/slot.hpp"

namespace lh::transport {

using net::Clock;

// ---- shared state -----------------------------------------------------------------------------------------

net::RedisUrl ClusterShared::url_for(const NodeAddr& a) const {
  net::RedisUrl u = node_template;
  u.host = a.host;
  u.port = a.port;
  return u;
}

std::vector<std::string> master_names(const SlotMap& m) {
  std::vector<std::string> out;
  for (const auto& n : m.masters()) out.push_back(n.to_string());
  std::sort(out.begin(), out.end());
  return out;
}

SlotMap with_known_hosts(const SlotMap& m, const std::string& asked_host) {
  const auto& nodes = m.nodes();
  if (std::none_of(nodes.begin(), nodes.end(), [](const NodeAddr& n) { return n.host.empty(); })) return m;
  SlotMap out;
  for (int s = 0; s < kSlotCount; ++s) {
    const int i = m.node_for_slot(static_cast<uint16_t>(s));
    if (i < 0) continue;
    NodeAddr a = nodes[static_cast<std::size_t>(i)];
    if (a.host.empty()) a.host = asked_host;
    out.set_slot(static_cast<uint16_t>(s), a);
  }
  return out;
}

std::shared_ptr<ClusterTopology> ClusterShared::topology_for(const std::shared_ptr<ClusterShared>& shared,
                                                             const asio::io_context& io) {
  std::lock_guard lock(shared->mu);
  for (auto it = shared->workers.begin(); it != shared->workers.end();) {
    if (it->second.expired()) it = shared->workers.erase(it);
    else ++it;
  }
  auto& slot = shared->workers[&io];
  if (auto live = slot.lock()) return live;
  auto t = std::make_shared<ClusterTopology>(shared, shared->latest);
  slot = t;
  return t;
}

void ClusterShared::publish(const SlotMap& fresh) {
  std::lock_guard lock(mu);
  latest = fresh;
  // A full map with another set of masters: a replica was promoted (or a master added or emptied).
  if (fresh.covered_slots() == kSlotCount && master_names(fresh) != masters_at_start)
    masters_changed.store(true, std::memory_order_relaxed);
}

// ---- one worker's topology -----------------------------------------------------------------------------------

ClusterTopology::ClusterTopology(std::shared_ptr<ClusterShared> shared, const SlotMap& initial)
    : shared_(std::move(shared)), owner_(kSlotCount, -1) {
  assign_from(initial);
  for (const auto& s : shared_->seeds) index_of(s);
}

ClusterTopology::~ClusterTopology() {
  std::lock_guard lock(shared_->mu);
  for (std::size_t i = 0; i < calls_.size() && i < nodes_.size(); ++i)
    if (calls_[i] > 0) shared_->calls_per_node[nodes_[i].to_string()] += calls_[i];
}

int ClusterTopology::index_of(const NodeAddr& a) {
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i] == a) return static_cast<int>(i);
  nodes_.push_back(a);
  return static_cast<int>(nodes_.size() - 1);
}

void ClusterTopology::update_any() {
  any_ = -1;
  covered_ = 0;
  for (int16_t o : owner_) {
    if (o < 0) continue;
    if (any_ < 0) any_ = o;
    ++covered_;
  }
}

void ClusterTopology::assign_from(const SlotMap& m) {
  std::vector<int16_t> ours(m.nodes().size());
  for (std::size_t i = 0; i < m.nodes().size(); ++i) ours[i] = static_cast<int16_t>(index_of(m.nodes()[i]));
  for (int s = 0; s < kSlotCount; ++s) {
    const int o = m.node_for_slot(static_cast<uint16_t>(s));
    owner_[s] = o < 0 ? int16_t(-1) : ours[static_cast<std::size_t>(o)];
  }
  update_any();
}

void ClusterTopology::moved(uint16_t slot, const NodeAddr& a) {
  if (owner_[slot] < 0) ++covered_;
  owner_[slot] = static_cast<int16_t>(index_of(a));
  if (any_ < 0) any_ = owner_[slot];
  refresh_wanted_ = true;
}

bool ClusterTopology::apply_cluster_slots(const redisReply* reply, const NodeAddr& asked) {
  try {
    SlotMap fresh = with_known_hosts(SlotMap::from_cluster_slots(reply), asked.host);
    if (fresh.covered_slots() == 0) return false;  // a node that lost its view: ask another
    assign_from(fresh);
    shared_->publish(fresh);
    return true;
  } catch (const std::runtime_error&) {
    return false;
  }
}

bool ClusterTopology::begin_refresh() noexcept {
  if (refreshing_) return false;
  refreshing_ = true;
  return true;
}

void ClusterTopology::end_refresh(bool ok, Clock::time_point now) noexcept {
  refreshing_ = false;
  if (ok) refresh_wanted_ = false;
  next_refresh_ = now + kRefreshInterval;
}

}  // namespace lh::transport
