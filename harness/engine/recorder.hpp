// Per-thread statistics of one variant's run: latency histograms, per-second series, outcome and error
// counters, the scenario's compact history. No sharing: one per worker thread, merged after join (wrk2).
#pragma once
#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "harness/net/errors.hpp"
#include "harness/stats/histogram.hpp"
#include "harness/stats/series.hpp"
#include "scenarios/history.hpp"

namespace lh::engine {

using Clock = std::chrono::steady_clock;

struct Recorder {
  stats::Histogram latency_us;              // corrected (from the intended start in open loop)
  stats::Histogram uncorrected_latency_us;  // open loop only: from the actual send
  stats::Series series;
  uint64_t ok = 0, failed = 0, indeterminate = 0;
  uint64_t commands = 0;  // Redis commands sent (for commands_per_op)
  uint64_t retries = 0;   // transaction retries
  std::array<uint64_t, net::kErrorClassCount> errors{};
  std::array<std::string, net::kErrorClassCount> first_error;  // the first message of each class, for the report
  scenarios::History history;
  bool measuring = false;  // false during --warmup: nothing is recorded
  Clock::time_point origin;  // the variant's run clock zero

  void count_error(net::ErrorClass c, std::string_view message = {}) {
    const auto i = static_cast<std::size_t>(c);
    if (errors[i]++ == 0 && !message.empty()) first_error[i].assign(message.substr(0, 4096));
  }
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
};

}  // namespace lh::engine
