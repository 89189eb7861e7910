#include "harness/app/capacity.hpp"

#include <algorithm>

#include "harness/reports/format.hpp"
#include "harness/util/strcat.hpp"

namespace lh::app {

std::optional<double> CapacitySearch::next() const {
  if (!started_) return c_.rate_start;
  if (!bad_) {  // growing: double until a step fails or the ceiling met every SLO
    if (!good_ || *good_ >= c_.rate_max) return std::nullopt;
    return std::min(*good_ * 2, c_.rate_max);
  }
  if (!good_) return std::nullopt;  // even --rate-start failed
  if (*bad_ - *good_ <= c_.precision * *bad_) return std::nullopt;
  return (*good_ + *bad_) / 2;
}

void CapacitySearch::record(double rate, bool met) {
  started_ = true;
  if (met) {
    if (!good_ || rate > *good_) good_ = rate;
  } else {
    if (!bad_ || rate < *bad_) bad_ = rate;
  }
}

namespace {

std::string ops_s(double rate) { return reports::ops_per_s(rate) + " ops/s"; }

const reports::Result& total_row(const std::vector<reports::Result>& results) {
  for (const auto& r : results)
    if (r.name == "total") return r;
  return results.front();
}

}  // namespace

reports::CapacityStep judge_step(double rate, const std::vector<reports::Result>& results,
                                 const std::vector<reports::ThresholdSpec>& slos, uint32_t clients,
                                 uint32_t threads, double step_s, std::string* cause) {
  reports::CapacityStep s;
  s.rate = rate;
  auto fail = [&](const std::string& short_cause, const std::string& line) {
    if (cause && s.failed.empty()) *cause = short_cause;
    s.failed.push_back(line);
  };
  if (results.empty()) {
    fail("the step did not run", "the step did not run");
    return s;
  }
  const reports::Result& t = total_row(results);
  s.achieved = step_s > 0 ? static_cast<double>(t.ops_total) / step_s : t.throughput_ops_s;
  s.p50_ms = static_cast<double>(t.latency_us.p50) / 1000.0;
  s.p99_ms = static_cast<double>(t.latency_us.p99) / 1000.0;
  s.error_rate =
      t.ops_total ? static_cast<double>(t.ops_failed + t.ops_indeterminate) / static_cast<double>(t.ops_total)
                  : 0.0;
  s.dropped = t.ops_dropped.value_or(0);
  for (const auto& r : results)
    if (r.name != "total") s.violations += r.correctness.violations;

  reports::Report probe;
  probe.results = results;
  reports::evaluate_thresholds(slos, probe);
  for (const auto& th : probe.thresholds)
    if (!th.ok) fail(th.expr, th.expr + " (" + th.detail + ")");
  for (const auto& r : results)
    if (r.name != "total" && reports::fails_run(r))
      fail(reports::row_name(r) + ": " + r.correctness.verdict,
           reports::row_name(r) + ": " + r.correctness.verdict +
               (r.correctness.reason.empty() ? "" : ": " + r.correctness.reason));
  // The step must have offered its rate: an op that never started has no latency to judge, and a generator
  // that cannot send fast enough measures itself, not the target.
  const double share = rate > 0 ? s.achieved / rate : 0;
  if (s.dropped > 0) {
    fail(
        "dropped ops (all clients busy)",
        cat("dropped: ", reports::with_commas(s.dropped), " of ",
            reports::with_commas(t.ops_scheduled.value_or(0)), " scheduled ops never started because all ",
            clients,
            " clients were busy: the target fell behind, or the generator has too few clients (raise --clients "
            "to tell which)"));
  } else if (share < kGeneratorShortfall) {
    fail("the generator", cat("generator: achieved ", ops_s(s.achieved), ", ", static_cast<int>(share * 100),
                              " % of the target: the generator could not send faster (raise --threads, now ",
                              threads, ", or --clients, now ", clients, ")"));
  }
  s.met = s.failed.empty();
  return s;
}

}  // namespace lh::app
