// The Redis transport of one virtual client against a standalone server: one connection, EVALSHA with
// NOSCRIPT -> SCRIPT LOAD -> retry once, real pipelining for batches, every error counted by class.
#pragma once
#include "harness/net/connection.hpp"
#include "harness/transport/redis.hpp"

namespace lh::transport {

// Builds EVALSHA/EVAL argv without allocating for up to 32 arguments.
class ScriptArgv {
 public:
  void build(const scripts::Script& s, bool eval, std::span<const std::string_view> keys,
             std::span<const std::string_view> args);
  void build(const scripts::Script& s, bool eval, const ScriptCall& call);
  std::span<const std::string_view> view() const { return {data(), n_}; }

 private:
  const std::string_view* data() const { return heap_.empty() ? small_.data() : heap_.data(); }
  void reset(std::size_t n);
  std::string_view* slot() { return heap_.empty() ? small_.data() : heap_.data(); }
  std::array<std::string_view, 32> small_;
  std::vector<std::string_view> heap_;
  std::size_t n_ = 0;
  char nkeys_[24];
};

// What loads a script on a node: SCRIPT LOAD body, or for a Functions library FUNCTION LOAD REPLACE body.
class LoadArgv {
 public:
  explicit LoadArgv(const scripts::Script& s)
      : a_{s.is_function() ? "FUNCTION" : "SCRIPT", "LOAD",
           s.is_function() ? "REPLACE" : std::string_view(s.body), s.body},
        n_(s.is_function() ? 4 : 3) {}
  std::span<const std::string_view> view() const { return {a_.data(), n_}; }

 private:
  std::array<std::string_view, 4> a_;
  std::size_t n_;
};

class StandaloneRedis final : public Redis {
 public:
  StandaloneRedis(asio::io_context& io, const net::RedisUrl& url, net::Timeouts t,
                  net::ConnectionSet* watchdog, Counters* rec, bool eval)
      : conn_(io, url, t, watchdog), rec_(rec), eval_(eval) {}
  StandaloneRedis(const StandaloneRedis&) = delete;
  StandaloneRedis& operator=(const StandaloneRedis&) = delete;

  asio::awaitable<Reply> connect() override { return conn_.connect(); }
  asio::awaitable<Reply> call(std::span<const std::string_view> argv, std::string_view route_key) override;
  asio::awaitable<Reply> evalsha(const scripts::Script& s, std::span<const std::string_view> keys,
                                 std::span<const std::string_view> args) override;
  asio::awaitable<void> evalsha_batch(std::span<ScriptCall> calls, std::span<Reply> replies) override;
  bool start_batch(std::span<ScriptCall> calls, std::span<Reply> replies) override;
  bool poll_batch() override;
  asio::awaitable<std::size_t> batch_io() override { return conn_.io(); }  // not a coroutine
  void batch_io_done(std::size_t n) override { conn_.io_done(n); }
  bool batch_needs_retry() const override { return batch_noscript_; }
  asio::awaitable<void> retry_batch() override;
  bool broken() const override { return !conn_.is_open(); }
  void count_into(Counters* c) override { rec_ = c; }

 private:
  void count(const Reply& r);
  asio::awaitable<bool> load(const scripts::Script& s);  // SCRIPT LOAD after a NOSCRIPT

  net::Connection conn_;
  Counters* rec_;
  bool eval_;
  ScriptArgv argv_;
  // The batch in flight (start_batch .. poll_batch).
  std::span<ScriptCall> batch_calls_;
  std::span<Reply> batch_replies_;
  std::size_t batch_next_ = 0;
  bool batch_noscript_ = false;
};

}  // namespace lh::transport
