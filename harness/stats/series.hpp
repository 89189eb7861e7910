// Per-second time series of one variant's run: ops completed, and p50/p99 latency of each second.
// One per thread, merged after join.
//
// Memory: the last two seconds are whole histograms (20 KB each); an older second is packed (its non-zero
// buckets as varints, a few hundred bytes to a few KB). Over a long run in one process, the workers move
// their older seconds into the run's shared series (absorb) every 100 ms, which turns each second every
// worker has moved past into its point (settle) and forgets its histogram: 32 bytes a second in all. A
// shard's series is never settled: it carries every second's histogram to the merge.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "harness/stats/histogram.hpp"

namespace lh::stats {

class Series {
 public:
  // second = whole seconds since the variant started (negative counts as 0; capped at one week).
  // Allocates only when a new second starts (and packs the second before the last).
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
  // Each second's histogram in turn (whole, one at a time), for carrying a series exactly to another process;
  // append() rebuilds it there, second after second.
  void for_each_second(const std::function<void(const Histogram&)>& f) const;
  void append(const Histogram& second);
  std::size_t seconds() const { return first_ + packed_.size() + open_.size(); }
  // Moves `from`'s seconds below `upto` (those it still holds) into this series, merged into this one's.
  void absorb(Series& from, std::size_t upto);
  // The seconds below `upto` become points (no histogram kept): no record and no absorb may reach them again.
  void settle(std::size_t upto);
  // The seconds before it are no longer held as histograms (moved out by absorb, or settled into points).
  std::size_t first_held() const { return first_; }
  // A fresh histogram of a second's layout, to restore a second into.
  static Histogram second_layout();
  // Bytes held (the packed seconds and the open ones).
  std::size_t bytes() const;

 private:
  struct Packed {
    std::vector<uint8_t> counts;  // (index delta, count) pairs, LEB128
    uint64_t total = 0, clamped = 0;
    int64_t min = INT64_MAX, max = 0;
    uint64_t sum_hi = 0, sum_lo = 0;
  };
  static Packed pack(const Histogram& h);
  static Histogram unpack(const Packed& p);
  Histogram at(std::size_t s) const;     // second s, whole
  void put(std::size_t s, Histogram h);  // replaces second s (which exists)
  void grow_to(std::size_t s);           // seconds up to s exist; all but the last two packed
  void drop_front(std::size_t n);        // forgets the first n held seconds
  std::size_t first_ = 0;                // seconds [0, first_): settled_ (the shared series) or moved out
  std::vector<Point> settled_;           // the settled seconds' points, from second 0
  std::vector<Packed> packed_;           // seconds [first_, first_ + packed_.size())
  std::vector<Histogram> open_;          // the seconds after them (at most two)
};

// Seconds of the run that the point of `second` covers, in (0, 1], when the run's last op completed end_s
// seconds after the series' zero: 1 for a whole second; end_s - second for the last, partial one (rounded to
// the microsecond, at least 1 us), so ops / span is that second's rate and a run ending mid-second shows no
// false drop. end_s <= 0 (unknown) gives 1.
double second_span_s(int64_t second, double end_s);

}  // namespace lh::stats
