// Per-second time series of one variant's run: ops completed, and p50/p99 latency of each second.
// One per thread, merged after join.
#pragma once
#include <cstdint>
#include <vector>

#include "harness/stats/histogram.hpp"

namespace lh::stats {

class Series {
 public:
  // second = whole seconds since the variant started (negative counts as 0; capped at one week).
  // Allocates only when a new second starts.
  void record(int64_t second, int64_t latency_us);
  // Adds other's counts second by second (grows to the longer of the two).
  void merge(const Series& other);

  struct Point {
    int64_t second;
    uint64_t ops;
    int64_t p50_us;
    int64_t p99_us;
  };
  // One point per second from 0 to the last second recorded; a second without ops has zeros.
  std::vector<Point> points() const;
  // The seconds' histograms, for carrying a series exactly to another process (and back: restore).
  const std::vector<Histogram>& seconds() const { return seconds_; }
  // A fresh histogram of a second's layout, to restore() one into.
  static Histogram second_layout();
  void restore(std::vector<Histogram> seconds) { seconds_ = std::move(seconds); }

 private:
  // One coarse histogram per second (2 significant digits, 60 s range): small enough per thread.
  std::vector<Histogram> seconds_;
};

// Seconds of the run that the point of `second` covers, in (0, 1], when the run's last op completed end_s
// seconds after the series' zero: 1 for a whole second; end_s - second for the last, partial one (rounded to
// the microsecond, at least 1 us), so ops / span is that second's rate and a run ending mid-second shows no
// false drop. end_s <= 0 (unknown) gives 1.
double second_span_s(int64_t second, double end_s);

}  // namespace lh::stats
