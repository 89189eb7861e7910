// The open-loop arrival schedule of a run (--rate, --stages): op k of the run (k = 0, 1, 2, ... over every
// client's ops) is due time_of(k) seconds after the run clock's zero. Client `id` of `all` sends ops
// k = id, id + all, id + 2 * all, ...: the clients' slots interleave, so the server sees the schedule's rate,
// never a burst of every client at once.
//
//   constant rate R:  op k at k / R
//   --stages D:R,...: the rate r(t) moves linearly from the previous stage's target (0 before the first) to
//                     each stage's R over its D (k6's ramping-arrival-rate); N(t) = the integral of r from 0
//                     to t, and op k is due when N reaches k. After the last stage nothing more is due.
#pragma once
#include <cstdint>
#include <limits>
#include <vector>

#include "harness/model/report.hpp"

namespace lh::engine {

class Schedule {
 public:
  static Schedule constant(double rate);
  // Stages of positive durations and non-negative rates.
  static Schedule stages(const std::vector<reports::Stage>& stages);

  // Seconds from the run clock's zero at which op k is due; infinity when the schedule never reaches it.
  double time_of(uint64_t k) const;
  // N(t): how many ops the schedule calls for in [0, t] (a real number; op k is due when it reaches k).
  double count_at(double t) const;
  // The rate at t, ops/s.
  double rate_at(double t) const;
  // Where the schedule ends (the last stage's end); infinity for a constant rate.
  double end_s() const { return end_s_; }

  static constexpr double kNever = std::numeric_limits<double>::infinity();

 private:
  // One stage: from t0 the rate is r0 + slope * (t - t0), and n0 ops were due before it.
  struct Piece {
    double t0, t1, n0, n1, r0, slope;
  };
  std::vector<Piece> pieces_;
  double end_s_ = kNever;
};

}  // namespace lh::engine
