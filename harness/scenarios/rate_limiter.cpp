// rate-limiter: a sliding window on a sorted set (docs/seed.md, step 1). Limit L = 100 requests per window
// W = 1000 ms per key; many clients on few keys, so most requests are refused and the limit is what counts.
//
// Keys: <prefix>rl:{k<i>} for i < --keys (default 10), sorted sets of "now:client:op" members scored by their
// stamp (ms). Variants:
//   atomic               EVALSHA rate_limit.lua, `now` from the client's wall clock (the seed's script).
//   atomic-server-clock  EVALSHA rate_limit_server_time.lua: stamps with redis TIME and returns the stamp
//                        used.
//   naive                ZREMRANGEBYSCORE, ZCARD, compare in the client, think, ZADD, PEXPIRE: separate
//                        round trips, so concurrent clients all read the same count and all get in.
//   transaction          WATCH k, ZCOUNT k (now-W, +inf], think, MULTI ZREMRANGEBYSCORE ZADD PEXPIRE EXEC.
// Checker (rate_limiter_check.hpp): per key, no window of the stated length holds more than L admissions, in
// the limiter's own timebase (see check_rate_limiter for which length proves what).
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <string>

#include "harness/scenarios/rate_limiter_check.hpp"
#include "harness/scenarios/support.hpp"

namespace lh::scenarios {

namespace {

using net::Reply;
using support::Num;
using support::ScriptArgs;

constexpr int64_t kLimit = 100;
constexpr int64_t kWindowMs = 1000;

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// W in seconds, as the scripts take it ("1", "0.5").
std::string window_seconds() {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", static_cast<double>(kWindowMs) / 1000.0);
  return buf;
}

// "now:client:op", the member the scripts write (they build it as now .. ':' .. request id).
class Member {
 public:
  std::string_view set(int64_t now, std::string_view id) {
    char* p = std::to_chars(buf_, buf_ + 24, now).ptr;
    *p++ = ':';
    p = std::copy(id.begin(), id.end(), p);
    n_ = static_cast<uint8_t>(p - buf_);
    return {buf_, n_};
  }

 private:
  char buf_[80] = {};
  uint8_t n_ = 0;
};

Outcome record(ClientCtx& ctx, uint16_t k, Outcome o, int64_t stamp, int64_t decision, uint32_t stamped_us) {
  return support::record(ctx, k, 0, o, stamp, rate_limit_b(decision, stamped_us));
}

// What every rate-limiter variant shares: the keys (empty before the load), and the check in the variant's
// timebase (`server_clock`: the server stamps the requests).
template <class Shape>
class RateLimiterRun : public Shape {
 public:
  RateLimiterRun(const Params& p, bool safe_by_design, bool server_clock = false)
      : keys_(support::key_names(p.key_prefix, "rl:", "k", support::key_count(p, 10, "rate-limiter"))),
        safe_by_design_(safe_by_design),
        server_clock_(server_clock) {}

  void setup(SyncClient& s) override {
    for (const auto& k : keys_) s.command({"DEL", k}, k);
  }

  std::unique_ptr<engine::CheckState> new_state() const override {
    return std::make_unique<RateLimiterState>(static_cast<uint32_t>(keys_.size()));
  }

  reports::Correctness check(SyncClient&, const engine::CheckState& state) override {
    return static_cast<const RateLimiterState&>(state).finish(kLimit, kWindowMs, server_clock_,
                                                              safe_by_design_);
  }

 protected:
  const std::vector<std::string> keys_;
  const bool safe_by_design_, server_clock_;
};

// ---- atomic: one script call, pipelineable; the client's wall clock stamps the request ----
class RateLimiterAtomic final : public RateLimiterRun<SingleCallRun> {
 public:
  using RateLimiterRun::RateLimiterRun;

  std::vector<const scripts::Script*> scripts() const override { return {&script_}; }

  // user[0] = the stamp sent (client clock), user[1] = when it was taken on the run clock.
  void make_call(ClientCtx& ctx, ScriptCall& call) override {
    ScriptArgs a;
    a.key_index = support::pick(ctx, keys_.size());
    a.key(keys_[a.key_index]);
    a.arg(window_s_);
    a.arg(kLimit);
    a.user[0] = wall_ms();
    a.user[1] = ctx.now_us();
    a.arg(a.user[0]);
    a.arg(a.id.set(ctx.id, ctx.seq));
    support::fill_slot(script_, a, call);
  }

