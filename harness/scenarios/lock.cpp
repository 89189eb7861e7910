// lock: a lock with a fencing token (the seed's step 3). Each op acquires, writes the resource with its
// token, holds for --think-time, and releases.
//
// Keys per resource r < --keys (default 1): <prefix>lock:{r<i>} (holder id, PX --lock-ttl, default 2000 ms),
// <prefix>fence:{r<i>} (token counter), <prefix>resource:{r<i>} (highest token accepted). One hash tag:
// one cluster slot. Variants:
//   atomic       acquire_lock.lua (SET NX PX + INCR), release_lock.lua (compare-and-delete).
//   naive        acquire: GET lock, if empty SET lock id PX ttl (no NX), INCR fence;
//                release: GET lock, compare, DEL lock. Two clients can both see the lock free and both enter;
//                a slow releaser can delete the lock its successor took.
//   transaction  acquire: WATCH lock, GET, MULTI SET PX + INCR EXEC; release: WATCH lock, GET, MULTI DEL
//   EXEC.
// All variants write through fenced_write.lua, the fencing-aware resource (it rejects stale tokens).
// The in-process holder count per lock (the one shared atomic of the run) notes an entry into an occupied
// critical section as it happens; the checker judges from the recorded times whether both leases were valid.
#include <algorithm>
#include <array>
#include <atomic>
#include <memory>
#include <span>
#include <string>

#include "harness/scenarios/checkers.hpp"
#include "harness/scenarios/support.hpp"

