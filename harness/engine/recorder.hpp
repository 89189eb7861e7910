// Per-thread statistics of one variant's run: latency histograms, per-second series, outcome and error
// counters, the checker's state (engine/check_state.hpp). No sharing: one per worker thread, merged after join (wrk2).
#pragma once
#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <memory>

#include "harness/engine/check_state.hpp"
#include "harness/net/errors.hpp"
#include "harness/stats/histogram.hpp"
#include "harness/stats/series.hpp"
#include "harness/transport/redis.hpp"

namespace lh::engine {

using Clock = std::chrono::steady_clock;

// The transport's part (commands sent, errors by class, `measuring`) is its Counters base.
struct Recorder : transport::Counters {
  stats::Histogram latency_us;              // corrected (from the intended start in open loop)
  stats::Histogram uncorrected_latency_us;  // open loop only: from the actual send
  stats::Series series;
  uint64_t ok = 0, failed = 0, indeterminate = 0;
  uint64_t retries = 0;               // transaction retries
  std::unique_ptr<CheckState> check;  // the variant's new_state(); fed by ClientCtx::record
  Clock::time_point origin;           // the variant's run clock zero

  void count_outcome(net::Outcome o) {
    if (o == net::Outcome::ok) ++ok;
    else if (o == net::Outcome::failed) ++failed;
    else ++indeterminate;
  }
  uint32_t now_us() const {
    return static_cast<uint32_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - origin).count());
  }
  void merge(const Recorder& o);
  // Everything but the checker state (--workload's total row: its entries' states are of different kinds).
  void merge_stats(const Recorder& o);
};

}  // namespace lh::engine
