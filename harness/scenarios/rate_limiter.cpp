// rate-limiter: a sliding window on a sorted set (the seed's step 1). Limit L = 100 requests per window
// W = 1000 ms per key; many clients on few keys, so most requests are refused and the limit is what counts.
//
// Keys: <prefix>rl:{k<i>} for i < --keys (default 10), sorted sets of "now:client:op" members scored by their
// stamp (ms). Variants:
//   atomic               EVALSHA rate_limit.lua, `now` from the client's wall clock (the seed's script).
//   atomic-server-clock  EVALSHA rate_limit_server_time.lua: stamps with redis TIME and returns the stamp
//   used. naive                ZREMRANGEBYSCORE, ZCARD, compare in the client, think, ZADD, PEXPIRE: separate
//   round
//                        trips, so concurrent clients all read the same count and all get in.
//   transaction          WATCH k, ZCOUNT k (now-W, +inf], think, MULTI ZREMRANGEBYSCORE ZADD PEXPIRE EXEC.
// Checker: per key, no window of the stated length holds more than L admissions, in the limiter's own
// timebase (see check_rate_limiter for which length proves what).
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <string>

#include "harness/scenarios/checkers.hpp"
#include "harness/scenarios/support.hpp"

namespace lh::scenarios {

namespace {

using net::Reply;
using support::Num;
using support::ScriptArgs;

constexpr int64_t kLimit = 100;
constexpr int64_t kWindowMs = 1000;
enum class Variant { atomic, atomic_server_clock, naive, transaction };

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
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

class RateLimiterRun final : public support::ScriptedRun<RateLimiterRun, Variant> {
 public:
  RateLimiterRun(Variant v, const Params& p)
      : ScriptedRun(v),
        keys_(support::key_names(p.key_prefix, "rl:", "k", support::key_count(p, 10, "rate-limiter"))) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", static_cast<double>(kWindowMs) / 1000.0);
    window_s_ = buf;
  }

  void setup(SyncClient& s) override {
    for (const auto& k : keys_) s.command({"DEL", k}, k);
  }

  reports::Correctness check(SyncClient&, const History& h) override {
    RateLimiterCheckInput in;
    in.history = h;
    in.keys = static_cast<uint32_t>(keys_.size());
    in.limit = kLimit;
    in.window_ms = kWindowMs;
    in.server_clock = variant_ == Variant::atomic_server_clock;
    in.safe_by_design = variant_ != Variant::naive;
    return check_rate_limiter(in);
  }

 private:
  friend ScriptedRun;
  static Outcome record(ClientCtx& ctx, uint16_t k, Outcome o, int64_t stamp, int64_t decision,
                        uint32_t stamped_us) {
    return support::record(ctx, k, 0, o, stamp, rate_limit_b(decision, stamped_us));
  }

  // ---- atomic (both clocks): one script call, pipelineable ----
  bool scripted() const { return variant_ == Variant::atomic || variant_ == Variant::atomic_server_clock; }
  const scripts::Script& script() const {
    return scripts::builtin_script(variant_ == Variant::atomic_server_clock ? "rate_limit_server_time"
                                                                            : "rate_limit");
  }
  // user[0] = the stamp sent (client clock), user[1] = when it was taken on the run clock.
  void prepare(ClientCtx& ctx, ScriptArgs& a) const {
    a.key_index = support::pick(ctx, keys_.size());
    a.key(keys_[a.key_index]);
    a.arg(window_s_);
    a.arg(kLimit);
    if (variant_ == Variant::atomic) {
      a.user[0] = wall_ms();
      a.user[1] = ctx.now_us();
      a.arg(a.user[0]);
    }
    a.arg(a.id.set(ctx.id, ctx.seq));
  }
  Outcome judge(ClientCtx& ctx, uint16_t k, const int64_t* user, const Reply& r) const {
    const uint32_t stamped_us = static_cast<uint32_t>(user[1]);
    if (r.is_error()) return record(ctx, k, r.outcome(), user[0], kRlLimited, stamped_us);
    if (variant_ == Variant::atomic) {
      if (!r.is_integer()) return record(ctx, k, Outcome::indeterminate, user[0], kRlLimited, stamped_us);
      return record(ctx, k, Outcome::ok, user[0], r.integer(), stamped_us);
    }
    // {allowed, now_ms_used}
    const redisReply* raw = r.raw();
    if (r.elements() != 2 || raw->element[0]->type != REDIS_REPLY_INTEGER ||
        raw->element[1]->type != REDIS_REPLY_INTEGER)
      return record(ctx, k, Outcome::indeterminate, 0, kRlLimited, 0);
    return record(ctx, k, Outcome::ok, raw->element[1]->integer, raw->element[0]->integer, 0);
  }

