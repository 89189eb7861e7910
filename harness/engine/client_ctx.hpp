// One virtual client as a variant's op sees it: its transport (transport/redis.hpp), its recorder, its id,
// op number and random stream, and the helpers an op uses to record its event.
#pragma once
#include <utility>  // Boost 1.74 Asio needs std::exchange declared first

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/engine/history.hpp"
#include "harness/engine/rng.hpp"
#include "harness/transport/redis.hpp"

namespace lh::engine {

namespace asio = boost::asio;
using net::Outcome;
using net::Reply;
using transport::Redis;
using transport::ScriptCall;

class Recorder;  // per-thread statistics (engine/recorder.hpp)

// Per virtual client. Owned by its worker thread; never shared.
struct ClientCtx {
  Redis* redis = nullptr;
  Recorder* rec = nullptr;
  uint32_t id = 0;   // virtual client id, unique across threads
  uint64_t seq = 0;  // op number of this client (incremented by the engine after each op)
  Rng rng;
  double think_time_ms = 0;
  uint32_t start_us = 0;  // the current op's start on the run clock (set by the engine)
  // A built-in scenario's `function` variant: its op's script calls go to the scripts' Functions twins (FCALL).
  bool functions = false;

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
  void record(const Event& e);
  // Counts a transaction retry (a nil EXEC).
  void count_retry();
  // Fills the common fields of an event for this op (client, seq, start_us, end_us = now).
  Event event(uint16_t key, uint8_t kind, Outcome outcome) const {
    Event e;
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
