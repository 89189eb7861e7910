#include "harness/scenarios/support.hpp"

#include "harness/scenarios/embedded_lua.hpp"

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

void fill_slot(const scripts::Script& s, const ScriptArgs& a, ScriptCall& slot) {
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
  return ctx.redis->evalsha(ctx.functions ? scripts::builtin_function(s) : s,
                            std::span<const std::string_view>(a.keys.data(), a.nkeys),
                            std::span<const std::string_view>(a.args.data(), a.nargs));
}

// ---- a built-in scenario ---------------------------------------------------------------------------

BuiltinScenario::BuiltinScenario(ScenarioFacts facts)
    : facts_(std::move(facts)), schema_(schema_of(facts_.details)) {}

namespace {

// The `function` variant: the atomic variant whose scripts are called as their Functions twins (FCALL of
// scripts::builtin_function), everything else (its keys, its events, its checker) the atomic variant's own.
std::vector<const scripts::Script*> twins(const std::vector<const scripts::Script*>& scripts) {
  std::vector<const scripts::Script*> out;
  out.reserve(scripts.size());
  for (const auto* s : scripts) out.push_back(&scripts::builtin_function(*s));
  return out;
}

class FunctionSingle final : public SingleCallRun {
 public:
  explicit FunctionSingle(std::unique_ptr<VariantRun> atomic)
      : owned_(std::move(atomic)), inner_(*as_single_call(*owned_)) {}
  void setup(SyncClient& s) override { inner_.setup(s); }
  std::unique_ptr<engine::CheckState> new_state() const override { return inner_.new_state(); }
  reports::Correctness check(SyncClient& s, const engine::CheckState& st) override {
    return inner_.check(s, st);
  }
  std::vector<const scripts::Script*> scripts() const override { return twins(inner_.scripts()); }
  void make_call(ClientCtx& ctx, ScriptCall& call) override {
    inner_.make_call(ctx, call);
    call.script = &scripts::builtin_function(*call.script);
  }
  Outcome on_reply(ClientCtx& ctx, ScriptCall& call, const Reply& r) override {
    return inner_.on_reply(ctx, call, r);
  }

 private:
  std::unique_ptr<VariantRun> owned_;
  SingleCallRun& inner_;
};

class FunctionMulti final : public MultiStepRun {
 public:
  explicit FunctionMulti(std::unique_ptr<VariantRun> atomic)
      : owned_(std::move(atomic)), inner_(*as_multi_step(*owned_)) {}
  void setup(SyncClient& s) override { inner_.setup(s); }
  std::unique_ptr<engine::CheckState> new_state() const override { return inner_.new_state(); }
  reports::Correctness check(SyncClient& s, const engine::CheckState& st) override {
    return inner_.check(s, st);
  }
  std::vector<const scripts::Script*> scripts() const override { return twins(inner_.scripts()); }
  asio::awaitable<Outcome> op(ClientCtx& ctx) override {
    ctx.functions = true;  // call_script takes the twins for this op (a mix's next op may be another entry's)
    const Outcome o = co_await inner_.op(ctx);
    ctx.functions = false;
    co_return o;
  }

 private:
  std::unique_ptr<VariantRun> owned_;
  MultiStepRun& inner_;
};

bool has_atomic(const ScenarioFacts& f) {
  return std::any_of(f.variants.begin(), f.variants.end(),
                     [](const VariantEntry& v) { return v.name == "atomic"; });
}

}  // namespace

std::vector<std::string> BuiltinScenario::variants() const {
  std::vector<std::string> out;
  out.reserve(facts_.variants.size() + 1);
  for (const VariantEntry& v : facts_.variants) out.emplace_back(v.name);
  if (has_atomic(facts_)) out.emplace_back("function");  // the atomic variant's scripts as Redis Functions
  return out;
}

bool BuiltinScenario::safe_by_design(std::string_view variant) const {
  if (variant == "function" && has_atomic(facts_)) variant = "atomic";
  for (const VariantEntry& v : facts_.variants)
    if (v.name == variant) return v.safe_by_design;
  return false;
}

std::unique_ptr<VariantRun> BuiltinScenario::make(std::string_view variant, const Params& p) const {
  if (variant == "function" && has_atomic(facts_)) {
    std::unique_ptr<VariantRun> atomic = make("atomic", p);
    if (atomic->single_call()) return std::make_unique<FunctionSingle>(std::move(atomic));
    return std::make_unique<FunctionMulti>(std::move(atomic));
  }
  for (const VariantEntry& v : facts_.variants)
    if (v.name == variant) return v.make(p, v.safe_by_design);
  return nullptr;
}

std::string thousands(int64_t v) {
  std::string digits = std::to_string(std::max<int64_t>(v, 0));
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  const std::size_t lead = digits.size() % 3 == 0 ? 3 : digits.size() % 3;  // digits before the first comma
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i >= lead && (i - lead) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

}  // namespace lh::scenarios::support
