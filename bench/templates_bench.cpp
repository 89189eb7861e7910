// Template expansion runs once per op of a --script run: it must stay far below a round trip (~10 us).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "harness/scenarios/templates.hpp"

namespace {

void BM_TemplateExpandRateLimiter(benchmark::State& state) {
  const auto set = lh::scenarios::TemplateSet::compile({"ratelimit:user:${rand:1-50}"},
                                                       {"${now_ms}", "60000", "100"}, "lh:0123456789ab:");
  lh::engine::Rng rng(7);
  lh::scenarios::TemplateContext ctx{3, 0, &rng, 1'700'000'000'000'000};
  std::vector<std::string> out, scratch;
  for (auto _ : state) {
    set.expand(ctx, out, scratch);
    ++ctx.seq;
    ctx.now_us += 37;
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TemplateExpandRateLimiter);

void BM_TemplateExpandHashTagsAndUuid(benchmark::State& state) {
  const auto set = lh::scenarios::TemplateSet::compile({"lock:{${rand:1-100}}", "fence:{${rand:1-100}}"},
                                                       {"${uuid}", "30000"}, "lh:0123456789ab:");
  lh::engine::Rng rng(7);
  lh::scenarios::TemplateContext ctx{3, 0, &rng, 0};
  std::vector<std::string> out, scratch;
  for (auto _ : state) {
    set.expand(ctx, out, scratch);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TemplateExpandHashTagsAndUuid);

}  // namespace
