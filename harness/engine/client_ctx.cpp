#include "harness/engine/client_ctx.hpp"
#include "harness/util/interrupt.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>

#include "harness/engine/engine.hpp"
#include "harness/engine/recorder.hpp"

namespace lh::engine {

asio::awaitable<void> ClientCtx::pause_ms(double ms) {
  if (ms <= 0) co_return;
  asio::steady_timer t(co_await asio::this_coro::executor);
  // In slices of at most 20 ms, so a long --think-time cannot hold a Ctrl-C.
  const auto until =
      std::chrono::steady_clock::now() + std::chrono::microseconds(static_cast<int64_t>(ms * 1000));
  while (std::chrono::steady_clock::now() < until && !g_interrupted.load(std::memory_order_relaxed)) {
    t.expires_at(std::min(until, std::chrono::steady_clock::now() + std::chrono::milliseconds(20)));
    boost::system::error_code ec;
    co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

uint32_t ClientCtx::now_us() const { return rec->now_us(); }

// Events count during --warmup too: checkers judge everything that touched the keys.
void ClientCtx::record(const Event& e) { rec->check->add(e); }

void ClientCtx::count_retry() {
  if (rec->measuring) ++rec->retries;
}

void Recorder::merge(const Recorder& o) {
  merge_stats(o);
  if (!o.check) return;
  if (check) check->merge(*o.check);
  else throw std::logic_error("Recorder::merge: no checker state to merge into");
}

void Recorder::merge_stats(const Recorder& o) {
  latency_us.merge(o.latency_us);
  uncorrected_latency_us.merge(o.uncorrected_latency_us);
  series.merge(o.series);
  ok += o.ok;
  failed += o.failed;
  indeterminate += o.indeterminate;
  retries += o.retries;
  Counters::merge(o);
}

}  // namespace lh::engine
