// The transport one virtual client uses: one interface over a standalone connection (transport/standalone.hpp)
// and the cluster router (transport/cluster_redis.hpp). Every call returns a Reply; transport failures come
// back as Replies with error class timeout/connection/protocol, never as exceptions, so a naive op can decide
// its outcome. Each transport counts what it sends into the Counters it was given (its worker's recorder).
#pragma once
#include <utility>  // Boost 1.74 Asio needs std::exchange declared first

#include <array>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/net/connection.hpp"
#include "harness/net/errors.hpp"
#include "harness/net/reply.hpp"
#include "harness/transport/script.hpp"

namespace lh::transport {

namespace asio = boost::asio;
using net::Reply;

// What a transport counts about the commands it sends: the part of a worker's Recorder (engine/recorder.hpp)
// that the transport writes. One per worker thread, never shared.
struct Counters {
  uint64_t commands = 0;  // Redis commands sent (for commands_per_op)
  std::array<uint64_t, net::kErrorClassCount> errors{};
  // The first message of each class, for the report.
  std::array<std::string, net::kErrorClassCount> first_error;
  bool measuring = false;  // false during --warmup: nothing is counted

  void count_error(net::ErrorClass c, std::string_view message = {}) {
    const auto i = static_cast<std::size_t>(c);
    if (errors[i]++ == 0 && !message.empty()) first_error[i].assign(message.substr(0, 4096));
  }
  void merge(const Counters& o) {
    commands += o.commands;
    for (std::size_t i = 0; i < errors.size(); ++i) {
      if (first_error[i].empty()) first_error[i] = o.first_error[i];
      errors[i] += o.errors[i];
    }
  }
};

// One script call, filled by a single-call variant and pipelined by the engine (--pipeline).
struct ScriptCall {
  const scripts::Script* script = nullptr;
  std::vector<std::string> keys;  // full key names (prefixed)
  std::vector<std::string> args;
  int64_t user[2] = {0, 0};  // the variant's per-op scratch (e.g. the value submitted)
  uint16_t key_index = 0;
  std::vector<std::string> scratch;  // the variant's reusable buffers (e.g. a template's placeholder values)
};

// The transport a client uses. Standalone: one connection. Cluster: routes by key, follows redirects.
class Redis {
 public:
  virtual ~Redis() = default;
  // Connects (AUTH, SELECT). A non-error Reply on success; the failure otherwise.
  virtual asio::awaitable<Reply> connect() = 0;
  // One command. `route_key` picks the node in a cluster (ignored standalone); empty = any node.
  virtual asio::awaitable<Reply> call(std::span<const std::string_view> argv, std::string_view route_key) = 0;
  // EVALSHA script keys... args...; on NOSCRIPT: SCRIPT LOAD on that node, retry once (counted as noscript).
  virtual asio::awaitable<Reply> evalsha(const scripts::Script& s, std::span<const std::string_view> keys,
                                         std::span<const std::string_view> args) = 0;
  // Several script calls in one batch (pipelined where the transport can); replies[i] answers calls[i].
  // NOSCRIPT is handled per call as in evalsha().
  virtual asio::awaitable<void> evalsha_batch(std::span<ScriptCall> calls, std::span<Reply> replies) = 0;
  // The same, without a coroutine frame per batch (the engine's hot path), where the transport offers it:
  //   if (start_batch(calls, replies)) {
  //     while (!poll_batch()) batch_io_done(co_await batch_io());
  //     if (batch_needs_retry()) co_await retry_batch();
  //   } else co_await evalsha_batch(calls, replies);
  // `calls` and `replies` must outlive the batch.
  virtual bool start_batch(std::span<ScriptCall>, std::span<Reply>) { return false; }
  virtual bool poll_batch() { return true; }
  virtual asio::awaitable<std::size_t> batch_io();
  virtual void batch_io_done(std::size_t) {}
  virtual bool batch_needs_retry() const { return false; }
  virtual asio::awaitable<void> retry_batch();
  // True when the transport is broken and the engine must reconnect before the next op.
  virtual bool broken() const = 0;
  // From now on counts into `c` (--workload: the counters of the entry whose op goes next).
  virtual void count_into(Counters* c) = 0;

 protected:
  // The rest of a started batch, as a coroutine (evalsha_batch() of a transport that has start_batch()).
  asio::awaitable<void> finish_batch() {
    while (!poll_batch()) batch_io_done(co_await batch_io());
    if (batch_needs_retry()) co_await retry_batch();
  }
};

// Makes one client's transport on a worker thread (standalone connection or cluster router), counting into
// that worker's counters.
using RedisFactory = std::function<std::unique_ptr<Redis>(asio::io_context&, net::ConnectionSet&, Counters&)>;

}  // namespace lh::transport
