// Hot paths of the stats module: record (every op), merge (once per thread per variant), percentile queries.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

#include "harness/stats/histogram.hpp"

namespace {

// Latency-like values: log-normal around ~400 us with a long tail, clamped by the histogram itself.
std::vector<int64_t> random_latencies_us(std::size_t n, uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::lognormal_distribution<double> dist(6.0, 1.5);
  std::vector<int64_t> v(n);
  for (auto& x : v) x = static_cast<int64_t>(dist(gen));
  return v;
}

lh::stats::Histogram filled(uint64_t seed) {
  lh::stats::Histogram h;
  for (int64_t v : random_latencies_us(1 << 20, seed)) h.record(v);
  return h;
}

void BM_HistogramRecord(benchmark::State& state) {
  const auto values = random_latencies_us(1 << 16, 1);
  lh::stats::Histogram h;
  std::size_t i = 0;
  for (auto _ : state) {
    h.record(values[i]);
    i = (i + 1) & (values.size() - 1);
  }
  benchmark::DoNotOptimize(h.count());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramRecord);

void BM_HistogramMerge(benchmark::State& state) {
  const auto part = filled(2);
  lh::stats::Histogram total;
  for (auto _ : state) total.merge(part);
  benchmark::DoNotOptimize(total.count());
}
BENCHMARK(BM_HistogramMerge);

void BM_HistogramValueAtPercentile(benchmark::State& state) {
  const auto h = filled(3);
  const double p = static_cast<double>(state.range(0)) / 10;
  for (auto _ : state) benchmark::DoNotOptimize(h.value_at_percentile(p));
}
BENCHMARK(BM_HistogramValueAtPercentile)->Arg(500)->Arg(990)->Arg(999);

void BM_HistogramPercentileCurve(benchmark::State& state) {
  const auto h = filled(4);
  for (auto _ : state) benchmark::DoNotOptimize(h.percentile_curve(5));
}
BENCHMARK(BM_HistogramPercentileCurve);

}  // namespace
