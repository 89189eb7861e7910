// The cluster transport and session against real local clusters, below the CLI: seeds, the admin client's
// redirects, the router's per-node pipelining, NOSCRIPT on every node, transactions pinned to one node, and the
// per-node op counts.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <map>
#include <sstream>

#include "harness/engine/recorder.hpp"
#include "harness/scenarios/embedded_lua.hpp"
#include "harness/transport/cluster_session.hpp"
#include "harness/transport/slot.hpp"
#include "harness/util/exit_errors.hpp"
#include "support/servers.hpp"

using namespace lh;
using transport::key_slot;
using app::LocalCluster;
namespace asio = boost::asio;

namespace {

net::RedisUrl url_of(const std::string& address) { return net::parse_redis_url("redis://" + address); }

std::vector<net::RedisUrl> seeds_of(LocalCluster& c) {
  std::vector<net::RedisUrl> out;
  for (const auto& a : c.seed_addresses()) out.push_back(url_of(a));
  return out;
}

transport::ClusterSession& as_cluster(transport::TargetSession& s) {
  return dynamic_cast<transport::ClusterSession&>(s);
}

int port_of(const std::string& address) { return std::stoi(address.substr(address.rfind(':') + 1)); }

// The master owning `key`'s slot, as "127.0.0.1:P", per CLUSTER SLOTS of `any_port`.
int owner(int any_port, const std::string& key) {
  auto reply = lh::test::raw_command(any_port, {"CLUSTER", "SLOTS"});
  const auto map = transport::SlotMap::from_cluster_slots(reply.get());
  return map.nodes()[static_cast<std::size_t>(map.node_for_slot(key_slot(key)))].port;
}

// One command through a transport (no braced list inside co_await: g++ 12 rejects it).
template <class... A>
asio::awaitable<net::Reply> cmd(transport::Redis& r, std::string_view route, const A&... args) {
  const std::array<std::string_view, sizeof...(A)> argv = {std::string_view(args)...};
  co_return co_await r.call(argv, route);
}

// Runs one client's coroutine on a private io_context to completion (the way a worker runs its clients).
void run_client(asio::io_context& io, asio::awaitable<void> body) {
  asio::co_spawn(io, std::move(body), asio::detached);
  io.restart();
  io.run();
}

std::string text(const net::Reply& r) {
  if (r.is_nil()) return "nil";
  if (r.is_error()) return std::string(r.error_message()).substr(0, 5);
  if (r.is_array()) return "array";
  if (r.is_integer()) return std::to_string(r.integer());
  return std::string(r.str());
}

// Blocking steps of the coroutines below, kept out of the coroutine frames (g++ 12 warns about braced lists there).
void set_value(int port, const std::string& key, const std::string& value) {
  redis_cmd(port, {"SET", key, value});
}

void flush_scripts(const std::vector<std::string>& masters) {
  for (const auto& m : masters) {
    redis_cmd(port_of(m), {"SCRIPT", "FLUSH"});
    redis_cmd(port_of(m), {"CONFIG", "RESETSTAT"});
  }
}

// Moves key's slot from src to dst: IMPORTING/MIGRATING, MIGRATE, SETSLOT NODE on every master.
void move_slot(const std::string& key, int src, int dst, const std::vector<std::string>& masters) {
  const std::string slot = std::to_string(key_slot(key));
  const std::string dst_id = redis_cmd(dst, {"CLUSTER", "MYID"}),
                    src_id = redis_cmd(src, {"CLUSTER", "MYID"});
  redis_cmd(dst, {"CLUSTER", "SETSLOT", slot, "IMPORTING", src_id});
  redis_cmd(src, {"CLUSTER", "SETSLOT", slot, "MIGRATING", dst_id});
  redis_cmd(src, {"MIGRATE", "127.0.0.1", std::to_string(dst), key, "0", "5000"});
  for (const auto& m : masters) redis_cmd(port_of(m), {"CLUSTER", "SETSLOT", slot, "NODE", dst_id});
}

// Two batches of the same calls, with the script cache of every master flushed in between.
asio::awaitable<void> two_batches(transport::Redis& redis, std::span<transport::ScriptCall> calls,
                                  std::vector<net::Reply>& first, std::vector<net::Reply>& second,
                                  const std::vector<std::string>& masters, bool& connected) {
  net::Reply r = co_await redis.connect();
  connected = !r.is_error();
  co_await redis.evalsha_batch(calls, first);
  flush_scripts(masters);
  co_await redis.evalsha_batch(calls, second);
}

// WATCH/MULTI/EXEC through the router: a commit, then a conflicting write; `seen` gets each step's answer.
// (Two coroutines rather than one long one: past some size g++ 12 reports a false -Wmismatched-new-delete
// on Asio's recycled coroutine frames.)
asio::awaitable<void> transaction_commit_then_conflict(transport::Redis& redis, const std::string& key,
                                                       int src, std::vector<std::string>& seen) {
  net::Reply r = co_await redis.connect();
  r = co_await cmd(redis, key, "SET", key, "5");
  seen.push_back(text(r));
  r = co_await cmd(redis, key, "WATCH", key);
  seen.push_back(text(r));
  r = co_await cmd(redis, key, "GET", key);
  seen.push_back(text(r));
  r = co_await cmd(redis, key, "MULTI");
  seen.push_back(text(r));
  r = co_await cmd(redis, key, "SET", key, "6");
  seen.push_back(text(r));
  r = co_await cmd(redis, key, "EXEC");
  seen.push_back(text(r));
  // The WATCHed key changed by another client: EXEC over the same connection sees it and applies nothing.
  r = co_await cmd(redis, key, "WATCH", key);
  seen.push_back(text(r));
  set_value(src, key, "100");
  r = co_await cmd(redis, key, "MULTI");
  seen.push_back(text(r));
  r = co_await cmd(redis, key, "SET", key, "7");
  seen.push_back(text(r));
  r = co_await cmd(redis, key, "EXEC");
  seen.push_back(text(r));
}

// The slot moves to another master while a WATCH is open: the transaction's next command stays on the watched
// node and its MOVED comes back as is (following it would leave the WATCH behind).
asio::awaitable<void> transaction_across_a_slot_move(transport::Redis& redis, const std::string& key, int src,
                                                     int dst, const std::vector<std::string>& masters,
                                                     std::vector<std::string>& seen) {
  net::Reply r = co_await cmd(redis, key, "WATCH", key);
  seen.push_back(text(r));
  move_slot(key, src, dst, masters);
  r = co_await cmd(redis, key, "GET", key);
  seen.push_back(text(r));
  r = co_await cmd(redis, key, "UNWATCH");
  seen.push_back(text(r));
  // The transaction over, the next op follows MOVED to the new owner.
  r = co_await cmd(redis, key, "INCR", key);
  seen.push_back(text(r));
}

}  // namespace

