#include "harness/scenarios/custom.hpp"

#include <chrono>

namespace lh::scenarios {

namespace {

int64_t wall_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class CustomRun final : public VariantRun {
 public:
  CustomRun(const scripts::Script& s, scenarios::TemplateSet t) : script_(s), templates_(std::move(t)) {}

  bool single_call() const override { return true; }

  void make_call(ClientCtx& ctx, CallSlot& call) override {
    scenarios::TemplateContext tc{ctx.id, ctx.seq, &ctx.rng, wall_us()};
    templates_.expand(tc, call.keys, call.args, call.scratch);  // reuses the strings' capacity
    call.script = &script_;
  }

  engine::Outcome on_reply(ClientCtx&, CallSlot&, const net::Reply& r) override { return r.outcome(); }

  asio::awaitable<engine::Outcome> op(ClientCtx& ctx) override {
    CallSlot call;  // not the hot path: the engine pipelines single-call variants through make_call
    make_call(ctx, call);
    std::vector<std::string_view> keys(call.keys.begin(), call.keys.end());
    std::vector<std::string_view> args(call.args.begin(), call.args.end());
    net::Reply r = co_await ctx.redis->evalsha(script_, keys, args);
    co_return r.outcome();
  }

  reports::Correctness check(SyncClient&, const History&) override {
    reports::Correctness c;
    c.invariant = "none: a user script has no built-in checker";
    c.checked = false;
    c.verdict = "not-checked";
    return c;
  }

  std::vector<const scripts::Script*> scripts() const override { return {&script_}; }

 private:
  const scripts::Script& script_;
  scenarios::TemplateSet templates_;
};

}  // namespace

std::unique_ptr<VariantRun> make_custom_run(const scripts::Script& script, scenarios::TemplateSet templates) {
  return std::make_unique<CustomRun>(script, std::move(templates));
}

}  // namespace lh::scenarios
