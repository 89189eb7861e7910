// The embedded launcher against the real redis-server: private servers and local clusters come up, answer,
// keep to their own temp dirs, and leave nothing behind.
#include <gtest/gtest.h>
#include <signal.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "harness/transport/slot_map.hpp"
#include "support/process.hpp"
#include "support/servers.hpp"

using namespace lh::app;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

bool process_gone(pid_t pid) { return ::kill(pid, 0) != 0 && errno == ESRCH; }

bool eventually_dead(RedisServer& s) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (s.alive() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
  return !s.alive();
}

}  // namespace

TEST(Embedded, LocatesRedisServerWithoutFallingBack) {
  const RedisServerBinary found = locate_redis_server("");
  ASSERT_FALSE(found.path.empty()) << found.problem;
  EXPECT_EQ(found.problem, "");
  EXPECT_EQ(locate_redis_server(found.path).path, found.path);
  EXPECT_EQ(locate_redis_server("redis-server").path, found.path);  // a bare name is looked up in PATH
  // An explicit choice that does not work is refused with the reason, never replaced by PATH's redis-server.
  const auto refused = [](const std::string& wanted) {
    const RedisServerBinary r = locate_redis_server(wanted);
    EXPECT_EQ(r.path, "") << wanted;
    return r.problem;
  };
  EXPECT_EQ(refused("/nonexistent/redis-server"), std::strerror(ENOENT));
  EXPECT_EQ(refused("no-such-redis-server-name"), "not found in PATH");
  EXPECT_EQ(refused("/"), "is a directory, not the redis-server binary");
  EXPECT_EQ(refused("/dev/null"), "not a regular file");
  const std::string plain = lh::test::temp_dir() + "/redis-server";
  lh::test::write_text(plain, "#!/bin/sh\n");  // 0644: not executable, not even for root
  EXPECT_EQ(refused(plain), "not executable");
  lh::test::remove_tree(fs::path(plain).parent_path().string());
}

TEST(Embedded, ServerStartsInItsOwnDirAndLeavesNothing) {
  pid_t pid = 0;
  std::string dir;
  {
    RedisServer s = start_server();
    pid = s.pid();
    dir = s.dir();
    EXPECT_EQ(s.host(), "127.0.0.1");
    EXPECT_EQ(s.address(), "127.0.0.1:" + std::to_string(s.port()));
    EXPECT_EQ(redis_cmd(s.port(), {"PING"}), "PONG");
    EXPECT_EQ(redis_cmd(s.port(), {"SET", "k", "v"}), "OK");
    EXPECT_EQ(redis_cmd(s.port(), {"GET", "k"}), "v");
    EXPECT_EQ(redis_cmd(s.port(), {"GET", "missing"}), "(nil)");
    EXPECT_EQ(redis_cmd(s.port(), {"INCR", "n"}), "1");
    EXPECT_EQ(redis_cmd(s.port(), {"CONFIG", "GET", "dir"}), "dir " + fs::canonical(dir).string());
    EXPECT_EQ(redis_cmd(s.port(), {"CONFIG", "GET", "save"}), "save ");  // no RDB snapshots
    EXPECT_EQ(redis_cmd(s.port(), {"CONFIG", "GET", "bind"}), "bind 127.0.0.1");
    EXPECT_TRUE(fs::exists(dir + "/redis.log"));
    EXPECT_NE(s.log_tail().find("Ready to accept connections"), std::string::npos);
    EXPECT_TRUE(s.alive());
  }
  EXPECT_TRUE(process_gone(pid));
  EXPECT_FALSE(fs::exists(dir));
}

TEST(Embedded, RequirepassServerStarts) {
  RedisServer s = start_server({"--requirepass", "s3cret"});
  EXPECT_EQ(s.password(), "s3cret");
  EXPECT_EQ(redis_cmd(s.port(), {"PING"}).rfind("ERR:NOAUTH", 0), 0u);
  EXPECT_EQ(redis_cmd(s.port(), {"PING"}, "s3cret"), "PONG");
  EXPECT_EQ(redis_cmd(s.port(), {"PING"}, "wrong").rfind("ERR:WRONGPASS", 0), 0u);
}

