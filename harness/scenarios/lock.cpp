// lock: a lock with a fencing token (docs/seed.md, step 3). Each op acquires the lock (getting a token),
// holds it for about --think-time, writes the resource with its token, and releases.
//
// Keys per resource r < --keys (default 1): <prefix>lock:{r<i>} (holder id, PX --lock-ttl, default 2000 ms),
// <prefix>fence:{r<i>} (token counter), <prefix>resource:{r<i>} (highest token accepted). One hash tag:
// one cluster slot. Variants (every one multi-step: acquire, hold, write, release):
//   atomic       acquire_lock.lua (SET NX PX + INCR), release_lock.lua (compare-and-delete).
//   naive        acquire: GET lock, if empty SET lock id PX ttl (no NX), INCR fence;
//                release: GET lock, compare, DEL lock. Two clients can both see the lock free and both enter;
//                a slow releaser can delete the lock its successor took.
//   transaction  acquire: WATCH lock, GET, MULTI SET PX + INCR EXEC;
//                release: WATCH lock, GET, MULTI DEL EXEC.
// All variants write through fenced_write.lua, the fencing-aware resource (it rejects stale tokens).
// The in-process holder count per lock (the one shared atomic of the run) notes an entry into an occupied
// critical section as it happens; the checker (lock_check.hpp) judges from the recorded times whether both
// leases were valid.
#include <array>
#include <atomic>
#include <memory>
#include <span>
#include <string>

#include "harness/scenarios/lock_check.hpp"
#include "harness/scenarios/support.hpp"

namespace lh::scenarios {

namespace {

using net::Reply;
using support::Num;

constexpr int64_t kDefaultTtlMs = 2000;

// An op's outcome is the worst of its steps': indeterminate > failed > ok.
Outcome worst(Outcome a, Outcome b) { return static_cast<uint8_t>(a) >= static_cast<uint8_t>(b) ? a : b; }

struct Acquired {
  Outcome outcome = Outcome::failed;
  int64_t token = -1;  // -1: not acquired (refused, or unknown)
};
struct Released {
  Outcome outcome = Outcome::failed;
  bool deleted = false;
};
// What happened inside the critical section.
struct Section {
  uint32_t acquired_us = 0, released_us = 0;  // entered / left, on the run clock
  uint8_t flags = 0;                          // the event's kind bits so far (the write's state, an overlap)
  Outcome outcome = Outcome::failed;          // the acquire's and the write's, the worse
};

// What every lock variant shares: the keys and the holder counts, the op's critical section (the hold and
// the fenced write) and its event, setup and the check. A variant adds how it acquires and releases; its op
// is: begin, acquire, critical_section, release, finish.
class LockRun : public MultiStepRun {
 public:
  LockRun(const Params& p, bool safe_by_design)
      : ttl_ms_(p.lock_ttl_ms > 0 ? p.lock_ttl_ms : kDefaultTtlMs), safe_by_design_(safe_by_design) {
    const uint64_t n = support::key_count(p, 1, "lock");
    lock_ = support::key_names(p.key_prefix, "lock:", "r", n);
    fence_ = support::key_names(p.key_prefix, "fence:", "r", n);
    resource_ = support::key_names(p.key_prefix, "resource:", "r", n);
    holders_ = std::make_unique<std::atomic<int32_t>[]>(n);
  }

  void setup(SyncClient& s) override {
    for (std::size_t i = 0; i < lock_.size(); ++i)
      s.command({"DEL", lock_[i], fence_[i], resource_[i]}, lock_[i]);
  }
  std::vector<const scripts::Script*> scripts() const override { return {&fenced_write_}; }

  std::unique_ptr<engine::CheckState> new_state() const override {
    return std::make_unique<LockState>(static_cast<uint32_t>(lock_.size()), ttl_ms_);
  }

  reports::Correctness check(SyncClient& s, const engine::CheckState& state) override {
    std::vector<int64_t> final_resource;
    for (const auto& r : resource_) final_resource.push_back(s.command({"GET", r}, r).as_int(0));
    return static_cast<const LockState&>(state).finish(ttl_ms_, final_resource, safe_by_design_);
  }

  // One op, the same in every variant: acquire (a token, or refused), the critical section, release. The
  // variants differ only in how they acquire and release.
  asio::awaitable<Outcome> op(ClientCtx& ctx) final {
    const Op o = begin(ctx);
    const Acquired acq = co_await acquire(ctx, o.k, o.holder.view());
    if (acq.token < 0) co_return not_acquired(ctx, o.k, acq);
    const Section s = co_await critical_section(ctx, o.k, acq);
    const Released rel = co_await release(ctx, o.k, o.holder.view());
    co_return finish(ctx, o.k, acq, s, rel);
  }

