#include "harness/scenarios/support.hpp"

#include <algorithm>
#include <stdexcept>

namespace lh::scenarios::support {

uint64_t key_count(const Params& p, uint64_t scenario_default, std::string_view scenario) {
  const uint64_t n = p.keys ? p.keys : scenario_default;
  if (n > 65535)
    throw std::invalid_argument("--keys " + std::to_string(n) + " is too large for " + std::string(scenario) +
                                ": at most 65535");
  return n;
}

std::vector<std::string> key_names(std::string_view prefix, std::string_view stem, std::string_view tag,
                                   uint64_t count) {
  std::vector<std::string> out;
  out.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    std::string k;
    k.reserve(prefix.size() + stem.size() + tag.size() + 24);
    k.append(prefix).append(stem).append("{").append(tag).append(std::to_string(i)).append("}");
    out.push_back(std::move(k));
  }
  return out;
}

std::string_view OpId::set(uint32_t client, uint64_t seq) {
  char* p = std::to_chars(buf_, buf_ + 20, client).ptr;
  *p++ = ':';
  p = std::to_chars(p, buf_ + sizeof buf_, seq).ptr;
  n_ = static_cast<uint8_t>(p - buf_);
  return view();
}

int64_t reply_int(const Reply& r, int64_t fallback) {
  if (r.is_integer()) return r.integer();
  if (!r.is_string()) return fallback;
  const std::string_view s = r.str();
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc() && p == s.data() + s.size()) return v;
  double d = 0;  // "1e+15"-style scores
  auto [pd, ecd] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ecd == std::errc() && pd == s.data() + s.size()) return static_cast<int64_t>(d);
  return fallback;
}

// ---- WATCH / MULTI / EXEC ------------------------------------------------------------------------------

asio::awaitable<void> unwatch(ClientCtx& ctx, std::string_view route) {
  if (ctx.redis->broken()) co_return;
  (void)co_await cmd(ctx, route, "UNWATCH");
}

asio::awaitable<TxResult> multi_exec(ClientCtx& ctx, std::string_view route,
                                     std::span<const std::span<const std::string_view>> commands) {
  TxResult t;
  Reply m = co_await cmd(ctx, route, "MULTI");
  if (m.is_error()) {
    co_await unwatch(ctx, route);
    co_return t;  // failed: nothing queued
  }
  for (auto command : commands) {
    Reply q = co_await ctx.redis->call(command, route);
    if (q.is_error()) {
      // DISCARD also drops the WATCH; after a transport failure the connection is gone and so is the MULTI.
      if (!ctx.redis->broken()) (void)co_await cmd(ctx, route, "DISCARD");
      co_return t;
    }
  }
  t.exec = co_await cmd(ctx, route, "EXEC");
  if (t.exec.is_nil()) {
    t.status = TxStatus::conflict;
  } else if (t.exec.is_error()) {
    // EXECABORT and friends: not executed. A lost connection: EXEC may have run.
    t.status = t.exec.is_transport_failure() ? TxStatus::indeterminate : TxStatus::failed;
  } else {
    t.status = TxStatus::committed;
    for (std::size_t i = 0; i < t.exec.elements(); ++i)
      if (t.exec.element(i)->type == REDIS_REPLY_ERROR) t.status = TxStatus::indeterminate;  // partly applied
  }
  co_return t;
}

net::Outcome outcome_of(const TxResult& t) {
  switch (t.status) {
    case TxStatus::committed:
      return net::Outcome::ok;
    case TxStatus::indeterminate:
      return net::Outcome::indeterminate;
    default:
      return net::Outcome::failed;
  }
}

// ---- one EVALSHA per op ---------------------------------------------------------------------------------

void fill_slot(const scripts::Script& s, const ScriptArgs& a, CallSlot& slot) {
  slot.script = &s;
  slot.keys.resize(a.nkeys);
  slot.args.resize(a.nargs);
  for (std::size_t i = 0; i < a.nkeys; ++i) slot.keys[i].assign(a.keys[i]);  // reuses capacity
  for (std::size_t i = 0; i < a.nargs; ++i) slot.args[i].assign(a.args[i]);
  slot.key_index = a.key_index;
  slot.user[0] = a.user[0];
  slot.user[1] = a.user[1];
}

asio::awaitable<Reply> call_script(ClientCtx& ctx, const scripts::Script& s, const ScriptArgs& a) {
  return ctx.redis->evalsha(s, std::span<const std::string_view>(a.keys.data(), a.nkeys),
                            std::span<const std::string_view>(a.args.data(), a.nargs));
}

// ---- checkers ---------------------------------------------------------------------------------------

void radix_sort(std::vector<uint64_t>& v, std::vector<uint64_t>& scratch, int lo_byte, int hi_byte) {
  const std::size_t n = v.size();
  if (n < 2) return;
  // Large inputs: 16-bit digits (half the passes; the counts still fit in L2). Small ones: 8-bit digits.
  const int digit_bits = n >= (1u << 16) ? 16 : 8;
  const std::size_t radix = std::size_t(1) << digit_bits;
  const int lo = 8 * lo_byte, hi = 8 * hi_byte;
  const int digits = (hi - lo + digit_bits - 1) / digit_bits;
  std::array<uint64_t, 8> mask{};
  for (int d = 0; d < digits; ++d) {
    const int width = std::min(digit_bits, hi - (lo + d * digit_bits));
    mask[d] = (uint64_t(1) << width) - 1;
  }
  // All digits' counts in one read pass.
  std::vector<std::size_t> count(static_cast<std::size_t>(digits) * radix, 0);
  for (uint64_t x : v)
    for (int d = 0; d < digits; ++d) ++count[d * radix + ((x >> (lo + d * digit_bits)) & mask[d])];
  scratch.resize(n);
  for (int d = 0; d < digits; ++d) {
    const int shift = lo + d * digit_bits;
    std::size_t* c = count.data() + d * radix;
    if (c[(v[0] >> shift) & mask[d]] == n) continue;  // this digit is the same everywhere
    std::size_t sum = 0;
    for (std::size_t i = 0; i < radix; ++i) {
      const std::size_t k = c[i];
      c[i] = sum;
      sum += k;
    }
    for (uint64_t x : v) scratch[c[(x >> shift) & mask[d]]++] = x;
    v.swap(scratch);
  }
}

void set_verdict(reports::Correctness& c, int64_t violations) {
  c.checked = true;
  c.violations = violations;
  c.verdict = violations == 0 ? "pass" : "violated";
}

std::string who(const Event& e) {
  return "client " + std::to_string(e.client) + " op " + std::to_string(static_cast<uint32_t>(e.seq));
}

}  // namespace lh::scenarios::support