TEST(ClusterSession, DeadSeedsAreSkippedAndNonClusterNodesRefused) {
  auto c = start_cluster(3, 0);
  int dead_port;
  {
    auto s = start_server();
    dead_port = s.port();
  }
  std::vector<net::RedisUrl> seeds = {url_of("127.0.0.1:" + std::to_string(dead_port))};
  for (const auto& u : seeds_of(*c)) seeds.push_back(u);
  auto session = transport::open_cluster(seeds, {}, false);
  const reports::Target t = session->describe();
  EXPECT_EQ(t.mode, "cluster");
  EXPECT_EQ(t.nodes, c->master_addresses());
  EXPECT_EQ(t.redis_version.substr(0, 2), "7.");
  EXPECT_FALSE(t.failover_detected);
  EXPECT_TRUE(transport::cluster_enabled(seeds, {}));

  EXPECT_THROW(transport::open_cluster({seeds[0]}, {}, false), TargetError);
  auto standalone = start_server();
  const std::vector<net::RedisUrl> plain = {url_of(standalone.address())};
  EXPECT_FALSE(transport::cluster_enabled(plain, {}));
  try {
    transport::open_cluster(plain, {}, false);
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("not a cluster node"), std::string::npos) << e.what();
  }
}

TEST(ClusterSession, AdminFollowsAskDuringAMigrationAndMovedAfterIt) {
  auto c = start_cluster(3, 0);
  auto session = transport::open_cluster(seeds_of(*c), {}, false);
  transport::SyncClient& admin = session->admin();
  const std::string key = "lh:adm:{m}";
  ASSERT_EQ(admin.command({"SET", key, "41"}, key).str(), "OK");
  const int any = port_of(c->seed_addresses()[0]);
  const int src = owner(any, key);
  EXPECT_EQ(redis_cmd(src, {"GET", key}), "41");
  int dst = -1;
  for (const auto& m : c->master_addresses())
    if (port_of(m) != src) dst = port_of(m);
  const std::string slot = std::to_string(key_slot(key));
  const std::string src_id = redis_cmd(src, {"CLUSTER", "MYID"}),
                    dst_id = redis_cmd(dst, {"CLUSTER", "MYID"});
  ASSERT_EQ(redis_cmd(dst, {"CLUSTER", "SETSLOT", slot, "IMPORTING", src_id}), "OK");
  ASSERT_EQ(redis_cmd(src, {"CLUSTER", "SETSLOT", slot, "MIGRATING", dst_id}), "OK");
  ASSERT_EQ(redis_cmd(src, {"MIGRATE", "127.0.0.1", std::to_string(dst), key, "0", "5000"}), "OK");
  EXPECT_EQ(admin.command({"GET", key}, key).str(), "41");  // ASK -> ASKING + GET on dst
  for (const auto& m : c->master_addresses())
    ASSERT_EQ(redis_cmd(port_of(m), {"CLUSTER", "SETSLOT", slot, "NODE", dst_id}), "OK");
  EXPECT_EQ(admin.command({"INCR", key}, key).integer(), 42);  // MOVED -> dst
  EXPECT_EQ(redis_cmd(dst, {"GET", key}), "42");
  const auto cleaned = session->cleanup("lh:adm:");
  EXPECT_EQ(cleaned.deleted, 1u);
  EXPECT_EQ(cleaned.left, 0);
}