TEST(Embedded, AclOnlyServerStarts) {
  // The default user switched off: PING answers NOAUTH, which still counts as "up".
  // Each word its own argument: redis-server quotes every argument of one option separately.
  RedisServer s =
      start_server({"--user", "default", "off", "--user", "app", "on", ">pw", "~*", "&*", "+@all"});
  EXPECT_EQ(redis_cmd(s.port(), {"PING"}).rfind("ERR:NOAUTH", 0), 0u);
  EXPECT_EQ(redis_cmd(s.port(), {"AUTH", "app", "pw"}), "OK");
}

TEST(Embedded, TwoServersGetDifferentPortsAndDirs) {
  RedisServer a = start_server();
  RedisServer b = start_server();
  EXPECT_NE(a.port(), b.port());
  EXPECT_NE(a.dir(), b.dir());
  EXPECT_EQ(redis_cmd(a.port(), {"SET", "only-in-a", "1"}), "OK");
  EXPECT_EQ(redis_cmd(b.port(), {"EXISTS", "only-in-a"}), "0");
}

TEST(Embedded, BadArgumentsThrowWithTheLogLine) {
  try {
    start_server({"--no-such-directive", "x"});
    FAIL() << "expected EmbeddedError";
  } catch (const EmbeddedError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("exited during startup"), std::string::npos) << what;
    EXPECT_NE(what.find("no-such-directive"), std::string::npos) << what;  // redis names the bad directive
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
  ServerOptions missing;
  missing.redis_server = "/nonexistent/redis-server";
  EXPECT_THROW(RedisServer{missing}, EmbeddedError);
}

TEST(Embedded, MoveKeepsTheServer) {
  RedisServer a = start_server();
  const int port = a.port();
  RedisServer b = std::move(a);
  EXPECT_EQ(b.port(), port);
  EXPECT_EQ(redis_cmd(port, {"PING"}), "PONG");
  RedisServer c = start_server();
  const pid_t old = c.pid();
  c = std::move(b);  // the server c held is stopped
  EXPECT_TRUE(process_gone(old));
  EXPECT_EQ(redis_cmd(c.port(), {"PING"}), "PONG");
}

TEST(Embedded, KillAndStop) {
  RedisServer s = start_server();
  s.kill(SIGKILL);
  EXPECT_TRUE(eventually_dead(s));
  s.kill(SIGTERM);  // no-op once reaped
  const std::string dir = s.dir();
  s.stop();
  EXPECT_FALSE(fs::exists(dir));
  s.stop();  // idempotent
}

TEST(Embedded, StopAllEmbedded) {
  RedisServer a = start_server();
  RedisServer b = start_server();
  stop_all_embedded();
  EXPECT_FALSE(a.alive());
  EXPECT_FALSE(b.alive());
  EXPECT_FALSE(fs::exists(a.dir()));
  EXPECT_FALSE(fs::exists(b.dir()));
}

namespace {

void expect_full_coverage_everywhere(LocalCluster& c) {
  for (RedisServer* n : c.nodes()) {
    EXPECT_NE(redis_cmd(n->port(), {"CLUSTER", "INFO"}, c.password()).find("cluster_state:ok"),
              std::string::npos)
        << n->address();
    lh::test::ReplyPtr slots = lh::test::raw_command(n->port(), {"CLUSTER", "SLOTS"}, c.password());
    ASSERT_TRUE(slots);
    EXPECT_EQ(lh::transport::SlotMap::from_cluster_slots(slots.get()).covered_slots(), 16384) << n->address();
  }
}

}  // namespace

