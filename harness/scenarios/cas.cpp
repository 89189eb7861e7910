// cas: compare-and-swap (the seed's step 2). Each op reads the value (expected), then swaps expected -> new,
// where new = cas_value(client, op) is unique in the run, so every value has at most one writer.
//
// Keys: <prefix>cas:{x<i>} for i < --keys (default 1), "0" before the load. Variants:
//   atomic       GET k, think, EVALSHA cas.lua k expected new (GET, compare, SET inside the script).
//   naive        GET k, then the swap from the client: GET k, compare with expected, think, SET k new.
//                Two clients can both see `expected` and both "win": one swap silently overwrites the other.
//   transaction  WATCH k, GET k, think, MULTI, SET k new, EXEC; nil EXEC = conflict, retried and counted.
// Checker: every value is consumed by at most one successful swap, and the successful swaps form one chain
// from the initial value to the final one (an indeterminate swap is an optional link).
#include <algorithm>
#include <array>
#include <string>

#include "harness/scenarios/checkers.hpp"
#include "harness/scenarios/support.hpp"

namespace lh::scenarios {

namespace {

using net::Reply;
using support::Num;

enum class Variant { atomic, naive, transaction };

class CasRun final : public VariantRun {
 public:
  CasRun(Variant v, const Params& p)
      : variant_(v), keys_(support::key_names(p.key_prefix, "cas:", "x", support::key_count(p, 1, "cas"))) {}

  void setup(SyncClient& s) override {
    for (const auto& k : keys_) s.command({"SET", k, "0"}, k);
  }
  std::vector<const scripts::Script*> scripts() const override {
    if (variant_ == Variant::atomic) return {&scripts::builtin_script("cas")};
    return {};
  }

  asio::awaitable<Outcome> op(ClientCtx& ctx) override {
    const uint16_t k = support::pick(ctx, keys_.size());
    const std::string& key = keys_[k];
    const int64_t fresh = cas_value(ctx.id, ctx.seq);
    if (variant_ == Variant::transaction) co_return co_await transaction(ctx, k, fresh);

    Reply got = co_await support::cmd(ctx, key, "GET", key);  // expected
    if (got.is_error()) co_return record(ctx, k, kCasWon, support::failure_outcome(got, false), -1, fresh);
    const int64_t expected = support::reply_int(got, -1);
    Num fresh_text(fresh);

    if (variant_ == Variant::atomic) {
      co_await ctx.think();
      support::ScriptArgs args;
      args.key(key);
      args.arg(got.str());
      args.arg(fresh_text.view());
      Reply r = co_await support::call_script(ctx, scripts::builtin_script("cas"), args);
      const Outcome o = support::script_outcome(r);
      if (o != Outcome::ok) co_return record(ctx, k, kCasWon, o, expected, fresh);
      co_return record(ctx, k, r.integer() == 1 ? kCasWon : kCasRefused, o, expected, fresh);
    }

    // naive: the compare happens in the client, between two round trips.
    Reply cur = co_await support::cmd(ctx, key, "GET", key);
    if (cur.is_error())
      co_return record(ctx, k, kCasWon, support::failure_outcome(cur, false), expected, fresh);
    if (!cur.is_string() || cur.str() != got.str())
      co_return record(ctx, k, kCasRefused, Outcome::ok, expected, fresh);
    co_await ctx.think();
    Reply set = co_await support::cmd(ctx, key, "SET", key, fresh_text.view());
    co_return record(ctx, k, kCasWon, support::write_outcome(set), expected, fresh);
  }

  reports::Correctness check(SyncClient& s, const History& h) override {
    CasCheckInput in;
    in.history = h;
    in.initial.assign(keys_.size(), 0);
    for (const auto& k : keys_) in.final.push_back(s.command({"GET", k}, k).as_int(-1));
    in.safe_by_design = variant_ != Variant::naive;
    return check_cas(in);
  }

 private:
  static Outcome record(ClientCtx& ctx, uint16_t k, uint8_t kind, Outcome o, int64_t expected,
                        int64_t fresh) {
    return support::record(ctx, k, kind, o, expected, fresh);
  }