  // The script returns 1 admitted, 0 limited.
  Outcome on_reply(ClientCtx& ctx, ScriptCall& call, const Reply& r) override {
    const uint16_t k = call.key_index;
    const uint32_t stamped_us = static_cast<uint32_t>(call.user[1]);
    if (r.is_error()) return record(ctx, k, r.outcome(), call.user[0], kRlLimited, stamped_us);
    if (!r.is_integer()) return record(ctx, k, Outcome::indeterminate, call.user[0], kRlLimited, stamped_us);
    return record(ctx, k, Outcome::ok, call.user[0], r.integer(), stamped_us);
  }

 private:
  const scripts::Script& script_ = scripts::builtin_script("rate_limit");
  const std::string window_s_ = window_seconds();
};

// ---- atomic-server-clock: one script call, pipelineable; redis TIME stamps the request ----
class RateLimiterServerClock final : public RateLimiterRun<SingleCallRun> {
 public:
  RateLimiterServerClock(const Params& p, bool safe_by_design) : RateLimiterRun(p, safe_by_design, true) {}

  std::vector<const scripts::Script*> scripts() const override { return {&script_}; }

  void make_call(ClientCtx& ctx, ScriptCall& call) override {
    ScriptArgs a;
    a.key_index = support::pick(ctx, keys_.size());
    a.key(keys_[a.key_index]);
    a.arg(window_s_);
    a.arg(kLimit);
    a.arg(a.id.set(ctx.id, ctx.seq));
    support::fill_slot(script_, a, call);
  }

  // The script returns {allowed, now_ms_used}; a failed call has no stamp (0).
  Outcome on_reply(ClientCtx& ctx, ScriptCall& call, const Reply& r) override {
    const uint16_t k = call.key_index;
    if (r.is_error()) return record(ctx, k, r.outcome(), 0, kRlLimited, 0);
    const redisReply* raw = r.raw();
    if (r.elements() != 2 || raw->element[0]->type != REDIS_REPLY_INTEGER ||
        raw->element[1]->type != REDIS_REPLY_INTEGER)
      return record(ctx, k, Outcome::indeterminate, 0, kRlLimited, 0);
    return record(ctx, k, Outcome::ok, raw->element[1]->integer, raw->element[0]->integer, 0);
  }

 private:
  const scripts::Script& script_ = scripts::builtin_script("rate_limit_server_time");
  const std::string window_s_ = window_seconds();
};

// ---- naive: trim, count, compare in the client, think, add ----
class RateLimiterNaive final : public RateLimiterRun<MultiStepRun> {
 public:
  using RateLimiterRun::RateLimiterRun;

  asio::awaitable<Outcome> op(ClientCtx& ctx) override {
    const uint16_t k = support::pick(ctx, keys_.size());
    const std::string& key = keys_[k];
    const int64_t now = wall_ms();
    const uint32_t stamped_us = ctx.now_us();
    Num cutoff(now - kWindowMs), score(now), window(kWindowMs);
    support::OpId id;
    Member member;
    const std::string_view m = member.set(now, id.set(ctx.id, ctx.seq));
    // Trimming admits nothing: a failure before ZADD means the request was not admitted.
    Reply trim = co_await support::cmd(ctx, key, "ZREMRANGEBYSCORE", key, "0", cutoff.view());
    if (trim.is_error()) co_return record(ctx, k, Outcome::failed, now, kRlLimited, stamped_us);
    Reply count = co_await support::cmd(ctx, key, "ZCARD", key);
    if (count.is_error()) co_return record(ctx, k, Outcome::failed, now, kRlLimited, stamped_us);
    if (count.integer() >= kLimit) co_return record(ctx, k, Outcome::ok, now, kRlLimited, stamped_us);
    co_await ctx.think();
    Reply add = co_await support::cmd(ctx, key, "ZADD", key, score.view(), m);
    if (add.is_error())
      co_return record(ctx, k, support::failure_outcome(add, true), now, kRlAdmitted, stamped_us);
    // The admission is known once ZADD answered; a failed PEXPIRE only leaves the key without a TTL.
    (void)co_await support::cmd(ctx, key, "PEXPIRE", key, window.view());
    co_return record(ctx, k, Outcome::ok, now, add.integer() == 0 ? kRlCollided : kRlAdmitted, stamped_us);
  }
};

// ---- transaction: WATCH, ZCOUNT the window, think, MULTI trim add expire EXEC ----
class RateLimiterTransaction final : public RateLimiterRun<MultiStepRun> {
 public:
  using RateLimiterRun::RateLimiterRun;

