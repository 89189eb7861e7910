// Log-linear histogram with the HdrHistogram layout: values are non-negative integers (the engine records
// microseconds), precise to `significant_digits` decimal digits across [1, highest_trackable]; values above
// are clamped to highest_trackable (and counted in clamped()). Mergeable by adding counts. Not thread-safe:
// one per thread, merged after join.
#pragma once
#include <cstdint>
#include <vector>

namespace lh::stats {

class Histogram {
 public:
  // highest_trackable default: one hour in microseconds. significant_digits in [1, 5].
  explicit Histogram(int64_t highest_trackable = 3'600'000'000, int significant_digits = 3);

  void record(int64_t value) noexcept { record_n(value, 1); }
  void record_n(int64_t value, uint64_t n) noexcept;
  // Adds other's counts. Both must have the same layout (highest_trackable, significant_digits).
  void merge(const Histogram& other);
  void reset() noexcept;

  uint64_t count() const noexcept { return total_; }
  uint64_t clamped() const noexcept { return clamped_; }
  int64_t min() const noexcept;  // 0 when empty
  int64_t max() const noexcept;  // 0 when empty; exact, not bucketed
  double mean() const noexcept;  // exact mean of recorded (clamped) values; 0 when empty
  // Smallest bucket value v such that at least p% of recorded values are <= v (highest equivalent value of
  // that bucket, capped at max()). p in [0, 100]. 0 when empty.
  int64_t value_at_percentile(double p) const noexcept;

  struct PercentilePoint {
    double percentile;  // cumulative percentile at this value
    int64_t value;
  };
  // Points for an HdrHistogram-style percentile plot: `ticks_per_half` points per halving of (100 - p).
  std::vector<PercentilePoint> percentile_curve(int ticks_per_half = 5) const;

  int64_t highest_trackable() const noexcept { return highest_; }
  int significant_digits() const noexcept { return digits_; }

 private:
  // (implementation detail: see histogram.cpp)
  int64_t highest_;
  int digits_;
  int sub_bucket_half_count_magnitude_;
  int64_t sub_bucket_count_;
  int64_t sub_bucket_half_count_;
  int64_t sub_bucket_mask_;
  int unit_magnitude_ = 0;
  std::vector<uint64_t> counts_;
  uint64_t total_ = 0;
  uint64_t clamped_ = 0;
  int64_t min_ = INT64_MAX;
  int64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace lh::stats
