#include "harness/engine/engine.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>
#include <thread>

namespace lh::engine {

std::atomic<bool> g_interrupted{false};

namespace {

using namespace std::chrono_literals;
using std::chrono::duration_cast;
using std::chrono::microseconds;

// Everything the clients of all workers read; nothing here is written during the run.
struct Plan {
  const LoadConfig& cfg;
  scenarios::VariantRun& variant;
  const RedisFactory& make_redis;
  Clock::time_point start, measure_begin, end;
  bool single_call;
};

struct Worker {
  // One thread runs it and does all its I/O: no locking in the reactor's per-socket state. The scheduler
  // keeps its lock, so completions posted from elsewhere (a hostname resolve) stay safe.
  asio::io_context io{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  net::ConnectionSet conns;
  Recorder rec;
  uint32_t live_clients = 0;
  bool stop = false;
  uint64_t connect_failures = 0;
  std::string last_connect_error;
  Clock::time_point first_measured = Clock::time_point::max();
  Clock::time_point last_done{};
  std::atomic<uint64_t> progress_ops{0};  // read by the progress line; written every 64 ops
};

bool stopping(const Worker& w) { return w.stop || g_interrupted.load(std::memory_order_relaxed); }

asio::awaitable<void> sleep_until(asio::io_context& io, Clock::time_point t) {
  asio::steady_timer timer(io, t);
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

// Connects (again), backing off while the server is away. False when the run ends first.
asio::awaitable<bool> reconnect(Worker& w, const Plan& plan, Redis& redis) {
  auto backoff = 10ms;
  const auto give_up = std::min(plan.end, Clock::now() + 30s);  // --requests runs have no end: bound them
  while (!stopping(w) && Clock::now() < give_up) {
    Reply r = co_await redis.connect();
    if (!r.is_error()) co_return true;
    ++w.connect_failures;
    w.last_connect_error = std::string(r.error_message());
    if (w.rec.measuring) w.rec.count_error(r.error_class(), r.error_message());
    co_await sleep_until(w.io, std::min(give_up, Clock::now() + backoff));
    backoff = std::min(backoff * 2, std::chrono::milliseconds(500));
  }
  co_return false;
}

void record(Worker& w, const Plan& plan, Outcome o, Clock::time_point intended, Clock::time_point sent,
            Clock::time_point done) {
  if (intended < plan.measure_begin) return;  // warmup: not recorded
  Recorder& r = w.rec;
  r.count_outcome(o);
  const int64_t lat = duration_cast<microseconds>(done - intended).count();
  r.latency_us.record(lat);
  if (plan.cfg.rate) r.uncorrected_latency_us.record(duration_cast<microseconds>(done - sent).count());
  r.series.record(duration_cast<std::chrono::seconds>(done - plan.measure_begin).count(), lat);
  if (intended < w.first_measured) w.first_measured = intended;
  if (done > w.last_done) w.last_done = done;
}

asio::awaitable<void> client_loop(Worker& w, const Plan& plan, uint32_t id, uint64_t quota) {
  const LoadConfig& cfg = plan.cfg;
  ClientCtx ctx;
  ctx.rec = &w.rec;
  ctx.id = id;
  uint64_t seed = cfg.seed ^ (0x9E3779B97F4A7C15ull * (id + 1));
  ctx.rng = Rng(Rng::splitmix64(seed));
  ctx.think_time_ms = cfg.think_time_ms;
  std::unique_ptr<Redis> redis = plan.make_redis(w.io, w.conns, w.rec);
  ctx.redis = redis.get();

  // Open loop: this client's share of --rate, phase-shifted so clients do not fire in lockstep.
  const bool open_loop = cfg.rate.has_value();
  const auto interval = open_loop ? duration_cast<Clock::duration>(std::chrono::duration<double>(
                                        static_cast<double>(cfg.clients) / *cfg.rate))
                                  : Clock::duration::zero();
  Clock::time_point next = plan.start + (open_loop ? interval * (id % 997) / 997 : Clock::duration::zero());

  const uint32_t depth = plan.single_call ? std::max<uint32_t>(1, cfg.pipeline) : 1;
  std::vector<ScriptCall> calls(plan.single_call ? depth : 0);
  std::vector<Reply> replies(calls.size());
  std::vector<Clock::time_point> intended(depth);

  uint64_t done_ops = 0;
  bool connected = co_await reconnect(w, plan, *redis);
  while (connected && !stopping(w) && done_ops < quota) {
    auto now = Clock::now();
    if (now >= plan.end) break;
    // How many ops this round, and when each should have started.
    uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(depth, quota - done_ops));
    if (open_loop) {
      if (next > now) {
        co_await sleep_until(w.io, next);
        now = Clock::now();
        if (now >= plan.end || stopping(w)) break;
      }
      uint32_t due = 0;
      while (due < n && (due == 0 || next <= now)) {
        intended[due++] = next;
        next += interval;
      }
      n = due;
    } else {
      for (uint32_t i = 0; i < n; ++i) intended[i] = now;
    }
    w.rec.measuring = intended[0] >= plan.measure_begin;
    const Clock::time_point sent = Clock::now();
    const uint64_t seq0 = ctx.seq;
    if (plan.single_call) {
      for (uint32_t i = 0; i < n; ++i) {
        ctx.seq = seq0 + i;
        ctx.start_us = static_cast<uint32_t>(duration_cast<microseconds>(intended[i] - plan.start).count());
        plan.variant.make_call(ctx, calls[i]);
      }
      const std::span<ScriptCall> batch(calls.data(), n);
      const std::span<Reply> answers(replies.data(), n);
      if (redis->start_batch(batch, answers)) {  // the hot path: no coroutine frame of its own
        while (!redis->poll_batch()) redis->batch_io_done(co_await redis->batch_io());
        if (redis->batch_needs_retry()) co_await redis->retry_batch();
      } else {
        co_await redis->evalsha_batch(batch, answers);
      }
      const auto done = Clock::now();
      for (uint32_t i = 0; i < n; ++i) {
        ctx.seq = seq0 + i;
        ctx.start_us = static_cast<uint32_t>(duration_cast<microseconds>(intended[i] - plan.start).count());
        Outcome o = plan.variant.on_reply(ctx, calls[i], replies[i]);
        record(w, plan, o, intended[i], sent, done);
        replies[i] = Reply();  // free the reply now, not at the next round
      }
    } else {
      ctx.start_us = static_cast<uint32_t>(duration_cast<microseconds>(intended[0] - plan.start).count());
      Outcome o = co_await plan.variant.op(ctx);
      record(w, plan, o, intended[0], sent, Clock::now());
    }
    ctx.seq = seq0 + n;
    done_ops += n;
    if ((done_ops & 63) < n) w.progress_ops.fetch_add(64, std::memory_order_relaxed);
    if (redis->broken()) connected = co_await reconnect(w, plan, *redis);
  }
  --w.live_clients;
}

// Enforces reply/connect timeouts and notices SIGINT while clients wait on the network.
asio::awaitable<void> watchdog(Worker& w) {
  asio::steady_timer t(w.io);
  while (w.live_clients > 0) {
    t.expires_after(20ms);
    boost::system::error_code ec;
    co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (g_interrupted.load(std::memory_order_relaxed)) w.stop = true;
    w.conns.check(Clock::now());
  }
}

void progress_line(const LoadConfig& cfg, const std::vector<std::unique_ptr<Worker>>& workers,
                   Clock::time_point start, const std::atomic<bool>& finished) {
  uint64_t last = 0;
  auto last_t = start;
  while (!finished.load()) {
    std::this_thread::sleep_for(250ms);
    auto now = Clock::now();
    if (now - last_t < 1s && !finished.load()) continue;
    uint64_t ops = 0;
    for (const auto& w : workers) ops += w->progress_ops.load(std::memory_order_relaxed);
    double dt = std::chrono::duration<double>(now - last_t).count();
    std::fprintf(stderr, "\r\033[K%s  %5.1fs  %10llu ops  %9.0f ops/s", cfg.label.c_str(),
                 std::chrono::duration<double>(now - start).count(), static_cast<unsigned long long>(ops),
                 dt > 0 ? static_cast<double>(ops - last) / dt : 0.0);
    last = ops;
    last_t = now;
  }
  std::fprintf(stderr, "\r\033[K");
}

}  // namespace

LoadResult run_load(const LoadConfig& cfg, scenarios::VariantRun& variant, const RedisFactory& make_redis) {
  const uint32_t threads = std::max<uint32_t>(1, std::min(cfg.threads, cfg.clients));
  const auto start = Clock::now();
  Plan plan{cfg,
            variant,
            make_redis,
            start,
            start + cfg.warmup,
            cfg.requests ? Clock::time_point::max() : start + cfg.warmup + cfg.duration,
            variant.single_call()};

  std::vector<std::unique_ptr<Worker>> workers;
  for (uint32_t t = 0; t < threads; ++t) {
    auto w = std::make_unique<Worker>();
    w->rec.origin = start;
    workers.push_back(std::move(w));
  }
  // Clients are dealt round-robin to threads; --requests is split evenly over clients.
  for (uint32_t id = 0; id < cfg.clients; ++id) {
    Worker& w = *workers[id % threads];
    uint64_t quota = UINT64_MAX;
    if (cfg.requests) quota = *cfg.requests / cfg.clients + (id < *cfg.requests % cfg.clients ? 1 : 0);
    if (quota == 0) continue;
    ++w.live_clients;
    asio::co_spawn(w.io, client_loop(w, plan, id, quota), asio::detached);
  }
  for (auto& w : workers) asio::co_spawn(w->io, watchdog(*w), asio::detached);

  std::vector<std::thread> pool;
  for (auto& w : workers) pool.emplace_back([&io = w->io] { io.run(); });
  std::atomic<bool> finished{false};
  std::thread progress;
  if (cfg.progress && isatty(STDERR_FILENO)) progress = std::thread(progress_line, std::cref(cfg), std::cref(workers), start, std::cref(finished));
  for (auto& t : pool) t.join();
  finished = true;
  if (progress.joinable()) progress.join();

  LoadResult out;
  Clock::time_point first = Clock::time_point::max(), last{};
  for (auto& w : workers) {
    out.merged.merge(w->rec);
    out.connect_failures += w->connect_failures;
    if (!w->last_connect_error.empty()) out.last_connect_error = w->last_connect_error;
    first = std::min(first, w->first_measured);
    last = std::max(last, w->last_done);
  }
  out.merged.origin = start;
  out.measured_s = first < last ? std::chrono::duration<double>(last - first).count() : 0.0;
  out.series_end_s =
      last > plan.measure_begin ? std::chrono::duration<double>(last - plan.measure_begin).count() : 0.0;
  out.interrupted = g_interrupted.load();
  return out;
}

}  // namespace lh::engine