  // ---- naive: trim, count, compare in the client, think, add ----
  asio::awaitable<Outcome> naive(ClientCtx& ctx) const {
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

  // ---- transaction: WATCH, ZCOUNT the window, think, MULTI trim add expire EXEC ----
  asio::awaitable<Outcome> transaction(ClientCtx& ctx) const {
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

  std::vector<std::string> keys_;
  std::string window_s_;  // W in seconds, as the scripts take it ("1", "0.5")
};

// Admissions beyond `limit` in windows (t - len, t] over one key's sorted stamps: the fewest admissions to
// remove so that no such window holds more than `limit` (keeping greedily in stamp order is optimal).
// `kept` is scratch. When `first_excess` is given, the stamps of the first few excess admissions go there.
int64_t overadmissions(std::span<const uint64_t> stamps, int64_t len, int64_t limit,
                       std::vector<uint64_t>& kept, std::vector<uint64_t>* first_excess = nullptr) {
  kept.clear();
  std::size_t head = 0;
  int64_t excess = 0;
  for (uint64_t s : stamps) {
    while (head < kept.size() && static_cast<int64_t>(kept[head]) <= static_cast<int64_t>(s) - len) ++head;
    if (static_cast<int64_t>(kept.size() - head) < limit) {
      kept.push_back(s);
    } else {
      ++excess;
      if (first_excess && first_excess->size() < support::kMaxExamples) first_excess->push_back(s);
    }
  }
  return excess;
}

// The most admissions any window (t - len, t] holds.
int64_t max_in_window(std::span<const uint64_t> stamps, int64_t len) {
  int64_t best = 0;
  std::size_t j = 0;
  for (std::size_t i = 0; i < stamps.size(); ++i) {
    while (static_cast<int64_t>(stamps[j]) <= static_cast<int64_t>(stamps[i]) - len) ++j;
    best = std::max<int64_t>(best, static_cast<int64_t>(i - j + 1));
  }
  return best;
}

}  // namespace

const Scenario& rate_limiter_scenario() {
  static const support::VariantScenario<RateLimiterRun, Variant> s(
      "rate-limiter",
      "sliding-window rate limiter on a sorted set: at most 100 admissions per 1000 ms per key",
      {{"atomic", Variant::atomic},
       {"atomic-server-clock", Variant::atomic_server_clock},
       {"naive", Variant::naive},
       {"transaction", Variant::transaction}});
  return s;
}

// ---- checker ---------------------------------------------------------------------------------------------
//
// Let λ be the longest time between stamping an admitted request and its reply, plus the stamp's resolution
// (1 ms). Each request executes within λ of its own stamp, so the atomic script cannot admit more than L in
// any window of length W - λ: a trim by an earlier-executed request only removes stamps at least W - λ older
// than anything in that window. Over-admissions there are atomicity violations. The extra ones visible only
// in full windows of length W are real (the limiter let them through) but explained by requests reaching the
// server out of stamp order: reported as reordering_overadmissions, with λ. The server clock stamps at
// execution (λ = 0): its full-window count is the verdict.
reports::Correctness check_rate_limiter(const RateLimiterCheckInput& in) {
  const auto& h = in.history;
  int64_t admitted = 0, limited = 0, collided = 0, indeterminate = 0, failed = 0, ignored = 0;
  int64_t max_lat_us = 0, min_stamp = INT64_MAX, max_stamp = INT64_MIN;
  for (const Event& e : h) {
    if (e.key >= in.keys) {
      ++ignored;
      continue;
    }
    const Outcome o = e.result();
    if (o == Outcome::failed) {
      ++failed;
      continue;
    }
    if (o != Outcome::ok) {
      ++indeterminate;  // may or may not have been admitted: never counted either way
      continue;
    }
    const int64_t decision = e.b & 0xFFFFFFFF;
    if (decision == kRlLimited) {
      ++limited;
      continue;
    }
    ++admitted;
    collided += decision == kRlCollided;
    const uint32_t stamped = static_cast<uint32_t>(static_cast<uint64_t>(e.b) >> 32);
    max_lat_us =
        std::max<int64_t>(max_lat_us, static_cast<int64_t>(e.end_us) - (stamped ? stamped : e.start_us));
    min_stamp = std::min(min_stamp, e.a);
    max_stamp = std::max(max_stamp, e.a);
  }
  const int64_t lambda_ms = in.server_clock ? 0 : (max_lat_us + 999) / 1000 + 1;
  const int64_t short_ms = in.window_ms - lambda_ms;

  // Admitted stamps grouped by key and sorted: key << 40 | (stamp - min_stamp), radix-sorted.
  std::vector<uint64_t> v, scratch;
  v.reserve(static_cast<std::size_t>(admitted));
  const bool span_fits = admitted == 0 || max_stamp - min_stamp < (int64_t(1) << 40);
  for (const Event& e : h) {
    if (e.key >= in.keys || e.result() != Outcome::ok || (e.b & 0xFFFFFFFF) == kRlLimited) continue;
    v.push_back(static_cast<uint64_t>(e.key) << 40 | static_cast<uint64_t>(span_fits ? e.a - min_stamp : 0));
  }
  support::radix_sort(v, scratch, 0, 8);
  std::vector<uint64_t>& kept = scratch;  // free again after the sort
  int64_t excess_short = 0, excess_full = 0, max_full = 0;
  std::vector<std::pair<uint16_t, uint64_t>>
      examples_at;  // (key, stamp offset) of the first excess admissions
  std::vector<uint64_t> firsts;
  constexpr uint64_t mask = (uint64_t(1) << 40) - 1;
  for (std::size_t i = 0; i < v.size();) {
    const uint64_t key = v[i] >> 40;
    std::size_t j = i;
    while (j < v.size() && (v[j] >> 40) == key) v[j++] &= mask;
    const std::span<const uint64_t> group(v.data() + i, j - i);
    excess_full += overadmissions(group, in.window_ms, in.limit, kept);
    max_full = std::max(max_full, max_in_window(group, in.window_ms));
    if (short_ms >= 1) {
      firsts.clear();
      excess_short += overadmissions(group, short_ms, in.limit, kept, &firsts);
      for (uint64_t s : firsts)
        if (examples_at.size() < support::kMaxExamples)
          examples_at.emplace_back(static_cast<uint16_t>(key), s);
    }
    i = j;
  }

  reports::Correctness c;
  c.invariant = "per key, no window of the stated length holds more than " + std::to_string(in.limit) +
                " admitted requests, in the limiter's own timebase";
  c.safe_by_design = in.safe_by_design;
  c.details = {
      {"limit", in.limit},
      {"window_ms", in.window_ms},
      {"clock", in.server_clock ? "server" : "client"},
      {"keys", in.keys},
      {"admitted", admitted},
      {"limited", limited},
      {"indeterminate", indeterminate},
      {"failed", failed},
      {"lambda_ms", lambda_ms},
      {"lambda_basis", in.server_clock ? "server TIME stamps at execution: 0"
                                       : "longest stamp-to-reply time of an admitted request + 1 ms"},
      {"atomicity_window_ms", short_ms >= 1 ? nlohmann::json(short_ms) : nlohmann::json(nullptr)},
      {"overadmissions_in_atomicity_window", excess_short},
      {"reordering_overadmissions", std::max<int64_t>(0, excess_full - excess_short)},
      {"overadmissions_in_full_window", excess_full},
      {"max_admitted_in_full_window", max_full},
      {"member_collisions", collided}};
  if (short_ms < 1)
    c.details["note"] = "λ >= W: no window is short enough to prove atomicity; only full windows reported";
  if (!span_fits) c.details["note"] = "stamps span more than 2^40 ms: not checked";
  if (ignored) c.details["ignored_events"] = ignored;
  support::set_verdict(c, excess_short);
  if (!span_fits) {
    c.verdict = "not-checked";
    c.checked = false;
  }

  // Evidence: which requests were the excess ones, found back by key and stamp in one pass.
  std::vector<const Event*> culprit(examples_at.size(), nullptr);
  std::size_t missing = examples_at.size();
  for (const Event& e : h) {
    if (missing == 0) break;
    if (e.key >= in.keys || e.result() != Outcome::ok || (e.b & 0xFFFFFFFF) == kRlLimited) continue;
    for (std::size_t i = 0; i < examples_at.size(); ++i)
      if (!culprit[i] && examples_at[i].first == e.key &&
          static_cast<uint64_t>(e.a - min_stamp) == examples_at[i].second) {
        culprit[i] = &e;
        --missing;
        break;
      }
  }
  for (const Event* e : culprit) {
    if (!e) continue;
    c.examples.push_back("key " + std::to_string(e->key) + ": " + support::who(*e) +
                         " admitted at now=" + std::to_string(e->a) + " ms beyond the limit: more than " +
                         std::to_string(in.limit) + " admissions within " + std::to_string(short_ms) +
                         " ms (W " + std::to_string(in.window_ms) + " - λ " + std::to_string(lambda_ms) +
                         ")");
  }
  if (excess_full > excess_short && c.examples.size() < support::kMaxExamples)
    c.examples.push_back(std::to_string(excess_full - excess_short) +
                         " more admissions beyond the limit in full " + std::to_string(in.window_ms) +
                         " ms windows, explained by requests reaching the server out of stamp order (λ " +
                         std::to_string(lambda_ms) + " ms)");
  return c;
}

}  // namespace lh::scenarios