  asio::awaitable<Outcome> op(ClientCtx& ctx) override {
    const uint16_t k = support::pick(ctx, keys_.size());
    const std::string& key = keys_[k];
    support::OpId id;
    id.set(ctx.id, ctx.seq);
    Num window(kWindowMs);
    for (int attempt = 0; attempt < support::kMaxTxAttempts; ++attempt) {
      const int64_t now = wall_ms();  // each attempt stamps afresh: a retry is a new request to the limiter
      const uint32_t stamped_us = ctx.now_us();
      Num cutoff(now - kWindowMs), score(now);
      std::array<char, 32> open;  // "(cutoff": exclusive lower bound, the script's window (now - W, now]
      open[0] = '(';
      const std::size_t open_n = 1 + cutoff.view().copy(open.data() + 1, open.size() - 1);
      Member member;
      const std::string_view m = member.set(now, id.view());
      Reply count = co_await support::watch_read(ctx, key, "ZCOUNT", key,
                                                 std::string_view(open.data(), open_n), "+inf");
      if (count.is_error()) co_return record(ctx, k, Outcome::failed, now, kRlLimited, stamped_us);
      if (count.integer() >= kLimit) {
        co_await support::unwatch(ctx, key);
        co_return record(ctx, k, Outcome::ok, now, kRlLimited, stamped_us);
      }
      co_await ctx.think();
      const std::array<std::string_view, 4> trim = {"ZREMRANGEBYSCORE", key, "0", cutoff.view()};
      const std::array<std::string_view, 4> add = {"ZADD", key, score.view(), m};
      const std::array<std::string_view, 3> expire = {"PEXPIRE", key, window.view()};
      const std::array<std::span<const std::string_view>, 3> cmds = {trim, add, expire};
      support::TxResult t = co_await support::multi_exec(ctx, key, cmds);
      if (support::retry_on_conflict(ctx, t)) continue;
      int64_t decision = kRlAdmitted;
      if (t.status == support::TxStatus::committed && t.exec.elements() == 3 &&
          t.exec.element(1)->type == REDIS_REPLY_INTEGER && t.exec.element(1)->integer == 0)
        decision = kRlCollided;
      co_return record(ctx, k, support::outcome_of(t), now, decision, stamped_us);
    }
    co_return record(ctx, k, Outcome::failed, wall_ms(), kRlLimited, ctx.now_us());
  }
};

class RateLimiterScenario final : public support::BuiltinScenario {
 public:
  RateLimiterScenario()
      : BuiltinScenario({
            .name = "rate-limiter",
            .summary =
                "sliding-window rate limiter on a sorted set: at most 100 admissions per 1000 ms per key",
            .violation_noun = "over-admissions",
            .variants = {{"atomic", true, support::make_run<RateLimiterAtomic>},
                         {"atomic-server-clock", true, support::make_run<RateLimiterServerClock>},
                         {"naive", false, support::make_run<RateLimiterNaive>},
                         {"transaction", true, support::make_run<RateLimiterTransaction>}},
            .details = rate_limiter_details(),
        }) {}

  // "naive rate-limiter admitted 11 requests beyond its limit"
  std::string explain(const reports::Result& r) const override {
    return r.variant + " " + r.scenario + " admitted " + support::thousands(r.correctness.violations) +
           " requests beyond its limit";
  }
};

}  // namespace

const Scenario& rate_limiter_scenario() {
  static const RateLimiterScenario s;
  return s;
}

}  // namespace lh::scenarios
