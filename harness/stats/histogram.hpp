// Log-linear histogram with the HdrHistogram layout: values are non-negative integers (the engine records
// microseconds), precise to `significant_digits` decimal digits across [1, highest_trackable]; values above
// are clamped to highest_trackable (and counted in clamped()). Mergeable by adding counts. Not thread-safe:
// one per thread, merged after join.
#pragma once
#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace lh::stats {

class Histogram {
 public:
  // highest_trackable default: one hour in microseconds. significant_digits in [1, 5].
  // Throws std::invalid_argument outside those bounds (highest_trackable must be >= 1).
  explicit Histogram(int64_t highest_trackable = 3'600'000'000, int significant_digits = 3);

  void record(int64_t value) noexcept { record_n(value, 1); }
  // Negative values are clamped to 0 and also counted in clamped(). n == 0 records nothing.
  void record_n(int64_t value, uint64_t n) noexcept;
  // Adds other's counts. Both must have the same layout (highest_trackable, significant_digits), else
  // throws std::invalid_argument.
  void merge(const Histogram& other);
  void reset() noexcept;

  uint64_t count() const noexcept { return total_; }
  uint64_t clamped() const noexcept { return clamped_; }
  int64_t min() const noexcept;  // 0 when empty
  int64_t max() const noexcept;  // 0 when empty; exact, not bucketed
  double mean() const noexcept;  // exact mean of recorded (clamped) values; 0 when empty
  // Smallest bucket value v such that at least p% of recorded values are <= v (highest equivalent value of
  // that bucket, capped at max()). p in [0, 100]. 0 when empty.
  // Precisely: rank = max(1, ceil(p/100 * count())); the answer is the highest equivalent value of the bucket
  // holding the rank-th smallest recorded value, capped at max(). So p100 == max() and p0 is min()'s bucket.
  int64_t value_at_percentile(double p) const noexcept;

  struct PercentilePoint {
    double percentile;  // percentile level of this point (as requested by the iteration, like HdrHistogram)
    int64_t value;      // value_at_percentile(percentile)
  };
  // Points for an HdrHistogram-style percentile plot: `ticks_per_half` points per halving of (100 - p):
  // 0, 10, .., 50, 55, .., 75, 77.5, .. (ticks_per_half = 5), until the level's rank reaches count(); then a
  // final {100, max()}. Empty when nothing was recorded.
  std::vector<PercentilePoint> percentile_curve(int ticks_per_half = 5) const;

  int64_t highest_trackable() const noexcept { return highest_; }
  // The counts in HdrHistogram's index order, and the index of a value (what hdr_encoding writes).
  const std::vector<uint64_t>& counts() const noexcept { return counts_; }
  std::size_t counts_index(int64_t v) const noexcept { return index_of(std::clamp<int64_t>(v, 0, highest_)); }
  int significant_digits() const noexcept { return digits_; }

  // Everything a histogram holds, for carrying it exactly from one process to another (a shard's report to
  // `lua-harness merge`): the non-zero counts by index, and the exact totals HdrHistogram's encoding lacks.
  struct Raw {
    std::vector<std::pair<std::size_t, uint64_t>> counts;  // (index, count), count > 0, indices increasing
    uint64_t total = 0, clamped = 0;
    int64_t min = INT64_MAX, max = 0;
    uint64_t sum_hi = 0, sum_lo = 0;  // the exact sum, as two 64-bit halves
  };
  Raw raw() const;
  // Replaces the contents with `r` (of a histogram of this layout). Throws std::invalid_argument when an index
  // is out of range or the counts do not add up to r.total.
  void restore(const Raw& r);

 private:
  std::size_t index_of(int64_t v) const noexcept {
    // v in [0, highest_]. OR-ing the mask puts every value below sub_bucket_count_ into bucket 0.
    const int pow2_ceiling = 64 - std::countl_zero(static_cast<uint64_t>(v | sub_bucket_mask_));
    const int bucket = pow2_ceiling - unit_magnitude_ - (sub_bucket_half_count_magnitude_ + 1);
    const int64_t sub_bucket = v >> (bucket + unit_magnitude_);
    return (static_cast<std::size_t>(bucket + 1) << sub_bucket_half_count_magnitude_) +
           static_cast<std::size_t>(sub_bucket - sub_bucket_half_count_);
  }
  int64_t lowest_value_at(std::size_t index) const noexcept;
  int64_t highest_value_at(std::size_t index) const noexcept;
  uint64_t rank_at(double p) const noexcept;

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
  unsigned __int128 sum_ = 0;  // exact: sum of recorded (clamped) values
};

// Inline: the engine records every op through here. No allocation, no data-dependent branches but n == 0.
inline void Histogram::record_n(int64_t value, uint64_t n) noexcept {
  if (n == 0) [[unlikely]]
    return;
  const int64_t v = std::clamp<int64_t>(value, 0, highest_);
  clamped_ += static_cast<uint64_t>(v != value) * n;
  counts_[index_of(v)] += n;
  total_ += n;
  sum_ += static_cast<unsigned __int128>(v) * n;
  min_ = std::min(min_, v);
  max_ = std::max(max_, v);
}

}  // namespace lh::stats