TEST(ClusterRouter, BatchesPipelinePerNodeReloadScriptsAndCountOpsPerNode) {
  auto c = start_cluster(3, 0);
  auto session = transport::open_cluster(seeds_of(*c), {}, false);
  const auto& script = scripts::builtin_script("counter_incr");
  session->load_script(script);
  // 12 counters over the three masters, two batches of 12 calls each, a SCRIPT FLUSH everywhere in between.
  std::vector<transport::ScriptCall> calls(12);
  for (std::size_t i = 0; i < calls.size(); ++i) {
    calls[i].script = &script;
    calls[i].keys = {"lh:rt:{k" + std::to_string(i) + "}"};
  }
  std::vector<net::Reply> first(calls.size()), second(calls.size());
  engine::Recorder rec;
  rec.measuring = true;
  net::ConnectionSet conns;
  auto factory = session->factory(false);
  bool connected = false;
  asio::io_context io(1);
  auto redis = factory(io, conns, rec);
  const auto masters = c->master_addresses();
  run_client(io, two_batches(*redis, calls, first, second, masters, connected));
  const bool broken = redis->broken();
  redis.reset();  // the worker's last client: its topology hands the per-node counts to the session
  EXPECT_TRUE(connected);
  EXPECT_FALSE(broken);
  for (std::size_t i = 0; i < calls.size(); ++i) {
    EXPECT_EQ(first[i].integer(), 1) << i << " " << first[i].error_message();
    EXPECT_EQ(second[i].integer(), 2) << i << " " << second[i].error_message();
  }
  // Every pipelined call of the second batch met NOSCRIPT; each master loaded the script once, not once per call.
  EXPECT_EQ(rec.errors[static_cast<std::size_t>(net::ErrorClass::noscript)], calls.size());
  for (const auto& m : c->master_addresses()) {
    const std::string stats = redis_cmd(port_of(m), {"INFO", "commandstats"});
    EXPECT_NE(stats.find("cmdstat_script|load:calls=1,"), std::string::npos) << m << "\n" << stats;
  }
  // The worker's topology handed its counts to the session when the client ended.
  const auto per_node = as_cluster(*session).take_ops_per_node(24);
  uint64_t sum = 0;
  for (const auto& [node, n] : per_node) sum += n;
  EXPECT_EQ(per_node.size(), 3u);
  EXPECT_EQ(sum, 24u);
  EXPECT_TRUE(as_cluster(*session).take_ops_per_node(24).empty());  // taken
  session->cleanup("lh:rt:");
}

TEST(ClusterRouter, ATransactionStaysOnTheWatchedNodeAndItsConnection) {
  auto c = start_cluster(3, 0);
  auto session = transport::open_cluster(seeds_of(*c), {}, false);
  const std::string key = "lh:tx:{t}";
  const int src = owner(port_of(c->seed_addresses()[0]), key);
  int dst = -1;
  for (const auto& m : c->master_addresses())
    if (port_of(m) != src) dst = port_of(m);
  engine::Recorder rec;
  rec.measuring = true;
  net::ConnectionSet conns;
  auto factory = session->factory(false);
  std::vector<std::string> seen;
  asio::io_context io(1);
  auto redis = factory(io, conns, rec);
  const auto masters = c->master_addresses();
  run_client(io, transaction_commit_then_conflict(*redis, key, src, seen));
  run_client(io, transaction_across_a_slot_move(*redis, key, src, dst, masters, seen));
  const std::vector<std::string> expected = {"OK", "OK",     "5",   "OK", "QUEUED", "array", "OK",
                                             "OK", "QUEUED", "nil", "OK", "MOVED",  "OK",    "101"};
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(redis_cmd(dst, {"GET", key}), "101");
  EXPECT_GE(rec.errors[static_cast<std::size_t>(net::ErrorClass::moved)], 2u);
  session->cleanup("lh:tx:");
}