namespace lh::scenarios {

namespace {

using net::Reply;
using support::Num;

constexpr int64_t kDefaultTtlMs = 2000;
enum class Variant { atomic, naive, transaction };

// An op's outcome is the worst of its steps': indeterminate > failed > ok.
Outcome worst(Outcome a, Outcome b) {
  return static_cast<uint8_t>(a) >= static_cast<uint8_t>(b) ? a : b;
}

struct Acquired {
  Outcome outcome = Outcome::failed;
  int64_t token = -1;  // -1: not acquired (refused, or unknown)
};
struct Released {
  Outcome outcome = Outcome::failed;
  bool deleted = false;
};

class LockRun final : public VariantRun {
 public:
  LockRun(Variant v, const Params& p)
      : variant_(v), ttl_ms_(p.lock_ttl_ms > 0 ? p.lock_ttl_ms : kDefaultTtlMs) {
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
  std::vector<const scripts::Script*> scripts() const override {
    std::vector<const scripts::Script*> v = {&scripts::builtin_script("fenced_write")};
    if (variant_ == Variant::atomic) {
      v.push_back(&scripts::builtin_script("acquire_lock"));
      v.push_back(&scripts::builtin_script("release_lock"));
    }
    return v;
  }

  asio::awaitable<Outcome> op(ClientCtx& ctx) override {
    const uint16_t k = support::pick(ctx, lock_.size());
    support::OpId holder;
    holder.set(ctx.id, ctx.seq);

    // if/else, not ?: -- g++ 12 evaluates every co_await of a conditional expression.
    Acquired acq;
    if (variant_ == Variant::atomic)
      acq = co_await acquire_atomic(ctx, k, holder.view());
    else if (variant_ == Variant::naive)
      acq = co_await acquire_naive(ctx, k, holder.view());
    else
      acq = co_await acquire_transaction(ctx, k, holder.view());
    if (acq.token < 0) {
      Event e = ctx.event(k, 0, acq.outcome);
      e.a = -1;
      ctx.record(e);
      co_return acq.outcome;
    }

    // The critical section: the hold (the work, --think-time), then the fenced write that commits it. Writing
    // last is what makes fencing matter: a holder whose lease expired during the hold writes with a stale token.
    const uint32_t acquired_us = ctx.now_us();
    const bool saw_other = holders_[k].fetch_add(1, std::memory_order_acq_rel) > 0;
    // The hold lasts --think-time on average, jittered by +-50%, so holders finish in another order than they
    // acquired (as GC pauses and slow requests do): what lets a stale token reach the resource late.
    co_await ctx.pause_ms(ctx.think_time_ms * (0.5 + static_cast<double>(ctx.rng.uniform(0, 1000)) / 1000.0));
    support::ScriptArgs write;
    write.key(resource_[k]);
    write.arg(acq.token);
    Reply w = co_await support::call_script(ctx, scripts::builtin_script("fenced_write"), write);
    uint8_t flags = 0;
    Outcome outcome = acq.outcome;
    if (w.is_error())
      outcome = worst(outcome, w.outcome());
    else if (!w.is_integer())
      outcome = Outcome::indeterminate;
    else
      flags |= w.integer() == 1 ? kLockWriteAccepted : kLockWriteRejected;
    holders_[k].fetch_sub(1, std::memory_order_acq_rel);
    const uint32_t released_us = ctx.now_us();

    Released rel;
    if (variant_ == Variant::atomic)
      rel = co_await release_atomic(ctx, k, holder.view());
    else if (variant_ == Variant::naive)
      rel = co_await release_naive(ctx, k, holder.view());
    else
      rel = co_await release_transaction(ctx, k, holder.view());
    if (rel.deleted) flags |= kLockReleasedKey;
    if (saw_other) flags |= kLockSawOtherHolder;
    outcome = worst(outcome, rel.outcome);
    Event e = ctx.event(k, flags, outcome);
    e.a = acq.token;
    e.b = lock_b(acquired_us, released_us);
    ctx.record(e);
    co_return outcome;
  }

  reports::Correctness check(SyncClient& s, const History& h) override {
    LockCheckInput in;
    in.history = h;
    in.keys = static_cast<uint32_t>(lock_.size());
    in.ttl_ms = ttl_ms_;
    for (const auto& r : resource_) in.final_resource.push_back(s.command({"GET", r}, r).as_int(0));
    in.safe_by_design = variant_ != Variant::naive;
    return check_lock(in);
  }

 private:
  // ---- atomic: the seed's scripts ----
  asio::awaitable<Acquired> acquire_atomic(ClientCtx& ctx, uint16_t k, std::string_view holder) const {
    support::ScriptArgs a;
    a.key(lock_[k]);
    a.key(fence_[k]);
    a.arg(holder);
    a.arg(ttl_ms_);
    Reply r = co_await support::call_script(ctx, scripts::builtin_script("acquire_lock"), a);
    const Outcome o = support::script_outcome(r);
    if (o != Outcome::ok) co_return Acquired{o, -1};
    co_return Acquired{o, r.integer() > 0 ? r.integer() : -1};
  }
  asio::awaitable<Released> release_atomic(ClientCtx& ctx, uint16_t k, std::string_view holder) const {
    support::ScriptArgs a;
    a.key(lock_[k]);
    a.arg(holder);
    Reply r = co_await support::call_script(ctx, scripts::builtin_script("release_lock"), a);
    if (r.is_error()) co_return Released{r.outcome(), false};
    co_return Released{Outcome::ok, r.integer() == 1};
  }

  // ---- naive: read, decide in the client, write ----
  asio::awaitable<Acquired> acquire_naive(ClientCtx& ctx, uint16_t k, std::string_view holder) const {
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
  asio::awaitable<Released> release_naive(ClientCtx& ctx, uint16_t k, std::string_view holder) const {
    const std::string& lock = lock_[k];
    Reply got = co_await support::cmd(ctx, lock, "GET", lock);
    if (got.is_error()) co_return Released{Outcome::failed, false};
    if (!got.is_string() || got.str() != holder) co_return Released{Outcome::ok, false};
    Reply del = co_await support::cmd(ctx, lock, "DEL", lock);
    if (del.is_error()) co_return Released{support::failure_outcome(del, true), false};
    co_return Released{Outcome::ok, del.integer() == 1};
  }

  // ---- transaction: WATCH the lock, read, MULTI/EXEC the writes, retry on conflict ----
  asio::awaitable<Acquired> acquire_transaction(ClientCtx& ctx, uint16_t k, std::string_view holder) const {
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
  asio::awaitable<Released> release_transaction(ClientCtx& ctx, uint16_t k, std::string_view holder) const {
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

  Variant variant_;
  int64_t ttl_ms_;  // the lease (--lock-ttl)
  std::vector<std::string> lock_, fence_, resource_;
  std::unique_ptr<std::atomic<int32_t>[]> holders_;  // clients inside each critical section right now
};

// One acquisition, decoded from its event.
struct Hold {
  uint32_t acq_start, acq_end, rel_start, event;
  int64_t token;
  uint8_t flags;  // the event's kind bits
};

// Per token: the holds that carried it.
constexpr uint32_t kNone = UINT32_MAX;
struct TokenSlot {
  uint32_t first = kNone;                  // the first hold with this token
  uint32_t accepted = kNone;               // a hold whose write with this token the resource accepted
  uint32_t min_acq_end = UINT32_MAX;       // earliest acquire end among its holds
  uint32_t min_rel_accepted = UINT32_MAX;  // earliest critical-section end among its accepted writes
};

std::string at_ms(uint64_t us) {
  std::string frac = std::to_string(us % 1000);
  return std::to_string(us / 1000) + "." + std::string(3 - frac.size(), '0') + frac + " ms";
}

// Indices 0..n-1 of `holds` ordered by `time(hold)`, by radix sort on (time << 32 | index).
template <class F>
void order_by(std::span<const Hold> holds, F time, std::vector<uint64_t>& out,
              std::vector<uint64_t>& scratch) {
  out.resize(holds.size());
  for (std::size_t i = 0; i < holds.size(); ++i) out[i] = static_cast<uint64_t>(time(holds[i])) << 32 | i;
  support::radix_sort(out, scratch, 4, 8);
  for (auto& x : out) x &= 0xFFFFFFFF;
}

}  // namespace

const Scenario& lock_scenario() {
  static const support::VariantScenario<LockRun, Variant> s(
      "lock", "distributed lock with a fencing token: acquire, hold, fenced write, release");
  return s;
}

// ---- checker ---------------------------------------------------------------------------------------------
//
// Times are bounds, never guesses: the lease starts when SET runs, somewhere inside the acquire call, so it
// is certainly valid from acq_end to acq_start + ttl, and certainly expired after acq_end + ttl. A write ran
// inside [acq_end, rel_start] (the critical section).
reports::Correctness check_lock(const LockCheckInput& in) {
  const auto& h = in.history;
  const uint64_t ttl_us = static_cast<uint64_t>(std::max<int64_t>(0, in.ttl_ms)) * 1000;
  int64_t acquired = 0, refused = 0, indeterminate = 0, failed = 0, ignored = 0;
  int64_t seen_in_process = 0, expired = 0, stale = 0, accepted = 0, max_hold_us = 0;

  // Group the acquisitions by key (counting sort), decoding each once.
  std::vector<uint32_t> count(in.keys + 1, 0);
  for (const Event& e : h) {
    if (e.key >= in.keys) continue;
    if (e.a >= 0) ++count[e.key + 1];
  }
  for (uint32_t k = 0; k < in.keys; ++k) count[k + 1] += count[k];
  std::vector<Hold> holds(count[in.keys]);
  std::vector<uint32_t> fill(count.begin(), count.end() - 1);
  for (uint32_t i = 0; i < h.size(); ++i) {
    const Event& e = h[i];
    if (e.key >= in.keys) {
      ++ignored;
      continue;
    }
    const Outcome o = e.result();
    indeterminate += o == Outcome::indeterminate;
    failed += o == Outcome::failed;
    if (e.a < 0) {
      refused += o == Outcome::ok;
      continue;
    }
    ++acquired;
    const uint32_t acq_end = static_cast<uint32_t>(static_cast<uint64_t>(e.b) >> 32);
    const uint32_t rel_start = static_cast<uint32_t>(e.b);
    holds[fill[e.key]++] = Hold{e.start_us, acq_end, rel_start, i, e.a, static_cast<uint8_t>(e.kind)};
    const int64_t held = static_cast<int64_t>(rel_start) - acq_end;
    max_hold_us = std::max(max_hold_us, held);
    expired += held > static_cast<int64_t>(ttl_us);
    stale += (e.kind & 3) == kLockWriteRejected;
    accepted += (e.kind & 3) == kLockWriteAccepted;
    seen_in_process += (e.kind & kLockSawOtherHolder) != 0;
  }

  int64_t exclusion = 0, out_of_order = 0, regressions = 0, foreign = 0;
  std::vector<std::string> examples;
  auto example = [&](auto sentence) {  // built only while examples are wanted
    if (examples.size() < support::kMaxExamples) examples.push_back(sentence());
  };
  auto desc = [&](const Hold& x) {
    return support::who(h[x.event]) + " (token " + std::to_string(x.token) + ")";
  };
  std::vector<uint64_t> by_start, by_end, scratch;
  std::vector<TokenSlot> slots;
  for (uint32_t k = 0; k < in.keys; ++k) {
    const std::span<const Hold> H(holds.data() + count[k], count[k + 1] - count[k]);
    if (H.empty()) continue;
    const std::string res = "resource " + std::to_string(k) + ": ";
    order_by(
        H, [](const Hold& x) { return x.acq_start; }, by_start, scratch);
    order_by(
        H, [](const Hold& x) { return x.acq_end; }, by_end, scratch);

    // Mutual exclusion: critical sections, each cut to the time its lease was certainly valid, must not
    // overlap. Sweep in entry order, remembering the latest such exit so far.
    uint64_t busy_until = 0;
    uint32_t busy_by = 0;
    for (uint64_t j : by_end) {
      const Hold& x = H[j];
      const uint64_t valid_until = std::min<uint64_t>(x.rel_start, uint64_t(x.acq_start) + ttl_us);
      if (valid_until <= x.acq_end) continue;  // its lease could have expired before it entered
      if (x.acq_end < busy_until) {
        ++exclusion;
        example([&] {
          return res + desc(x) + " entered the critical section at " + at_ms(x.acq_end) + " while " +
                 desc(H[busy_by]) + " was inside with a valid lease until " + at_ms(busy_until);
        });
      }
      if (valid_until > busy_until) {
        busy_until = valid_until;
        busy_by = static_cast<uint32_t>(j);
      }
    }

    // Tokens and the resource are judged in token order. Ranks: token - min when tokens are dense (the usual
    // case: one INCR counter), else the token's position among the distinct tokens.
    int64_t min_tok = INT64_MAX, max_tok = INT64_MIN;
    for (const Hold& x : H) {
      min_tok = std::min(min_tok, x.token);
      max_tok = std::max(max_tok, x.token);
    }
    const bool dense = static_cast<uint64_t>(max_tok - min_tok) <= 4 * H.size() + 1024;
    std::vector<int64_t> distinct;
    if (!dense) {
      for (const Hold& x : H) distinct.push_back(x.token);
      std::sort(distinct.begin(), distinct.end());
      distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    }
    auto rank = [&](int64_t t) {
      return dense ? static_cast<std::size_t>(t - min_tok)
                   : static_cast<std::size_t>(std::lower_bound(distinct.begin(), distinct.end(), t) -
                                              distinct.begin());
    };
    slots.assign(dense ? static_cast<std::size_t>(max_tok - min_tok) + 1 : distinct.size(), TokenSlot{});
    auto accepted_write = [](const Hold& x) { return (x.flags & 3) == kLockWriteAccepted; };
    int64_t max_accepted = 0;
    for (uint32_t j = 0; j < H.size(); ++j) {
      const Hold& x = H[j];
      TokenSlot& t = slots[rank(x.token)];
      if (t.first == kNone) {
        t.first = j;
      } else {  // issued twice
        ++out_of_order;
        example([&] { return res + desc(x) + " got a token already issued to " + desc(H[t.first]); });
      }
      t.min_acq_end = std::min(t.min_acq_end, x.acq_end);
      if (!accepted_write(x)) continue;
      max_accepted = std::max(max_accepted, x.token);
      if (t.accepted != kNone) {  // the resource accepted the same token twice: it did not go forward
        ++regressions;
        example([&] { return res + "accepted " + desc(x) + " again"; });
      } else {
        t.accepted = j;
      }
      t.min_rel_accepted = std::min(t.min_rel_accepted, x.rel_start);
    }
    // From the highest token down, remember the earliest acquire end (and accepted-write end) among higher
    // tokens. Tokens increase in real time: no higher token's acquire may end before this one's began.
    // The resource never goes backwards: no higher token's accepted write may end before this one's began.
    uint32_t higher_acq_end = UINT32_MAX, higher_rel = UINT32_MAX, higher_acq_by = 0, higher_rel_by = 0;
    for (std::size_t r = slots.size(); r-- > 0;) {
      const TokenSlot& t = slots[r];
      if (t.first == kNone) continue;
      const Hold& x = H[t.first];
      if (higher_acq_end < x.acq_start) {
        ++out_of_order;
        example([&] {
          return res + desc(x) + " acquired after " + desc(H[higher_acq_by]) + " but got a lower token";
        });
      }
      if (t.accepted != kNone && higher_rel < H[t.accepted].acq_end) {
        ++regressions;
        example([&] {
          return res + "accepted " + desc(H[t.accepted]) + " after it had accepted " + desc(H[higher_rel_by]);
        });
      }
      if (t.min_acq_end < higher_acq_end) {
        higher_acq_end = t.min_acq_end;
        higher_acq_by = t.first;
      }
      if (t.min_rel_accepted < higher_rel) {
        higher_rel = t.min_rel_accepted;
        higher_rel_by = t.accepted;
      }
    }
    const int64_t final_res = k < in.final_resource.size() ? in.final_resource[k] : max_accepted;
    if (final_res < max_accepted) {
      ++regressions;
      example([&] {
        return res + "holds token " + std::to_string(final_res) + " but accepted token " +
               std::to_string(max_accepted);
      });
    }

    // Foreign releases: X's release deleted a key, but another acquisition Y ran entirely between X's acquire
    // and X's release: the key X deleted was not X's. Suffix minimum of acq_end over the acq_start order.
    std::vector<uint32_t> suffix_min(by_start.size() + 1, UINT32_MAX);
    for (std::size_t i = by_start.size(); i-- > 0;)
      suffix_min[i] = std::min(suffix_min[i + 1], H[by_start[i]].acq_end);
    // Taking X in acq_end order, the first acquisition that started after X's acquire ended only moves on.
    std::size_t first_after = 0;
    for (uint64_t j : by_end) {
      const Hold& x = H[j];
      while (first_after < by_start.size() && H[by_start[first_after]].acq_start <= x.acq_end) ++first_after;
      if (!(x.flags & kLockReleasedKey)) continue;
      if (suffix_min[first_after] < x.rel_start) {
        ++foreign;
        example([&] {
          return res + desc(x) + " released at " + at_ms(x.rel_start) +
                 " and deleted a lock that another holder had acquired since its own";
        });
      }
    }
  }

  reports::Correctness c;
  c.invariant =
      "no two holders inside the critical section while both leases are valid; tokens unique and increasing "
      "in "
      "real time; the resource never accepts a token below one it accepted; no release deletes another "
      "holder's lock";
  c.safe_by_design = in.safe_by_design;
  c.details = {{"keys", in.keys},
               {"ttl_ms", in.ttl_ms},
               {"acquisitions", acquired},
               {"refused", refused},
               {"indeterminate", indeterminate},
               {"failed", failed},
               {"mutual_exclusion_violations", exclusion},
               {"overlaps_seen_in_process", seen_in_process},
               {"expired_leases", expired},
               {"max_hold_ms", static_cast<double>(max_hold_us) / 1000.0},
               {"writes_accepted", accepted},
               {"stale_writes_rejected", stale},
               {"tokens_out_of_order", out_of_order},
               {"resource_regressions", regressions},
               {"foreign_releases", foreign},
               {"violations_are",
                "mutual_exclusion_violations + tokens_out_of_order + resource_regressions + "
                "foreign_releases"}};
  if (ignored) c.details["ignored_events"] = ignored;
  support::set_verdict(c, exclusion + out_of_order + regressions + foreign);
  c.examples = std::move(examples);
  return c;
}

}  // namespace lh::scenarios
