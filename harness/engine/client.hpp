// What a scenario's op talks to: one virtual client's view of Redis (a standalone connection, or the cluster
// router), plus its per-client state. Every call returns a Reply; transport failures come back as Replies
// with error class timeout/connection/protocol, never as exceptions, so a naive op can decide its outcome.
#pragma once
#include <utility>  // Boost 1.74 Asio needs std::exchange declared first

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/engine/rng.hpp"
#include "harness/net/reply.hpp"
#include "harness/scripts/script.hpp"
#include "scenarios/history.hpp"

namespace lh::engine {

namespace asio = boost::asio;
using net::Outcome;
using net::Reply;

class Recorder;  // per-thread statistics (engine/recorder.hpp)

// One script call, filled by a single-call variant and pipelined by the engine (--pipeline).
struct ScriptCall {
  const scripts::Script* script = nullptr;
  std::vector<std::string> keys;  // full key names (prefixed)
  std::vector<std::string> args;
  int64_t user[2] = {0, 0};      // the variant's per-op scratch (e.g. the value submitted)
  uint16_t key_index = 0;
  std::vector<std::string> expanded, scratch;  // the variant's reusable buffers (e.g. template expansion)
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

 protected:
  // The rest of a started batch, as a coroutine (evalsha_batch() of a transport that has start_batch()).
  asio::awaitable<void> finish_batch() {
    while (!poll_batch()) batch_io_done(co_await batch_io());
    if (batch_needs_retry()) co_await retry_batch();
  }
};

// Per virtual client. Owned by its worker thread; never shared.
struct ClientCtx {
  Redis* redis = nullptr;
  Recorder* rec = nullptr;
  uint32_t id = 0;       // virtual client id, unique across threads
  uint64_t seq = 0;      // op number of this client (incremented by the engine after each op)
  Rng rng;
  double think_time_ms = 0;
  uint32_t start_us = 0;  // the current op's start on the run clock (set by the engine)

  // Convenience wrappers over redis.
  asio::awaitable<Reply> call(std::initializer_list<std::string_view> argv, std::string_view route_key = {}) {
    return redis->call(std::span<const std::string_view>(argv.begin(), argv.size()), route_key);
  }
  asio::awaitable<Reply> evalsha(const scripts::Script& s, std::initializer_list<std::string_view> keys,
                                 std::initializer_list<std::string_view> args) {
    return redis->evalsha(s, std::span<const std::string_view>(keys.begin(), keys.size()),
                          std::span<const std::string_view>(args.begin(), args.size()));
  }
  // Pauses for --think-time (no-op when 0).
  asio::awaitable<void> think() { return pause_ms(think_time_ms); }
  asio::awaitable<void> pause_ms(double ms);
  // Microseconds on the variant's run clock (monotonic).
  uint32_t now_us() const;
  // Appends to this thread's history.
  void record(const scenarios::Event& e);
  // Counts a transaction retry (a nil EXEC).
  void count_retry();
  // Fills the common fields of an event for this op (client, seq, start_us, end_us = now).
  scenarios::Event event(uint16_t key, uint8_t kind, Outcome outcome) const {
    scenarios::Event e;
    e.client = static_cast<uint16_t>(id);
    e.seq = static_cast<uint32_t>(seq) & 0xFFFFFF;
    e.key = key;
    e.kind = kind;
    e.outcome = static_cast<uint32_t>(outcome);
    e.start_us = start_us;
    e.end_us = now_us();
    return e;
  }
};

}  // namespace lh::engine
