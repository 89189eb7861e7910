#include "harness/transport/slot_map.hpp"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <memory>

using namespace lh::transport;

namespace {

// A hand-built reply tree, allocated the way hiredis allocates so that freeReplyObject releases it.
redisReply* make(int type) {
  auto* r = static_cast<redisReply*>(std::calloc(1, sizeof(redisReply)));
  r->type = type;
  return r;
}
redisReply* integer(long long v) {
  redisReply* r = make(REDIS_REPLY_INTEGER);
  r->integer = v;
  return r;
}
redisReply* string(const char* s) {
  redisReply* r = make(REDIS_REPLY_STRING);
  r->len = std::strlen(s);
  r->str = static_cast<char*>(std::malloc(r->len + 1));
  std::memcpy(r->str, s, r->len + 1);
  return r;
}
redisReply* array(std::initializer_list<redisReply*> items) {
  redisReply* r = make(REDIS_REPLY_ARRAY);
  r->elements = items.size();
  r->element = static_cast<redisReply**>(std::calloc(items.size() ? items.size() : 1, sizeof(redisReply*)));
  size_t i = 0;
  for (redisReply* item : items) r->element[i++] = item;
  return r;
}
redisReply* node(const char* host, int port, const char* id) {
  return array({string(host), integer(port), string(id), array({})});  // 7.0 adds a metadata entry
}
struct Free {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Owned = std::unique_ptr<redisReply, Free>;

}  // namespace

TEST(SlotMap, ParsesClusterSlots) {
  // Three masters, each range with one replica; the middle master owns two ranges.
  Owned reply(array({
      array({integer(0), integer(5460), node("127.0.0.1", 30001, "a"), node("127.0.0.1", 30004, "d")}),
      array({integer(5461), integer(9000), node("127.0.0.1", 30002, "b"), node("127.0.0.1", 30005, "e")}),
      array({integer(9001), integer(10922), node("127.0.0.1", 30002, "b")}),
      array({integer(10923), integer(16383), node("127.0.0.1", 30003, "c"), node("127.0.0.1", 30006, "f")}),
  }));
  const SlotMap map = SlotMap::from_cluster_slots(reply.get());
  ASSERT_EQ(map.nodes().size(), 3u);  // masters only
  EXPECT_EQ(map.covered_slots(), 16384);
  auto owner = [&](uint16_t s) { return map.nodes().at(map.node_for_slot(s)).port; };
  EXPECT_EQ(owner(0), 30001);
  EXPECT_EQ(owner(5460), 30001);
  EXPECT_EQ(owner(5461), 30002);
  EXPECT_EQ(owner(10922), 30002);
  EXPECT_EQ(owner(16383), 30003);
  EXPECT_EQ(map.masters().size(), 3u);
  EXPECT_EQ(map.nodes()[0].to_string(), "127.0.0.1:30001");
}

TEST(SlotMap, PartialCoverageAndMoved) {
  Owned reply(array({array({integer(0), integer(99), node("127.0.0.1", 7000, "a")})}));
  SlotMap map = SlotMap::from_cluster_slots(reply.get());
  EXPECT_EQ(map.covered_slots(), 100);
  EXPECT_EQ(map.node_for_slot(100), -1);
  EXPECT_EQ(map.node_for_slot(16383), -1);

  // MOVED to a new node adds it; a node that loses all its slots stays in nodes() but not in masters().
  map.set_slot(5, NodeAddr{"127.0.0.1", 7001});
  ASSERT_EQ(map.nodes().size(), 2u);
  EXPECT_EQ(map.node_for_slot(5), 1);
  for (uint16_t s = 0; s < 100; ++s) map.set_slot(s, NodeAddr{"127.0.0.1", 7001});
  EXPECT_EQ(map.nodes().size(), 2u);
  ASSERT_EQ(map.masters().size(), 1u);
  EXPECT_EQ(map.masters()[0].port, 7001);
}

TEST(SlotMap, EmptyAndMalformed) {
  Owned empty(array({}));
  EXPECT_EQ(SlotMap::from_cluster_slots(empty.get()).covered_slots(), 0);
  EXPECT_THROW(SlotMap::from_cluster_slots(nullptr), std::runtime_error);
  Owned not_array(string("nope"));
  EXPECT_THROW(SlotMap::from_cluster_slots(not_array.get()), std::runtime_error);
  Owned bad_range(array({array({integer(10), integer(16384), node("h", 1, "a")})}));
  EXPECT_THROW(SlotMap::from_cluster_slots(bad_range.get()), std::runtime_error);
  Owned short_entry(array({array({integer(0), integer(1)})}));
  EXPECT_THROW(SlotMap::from_cluster_slots(short_entry.get()), std::runtime_error);
}
