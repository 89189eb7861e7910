// A private Redis Cluster on loopback: masters*(1+replicas) embedded servers joined with
// `redis-cli --cluster create` (or by hand below 3 masters, which redis-cli refuses), waited on until every node
// agrees on full slot coverage. For `--embedded-cluster N` and the cluster tests.
#pragma once
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "harness/app/redis_server.hpp"

namespace lh::app {

class LocalCluster {
 public:
  // Throws EmbeddedError (servers already started are stopped again). options.cluster is forced on; a
  // --requirepass in extra_args also becomes the replicas' --masterauth and redis-cli's password.
  LocalCluster(int masters, int replicas_per_master, ServerOptions options = {});
  ~LocalCluster();
  LocalCluster(const LocalCluster&) = delete;
  LocalCluster& operator=(const LocalCluster&) = delete;

  std::vector<RedisServer*> nodes();
  std::vector<std::string> seed_addresses();  // "127.0.0.1:P" of every node still alive
  RedisServer* node_by_port(int port);        // nullptr when not ours
  // Current masters owning slots, per CLUSTER NODES of a live node (sorted "127.0.0.1:P"); empty if none answers.
  std::vector<std::string> master_addresses();
  // Polls until every live node says cluster_state:ok, knows every node, sees all 16384 slots served by live
  // nodes with the same view everywhere, and every replica's link to its master is up. False on timeout
  // (last_problem() says why).
  bool wait_healthy(std::chrono::seconds timeout);
  const std::string& last_problem() const noexcept { return problem_; }
  const std::string& password() const noexcept { return password_; }

 private:
  std::string health_problem();  // "" when healthy
  void create_with_redis_cli(const std::string& redis_cli, int replicas);
  void create_by_hand(int masters, int replicas);

  std::vector<std::unique_ptr<RedisServer>> nodes_;
  std::string password_;
  std::string problem_;
  // While the cluster forms: the replicas every node must know as such before it counts as healthy.
  int forming_replicas_ = -1;
};

}  // namespace lh::app
