// `lua-harness capacity`: the highest open-loop rate a target sustains while every SLO holds.
//
// The search (CapacitySearch) is pure: it proposes a rate, is told whether that step met the SLOs, and
// proposes the next. Exponential growth (x2) from --rate-start until a step fails (or --rate-max is met),
// then a binary search between the last good and the first bad rate until they are within --precision of
// each other. Each step is a fresh measured run with its own warmup (runner.cpp); judge_step() says whether
// it met the SLOs, and why not, in words.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "harness/model/report.hpp"
#include "harness/reports/thresholds.hpp"

namespace lh::app {

struct CapacityConfig {
  std::vector<reports::ThresholdSpec> slos;  // --slo, the threshold grammar
  double rate_start = 100;                   // ops/s
  double rate_max = 1'000'000;
  double precision = 0.02;  // stop when (first bad - last good) <= precision * first bad
  std::chrono::microseconds step_duration{3'000'000};
  std::chrono::microseconds step_warmup{1'000'000};
};

class CapacitySearch {
 public:
  explicit CapacitySearch(const CapacityConfig& c) : c_(c) {}
  // The rate of the next step; nullopt when the search is over.
  std::optional<double> next() const;
  void record(double rate, bool met);
  // The highest rate that met every SLO; nullopt when none did.
  std::optional<double> best() const { return good_; }
  // The lowest rate that failed; nullopt when none did.
  std::optional<double> first_bad() const { return bad_; }

 private:
  CapacityConfig c_;
  std::optional<double> good_, bad_;
  bool started_ = false;
};

// The generator falls short when a step completes less than this share of its target rate.
constexpr double kGeneratorShortfall = 0.95;

// Judges one step: its results (one row, or a workload's entries and total), the SLOs evaluated over them as
// thresholds are (an inconclusive row fails them), a result that fails the run (a safe variant's violation),
// ops dropped (every client busy: the rate was not offered), and the generator's shortfall (less than 95 % of
// the target's ops in the step's `step_s` seconds). `achieved` is the ops over `step_s` (every op whose slot
// fell in the step, completed however late): not over the time to the last completion, whose drain tail
// would make a slow script's step look short. `clients`/`threads` name the flags in the sentences; `cause` (when given) gets the
// first failure in a few words ("p99_ms<2", "dropped ops (all clients busy)"), for capacity.limited_by.
reports::CapacityStep judge_step(double rate, const std::vector<reports::Result>& results,
                                 const std::vector<reports::ThresholdSpec>& slos, uint32_t clients,
                                 uint32_t threads, double step_s, std::string* cause = nullptr);

}  // namespace lh::app
