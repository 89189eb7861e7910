// SyncClient over one hiredis blocking connection (setup, read-back, cleanup of a standalone target).
#pragma once
#include <hiredis/hiredis.h>

#include "harness/engine/sync_client.hpp"
#include "harness/net/connection.hpp"
#include "harness/net/url.hpp"

namespace lh::engine {

class StandaloneSync final : public SyncClient {
 public:
  // Connects, AUTH, SELECT. Throws TargetError (exit 3) naming the redacted URL when that fails.
  StandaloneSync(const net::RedisUrl& url, net::Timeouts t);
  ~StandaloneSync() override;
  net::Reply command(const std::vector<std::string>& argv, std::string_view route_key = {}) override;
  const net::RedisUrl& url() const { return url_; }

 private:
  net::RedisUrl url_;
  redisContext* ctx_ = nullptr;
};

// Opens a blocking hiredis connection with AUTH/SELECT; throws TargetError. Shared by the cluster client.
redisContext* open_sync(const net::RedisUrl& url, net::Timeouts t);
net::Reply sync_command(redisContext* c, const std::vector<std::string>& argv, const net::RedisUrl& url);

}  // namespace lh::engine
