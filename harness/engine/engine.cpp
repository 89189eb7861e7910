#include "harness/engine/engine.hpp"
#include "harness/engine/schedule.hpp"
#include "harness/util/interrupt.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

namespace lh::engine {

namespace {

using namespace std::chrono_literals;
using std::chrono::duration_cast;
using std::chrono::microseconds;

// After SIGINT, how long the ops in flight get to complete before the watchdog closes every connection: a
// healthy server answers well within it (the ops stay ok, not indeterminate), a hung one cannot keep the run.
constexpr auto kInterruptGrace = 100ms;
// An open loop's slots due before the end are sent, late if their client was busy, until this long after the
// end; those a client has not reached by then are dropped (it was short of time, not a moment late).
constexpr auto kEndGrace = 10ms;

// One variant of the load (a mix has several), by its shape.
struct Entry {
  SingleCallRun* single;  // the variant, when it is a single-call one (the engine sends its calls)
  MultiStepRun* multi;    // else: the variant, whose op() sends its own commands
};

// Everything the clients of all workers read; nothing here is written during the run.
struct Plan {
  const LoadConfig& cfg;
  std::vector<Entry> entries;
  std::vector<double> cumulative;  // a mix: the entries' weights summed up to each, over their total
  bool any_single = false;
  const RedisFactory& make_redis;
  Clock::time_point start, measure_begin, end;
  Clock::time_point end_grace;       // an open loop's client still behind then drops the rest of its slots
  std::optional<Schedule> schedule;  // open loop
  uint32_t all_clients = 0;          // the run's clients (--shard: every shard's), whose ops interleave
};

// The entry of a client's next op: by weight (a mix), else the one.
uint32_t pick(const Plan& plan, Rng& rng) {
  if (plan.cumulative.size() < 2) return 0;
  const double u = static_cast<double>(rng.next() >> 11) * 0x1.0p-53;  // [0, 1)
  const auto it = std::upper_bound(plan.cumulative.begin(), plan.cumulative.end(), u);
  return static_cast<uint32_t>(std::min<std::ptrdiff_t>(
      it - plan.cumulative.begin(), static_cast<std::ptrdiff_t>(plan.cumulative.size()) - 1));
}

// The variant's shared checker state when it streams (engine/check_state.hpp, "Streaming"). Every
// kHandOffTicks watchdog ticks a worker queues its thread's state with its floor (a pointer moved under the
// lock) and goes on recording into a fresh one; the collector's own thread hands each queued state over to the
// shared one, in queue order, so the judging never holds up a worker's replies.
class Collector {
 public:
  Collector(const VariantRun& v, uint32_t threads) : variant_(v), shared_(v.new_state()), spare_(threads) {
    shared_->start_stream(threads);
    thread_ = std::thread([this] { loop(); });
  }
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;
  ~Collector() {
    if (thread_.joinable()) stop();
  }
  // On worker t's thread: queues its state `full` with its floor, returns the one it records into next.
  std::unique_ptr<CheckState> swap(uint32_t t, std::unique_ptr<CheckState> full, uint64_t floor) {
    std::unique_ptr<CheckState> next;
    {
      std::lock_guard lock(m_);
      queue_.push_back(Batch{t, floor, std::move(full)});
      if (!spare_[t].empty()) {
        next = std::move(spare_[t].back());
        spare_[t].pop_back();
      }
    }
    cv_.notify_one();
    return next ? std::move(next) : variant_.new_state();
  }
  // After every worker queued its last state (kNoFloor): the shared state, every batch handed over.
  std::unique_ptr<CheckState> finish() {
    stop();
    if (failure_) std::rethrow_exception(failure_);
    return std::move(shared_);
  }

