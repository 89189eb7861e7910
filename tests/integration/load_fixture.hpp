// Shared by the engine's integration tests (open loop, interrupt): run_load against a real redis-server
// through the standalone transport, with a variant that calls one script on one key and notes, per op, when
// it was sent, when it was meant to start and when its reply came back.
#pragma once
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "harness/app/redis_server.hpp"
#include "harness/engine/engine.hpp"
#include "harness/transport/script.hpp"
#include "harness/transport/standalone.hpp"
#include "support/servers.hpp"

namespace lh::test {

// The transport runner.cpp builds for a standalone target (EVALSHA, default timeouts).
inline transport::RedisFactory standalone_factory(const app::RedisServer& server) {
  net::RedisUrl url;
  url.host = server.host();
  url.port = server.port();
  return [url](boost::asio::io_context& io, net::ConnectionSet& conns, transport::Counters& rec) {
    return std::unique_ptr<transport::Redis>(
        new transport::StandaloneRedis(io, url, net::Timeouts{}, &conns, &rec, false));
  };
}

// A single-call variant: `script` on one key, no checker. Each client appends to its own vectors only (from
// its worker's thread), so they need no lock; read them after run_load returned. The two counters may be read
// during the run: sent - answered is the number of ops in flight.
class ProbeScript final : public engine::SingleCallRun {
 public:
  ProbeScript(const scripts::Script& s, uint32_t clients)
      : script_(s), sends_(clients), starts_us_(clients) {}

  void make_call(engine::ClientCtx& ctx, transport::ScriptCall& call) override {
    if (call.keys.empty()) call.keys.push_back("lh:test:probe");
    call.script = &script_;
    sends_[ctx.id].push_back(engine::Clock::now());  // the engine writes the batch right after make_call
    starts_us_[ctx.id].push_back(ctx.start_us);      // the op's intended start on the run clock
    sent.fetch_add(1, std::memory_order_relaxed);
  }
  engine::Outcome on_reply(engine::ClientCtx&, transport::ScriptCall&, const net::Reply& r) override {
    answered.fetch_add(1, std::memory_order_relaxed);
    return r.outcome();
  }
  reports::Correctness check(transport::SyncClient&, const engine::CheckState&) override { return {}; }

  std::vector<engine::Clock::time_point> all_sends() const {
    std::vector<engine::Clock::time_point> out;
    for (const auto& v : sends_) out.insert(out.end(), v.begin(), v.end());
    return out;
  }
  std::vector<uint32_t> all_starts_us() const {
    std::vector<uint32_t> out;
    for (const auto& v : starts_us_) out.insert(out.end(), v.begin(), v.end());
    return out;
  }

  std::atomic<uint64_t> sent{0}, answered{0};

 private:
  const scripts::Script& script_;
  std::vector<std::vector<engine::Clock::time_point>> sends_;
  std::vector<std::vector<uint32_t>> starts_us_;
};

// Loads `s` into the server (EVALSHA then finds it) and returns it.
inline const scripts::Script& loaded(const app::RedisServer& server, const scripts::Script& s) {
  const std::string sha = redis_cmd(server.port(), {"SCRIPT", "LOAD", s.body});
  if (sha != s.sha1) throw std::runtime_error("SCRIPT LOAD of " + s.name + " answered " + sha);
  return s;
}

inline uint64_t ops_total(const engine::LoadResult& r) {
  return r.merged.ok + r.merged.failed + r.merged.indeterminate;
}

}  // namespace lh::test
