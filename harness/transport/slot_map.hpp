// Which master serves which slot, built from CLUSTER SLOTS and patched by MOVED redirects (parsed in
// transport/redirect.hpp).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct redisReply;

namespace lh::transport {

struct NodeAddr {
  std::string host;
  int port = 0;

  std::string to_string() const { return host + ":" + std::to_string(port); }
  friend bool operator==(const NodeAddr&, const NodeAddr&) = default;
};

class SlotMap {
 public:
  SlotMap();  // every slot unassigned

  // Parses a CLUSTER SLOTS reply: for each range, the first node entry (the master) owns the range; replicas are
  // ignored. Throws std::runtime_error on a reply that is not shaped like CLUSTER SLOTS.
  static SlotMap from_cluster_slots(const redisReply* reply);

  // Index into nodes(), or -1 when no node serves the slot.
  int node_for_slot(uint16_t slot) const noexcept { return slot < owner_.size() ? owner_[slot] : -1; }
  // Points one slot at a node (after MOVED), adding the node to nodes() when it is new.
  void set_slot(uint16_t slot, const NodeAddr& addr);

  // Every node ever seen, indexed as node_for_slot returns; a node keeps its index even when it loses its slots.
  const std::vector<NodeAddr>& nodes() const noexcept { return nodes_; }
  // The nodes that currently own at least one slot, in nodes() order.
  std::vector<NodeAddr> masters() const;
  // Number of slots with an owner (16384 when the cluster is fully covered).
  int covered_slots() const noexcept;

 private:
  int index_of(const NodeAddr& addr);  // adds the node when missing

  std::vector<int16_t> owner_;  // 16384 entries; -1 = unassigned
  std::vector<NodeAddr> nodes_;
};

}  // namespace lh::transport