  asio::awaitable<Outcome> transaction(ClientCtx& ctx, uint16_t k, int64_t fresh) const {
    const std::string& key = keys_[k];
    Num fresh_text(fresh);
    for (int attempt = 0; attempt < support::kMaxTxAttempts; ++attempt) {
      Reply got = co_await support::watch_read(ctx, key, "GET", key);
      if (got.is_error()) co_return record(ctx, k, kCasWon, Outcome::failed, -1, fresh);
      const int64_t expected = support::reply_int(got, -1);
      co_await ctx.think();
      const std::array<std::string_view, 3> set = {"SET", key, fresh_text.view()};
      const std::array<std::span<const std::string_view>, 1> cmds = {set};
      support::TxResult t = co_await support::multi_exec(ctx, key, cmds);
      if (support::retry_on_conflict(ctx, t)) continue;
      co_return record(ctx, k, kCasWon, support::outcome_of(t), expected, fresh);
    }
    co_return record(ctx, k, kCasWon, Outcome::failed, -1, fresh);
  }

  Variant variant_;
  std::vector<std::string> keys_;
};

// Values are dense per client (op numbers count up), so value -> slot is an array lookup, not a hash.
class ValueIndex {
 public:
  explicit ValueIndex(std::span<const Event> h) {
    std::vector<uint64_t> max_seq;
    for (const Event& e : h) note(e.b, max_seq);
    base_.assign(max_seq.size() + 1, 0);
    for (std::size_t c = 0; c < max_seq.size(); ++c) base_[c + 1] = base_[c] + max_seq[c];
  }
  static constexpr uint64_t npos = UINT64_MAX;
  uint64_t size() const { return base_.back(); }
  uint64_t slot(int64_t v) const {
    if (v <= 0) return npos;
    const uint64_t c = (static_cast<uint64_t>(v) >> 40) - 1,
                   s = static_cast<uint64_t>(v) & ((1ull << 40) - 1);
    if (c + 1 >= base_.size() || s >= base_[c + 1] - base_[c]) return npos;
    return base_[c] + s;
  }
  // "c3#12": the value client 3's op 12 wrote.
  static std::string name(int64_t v) {
    if (v <= 0 || (static_cast<uint64_t>(v) >> 40) == 0) return std::to_string(v);
    return "c" + std::to_string((static_cast<uint64_t>(v) >> 40) - 1) + "#" +
           std::to_string(static_cast<uint64_t>(v) & ((1ull << 40) - 1));
  }

