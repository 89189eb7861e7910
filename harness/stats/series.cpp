#include "harness/stats/series.hpp"

#include <algorithm>
#include <cmath>

namespace lh::stats {

namespace {
// One coarse histogram per second: 2 significant digits over 60 s is 2560 counters (20 KB) a second.
constexpr int64_t kSecondHighestUs = 60'000'000;
constexpr int kSecondDigits = 2;
// A bogus clock (not a real run) must not allocate gigabytes: later seconds fold into the last one (a week).
constexpr int64_t kMaxSecond = int64_t{7} * 24 * 3600;

Histogram second_histogram() { return Histogram(kSecondHighestUs, kSecondDigits); }
}  // namespace

void Series::record(int64_t second, int64_t latency_us) {
  second = std::clamp<int64_t>(second, 0, kMaxSecond);
  const auto s = static_cast<std::size_t>(second);
  while (seconds_.size() <= s) seconds_.push_back(second_histogram());
  seconds_[s].record(latency_us);
}

Histogram Series::second_layout() { return second_histogram(); }

void Series::merge(const Series& other) {
  while (seconds_.size() < other.seconds_.size()) seconds_.push_back(second_histogram());
  for (std::size_t s = 0; s < other.seconds_.size(); ++s) seconds_[s].merge(other.seconds_[s]);
}

std::vector<Series::Point> Series::points() const {
  std::vector<Point> out;
  out.reserve(seconds_.size());
  for (std::size_t s = 0; s < seconds_.size(); ++s) {
    const Histogram& h = seconds_[s];
    out.push_back({static_cast<int64_t>(s), h.count(), h.value_at_percentile(50), h.value_at_percentile(99)});
  }
  return out;
}

double second_span_s(int64_t second, double end_s) {
  if (!(end_s > 0)) return 1.0;
  const double span = end_s - static_cast<double>(second);
  if (span >= 1.0) return 1.0;
  return std::clamp(std::round(span * 1e6) / 1e6, 1e-6, 1.0);
}

}  // namespace lh::stats
