// HdrHistogram layout (as in HdrHistogram_c): bucket 0 holds [0, sub_bucket_count) at unit resolution; each
// further bucket doubles the range and the step and stores only its upper half (sub_bucket_half_count slots),
// so every value is kept to within 1 / sub_bucket_half_count of itself (< 10^-digits relative).
#include "harness/stats/histogram.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace lh::stats {

Histogram::Histogram(int64_t highest_trackable, int significant_digits)
    : highest_(highest_trackable), digits_(significant_digits) {
  if (significant_digits < 1 || significant_digits > 5)
    throw std::invalid_argument("histogram significant_digits must be in [1, 5], got " +
                                std::to_string(significant_digits));
  if (highest_trackable < 1)
    throw std::invalid_argument("histogram highest_trackable must be >= 1, got " +
                                std::to_string(highest_trackable));
  int64_t largest_single_unit = 2;
  for (int i = 0; i < significant_digits; ++i) largest_single_unit *= 10;
  // ceil(log2(2 * 10^digits)): 2000 -> 11 (2048 sub-buckets), 200 -> 8 (256).
  const int sub_bucket_count_magnitude = std::bit_width(static_cast<uint64_t>(largest_single_unit - 1));
  sub_bucket_half_count_magnitude_ = std::max(sub_bucket_count_magnitude, 1) - 1;
  sub_bucket_count_ = int64_t{1} << (sub_bucket_half_count_magnitude_ + 1);
  sub_bucket_half_count_ = sub_bucket_count_ / 2;
  sub_bucket_mask_ = (sub_bucket_count_ - 1) << unit_magnitude_;
  counts_.assign(index_of(highest_) + 1, 0);
}

int64_t Histogram::lowest_value_at(std::size_t index) const noexcept {
  int bucket = static_cast<int>(index >> sub_bucket_half_count_magnitude_) - 1;
  int64_t sub_bucket = static_cast<int64_t>(index & static_cast<std::size_t>(sub_bucket_half_count_ - 1)) +
                       sub_bucket_half_count_;
  if (bucket < 0) {  // bucket 0's lower half
    sub_bucket -= sub_bucket_half_count_;
    bucket = 0;
  }
  return sub_bucket << (bucket + unit_magnitude_);
}

int64_t Histogram::highest_value_at(std::size_t index) const noexcept {
  const int bucket = std::max(static_cast<int>(index >> sub_bucket_half_count_magnitude_) - 1, 0);
  return lowest_value_at(index) + (int64_t{1} << (bucket + unit_magnitude_)) - 1;
}

