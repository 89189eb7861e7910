#include "harness/engine/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace lh::engine {

Schedule Schedule::constant(double rate) {
  if (!(rate > 0) || !std::isfinite(rate))
    throw std::invalid_argument("Schedule: a rate must be more than 0");
  Schedule s;
  s.pieces_.push_back({0, kNever, 0, kNever, rate, 0});
  return s;
}

Schedule Schedule::stages(const std::vector<reports::Stage>& stages) {
  if (stages.empty()) throw std::invalid_argument("Schedule: no stage");
  Schedule s;
  double t = 0, n = 0, r = 0;
  for (const auto& st : stages) {
    if (!(st.duration_s > 0) || !(st.rate >= 0) || !std::isfinite(st.duration_s) || !std::isfinite(st.rate))
      throw std::invalid_argument("Schedule: a stage needs a duration above 0 and a rate of at least 0");
    const double slope = (st.rate - r) / st.duration_s;
    const double added = (r + st.rate) / 2 * st.duration_s;
    s.pieces_.push_back({t, t + st.duration_s, n, n + added, r, slope});
    t += st.duration_s;
    n += added;
    r = st.rate;
  }
  s.end_s_ = t;
  return s;
}

double Schedule::time_of(uint64_t k) const {
  const auto x = static_cast<double>(k);
  if (pieces_.size() == 1 && pieces_[0].slope == 0)
    return x / pieces_[0].r0;  // a constant rate: the hot path
  // The first stage whose count reaches past k (a stage of rate 0 throughout adds nothing, and is skipped).
  const auto it =
      std::upper_bound(pieces_.begin(), pieces_.end(), x, [](double v, const Piece& p) { return v < p.n1; });
  if (it == pieces_.end()) return kNever;
  const Piece& p = *it;
  const double d = x - p.n0;  // ops into this stage: solve r0 * dt + slope / 2 * dt^2 = d for dt >= 0
  double dt = 0;
  if (d > 0) {
    // 2d / (r0 + sqrt(r0^2 + 2 slope d)): the root without cancellation, for a rising or a falling rate.
    const double disc = std::max(0.0, p.r0 * p.r0 + 2 * p.slope * d);
    dt = 2 * d / (p.r0 + std::sqrt(disc));
  }
  return std::min(p.t0 + dt, p.t1);
}

double Schedule::count_at(double t) const {
  if (t <= 0) return 0;
  for (const auto& p : pieces_) {
    if (t < p.t1) {
      const double dt = t - p.t0;
      return p.n0 + p.r0 * dt + p.slope / 2 * dt * dt;
    }
  }
  return pieces_.back().n1;
}

double Schedule::rate_at(double t) const {
  if (t < 0) return pieces_.front().r0;
  for (const auto& p : pieces_)
    if (t < p.t1) return p.r0 + p.slope * (t - p.t0);
  return 0;  // the stages have ended
}

}  // namespace lh::engine