 private:
  struct Batch {
    uint32_t thread;
    uint64_t floor;
    std::unique_ptr<CheckState> state;
  };
  void stop() {
    {
      std::lock_guard lock(m_);
      done_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  void loop() {
    std::unique_lock lock(m_);
    while (true) {
      cv_.wait(lock, [this] { return done_ || !queue_.empty(); });
      if (queue_.empty()) return;  // done, and nothing left
      Batch b = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      try {
        if (!failure_) b.state->hand_off(*shared_, b.thread, b.floor);  // empties b.state
      } catch (...) {
        failure_ = std::current_exception();
      }
      lock.lock();
      if (!failure_) spare_[b.thread].push_back(std::move(b.state));  // else dropped: finish() reports it
    }
  }

  const VariantRun& variant_;
  std::unique_ptr<CheckState> shared_;
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<Batch> queue_;
  std::vector<std::vector<std::unique_ptr<CheckState>>> spare_;  // per worker: handed over, empty, reused
  bool done_ = false;
  std::exception_ptr failure_;
  std::thread thread_;
};
constexpr int kHandOffTicks = 5;  // 5 x 20 ms

// The run's per-second series, kept flat (stats/series.hpp): every kHandOffTicks ticks a worker moves its
// seconds before the current one into it, under the lock, and the seconds every worker has passed become
// points. A shard keeps every second's histogram for the merge: no sink.
struct SeriesSink {
  std::mutex m;
  stats::Series series;
  std::vector<std::size_t> passed;  // per worker: it records no second below this any more
};

struct Worker {
  // One thread runs it and does all its I/O: no locking in the reactor's per-socket state. The scheduler
  // keeps its lock, so completions posted from elsewhere (a hostname resolve) stay safe.
  asio::io_context io{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  net::ConnectionSet conns;
  // Per entry of the load (one, or a mix's); a mix has one more at the end, its total (every op recorded there
  // too; no checker state).
  std::vector<Recorder> recs;
  uint32_t live_clients = 0;
  bool stop = false;
  // Each client's one timer (open-loop slots, reconnect back-off): the watchdog cancels them on interrupt.
  std::vector<asio::steady_timer*> timers;
  uint64_t connect_failures = 0;
  std::string last_connect_error;
  uint64_t scheduled = 0, dropped = 0;  // open loop, summed over this worker's clients as they finish
  Clock::time_point last_done{};
  std::atomic<uint64_t> progress_ops{0};  // read by the progress line; written every 64 ops
  // Streaming checkers: this worker's index, and per client of it the floor of the next event it records
  // (run clock us: the start of the op in flight, or the earliest its next op can have; kNoFloor when done).
  // Sized before the clients start: each client keeps a reference to its own.
  uint32_t index = 0;
  std::vector<Collector*> collectors;     // per entry: its collector, when its state streams
  std::vector<SeriesSink*> series_sinks;  // per entry: the run's series (none for a shard)
  Clock::time_point measure_begin{};      // the series' second 0
  std::vector<uint64_t> floors;
};

// The floor of every event this worker records from now on: its clients' least.
uint64_t floor_of(const Worker& w) {
  uint64_t f = CheckState::kNoFloor;
  for (uint64_t x : w.floors) f = std::min(f, x);
  return f;
}

// Moves the worker's seconds below `passed` into the run's series (it records none below it any more).
void settle_series(Worker& w, std::size_t passed) {
  for (std::size_t e = 0; e < w.recs.size(); ++e) {
    if (!w.series_sinks[e]) continue;
    SeriesSink& k = *w.series_sinks[e];
    std::lock_guard lock(k.m);
    k.series.absorb(w.recs[e].series, passed);
    k.passed[w.index] = std::max(k.passed[w.index], passed);
    k.series.settle(*std::min_element(k.passed.begin(), k.passed.end()));
  }
}

// The series' second a reply completing now falls in: no later record of this thread is below it.
std::size_t second_now(const Worker& w) {
  const auto now = Clock::now();
  return now <= w.measure_begin
             ? 0
             : static_cast<std::size_t>(
                   std::chrono::duration_cast<std::chrono::seconds>(now - w.measure_begin).count());
}

void hand_off(Worker& w, uint64_t floor_us) {
  for (std::size_t e = 0; e < w.recs.size(); ++e)
    if (w.collectors[e])
      w.recs[e].check = w.collectors[e]->swap(w.index, std::move(w.recs[e].check), floor_us);
}

bool stopping(const Worker& w) { return w.stop || g_interrupted.load(std::memory_order_relaxed); }

// Connects (again), backing off while the server is away. False when the run ends or is interrupted first.
asio::awaitable<bool> reconnect(Worker& w, const Plan& plan, Redis& redis, Recorder& rec,
                                asio::steady_timer& timer) {
  auto backoff = 10ms;
  const auto give_up = std::min(plan.end, Clock::now() + 30s);  // --requests runs have no end: bound them
  while (!stopping(w) && Clock::now() < give_up) {
    Reply r = co_await redis.connect();
    if (!r.is_error()) co_return true;
    ++w.connect_failures;
    w.last_connect_error = std::string(r.error_message());
    if (rec.measuring) rec.count_error(r.error_class(), r.error_message());
    if (stopping(w)) break;  // the watchdog closed the connect: no retry, no back-off
    timer.expires_at(std::min(give_up, Clock::now() + backoff));
    boost::system::error_code ec;  // operation_aborted: the watchdog's interrupt
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    backoff = std::min(backoff * 2, std::chrono::milliseconds(500));
  }
  co_return false;
}

// A client's open-loop slots: its op j is the run's op id + j * all, due at the schedule's time of it.
struct Slots {
  const Schedule* schedule;  // null: a closed loop (no slots)
  Clock::time_point start;
  uint64_t id, all;
  Clock::time_point due(uint64_t j) const {
    if (j > (UINT64_MAX - id) / all) return Clock::time_point::max();
    const double t = schedule->time_of(id + j * all);
    if (!(t < 1e9)) return Clock::time_point::max();  // never (the stages ended), or past any run
    return start + duration_cast<Clock::duration>(std::chrono::duration<double>(t));
  }
  // The first j in [lo, hi) whose slot is at or after t (hi when none): slots only move forward.
  uint64_t first_at(uint64_t lo, uint64_t hi, Clock::time_point t) const {
    while (lo < hi) {
      const uint64_t mid = lo + (hi - lo) / 2;
      if (due(mid) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  // How many of the slots j in [j_from, j_to) fall in [from, to). to == max: no end.
  uint64_t count(uint64_t j_from, uint64_t j_to, Clock::time_point from, Clock::time_point to) const {
    if (to != Clock::time_point::max()) {  // no slot at or past `to` counts: bound the search there
      const double n = schedule->count_at(std::chrono::duration<double>(to - start).count());
      const double bound = n / static_cast<double>(all) + 2;
      if (bound < static_cast<double>(j_to)) j_to = static_cast<uint64_t>(bound);
    }
    if (j_from >= j_to) return 0;
    const uint64_t lo = first_at(j_from, j_to, from);
    const uint64_t hi = to == Clock::time_point::max() ? j_to : first_at(lo, j_to, to);
    return hi > lo ? hi - lo : 0;
  }
};

void record(Recorder& r, Worker& w, const Plan& plan, Outcome o, Clock::time_point intended,
            Clock::time_point sent, Clock::time_point done) {
  if (intended < plan.measure_begin) return;  // warmup: not recorded
  const int64_t lat = duration_cast<microseconds>(done - intended).count();
  const int64_t second = duration_cast<std::chrono::seconds>(done - plan.measure_begin).count();
  for (Recorder* into : {&r, plan.entries.size() > 1 ? &w.recs.back() : nullptr}) {  // a mix: its total too
    if (!into) continue;
    into->count_outcome(o);
    into->latency_us.record(lat);
    if (plan.schedule) into->uncorrected_latency_us.record(duration_cast<microseconds>(done - sent).count());
    into->series.record(second, lat);
  }
  if (done > w.last_done) w.last_done = done;
}

asio::awaitable<void> client_loop(Worker& w, const Plan& plan, uint32_t id, uint32_t slot, uint64_t quota) {
  const LoadConfig& cfg = plan.cfg;
  ClientCtx ctx;
  ctx.rec = &w.recs[0];
  ctx.id = id;
  uint64_t seed = cfg.seed ^ (0x9E3779B97F4A7C15ull * (id + 1));
  ctx.rng = Rng(Rng::splitmix64(seed));
  ctx.think_time_ms = cfg.think_time_ms;
  std::unique_ptr<Redis> redis = plan.make_redis(w.io, w.conns, w.recs[0]);
  ctx.redis = redis.get();

  asio::steady_timer timer(w.io);
  w.timers.push_back(&timer);

  // Open loop: this client's ops are the run's ops id, id + all, id + 2 * all, ... of the schedule
  // (engine/schedule.hpp), so the clients' slots interleave evenly and the server sees the schedule's rate,
  // not one burst of every client at once.
  const bool open = plan.schedule.has_value();
  const Slots slots{plan.schedule ? &*plan.schedule : nullptr, plan.start, id, plan.all_clients};
  Clock::time_point next = open ? slots.due(0) : plan.start;  // the slot of op number done_ops

  const uint32_t depth = std::max<uint32_t>(1, cfg.pipeline);
  std::vector<std::vector<ScriptCall>> calls(plan.entries.size());  // per single-call entry: `depth` of them
  for (std::size_t e = 0; e < plan.entries.size(); ++e)
    if (plan.entries[e].single) calls[e].resize(depth);
  std::vector<Reply> replies(plan.any_single ? depth : 0);
  std::vector<Clock::time_point> intended(depth);

  // This client's floor (Worker::floors): no event it records from now on starts before it. A single-call
  // op's event starts at its slot; a multi-step op's when it is sent, which is never before its slot.
  auto run_us = [&plan](Clock::time_point t) {
    return t <= plan.start ? uint64_t{0}
                           : static_cast<uint64_t>(duration_cast<microseconds>(t - plan.start).count());
  };
  const bool slot_floor = open && plan.any_single;
  uint64_t& floor = w.floors[slot];
  floor = run_us(slot_floor ? std::min(next, plan.end) : Clock::now());

  uint64_t done_ops = 0;
  bool connected = co_await reconnect(w, plan, *redis, w.recs[0], timer);
  while (connected && !stopping(w) && done_ops < quota) {
    auto now = Clock::now();
    // The loop ends with the run: a closed loop at its end; an open loop when its next slot is not in the run
    // any more, or when it is still behind kEndGrace after the end (the slots it never reached are dropped).
    // A client that waited idle for a slot before the end sends it even when the timer wakes it just past the
    // end, and one whose last op ended a moment after its next slot sends that one late, as it would mid-run:
    // neither was short of clients.
    if (open ? next >= plan.end || (next <= now && now >= plan.end_grace) : now >= plan.end) break;
    // Which entry, how many ops this round, and when each should have started.
    const uint32_t e = pick(plan, ctx.rng);
    const Entry& entry = plan.entries[e];
    Recorder& rec = w.recs[e];
    ctx.rec = &rec;
    if (plan.entries.size() > 1) redis->count_into(&rec);
    uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(entry.single ? depth : 1, quota - done_ops));
    if (open) {
      if (next > now) {
        timer.expires_at(next);        // before the end (above)
        boost::system::error_code ec;  // operation_aborted: the watchdog's interrupt (a slot far ahead)
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        now = Clock::now();
        if (stopping(w)) break;
      }
      uint32_t due = 0;  // the slot waited for, and those due by now that are in the run
      while (due < n && (due == 0 || (next <= now && next < plan.end))) {
        intended[due++] = next;
        next = slots.due(done_ops + due);
      }
      n = due;
    } else {
      for (uint32_t i = 0; i < n; ++i) intended[i] = now;
    }
    if (entry.single)
      floor = run_us(intended[0]);  // its events start at their slots (a multi-step op's: below)
    rec.measuring = intended[0] >= plan.measure_begin;
    const Clock::time_point sent = Clock::now();
    const uint64_t seq0 = ctx.seq;
    if (entry.single) {
      std::vector<ScriptCall>& mine = calls[e];
      for (uint32_t i = 0; i < n; ++i) {
        ctx.seq = seq0 + i;
        ctx.start_us = static_cast<uint32_t>(duration_cast<microseconds>(intended[i] - plan.start).count());
        entry.single->make_call(ctx, mine[i]);
      }
      const std::span<ScriptCall> batch(mine.data(), n);
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
        Outcome o = entry.single->on_reply(ctx, mine[i], replies[i]);
        record(rec, w, plan, o, intended[i], sent, done);
        replies[i] = Reply();  // free the reply now, not at the next round
      }
    } else {
      // A multi-step op's event starts when it is sent (its latency still counts from its slot): a checker
      // judges what the op could have seen from then on (a lock's lease, a cas's read), and the floor rises
      // with the clock even when an open loop runs behind its schedule.
      const uint64_t sent_us = run_us(sent);
      ctx.start_us = static_cast<uint32_t>(sent_us);
      // A mix's floor never rises past its next slot: a single-call op of it may start there, behind time.
      floor = slot_floor ? std::min(run_us(std::min(next, plan.end)), sent_us) : sent_us;
      Outcome o = co_await entry.multi->op(ctx);
      record(rec, w, plan, o, intended[0], sent, Clock::now());
    }
    ctx.seq = seq0 + n;
    floor = run_us(slot_floor ? std::min(next, plan.end) : Clock::now());
    done_ops += n;
    if ((done_ops & 63) < n) w.progress_ops.fetch_add(64, std::memory_order_relaxed);
    if (redis->broken()) connected = co_await reconnect(w, plan, *redis, rec, timer);
  }

  // The open-loop schedule of the measured period [end of warmup, end), and its slots never started: this
  // client was still behind (busy, or reconnecting) when the run ended (k6's dropped_iterations). Ops start
  // in slot order, so the first done_ops slots started, and every op that started was recorded: in the
  // measured period ok + failed + indeterminate + dropped == scheduled exactly. A late op is measured from
  // its slot (no coordinated omission). With --requests there is no end: the schedule is the quota's slots
  // (all of it without --warmup) and nothing is dropped unless the run stops early. An interrupted run's
  // schedule ends when the client stopped; a slot still ahead then was never due.
  if (open) {
    const auto cut = stopping(w) ? std::min(plan.end, Clock::now()) : plan.end;
    w.scheduled += slots.count(0, quota, plan.measure_begin, cut);
    w.dropped += slots.count(done_ops, quota, plan.measure_begin, cut);
  }
  w.timers.erase(std::find(w.timers.begin(), w.timers.end(), &timer));
  floor = CheckState::kNoFloor;
  --w.live_clients;
}

// Enforces reply/connect timeouts, and makes SIGINT win even when the server hangs: on interrupt it wakes
// every client sleeping to its next slot or back-off, and after kInterruptGrace closes every connection of
// the worker (again at each tick, for one a cluster client opened since), so a client waiting for a reply
// wakes with a connection error: its op is indeterminate, which is the truth for an op in flight.
asio::awaitable<void> watchdog(Worker& w) {
  asio::steady_timer t(w.io);
  Clock::time_point interrupted_at{};
  int ticks = 0;
  while (w.live_clients > 0) {
    if (++ticks % kHandOffTicks == 0) {
      hand_off(w, floor_of(w));
      settle_series(w, second_now(w));
    }
    t.expires_after(20ms);
    boost::system::error_code ec;
    co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    const auto now = Clock::now();
    if (g_interrupted.load(std::memory_order_relaxed)) {
      if (!w.stop) interrupted_at = now;
      w.stop = true;
      for (auto* timer : w.timers) timer->cancel();
      if (now - interrupted_at >= kInterruptGrace) w.conns.abort_all();
    }
    w.conns.check(now);
  }
  hand_off(w, CheckState::kNoFloor);  // every client of it is done: it records nothing more
  settle_series(w, SIZE_MAX);
}

// Set when the workers are done; the progress line waits on it, so it ends at once, not at its next tick.
struct Finished {
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  bool wait_for(std::chrono::milliseconds d) {
    std::unique_lock lock(m);
    return cv.wait_for(lock, d, [this] { return done; });
  }
  void set() {
    {
      std::lock_guard lock(m);
      done = true;
    }
    cv.notify_all();
  }
};

void progress_line(const LoadConfig& cfg, const std::vector<std::unique_ptr<Worker>>& workers,
                   Clock::time_point start, Finished& finished) {
  uint64_t last = 0;
  auto last_t = start;
  while (!finished.wait_for(250ms)) {
    auto now = Clock::now();
    if (now - last_t < 1s) continue;
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

bool open_loop(const LoadConfig& cfg) { return cfg.rate.has_value() || !cfg.stages.empty(); }

LoadResult run_load(const LoadConfig& cfg, VariantRun& variant, const RedisFactory& make_redis) {
  return run_load(cfg, std::vector<MixEntry>{{&variant, 1}}, make_redis);
}

LoadResult run_load(const LoadConfig& cfg, const std::vector<MixEntry>& mix, const RedisFactory& make_redis) {
  if (mix.empty()) throw std::invalid_argument("run_load: nothing to run");
  const uint32_t threads = std::max<uint32_t>(1, std::min(cfg.threads, cfg.clients));
  using Wall = std::chrono::system_clock;
  auto unix_us = [](Wall::time_point t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  };
  if (cfg.start_at_unix_us) {  // wait for the shards' common start, interruptibly
    while (unix_us(Wall::now()) < *cfg.start_at_unix_us && !g_interrupted.load(std::memory_order_relaxed))
      std::this_thread::sleep_for(std::min<std::chrono::microseconds>(
          std::chrono::microseconds(*cfg.start_at_unix_us - unix_us(Wall::now())), 20ms));
  }
  const int64_t wall_now = unix_us(Wall::now());
  const auto steady_now = Clock::now();
  // With --start-at the run clock's zero is that instant (just passed), on every shard alike.
  const int64_t origin_unix_us = cfg.start_at_unix_us ? std::min(*cfg.start_at_unix_us, wall_now) : wall_now;
  const auto start = steady_now - std::chrono::microseconds(wall_now - origin_unix_us);
  const uint32_t all = cfg.total_clients ? cfg.total_clients : cfg.clients;  // --shard: the run's
  std::optional<Schedule> schedule;
  auto length = cfg.warmup + cfg.duration;
  if (!cfg.stages.empty()) {
    schedule = Schedule::stages(cfg.stages);
    length = duration_cast<microseconds>(std::chrono::duration<double>(schedule->end_s()));
  } else if (cfg.rate) {  // this process's share of the run's rate: the run's schedule is all clients' ops
    schedule = Schedule::constant(*cfg.rate * (static_cast<double>(all) / cfg.clients));
  }
  Plan plan{cfg,
            {},
            {},
            false,
            make_redis,
            start,
            start + (cfg.stages.empty() ? cfg.warmup : microseconds(0)),
            cfg.requests && cfg.stages.empty() ? Clock::time_point::max() : start + length,
            {},
            std::move(schedule),
            all};
  plan.end_grace = plan.end == Clock::time_point::max() ? plan.end : plan.end + kEndGrace;
  double total_weight = 0;
  for (const auto& m : mix) total_weight += m.weight;
  double sum = 0;
  for (const auto& m : mix) {
    plan.entries.push_back({as_single_call(*m.run), as_multi_step(*m.run)});
    plan.any_single = plan.any_single || m.run->single_call();
    sum += m.weight;
    if (mix.size() > 1) plan.cumulative.push_back(sum / total_weight);
  }

  const std::size_t recorders = mix.size() > 1 ? mix.size() + 1 : 1;  // a mix: and its total
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::unique_ptr<Collector>> collectors(recorders);
  std::vector<std::unique_ptr<SeriesSink>> sinks(recorders);
  if (!cfg.keep_events) {
    for (auto& sink : sinks) {
      sink = std::make_unique<SeriesSink>();
      sink->passed.assign(threads, 0);
    }
  }
  for (uint32_t t = 0; t < threads; ++t) {
    auto w = std::make_unique<Worker>();
    w->recs.resize(recorders);
    w->index = t;
    w->measure_begin = plan.measure_begin;
    for (std::size_t e = 0; e < recorders; ++e) {
      Recorder& r = w->recs[e];
      r.origin = start;
      if (e < mix.size()) r.check = mix[e].run->new_state();
      if (t == 0 && !cfg.keep_events && r.check && r.check->streams())
        collectors[e] = std::make_unique<Collector>(*mix[e].run, threads);
      w->collectors.push_back(collectors[e].get());
      w->series_sinks.push_back(sinks[e].get());
    }
    workers.push_back(std::move(w));
  }
  for (auto& w : workers) w->floors.reserve(cfg.clients / threads + 1);
  // Clients are dealt round-robin to threads; --requests is split evenly over clients.
  for (uint32_t id = 0; id < cfg.clients; ++id) {
    Worker& w = *workers[id % threads];
    uint64_t quota = UINT64_MAX;
    if (cfg.requests) quota = *cfg.requests / cfg.clients + (id < *cfg.requests % cfg.clients ? 1 : 0);
    if (quota == 0) continue;
    ++w.live_clients;
    w.floors.push_back(0);
    asio::co_spawn(
        w.io, client_loop(w, plan, cfg.first_client + id, static_cast<uint32_t>(w.floors.size() - 1), quota),
        asio::detached);
  }
  for (auto& w : workers) {
    if (w->live_clients == 0) {  // no client: holds no one's watermark back
      hand_off(*w, CheckState::kNoFloor);
      settle_series(*w, SIZE_MAX);
    }
    asio::co_spawn(w->io, watchdog(*w), asio::detached);
  }

  std::vector<std::thread> pool;
  pool.reserve(workers.size());
  for (auto& w : workers) pool.emplace_back([&io = w->io] { io.run(); });
  Finished finished;
  std::thread progress;
  if (cfg.progress && isatty(STDERR_FILENO))
    progress = std::thread(progress_line, std::cref(cfg), std::cref(workers), start, std::ref(finished));
  for (auto& t : pool) t.join();
  finished.set();
  if (progress.joinable()) progress.join();

  LoadResult out;
  std::vector<Recorder> parts(recorders);
  for (std::size_t e = 0; e < mix.size(); ++e) parts[e].check = mix[e].run->new_state();
  Clock::time_point last{};
  for (auto& w : workers) {  // the rest of every thread's events and seconds
    hand_off(*w, CheckState::kNoFloor);
    settle_series(*w, SIZE_MAX);
  }
  for (std::size_t e = 0; e < recorders; ++e)
    if (sinks[e]) parts[e].series = std::move(sinks[e]->series);
  for (auto& w : workers) {
    for (std::size_t e = 0; e < recorders; ++e) {
      if (w->collectors[e]) w->recs[e].check.reset();  // handed off whole: the shared state is the merged one
      parts[e].merge(w->recs[e]);
    }
    out.connect_failures += w->connect_failures;
    if (!w->last_connect_error.empty()) out.last_connect_error = w->last_connect_error;
    out.scheduled += w->scheduled;
    out.dropped += w->dropped;
    last = std::max(last, w->last_done);
  }
  for (std::size_t e = 0; e < recorders; ++e) {
    if (collectors[e]) parts[e].check = collectors[e]->finish();
    parts[e].origin = start;
  }
  if (mix.size() > 1) {  // the total recorded every op; the transport counted into the entries
    Recorder& total = parts.back();
    for (std::size_t e = 0; e < mix.size(); ++e) {
      total.Counters::merge(parts[e]);
      total.retries += parts[e].retries;
    }
    out.merged = std::move(total);
    parts.pop_back();
    out.entries = std::move(parts);
  } else {
    out.merged = std::move(parts[0]);
  }
  out.origin_unix_us = origin_unix_us;
  // One clock: the series counts seconds from the end of warmup, so duration_s and throughput do too.
  out.series_end_s =
      last > plan.measure_begin ? std::chrono::duration<double>(last - plan.measure_begin).count() : 0.0;
  out.measured_s = out.series_end_s;
  out.pipeline = plan.any_single ? std::max<uint32_t>(1, cfg.pipeline) : 1;
  out.interrupted = g_interrupted.load();
  return out;
}

}  // namespace lh::engine