 protected:
  // Takes the lease for `holder` and a fencing token (token -1: refused, or failed / indeterminate).
  virtual asio::awaitable<Acquired> acquire(ClientCtx& ctx, uint16_t k, std::string_view holder) const = 0;
  // Gives the lease back if `holder` still has it.
  virtual asio::awaitable<Released> release(ClientCtx& ctx, uint16_t k, std::string_view holder) const = 0;

  // One op: the resource it locks and the holder id it locks it with ("client:op").
  struct Op {
    uint16_t k = 0;
    support::OpId holder;
  };
  Op begin(ClientCtx& ctx) const {
    Op o;
    o.k = support::pick(ctx, lock_.size());
    o.holder.set(ctx.id, ctx.seq);
    return o;
  }

  // The op's event when it did not get a token: refused (ok), or failed / indeterminate.
  static Outcome not_acquired(ClientCtx& ctx, uint16_t k, const Acquired& acq) {
    return support::record(ctx, k, 0, acq.outcome, -1, 0);
  }

  // The critical section: the hold (the work, --think-time), then the fenced write that commits it. Writing
  // last is what makes fencing matter: a holder whose lease expired during the hold writes with a stale token.
  asio::awaitable<Section> critical_section(ClientCtx& ctx, uint16_t k, const Acquired& acq) {
    Section s;
    s.acquired_us = ctx.now_us();
    const bool saw_other = holders_[k].fetch_add(1, std::memory_order_acq_rel) > 0;
    // The hold lasts --think-time on average, jittered by +-50%, so holders finish in another order than they
    // acquired (as GC pauses and slow requests do): what lets a stale token reach the resource late.
    co_await ctx.pause_ms(ctx.think_time_ms * (0.5 + static_cast<double>(ctx.rng.uniform(0, 1000)) / 1000.0));
    support::ScriptArgs write;
    write.key(resource_[k]);
    write.arg(acq.token);
    Reply w = co_await support::call_script(ctx, fenced_write_, write);
    s.outcome = acq.outcome;
    if (w.is_error()) s.outcome = worst(s.outcome, w.outcome());
    else if (!w.is_integer()) s.outcome = Outcome::indeterminate;
    else s.flags |= w.integer() == 1 ? kLockWriteAccepted : kLockWriteRejected;
    holders_[k].fetch_sub(1, std::memory_order_acq_rel);
    s.released_us = ctx.now_us();
    if (saw_other) s.flags |= kLockSawOtherHolder;
    co_return s;
  }

  // The op's event once it released: its token, the section's times and flags, the worst outcome.
  static Outcome finish(ClientCtx& ctx, uint16_t k, const Acquired& acq, const Section& s,
                        const Released& rel) {
    uint8_t flags = s.flags;
    if (rel.deleted) flags |= kLockReleasedKey;
    const Outcome outcome = worst(s.outcome, rel.outcome);
    return support::record(ctx, k, flags, outcome, acq.token, lock_b(s.acquired_us, s.released_us));
  }

  const int64_t ttl_ms_;  // the lease (--lock-ttl)
  const bool safe_by_design_;
  std::vector<std::string> lock_, fence_, resource_;
  std::unique_ptr<std::atomic<int32_t>[]> holders_;  // clients inside each critical section right now
  const scripts::Script& fenced_write_ = scripts::builtin_script("fenced_write");
};

// ---- atomic: the seed's scripts ----
class LockAtomic final : public LockRun {
 public:
  using LockRun::LockRun;

  std::vector<const scripts::Script*> scripts() const override {
    return {&fenced_write_, &acquire_, &release_};
  }

 private:
  asio::awaitable<Acquired> acquire(ClientCtx& ctx, uint16_t k, std::string_view holder) const override {
    support::ScriptArgs a;
    a.key(lock_[k]);
    a.key(fence_[k]);
    a.arg(holder);
    a.arg(ttl_ms_);
    Reply r = co_await support::call_script(ctx, acquire_, a);
    const Outcome o = support::script_outcome(r);
    if (o != Outcome::ok) co_return Acquired{o, -1};
    co_return Acquired{o, r.integer() > 0 ? r.integer() : -1};
  }
  asio::awaitable<Released> release(ClientCtx& ctx, uint16_t k, std::string_view holder) const override {
    support::ScriptArgs a;
    a.key(lock_[k]);
    a.arg(holder);
    Reply r = co_await support::call_script(ctx, release_, a);
    if (r.is_error()) co_return Released{r.outcome(), false};
    co_return Released{Outcome::ok, r.integer() == 1};
  }

  const scripts::Script& acquire_ = scripts::builtin_script("acquire_lock");
  const scripts::Script& release_ = scripts::builtin_script("release_lock");
};

// ---- naive: read, decide in the client, write ----
class LockNaive final : public LockRun {
 public:
  using LockRun::LockRun;

