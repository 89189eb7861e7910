#include "harness/transport/slot_map.hpp"

#include <hiredis/hiredis.h>

#include <stdexcept>

#include "harness/transport/slot.hpp"

namespace lh::transport {
namespace {

[[noreturn]] void malformed(const std::string& why) {
  throw std::runtime_error("malformed CLUSTER SLOTS reply: " + why);
}

}  // namespace

SlotMap::SlotMap() : owner_(kSlotCount, -1) {}

SlotMap SlotMap::from_cluster_slots(const redisReply* reply) {
  if (!reply || reply->type != REDIS_REPLY_ARRAY) malformed("not an array");
  SlotMap map;
  for (size_t i = 0; i < reply->elements; ++i) {
    const redisReply* range = reply->element[i];
    // [start, end, [host, port, id, ...], replica...]
    if (!range || range->type != REDIS_REPLY_ARRAY || range->elements < 3) malformed("range entry too short");
    const redisReply* lo = range->element[0];
    const redisReply* hi = range->element[1];
    const redisReply* master = range->element[2];
    if (lo->type != REDIS_REPLY_INTEGER || hi->type != REDIS_REPLY_INTEGER)
      malformed("slot bounds not integers");
    if (lo->integer < 0 || hi->integer >= kSlotCount || lo->integer > hi->integer)
      malformed("slot bounds out of range");
    if (master->type != REDIS_REPLY_ARRAY || master->elements < 2) malformed("node entry too short");
    const redisReply* host = master->element[0];
    const redisReply* port = master->element[1];
    if (host->type != REDIS_REPLY_STRING || port->type != REDIS_REPLY_INTEGER) malformed("node entry types");
    const int index =
        map.index_of(NodeAddr{std::string(host->str, host->len), static_cast<int>(port->integer)});
    for (long long s = lo->integer; s <= hi->integer; ++s) map.owner_[s] = static_cast<int16_t>(index);
  }
  return map;
}

void SlotMap::set_slot(uint16_t slot, const NodeAddr& addr) {
  if (slot >= kSlotCount) return;
  owner_[slot] = static_cast<int16_t>(index_of(addr));
}

std::vector<NodeAddr> SlotMap::masters() const {
  std::vector<bool> owns(nodes_.size(), false);
  for (int16_t o : owner_)
    if (o >= 0) owns[o] = true;
  std::vector<NodeAddr> out;
  for (size_t i = 0; i < nodes_.size(); ++i)
    if (owns[i]) out.push_back(nodes_[i]);
  return out;
}

int SlotMap::covered_slots() const noexcept {
  int n = 0;
  for (int16_t o : owner_) n += o >= 0;
  return n;
}

int SlotMap::index_of(const NodeAddr& addr) {
  for (size_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i] == addr) return static_cast<int>(i);
  nodes_.push_back(addr);
  return static_cast<int>(nodes_.size() - 1);
}

}  // namespace lh::transport
