#include "harness/scenarios/custom.hpp"

#include <chrono>

namespace lh::scenarios {

namespace {

int64_t wall_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class CustomRun final : public SingleCallRun {
 public:
  CustomRun(scripts::Script s, TemplateSet t) : script_(std::move(s)), templates_(std::move(t)) {}

  void make_call(ClientCtx& ctx, ScriptCall& call) override {
    TemplateContext tc{ctx.id, ctx.seq, &ctx.rng, wall_us()};
    templates_.expand(tc, call.keys, call.args, call.scratch);  // reuses the strings' capacity
    call.script = &script_;
  }

  Outcome on_reply(ClientCtx&, ScriptCall&, const net::Reply& r) override { return r.outcome(); }

  // No checker: nothing of the ops is kept.
  std::unique_ptr<engine::CheckState> new_state() const override {
    return std::make_unique<engine::NoState>();
  }

  reports::Correctness check(SyncClient&, const engine::CheckState&) override {
    reports::Correctness c;
    c.invariant = "none: a user script has no built-in checker";
    c.checked = false;
    c.verdict = "not-checked";
    return c;
  }

  std::vector<const scripts::Script*> scripts() const override { return {&script_}; }

 private:
  const scripts::Script script_;
  const TemplateSet templates_;
};

}  // namespace

std::unique_ptr<VariantRun> make_custom_run(scripts::Script script, TemplateSet templates) {
  return std::make_unique<CustomRun>(std::move(script), std::move(templates));
}

}  // namespace lh::scenarios
