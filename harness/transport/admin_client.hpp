// A blocking client for setup and read-back (not the hot path): initial state before a variant runs, the
// final state its checker reads, key cleanup. Cluster-aware: routes by key and follows MOVED.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "harness/net/reply.hpp"

namespace lh::transport {

class SyncClient {
 public:
  SyncClient() = default;
  virtual ~SyncClient() = default;
  // Implementations own connections (or wrap one that does): never copied, nor sliced.
  SyncClient(const SyncClient&) = delete;
  SyncClient& operator=(const SyncClient&) = delete;

  // Throws std::runtime_error on a transport failure (setup problems end the run).
  virtual net::Reply command(const std::vector<std::string>& argv, std::string_view route_key = {}) = 0;
  // One attempt on the node serving route_key's slot: no redirect followed, nothing sent again after a lost
  // connection or a timeout (that comes back as a failure Reply). For what must reach one node exactly once,
  // as the commands of one MULTI ... EXEC.
  virtual net::Reply command_once(const std::vector<std::string>& argv, std::string_view route_key) = 0;
};

}  // namespace lh::transport
