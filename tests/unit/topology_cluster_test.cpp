// The cluster's slot map as the router keeps it (transport/cluster_topology.hpp), no server: a worker's topology
// starts from the session's latest map, follows MOVED, takes CLUSTER SLOTS replies and publishes them, paces its
// refreshes, and hands its per-node call counts back when it ends.
#include "harness/transport/cluster_topology.hpp"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <hiredis/read.h>

#include <memory>
#include <string>
#include <vector>

#include "harness/transport/slot.hpp"

using namespace lh::transport;
using lh::net::Clock;
using namespace std::chrono_literals;

namespace {

struct ReplyFree {
  void operator()(redisReply* r) const noexcept { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyFree>;

ReplyPtr parse(const std::string& resp) {
  struct ReaderFree {
    void operator()(redisReader* r) const noexcept { redisReaderFree(r); }
  };
  std::unique_ptr<redisReader, ReaderFree> rd(redisReaderCreate());
  redisReaderFeed(rd.get(), resp.data(), resp.size());
  void* out = nullptr;
  EXPECT_EQ(redisReaderGetReply(rd.get(), &out), REDIS_OK);
  return ReplyPtr(static_cast<redisReply*>(out));
}

// CLUSTER SLOTS of masters owning consecutive ranges: {host, port, last slot}.
struct Range {
  std::string host;
  int port;
  int last;
};
ReplyPtr cluster_slots(const std::vector<Range>& ranges) {
  std::string out = "*" + std::to_string(ranges.size()) + "\r\n";
  int first = 0;
  for (const auto& r : ranges) {
    out += "*3\r\n:" + std::to_string(first) + "\r\n:" + std::to_string(r.last) + "\r\n";
    out += "*3\r\n$" + std::to_string(r.host.size()) + "\r\n" + r.host + "\r\n:" + std::to_string(r.port) +
           "\r\n$2\r\nid\r\n";
    first = r.last + 1;
  }
  return parse(out);
}

SlotMap map_of(const std::vector<Range>& ranges) {
  return SlotMap::from_cluster_slots(cluster_slots(ranges).get());
}

std::shared_ptr<ClusterShared> shared_with(const SlotMap& latest) {
  auto shared = std::make_shared<ClusterShared>();
  shared->seeds = {NodeAddr{"10.0.0.9", 7009}};
  shared->latest = latest;
  shared->masters_at_start = master_names(latest);
  return shared;
}

}  // namespace

TEST(ClusterTopology, StartsFromTheLatestMapPlusTheSeeds) {
  auto shared = shared_with(map_of({{"10.0.0.1", 7001, 8191}, {"10.0.0.2", 7002, 16383}}));
  ClusterTopology topo(shared, shared->latest);
  EXPECT_EQ(topo.covered_slots(), kSlotCount);
  ASSERT_EQ(topo.node_count(), 3u);  // two masters, then the seed (a refresh can always ask someone)
  EXPECT_EQ(topo.node(topo.node_for_slot(0)).port, 7001);
  EXPECT_EQ(topo.node(topo.node_for_slot(16383)).port, 7002);
  EXPECT_EQ(topo.node(2).port, 7009);
  EXPECT_GE(topo.any_node(), 0);
}

TEST(ClusterTopology, MovedPointsTheSlotAndWantsARefresh) {
  auto shared = shared_with(map_of({{"10.0.0.1", 7001, 16383}}));
  ClusterTopology topo(shared, shared->latest);
  const auto now = Clock::now();
  EXPECT_FALSE(topo.refresh_due(now));
  topo.moved(42, NodeAddr{"10.0.0.3", 7003});
  EXPECT_EQ(topo.node(topo.node_for_slot(42)).port, 7003);
  EXPECT_EQ(topo.node(topo.node_for_slot(43)).port, 7001);
  EXPECT_TRUE(topo.refresh_due(now));
  // The new node got an index of its own; known nodes keep theirs.
  EXPECT_EQ(topo.index_of(NodeAddr{"10.0.0.3", 7003}), topo.node_for_slot(42));
  EXPECT_EQ(topo.index_of(NodeAddr{"10.0.0.1", 7001}), 0);
}

TEST(ClusterTopology, MovedIntoAnEmptyMapCoversTheSlot) {
  auto shared = shared_with(SlotMap{});
  ClusterTopology topo(shared, shared->latest);
  EXPECT_EQ(topo.covered_slots(), 0);
  EXPECT_EQ(topo.any_node(), -1);
  topo.moved(7, NodeAddr{"10.0.0.1", 7001});
  EXPECT_EQ(topo.covered_slots(), 1);
  EXPECT_EQ(topo.any_node(), topo.node_for_slot(7));
}

TEST(ClusterTopology, ClusterSlotsReplacesTheMapAndIsPublished) {
  auto shared = shared_with(map_of({{"10.0.0.1", 7001, 8191}, {"10.0.0.2", 7002, 16383}}));
  ClusterTopology topo(shared, shared->latest);
  const int old_second = topo.node_for_slot(16383);
  // A failover: 7002's replica 7004 now serves its slots.
  auto fresh = cluster_slots({{"10.0.0.1", 7001, 8191}, {"10.0.0.4", 7004, 16383}});
  ASSERT_TRUE(topo.apply_cluster_slots(fresh.get(), NodeAddr{"10.0.0.1", 7001}));
  EXPECT_EQ(topo.node(topo.node_for_slot(16383)).port, 7004);
  EXPECT_EQ(topo.node(old_second).port, 7002);  // indices never change (clients' connections stay valid)
  EXPECT_TRUE(shared->masters_changed.load());
  std::lock_guard lock(shared->mu);
  EXPECT_EQ(master_names(shared->latest), (std::vector<std::string>{"10.0.0.1:7001", "10.0.0.4:7004"}));
}

TEST(ClusterTopology, ANodeWithoutAViewOrABadReplyLeavesTheMapAlone) {
  auto shared = shared_with(map_of({{"10.0.0.1", 7001, 16383}}));
  ClusterTopology topo(shared, shared->latest);
  auto empty = parse("*0\r\n");
  EXPECT_FALSE(topo.apply_cluster_slots(empty.get(), NodeAddr{"10.0.0.1", 7001}));
  auto wrong = parse("+OK\r\n");
  EXPECT_FALSE(topo.apply_cluster_slots(wrong.get(), NodeAddr{"10.0.0.1", 7001}));
  EXPECT_EQ(topo.covered_slots(), kSlotCount);
  EXPECT_FALSE(shared->masters_changed.load());
}

TEST(ClusterTopology, AnEmptyHostIsTheHostAsked) {
  auto shared = shared_with(SlotMap{});
  ClusterTopology topo(shared, shared->latest);
  auto reply = cluster_slots({{"", 7001, 16383}});  // a one-node cluster that never met a peer
  ASSERT_TRUE(topo.apply_cluster_slots(reply.get(), NodeAddr{"192.168.1.5", 7001}));
  EXPECT_EQ(topo.node(topo.node_for_slot(0)).to_string(), "192.168.1.5:7001");
  const SlotMap m = with_known_hosts(map_of({{"", 7001, 100}, {"10.0.0.2", 7002, 16383}}), "h");
  EXPECT_EQ(master_names(m), (std::vector<std::string>{"10.0.0.2:7002", "h:7001"}));
}

TEST(ClusterTopology, RefreshesAreOneAtATimeAndPaced) {
  auto shared = shared_with(map_of({{"10.0.0.1", 7001, 16383}}));
  ClusterTopology topo(shared, shared->latest);
  const auto t0 = Clock::now();
  topo.want_refresh();
  EXPECT_TRUE(topo.refresh_due(t0));
  ASSERT_TRUE(topo.begin_refresh());
  EXPECT_FALSE(topo.refresh_due(t0));  // one is running
  EXPECT_FALSE(topo.begin_refresh());  // another client of the worker does not start a second
  topo.end_refresh(false, t0);         // no node answered: still wanted, after the interval
  EXPECT_FALSE(topo.refresh_due(t0 + ClusterTopology::kRefreshInterval - 1ms));
  EXPECT_TRUE(topo.refresh_due(t0 + ClusterTopology::kRefreshInterval));
  ASSERT_TRUE(topo.begin_refresh());
  topo.end_refresh(true, t0 + 200ms);
  EXPECT_FALSE(topo.refresh_due(t0 + 1h));                // done: not wanted any more
  EXPECT_NE(topo.refresh_start(), topo.refresh_start());  // each refresh starts at the next node
}

TEST(ClusterTopology, CallsPerNodeReachTheSessionWhenTheTopologyEnds) {
  auto shared = shared_with(map_of({{"10.0.0.1", 7001, 8191}, {"10.0.0.2", 7002, 16383}}));
  {
    ClusterTopology topo(shared, shared->latest);
    for (int i = 0; i < 3; ++i) topo.count_call(topo.node_for_slot(0));
    topo.count_call(topo.node_for_slot(16383));
  }
  std::lock_guard lock(shared->mu);
  EXPECT_EQ(shared->calls_per_node,
            (std::map<std::string, uint64_t>{{"10.0.0.1:7001", 3}, {"10.0.0.2:7002", 1}}));
}

TEST(ClusterShared, OneTopologyPerWorkerWhileItLives) {
  auto shared = shared_with(map_of({{"10.0.0.1", 7001, 16383}}));
  boost::asio::io_context a, b;
  auto ta = ClusterShared::topology_for(shared, a);
  EXPECT_EQ(ClusterShared::topology_for(shared, a), ta);
  EXPECT_NE(ClusterShared::topology_for(shared, b), ta);
  ta->moved(1, NodeAddr{"10.0.0.2", 7002});
  ta.reset();  // the worker's last client ended: the next client of that worker starts from the latest map
  auto again = ClusterShared::topology_for(shared, a);
  EXPECT_EQ(again->node(again->node_for_slot(1)).port, 7001);
}

TEST(ClusterShared, UrlForANodeKeepsTheCredentials) {
  ClusterShared shared;
  shared.node_template.user = "u";
  shared.node_template.password = "p";
  shared.node_template.db = 0;
  const auto u = shared.url_for(NodeAddr{"10.0.0.7", 7007});
  EXPECT_EQ(u.host, "10.0.0.7");
  EXPECT_EQ(u.port, 7007);
  EXPECT_EQ(u.user, "u");
  EXPECT_EQ(u.password, "p");
}