void Histogram::merge(const Histogram& other) {
  if (other.highest_ != highest_ || other.digits_ != digits_)
    throw std::invalid_argument("histogram merge: layouts differ (highest_trackable " +
                                std::to_string(highest_) + "/" + std::to_string(other.highest_) +
                                ", significant_digits " + std::to_string(digits_) + "/" +
                                std::to_string(other.digits_) + ")");
  if (other.total_ == 0) return;
  // Only [min, max] of other can hold counts: latencies rarely use more than a few of the hour's buckets.
  const std::size_t last = other.index_of(other.max_);
  for (std::size_t i = other.index_of(other.min_); i <= last; ++i) counts_[i] += other.counts_[i];
  total_ += other.total_;
  clamped_ += other.clamped_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void Histogram::reset() noexcept {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_ = clamped_ = 0;
  sum_ = 0;
  min_ = INT64_MAX;
  max_ = 0;
}

int64_t Histogram::min() const noexcept { return total_ == 0 ? 0 : min_; }
int64_t Histogram::max() const noexcept { return total_ == 0 ? 0 : max_; }

double Histogram::mean() const noexcept {
  if (total_ == 0) return 0;
  return static_cast<double>(static_cast<long double>(sum_) / static_cast<long double>(total_));
}

// max(1, ceil(p/100 * total)), clamped to total. The relative nudge keeps binary noise in p (99.9 is not
// exact) from pushing an exact product over the next integer.
uint64_t Histogram::rank_at(double p) const noexcept {
  if (!(p > 0)) return 1;  // also NaN
  if (p >= 100) return total_;
  const long double exact = static_cast<long double>(p) * static_cast<long double>(total_) / 100.0L;
  const long double rank = std::ceil(exact - std::min(exact * 1e-12L, 1e-3L));
  if (rank < 1) return 1;
  if (rank >= static_cast<long double>(total_)) return total_;
  return static_cast<uint64_t>(rank);
}

int64_t Histogram::value_at_percentile(double p) const noexcept {
  if (total_ == 0) return 0;
  const uint64_t rank = rank_at(p);
  const std::size_t first = index_of(min_), last = index_of(max_);
  if (rank <= total_ / 2) {
    uint64_t cumulative = 0;
    for (std::size_t i = first; i < last; ++i) {
      cumulative += counts_[i];
      if (cumulative >= rank) return std::min(highest_value_at(i), max_);
    }
    return max_;
  }
  // High percentiles: walk down from max. The answer is the lowest index whose prefix count reaches rank,
  // i.e. the lowest i with (count above i) <= total - rank.
  const uint64_t allowed_above = total_ - rank;
  uint64_t above = 0;
  for (std::size_t i = last; i > first; --i) {
    above += counts_[i];
    if (above > allowed_above) return std::min(highest_value_at(i), max_);
  }
  return std::min(highest_value_at(first), max_);
}

std::vector<Histogram::PercentilePoint> Histogram::percentile_curve(int ticks_per_half) const {
  std::vector<PercentilePoint> points;
  if (total_ == 0) return points;
  ticks_per_half = std::max(ticks_per_half, 1);
  std::size_t index = index_of(min_);  // nothing below it
  uint64_t cumulative = counts_[index];
  // Level j of halving h: 100 * (1 - 2^-h) + j * 100 * 2^-(h+1) / ticks, computed afresh (no drift).
  for (int h = 0; h < 128; ++h) {
    const double base = 100.0 * (1.0 - std::ldexp(1.0, -h));
    const double step = 100.0 * std::ldexp(1.0, -(h + 1)) / ticks_per_half;
    for (int j = 0; j < ticks_per_half; ++j) {
      const double level = base + j * step;
      const uint64_t rank = rank_at(level);
      if (rank >= total_ || level >= 100.0) {
        points.push_back({100.0, max_});
        return points;
      }
      while (cumulative < rank) cumulative += counts_[++index];
      points.push_back({level, std::min(highest_value_at(index), max_)});
    }
  }
  points.push_back({100.0, max_});
  return points;
}

Histogram::Raw Histogram::raw() const {
  Raw r;
  for (std::size_t i = 0; i < counts_.size(); ++i)
    if (counts_[i]) r.counts.emplace_back(i, counts_[i]);
  r.total = total_;
  r.clamped = clamped_;
  r.min = min_;
  r.max = max_;
  r.sum_hi = static_cast<uint64_t>(sum_ >> 64);
  r.sum_lo = static_cast<uint64_t>(sum_);
  return r;
}

void Histogram::restore(const Raw& r) {
  std::vector<uint64_t> counts(counts_.size(), 0);
  uint64_t total = 0;
  for (const auto& [i, c] : r.counts) {
    if (i >= counts.size())
      throw std::invalid_argument("histogram: index " + std::to_string(i) + " out of range");
    counts[i] += c;
    total += c;
  }
  if (total != r.total) throw std::invalid_argument("histogram: the counts do not add up to its total");
  counts_ = std::move(counts);
  total_ = r.total;
  clamped_ = r.clamped;
  min_ = r.min;
  max_ = r.max;
  sum_ = static_cast<unsigned __int128>(r.sum_hi) << 64 | r.sum_lo;
}

}  // namespace lh::stats
