#include "harness/engine/sync_standalone.hpp"

#include <algorithm>

#include "harness/engine/exit_errors.hpp"

namespace lh::engine {

namespace {
timeval to_timeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000), static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}
}  // namespace

net::Reply sync_command(redisContext* c, const std::vector<std::string>& argv, const net::RedisUrl& url) {
  std::vector<const char*> ptrs;
  std::vector<std::size_t> lens;
  for (const auto& a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* r = static_cast<redisReply*>(redisCommandArgv(c, static_cast<int>(argv.size()), ptrs.data(), lens.data()));
  if (!r) {
    throw TargetError("lost the connection to " + url.redacted() + ": " + (c->errstr[0] ? c->errstr : "no reply"));
  }
  return net::Reply(r);
}

redisContext* open_sync(const net::RedisUrl& url, net::Timeouts t) {
  redisContext* c = redisConnectWithTimeout(url.host.c_str(), url.port, to_timeval(t.connect));
  if (!c || c->err) {
    std::string why = c ? c->errstr : "out of memory";
    if (c) redisFree(c);
    throw TargetError("cannot connect to " + url.redacted() + ": " + why +
                      " (is Redis running there? omit --target to use an embedded redis-server)");
  }
  // Setup, checks and cleanup wait at least 5 s for a reply: --reply-timeout judges the load's ops, and a
  // server still busy with a slow script when the load stops must not fail the run's cleanup.
  redisSetTimeout(c, to_timeval(std::max(t.reply, std::chrono::milliseconds(5000))));
  try {
    if (!url.password.empty()) {
      std::vector<std::string> auth = {"AUTH"};
      if (!url.user.empty()) auth.push_back(url.user);
      auth.push_back(url.password);
      net::Reply r = sync_command(c, auth, url);
      if (r.is_error())
        throw TargetError("authentication failed at " + url.redacted() + ": " + std::string(r.error_message()));
    }
    if (url.db != 0) {
      net::Reply r = sync_command(c, {"SELECT", std::to_string(url.db)}, url);
      if (r.is_error())
        throw TargetError("SELECT " + std::to_string(url.db) + " failed at " + url.redacted() + ": " +
                          std::string(r.error_message()));
    }
    net::Reply ping = sync_command(c, {"PING"}, url);
    if (ping.is_error()) {
      std::string msg(ping.error_message());
      if (msg.rfind("NOAUTH", 0) == 0)
        throw TargetError(url.redacted() + " requires a password: " + msg +
                          " (give it in the URL: redis://[user:]password@host:port)");
      throw TargetError("PING failed at " + url.redacted() + ": " + msg);
    }
  } catch (...) {
    redisFree(c);
    throw;
  }
  return c;
}

StandaloneSync::StandaloneSync(const net::RedisUrl& url, net::Timeouts t) : url_(url), ctx_(open_sync(url, t)) {}

StandaloneSync::~StandaloneSync() {
  if (ctx_) redisFree(ctx_);
}

net::Reply StandaloneSync::command(const std::vector<std::string>& argv, std::string_view) {
  return sync_command(ctx_, argv, url_);
}

}  // namespace lh::engine