 private:
  asio::awaitable<Acquired> acquire(ClientCtx& ctx, uint16_t k, std::string_view holder) const override {
    const Num ttl(ttl_ms_);
    const std::string& lock = lock_[k];
    Reply got = co_await support::cmd(ctx, lock, "GET", lock);
    if (got.is_error()) co_return Acquired{Outcome::failed, -1};
    if (!got.is_nil()) co_return Acquired{Outcome::ok, -1};  // held: refused
    Reply set = co_await support::cmd(ctx, lock, "SET", lock, holder, "PX", ttl.view());
    if (set.is_error()) co_return Acquired{support::failure_outcome(set, true), -1};
    Reply incr = co_await support::cmd(ctx, lock, "INCR", fence_[k]);
    // The lease is ours but no token was issued (or it is unknown): neither ok nor cleanly failed.
    if (incr.is_error()) co_return Acquired{Outcome::indeterminate, -1};
    co_return Acquired{Outcome::ok, incr.integer()};
  }
  asio::awaitable<Released> release(ClientCtx& ctx, uint16_t k, std::string_view holder) const override {
    const std::string& lock = lock_[k];
    Reply got = co_await support::cmd(ctx, lock, "GET", lock);
    if (got.is_error()) co_return Released{Outcome::failed, false};
    if (!got.is_string() || got.str() != holder) co_return Released{Outcome::ok, false};
    Reply del = co_await support::cmd(ctx, lock, "DEL", lock);
    if (del.is_error()) co_return Released{support::failure_outcome(del, true), false};
    co_return Released{Outcome::ok, del.integer() == 1};
  }
};

// ---- transaction: WATCH the lock, read, MULTI/EXEC the writes, retry on conflict ----
class LockTransaction final : public LockRun {
 public:
  using LockRun::LockRun;

 private:
  asio::awaitable<Acquired> acquire(ClientCtx& ctx, uint16_t k, std::string_view holder) const override {
    const Num ttl(ttl_ms_);
    const std::string& lock = lock_[k];
    for (int attempt = 0; attempt < support::kMaxTxAttempts; ++attempt) {
      Reply got = co_await support::watch_read(ctx, lock, "GET", lock);
      if (got.is_error()) co_return Acquired{Outcome::failed, -1};
      if (!got.is_nil()) {  // held: refused
        co_await support::unwatch(ctx, lock);
        co_return Acquired{Outcome::ok, -1};
      }
      const std::array<std::string_view, 5> set = {"SET", lock, holder, "PX", ttl.view()};
      const std::array<std::string_view, 2> incr = {"INCR", fence_[k]};
      const std::array<std::span<const std::string_view>, 2> cmds = {set, incr};
      support::TxResult t = co_await support::multi_exec(ctx, lock, cmds);
      if (support::retry_on_conflict(ctx, t)) continue;
      if (t.status != support::TxStatus::committed) co_return Acquired{support::outcome_of(t), -1};
      co_return Acquired{Outcome::ok, t.exec.element(1)->integer};
    }
    co_return Acquired{Outcome::failed, -1};
  }
  asio::awaitable<Released> release(ClientCtx& ctx, uint16_t k, std::string_view holder) const override {
    const std::string& lock = lock_[k];
    for (int attempt = 0; attempt < support::kMaxTxAttempts; ++attempt) {
      Reply got = co_await support::watch_read(ctx, lock, "GET", lock);
      if (got.is_error()) co_return Released{Outcome::failed, false};
      if (!got.is_string() || got.str() != holder) {  // not ours (any more)
        co_await support::unwatch(ctx, lock);
        co_return Released{Outcome::ok, false};
      }
      const std::array<std::string_view, 2> del = {"DEL", lock};
      const std::array<std::span<const std::string_view>, 1> cmds = {del};
      support::TxResult t = co_await support::multi_exec(ctx, lock, cmds);
      if (support::retry_on_conflict(ctx, t)) continue;
      const bool deleted = t.status == support::TxStatus::committed && t.exec.element(0)->integer == 1;
      co_return Released{support::outcome_of(t), deleted};
    }
    co_return Released{Outcome::failed, false};
  }
};

class LockScenario final : public support::BuiltinScenario {
 public:
  LockScenario()
      : BuiltinScenario({
            .name = "lock",
            .summary = "distributed lock with a fencing token: acquire, hold, fenced write, release",
            .violation_noun = "lock-safety violations",
            .variants = {{"atomic", true, support::make_run<LockAtomic>},
                         {"naive", false, support::make_run<LockNaive>},
                         {"transaction", true, support::make_run<LockTransaction>}},
            .details = lock_details(),
        }) {}

  // "naive lock let two clients hold the lock at once 845 times"
  std::string explain(const reports::Result& r) const override {
    return r.variant + " " + r.scenario + " let two clients hold the lock at once " +
           support::thousands(r.correctness.violations) + " times";
  }
};

}  // namespace

const Scenario& lock_scenario() {
  static const LockScenario s;
  return s;
}

}  // namespace lh::scenarios
