#include "harness/stats/series.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace lh::stats {

namespace {
// One coarse histogram per second: 2 significant digits over 60 s is 2560 counters (20 KB) a second.
constexpr int64_t kSecondHighestUs = 60'000'000;
constexpr int kSecondDigits = 2;
// A bogus clock (not a real run) must not allocate gigabytes: later seconds fold into the last one (a week).
constexpr int64_t kMaxSecond = int64_t{7} * 24 * 3600;
constexpr std::size_t kOpen = 2;  // seconds kept whole: the current one and the one before (late replies)

Histogram second_histogram() { return Histogram(kSecondHighestUs, kSecondDigits); }

void put_varint(std::vector<uint8_t>& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<uint8_t>(v));
}
uint64_t get_varint(const std::vector<uint8_t>& in, std::size_t& at) {
  uint64_t v = 0;
  for (int shift = 0; at < in.size() && shift < 64; shift += 7) {
    const uint8_t b = in[at++];
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) break;
  }
  return v;
}
}  // namespace

Series::Packed Series::pack(const Histogram& h) {
  const Histogram::Raw r = h.raw();
  Packed p;
  std::size_t last = 0;
  for (const auto& [i, c] : r.counts) {
    put_varint(p.counts, i - last);
    put_varint(p.counts, c);
    last = i;
  }
  p.counts.shrink_to_fit();
  p.total = r.total;
  p.clamped = r.clamped;
  p.min = r.min;
  p.max = r.max;
  p.sum_hi = r.sum_hi;
  p.sum_lo = r.sum_lo;
  return p;
}

Histogram Series::unpack(const Packed& p) {
  Histogram::Raw r;
  std::size_t at = 0, index = 0;
  while (at < p.counts.size()) {
    index += get_varint(p.counts, at);
    r.counts.emplace_back(index, get_varint(p.counts, at));
  }
  r.total = p.total;
  r.clamped = p.clamped;
  r.min = p.min;
  r.max = p.max;
  r.sum_hi = p.sum_hi;
  r.sum_lo = p.sum_lo;
  Histogram h = second_histogram();
  h.restore(r);
  return h;
}

Histogram Series::at(std::size_t s) const {
  if (s < first_) throw std::logic_error("Series: second " + std::to_string(s) + " is no longer held");
  s -= first_;
  return s < packed_.size() ? unpack(packed_[s]) : open_[s - packed_.size()];
}

void Series::put(std::size_t s, Histogram h) {
  s -= first_;
  if (s < packed_.size()) packed_[s] = pack(h);
  else open_[s - packed_.size()] = std::move(h);
}

void Series::drop_front(std::size_t n) {
  const std::size_t from_packed = std::min(n, packed_.size());
  packed_.erase(packed_.begin(), packed_.begin() + static_cast<std::ptrdiff_t>(from_packed));
  const std::size_t from_open = std::min(n - from_packed, open_.size());
  open_.erase(open_.begin(), open_.begin() + static_cast<std::ptrdiff_t>(from_open));
  first_ += from_packed + from_open;
}

void Series::absorb(Series& from, std::size_t upto) {
  upto = std::min(upto, from.seconds());
  if (upto <= from.first_) return;
  if (from.first_ < first_) throw std::logic_error("Series::absorb: a second that was settled");
  grow_to(upto - 1);
  for (std::size_t s = from.first_; s < upto; ++s) {
    Histogram h = at(s);
    h.merge(from.at(s));
    put(s, std::move(h));
  }
  from.drop_front(upto - from.first_);
}

void Series::settle(std::size_t upto) {
  upto = std::min(upto, seconds());
  for (std::size_t s = first_; s < upto; ++s) {
    const Histogram h = at(s);
    settled_.push_back(
        {static_cast<int64_t>(s), h.count(), h.value_at_percentile(50), h.value_at_percentile(99)});
  }
  if (upto > first_) drop_front(upto - first_);
}

void Series::grow_to(std::size_t s) {
  while (seconds() <= s) {
    open_.push_back(second_histogram());
    while (open_.size() > kOpen) {
      packed_.push_back(pack(open_.front()));
      open_.erase(open_.begin());
    }
  }
}

void Series::record(int64_t second, int64_t latency_us) {
  second = std::clamp<int64_t>(second, 0, kMaxSecond);
  // A second already moved out: one thread's clock never goes back that far (it records at its reply's
  // time); counted in the first second still held rather than lost.
  const auto s = std::max(static_cast<std::size_t>(second), first_) - first_;
  grow_to(first_ + s);
  if (s >= packed_.size()) {
    open_[s - packed_.size()].record(latency_us);
    return;
  }
  Histogram h = unpack(packed_[s]);  // a reply later than two seconds: rare
  h.record(latency_us);
  packed_[s] = pack(h);
}

Histogram Series::second_layout() { return second_histogram(); }

void Series::merge(const Series& other) {
  if (other.seconds() <= other.first_) return;
  if (other.first_ < first_ || !other.settled_.empty())
    throw std::logic_error("Series::merge: the other series holds a second this one settled, or points");
  grow_to(other.seconds() - 1);
  for (std::size_t s = other.first_; s < other.seconds(); ++s) {
    Histogram h = at(s);
    h.merge(other.at(s));
    put(s, std::move(h));
  }
}

void Series::for_each_second(const std::function<void(const Histogram&)>& f) const {
  if (first_ > 0) throw std::logic_error("Series: a settled series has no histograms of its first seconds");
  for (std::size_t s = 0; s < seconds(); ++s) f(at(s));
}

void Series::append(const Histogram& second) {
  const std::size_t s = seconds();
  grow_to(s);
  Histogram h = second_histogram();
  h.merge(second);
  put(s, std::move(h));
}

std::size_t Series::bytes() const {
  std::size_t b = packed_.capacity() * sizeof(Packed) + settled_.capacity() * sizeof(Point);
  for (const auto& p : packed_) b += p.counts.capacity();
  for (const auto& h : open_) b += h.counts().capacity() * sizeof(uint64_t);
  return b;
}

std::vector<Series::Point> Series::points() const {
  std::vector<Point> out = settled_;
  out.reserve(seconds());
  for (std::size_t s = first_; s < seconds(); ++s) {
    const Histogram h = at(s);
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