 private:
  static void note(int64_t v, std::vector<uint64_t>& max_seq) {
    if (v <= 0) return;
    const uint64_t c = (static_cast<uint64_t>(v) >> 40) - 1,
                   s = static_cast<uint64_t>(v) & ((1ull << 40) - 1);
    if (c >= (1u << 24) || s > (1ull << 32)) return;  // not a cas_value of a plausible run
    if (c >= max_seq.size()) max_seq.resize(c + 1, 0);
    max_seq[c] = std::max(max_seq[c], s + 1);
  }
  std::vector<uint64_t> base_;
};

}  // namespace

const Scenario& cas_scenario() {
  static const support::VariantScenario<CasRun, Variant> s(
      "cas", "compare-and-swap: read a value, swap it for a new one");
  return s;
}

// ---- checker ---------------------------------------------------------------------------------------------

reports::Correctness check_cas(const CasCheckInput& in) {
  const std::size_t nkeys = std::min(in.initial.size(), in.final.size());
  const auto& h = in.history;
  const ValueIndex idx(h);
  constexpr uint32_t none = UINT32_MAX;
  std::vector<uint32_t> producer(idx.size(), none);  // the swap that wrote each value (ok or indeterminate)
  std::vector<uint8_t> consumers(idx.size(), 0);     // acknowledged swaps from each value (saturating)
  std::vector<uint32_t> initial_consumers(nkeys, 0);
  int64_t won = 0, refused = 0, indeterminate = 0, failed = 0, ignored = 0;

  for (uint32_t i = 0; i < h.size(); ++i) {
    const Event& e = h[i];
    if (e.key >= nkeys) {
      ++ignored;
      continue;
    }
    const Outcome o = e.result();
    if (o == Outcome::failed) {
      ++failed;
    } else if (e.kind == kCasRefused) {
      ++refused;
    } else {
      (o == Outcome::ok ? won : indeterminate) += 1;
      const uint64_t p = idx.slot(e.b);
      if (p != ValueIndex::npos) producer[p] = i;
      if (o != Outcome::ok) continue;
      if (e.a == in.initial[e.key]) {
        ++initial_consumers[e.key];
      } else if (uint64_t s = idx.slot(e.a); s != ValueIndex::npos && consumers[s] < 255) {
        ++consumers[s];
      }
    }
  }

  // consumed_twice counts the extra winners (a value won by 3 swaps adds 2); values_contested the values.
  int64_t consumed_twice = 0, values_contested = 0;
  for (uint8_t c : consumers) {
    consumed_twice += c > 1 ? c - 1 : 0;
    values_contested += c > 1;
  }
  for (uint32_t c : initial_consumers) {
    consumed_twice += c > 1 ? c - 1 : 0;
    values_contested += c > 1;
  }

  // The chain: walk back from each key's final value through the swaps that produced it.
  std::vector<uint8_t> on_chain(idx.size(), 0);
  int64_t unreachable_finals = 0, chain_length = 0;
  for (std::size_t k = 0; k < nkeys; ++k) {
    int64_t v = in.final[k];
    while (v != in.initial[k]) {
      const uint64_t s = idx.slot(v);
      if (s == ValueIndex::npos || producer[s] == none || on_chain[s]) {
        ++unreachable_finals;  // a value nobody recorded writing (or a cycle): the chain is broken
        break;
      }
      on_chain[s] = 1;
      ++chain_length;
      v = h[producer[s]].a;
    }
  }
  // An acknowledged swap off the chain was lost. If its source value had another acknowledged consumer,
  // consumed_twice already counts it; otherwise it is a break of its own.
  int64_t off_chain_breaks = 0;
  auto single_consumer = [&](const Event& e) {
    if (e.a == in.initial[e.key]) return initial_consumers[e.key] <= 1;
    const uint64_t s = idx.slot(e.a);
    return s == ValueIndex::npos || consumers[s] <= 1;
  };
  for (const Event& e : h) {
    if (e.key >= nkeys || e.result() != Outcome::ok || e.kind != kCasWon) continue;
    const uint64_t s = idx.slot(e.b);
    if ((s == ValueIndex::npos || !on_chain[s]) && single_consumer(e)) ++off_chain_breaks;
  }
  const int64_t breaks = unreachable_finals + off_chain_breaks;

  reports::Correctness c;
  c.invariant =
      "every value is consumed by at most one successful swap, and the successful swaps form one chain from "
      "the "
      "initial value to the final value";
  c.safe_by_design = in.safe_by_design;
  c.details = {{"keys", nkeys},
               {"swaps_acknowledged", won},
               {"swaps_refused", refused},
               {"indeterminate", indeterminate},
               {"failed", failed},
               {"chain_length", chain_length},
               {"values_consumed_twice", consumed_twice},
               {"values_with_several_winners", values_contested},
               {"chain_breaks", breaks},
               {"final_unreachable", unreachable_finals}};
  if (nkeys == 1) c.details["final"] = ValueIndex::name(in.final[0]);
  if (ignored) c.details["ignored_events"] = ignored;
  support::set_verdict(c, consumed_twice + breaks);
  if (c.violations == 0) return c;

  // Evidence: the first acknowledged consumer of each value, then every later one.
  std::vector<uint32_t> first_consumer(idx.size(), none), first_initial(nkeys, none);
  for (uint32_t i = 0; i < h.size() && c.examples.size() < support::kMaxExamples; ++i) {
    const Event& e = h[i];
    if (e.key >= nkeys || e.result() != Outcome::ok || e.kind != kCasWon) continue;
    uint32_t* f = nullptr;
    if (e.a == in.initial[e.key])
      f = &first_initial[e.key];
    else if (uint64_t s = idx.slot(e.a); s != ValueIndex::npos)
      f = &first_consumer[s];
    if (!f) continue;
    if (*f == none) {
      *f = i;
      continue;
    }
    const Event& o = h[*f];
    c.examples.push_back("value " + ValueIndex::name(e.a) + " of key " + std::to_string(e.key) +
                         " consumed twice: " + support::who(o) + " swapped it for " + ValueIndex::name(o.b) +
                         " and " + support::who(e) + " for " + ValueIndex::name(e.b) + ", both acknowledged");
  }
  for (std::size_t k = 0; k < nkeys && unreachable_finals && c.examples.size() < support::kMaxExamples; ++k) {
    int64_t v = in.final[k];
    std::vector<uint8_t> seen;
    while (v != in.initial[k]) {
      const uint64_t s = idx.slot(v);
      if (s == ValueIndex::npos || producer[s] == none) {
        c.examples.push_back("key " + std::to_string(k) + ": the chain from final value " +
                             ValueIndex::name(in.final[k]) + " breaks at " + ValueIndex::name(v) +
                             ", which no recorded swap wrote");
        break;
      }
      if (seen.size() <= s) seen.resize(s + 1, 0);
      if (seen[s]) break;
      seen[s] = 1;
      v = h[producer[s]].a;
    }
  }
  return c;
}

}  // namespace lh::scenarios