TEST(LocalClusterTest, ThreeMastersOneReplicaEachComeUpAndGoAway) {
  std::vector<pid_t> pids;
  std::vector<std::string> dirs;
  {
    const auto t0 = std::chrono::steady_clock::now();
    auto c = start_cluster(3, 1);
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
    std::printf("LocalCluster(3,1) healthy after %lld ms\n", static_cast<long long>(ms.count()));
    ASSERT_EQ(c->nodes().size(), 6u);
    EXPECT_EQ(c->seed_addresses().size(), 6u);
    EXPECT_EQ(c->master_addresses().size(), 3u);
    expect_full_coverage_everywhere(*c);
    EXPECT_EQ(c->node_by_port(c->nodes()[2]->port()), c->nodes()[2]);
    EXPECT_EQ(c->node_by_port(1), nullptr);
    // A key routed by slot is writable on its master only.
    lh::test::ReplyPtr slots = lh::test::raw_command(c->nodes()[0]->port(), {"CLUSTER", "SLOTS"});
    const auto map = lh::transport::SlotMap::from_cluster_slots(slots.get());
    const int owner = map.nodes()[map.node_for_slot(12182)].port;  // slot of "foo"
    EXPECT_EQ(redis_cmd(owner, {"SET", "foo", "1"}), "OK");
    for (RedisServer* n : c->nodes()) {
      pids.push_back(n->pid());
      dirs.push_back(n->dir());
      if (n->port() != owner) {
        EXPECT_EQ(redis_cmd(n->port(), {"SET", "foo", "1"}).rfind("ERR:MOVED 12182 ", 0), 0u);
      }
    }
  }
  for (pid_t p : pids) EXPECT_TRUE(process_gone(p)) << p;
  for (const auto& d : dirs) EXPECT_FALSE(fs::exists(d)) << d;
}

TEST(LocalClusterTest, FailoverPromotesAReplica) {
  auto c = start_cluster(3, 1);
  const auto before = c->master_addresses();
  ASSERT_EQ(before.size(), 3u);
  const int victim_port = std::stoi(before[0].substr(before[0].rfind(':') + 1));
  RedisServer* victim = c->node_by_port(victim_port);
  ASSERT_NE(victim, nullptr);

  const auto t0 = std::chrono::steady_clock::now();
  victim->kill(SIGKILL);
  ASSERT_TRUE(c->wait_healthy(30s)) << c->last_problem();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  std::printf("failover after SIGKILL of %s took %lld ms\n", before[0].c_str(),
              static_cast<long long>(ms.count()));

  const auto after = c->master_addresses();
  EXPECT_EQ(after.size(), 3u);
  EXPECT_NE(after, before);
  EXPECT_EQ(std::find(after.begin(), after.end(), before[0]), after.end());
  EXPECT_EQ(c->seed_addresses().size(), 5u);
  for (RedisServer* n : c->nodes())
    if (n->alive()) {
      EXPECT_NE(redis_cmd(n->port(), {"CLUSTER", "INFO"}).find("cluster_state:ok"), std::string::npos);
    }
}

TEST(LocalClusterTest, SmallClusterBuiltByHand) {
  // redis-cli refuses fewer than 3 masters; the launcher joins these itself.
  auto c = start_cluster(2, 1);
  EXPECT_EQ(c->nodes().size(), 4u);
  EXPECT_EQ(c->master_addresses().size(), 2u);
  expect_full_coverage_everywhere(*c);
  auto one = start_cluster(1, 0);
  EXPECT_EQ(one->master_addresses(), std::vector<std::string>{one->nodes()[0]->address()});
}

TEST(LocalClusterTest, PasswordProtectedCluster) {
  auto c = start_cluster(3, 1, {"--requirepass", "pw"});
  EXPECT_EQ(c->password(), "pw");
  EXPECT_EQ(redis_cmd(c->nodes()[0]->port(), {"CLUSTER", "INFO"}).rfind("ERR:NOAUTH", 0), 0u);
  EXPECT_NE(redis_cmd(c->nodes()[0]->port(), {"CLUSTER", "INFO"}, "pw").find("cluster_state:ok"),
            std::string::npos);
  expect_full_coverage_everywhere(*c);
}
